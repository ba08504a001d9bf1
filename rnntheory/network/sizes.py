r"""The size of a displacement :math:`W'`: its spectral size :math:`\omega = \|W'\|_2`, its NTK radius
:math:`\tau = \sqrt{m}\,\|W'\|_F`, and rescaling a direction to a given size.

Paper (theory.md, section 1): the perturbation lemmas are stated for :math:`\|W'\|_2 \le \omega`, the
NTK-ball lemmas for :math:`\sqrt{m}\,\|W'\|_F \le \tau`. :mod:`rnntheory.network.perturbation` builds
the directions of a prescribed size and re-exports the public names of this module.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from .. import _validation as V

__all__ = ["spectral_norm", "ntk_radius", "scale_to", "size_argument", "rescale"]


def spectral_norm(W_prime: torch.Tensor) -> torch.Tensor:
    r"""Spectral size :math:`\omega = \|W'\|_2` (largest singular value), batched over leading axes.

    Paper: section 1 (sizes of displacements).

    Args:
        W_prime: ``(m, m)`` or ``(k, m, m)``.

    Returns:
        A 0-dim tensor, or ``(k,)``.
    """
    V.tensor(V.caller(spectral_norm), "W_prime", W_prime, ndim=(2, 3))
    return _spectral(W_prime)


def _spectral(M: torch.Tensor) -> torch.Tensor:
    r"""Largest singular value of ``(m, m)`` or ``(k, m, m)`` matrices, computed in float64.

    For m <= 256 from the symmetric eigenvalue problem of :math:`M^T M`. Above, by Lanczos
    iteration on :math:`M^T M` with full re-orthogonalisation (matrix-vector products only, far cheaper
    than an SVD), run until the top Ritz value changes by less than 1e-14 relative or the Krylov space
    is exhausted (a low-rank matrix such as a gradient ends the iteration after rank + 1 steps).
    """
    M64 = M.to(torch.float64)
    if M64.ndim == 3:
        return torch.stack([_spectral(Mi) for Mi in M64]).to(M.dtype)
    m = M64.shape[-1]
    if m <= _LANCZOS_FROM:
        lam = torch.linalg.eigvalsh(M64.T @ M64)[-1]
        return lam.clamp_min(0.0).sqrt().to(M.dtype)
    return torch.tensor(_lanczos_top(M64), dtype=M.dtype, device=M.device)


_LANCZOS_FROM = 256


def _lanczos_top(M: torch.Tensor, max_iter: int = 400, rtol: float = 1e-14) -> float:
    r"""Largest singular value of a square float64 matrix by Lanczos on :math:`M^T M` (deterministic start)."""
    m = M.shape[-1]
    gen = torch.Generator().manual_seed(0)
    q = torch.randn(m, generator=gen, dtype=torch.float64).to(M.device)
    n_it = min(max_iter, m)
    Q = torch.zeros(n_it + 1, m, dtype=torch.float64, device=M.device)
    Q[0] = q / torch.linalg.vector_norm(q)
    alpha: list[float] = []
    beta: list[float] = []
    prev = -1.0
    theta = 0.0
    scale = float(torch.linalg.matrix_norm(M, ord="fro")) ** 2
    for k in range(n_it):
        w = M.T @ (M @ Q[k])
        alpha.append(float(w @ Q[k]))
        B = Q[: k + 1]
        w = w - B.T @ (B @ w)
        w = w - B.T @ (B @ w)  # second pass: full re-orthogonalisation
        b = float(torch.linalg.vector_norm(w))
        done = b <= 1e-13 * max(scale, 1e-300) or k == n_it - 1
        if done or k % 8 == 7:  # the Ritz value is checked every 8 steps
            theta = float(np.linalg.eigvalsh(_tridiagonal(alpha, beta))[-1])
            if done or abs(theta - prev) <= rtol * abs(theta):
                break
            prev = theta
        beta.append(b)
        Q[k + 1] = w / b
    return max(theta, 0.0) ** 0.5


def _tridiagonal(alpha: list[float], beta: list[float]) -> np.ndarray:
    T = np.diag(np.asarray(alpha))
    if beta:
        off = np.asarray(beta[: len(alpha) - 1])
        T += np.diag(off, 1) + np.diag(off, -1)
    return T


def ntk_radius(W_prime: torch.Tensor) -> torch.Tensor:
    r"""NTK radius :math:`\tau = \sqrt{m}\,\|W'\|_F`, batched over leading axes.

    Paper: section 1 (sizes of displacements).

    Args:
        W_prime: ``(m, m)`` or ``(k, m, m)``.

    Returns:
        A 0-dim tensor, or ``(k,)``.
    """
    V.tensor(V.caller(ntk_radius), "W_prime", W_prime, ndim=(2, 3))
    return torch.linalg.matrix_norm(W_prime, ord="fro") * math.sqrt(W_prime.shape[-1])


def size_argument(fn: str, omega: Any, tau: Any) -> tuple[str, float]:
    r"""The one size a caller of ``fn`` gave: ``("omega", value)`` or ``("tau", value)`` (exactly one, >= 0)."""
    if (omega is None) == (tau is None):
        raise ValueError(f"{fn}: pass exactly one of omega= and tau= (got omega={V.show(omega)}, tau={V.show(tau)})")
    if omega is not None:
        return "omega", V.real_in(fn, "omega", omega, low=0.0)
    return "tau", V.real_in(fn, "tau", tau, low=0.0)


def rescale(fn: str, M: torch.Tensor, kind: str, size: float) -> torch.Tensor:
    r"""``M`` rescaled to spectral size (``kind="omega"``) or NTK radius (``"tau"``) ``size``; a zero direction is
    refused."""
    cur = _spectral(M) if kind == "omega" else torch.linalg.matrix_norm(M, ord="fro") * math.sqrt(M.shape[-1])
    if bool((cur <= 0).any()):
        raise ValueError(f"{fn}: the direction is zero, so it cannot be scaled to {kind}={size!r}")
    return M * (size / cur)[..., None, None]


def scale_to(W_prime: torch.Tensor, *, omega: float | None = None, tau: float | None = None) -> torch.Tensor:
    r"""Rescale a direction to spectral size ``omega`` or NTK radius ``tau`` (exactly one).

    Paper: section 1, :math:`\omega = \|W'\|_2`, :math:`\tau = \sqrt{m}\|W'\|_F`.

    Args:
        W_prime: ``(m, m)`` or ``(k, m, m)`` non-zero directions (each rescaled separately).
        omega: target spectral norm, >= 0.
        tau: target NTK radius, >= 0.

    Returns:
        The rescaled tensor (same shape).

    Raises:
        ValueError: both or neither size given, a negative or non-finite size, a zero direction, NaN entries.
        TypeError: not a float tensor.
    """
    fn = V.caller(scale_to)
    V.tensor(fn, "W_prime", W_prime, ndim=(2, 3))
    if W_prime.shape[-1] != W_prime.shape[-2]:
        raise ValueError(f"{fn}: W_prime has shape {tuple(W_prime.shape)}; expected (m, m) or (k, m, m)")
    kind, size = size_argument(fn, omega, tau)
    return rescale(fn, W_prime, kind, size)
