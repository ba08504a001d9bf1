"""The one dtype-keyed tolerance table of the test suite. Any override in a test says why."""

import torch

TOL = {
    torch.float64: dict(rtol=1e-10, atol=1e-12),
    torch.float32: dict(rtol=1e-4, atol=1e-5),
}


def rel_err(actual: torch.Tensor, expected: torch.Tensor) -> float:
    """Relative error in Frobenius norm (absolute when the reference is zero)."""
    den = float(torch.linalg.vector_norm(expected))
    num = float(torch.linalg.vector_norm(actual - expected))
    return num / den if den > 0 else num
