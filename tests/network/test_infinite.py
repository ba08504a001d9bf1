"""The infinite-width limit (theory.md sec. 8) against independent references: the diagonal recursion
in closed form, Monte-Carlo Gaussian integrals, the paper's explicit sum formulas evaluated by naive
loops, and the empirical network at large width."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory.network import RNN, backward, decoupling, infinite, kernel, sample_inputs
from rnntheory.testing import TOL, rel_err

f64 = torch.float64


def inputs(n=3, L=5, d_x=4, eps_x=0.5, seed=1):
    return sample_inputs(n, L, d_x, eps_x, seed=seed)


# ---------------------------------------------------------------------- exact identities
@given(n=st.integers(1, 3), L=st.integers(3, 7), eps=st.floats(0.01, 1.0), seed=st.integers(0, 1000))
def test_diagonal_follows_the_norm_recursion(n, L, eps, seed):
    """S_{l,l}(x, x) = S_{l-1,l-1} + ||x_l||^2 and Sdot_{l,l}(x, x) = 1/2 (theta = 0: no NaN)."""
    x = inputs(n, L, 4, eps, seed)
    fk = infinite.forward_kernel(x)
    ar = torch.arange(n)
    diag = fk.S[ar, ar].diagonal(dim1=-2, dim2=-1)  # (n, L+1)
    expected = torch.cat([torch.zeros(n, 1, dtype=f64), x.pow(2).sum(-1).cumsum(1)], dim=1)
    torch.testing.assert_close(diag, expected, **TOL[f64])
    # override: at theta = 0 the arccos loses half the digits (theta ~ sqrt(2 (1 - cos)) ~ 1e-8 from rounding)
    torch.testing.assert_close(
        fk.Sdot[ar, ar].diagonal(dim1=-2, dim2=-1), torch.full((n, L), 0.5, dtype=f64), rtol=0.0, atol=1e-7
    )
    assert bool(torch.isfinite(fk.S).all()) and bool(torch.isfinite(fk.Sdot).all())


def test_kernels_are_symmetric_in_their_arguments():
    x, x2 = inputs(3, 6, seed=1), inputs(2, 6, seed=2)
    a, b = infinite.forward_kernel(x, x2), infinite.forward_kernel(x2, x)
    torch.testing.assert_close(a.S, b.S.permute(1, 0, 3, 2), **TOL[f64])
    torch.testing.assert_close(a.Sdot, b.Sdot.permute(1, 0, 3, 2), **TOL[f64])
    K, K2 = infinite.ntk(x, x2, d=2), infinite.ntk(x2, x, d=2)
    torch.testing.assert_close(K, K2.permute(3, 4, 5, 0, 1, 2), **TOL[f64])


def test_cross_entries_follow_the_paper_recursion_entry_by_entry():
    """Every entry from the paper's formulas, one (l, l') and one pair of sequences at a time."""
    x, x2 = inputs(2, 5, seed=3), inputs(2, 5, seed=4)
    fk = infinite.forward_kernel(x, x2)
    L = 5
    for a in range(2):
        for b in range(2):
            S = [[0.0] * (L + 1) for _ in range(L + 1)]
            s1 = [0.0] + [float(x[a, :l].pow(2).sum()) for l in range(1, L + 1)]
            s2 = [0.0] + [float(x2[b, :l].pow(2).sum()) for l in range(1, L + 1)]
            for l in range(1, L + 1):
                for k in range(1, L + 1):
                    q = 2 * (S[l - 1][k - 1] + float(x[a, l - 1] @ x2[b, k - 1]))
                    q11, q22 = 2 * s1[l], 2 * s2[k]
                    c = max(-1.0, min(1.0, q / math.sqrt(q11 * q22)))
                    th = math.acos(c)
                    S[l][k] = math.sqrt(q11 * q22) / (2 * math.pi) * (math.sin(th) + (math.pi - th) * math.cos(th))
                    assert float(fk.Sdot[a, b, l - 1, k - 1]) == pytest.approx((math.pi - th) / (2 * math.pi), rel=1e-9)
            torch.testing.assert_close(fk.S[a, b], torch.tensor(S, dtype=f64), **TOL[f64])


def test_ntk_recursion_equals_the_explicit_sum_of_lag_products():
    """ntk (by the T recursion) equals the paper's sum over k of Sdot * prod 2 Sdot * S, by naive loops."""
    x, x2 = inputs(2, 6, seed=5), inputs(3, 6, seed=6)
    d, pos = 2, [2, 4, 6]
    fk = infinite.forward_kernel(x, x2)
    Sd, S = fk.Sdot, fk.S
    expected = torch.zeros(2, len(pos), d, 3, len(pos), d, dtype=f64)
    for a in range(2):
        for b in range(3):
            for ja, j in enumerate(pos):
                for jb, jp in enumerate(pos):
                    total = 0.0
                    for k in range(min(j, jp)):
                        prod = float(Sd[a, b, j - 1, jp - 1])
                        for t in range(1, k + 1):
                            prod *= 2 * float(Sd[a, b, j - t - 1, jp - t - 1])
                        total += prod * float(S[a, b, j - k - 1, jp - k - 1])
                    for s in range(d):
                        expected[a, ja, s, b, jb, s] = total / d
    torch.testing.assert_close(infinite.ntk(x, x2, d=d, positions=pos), expected, **TOL[f64])


def test_backward_correlation_is_the_lag_product_and_zero_across_lags():
    x = inputs(2, 5, seed=7)
    Sd = infinite.forward_kernel(x).Sdot
    pairs = backward.all_pairs(5)  # (a, b) = (i, j), 1 <= i <= j <= 5
    C = infinite.backward_correlation(x, pairs=pairs, d=3)
    for a in range(2):
        for b in range(2):
            for p, (i, j) in enumerate(pairs):
                for q, (i2, j2) in enumerate(pairs):
                    if j - i != j2 - i2:
                        expected = 0.0
                    else:
                        expected = float(Sd[a, b, j - 1, j2 - 1])
                        for t in range(1, j - i + 1):
                            expected *= 2 * float(Sd[a, b, j - t - 1, j2 - t - 1])
                        expected /= 3
                    assert float(C[a, b, p, q]) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_limit_tau_star_is_the_empirical_fit_with_the_limit_kernel():
    """tau*_inf = sqrt(m) sqrt(alpha^T K alpha) with K = m * K_inf, for any m (the scaling of theory.md sec. 8)."""
    x = inputs(4, 5, seed=8)
    y = torch.randn(4, 5, 1, dtype=f64, generator=torch.Generator().manual_seed(0))
    net = RNN.init(64, 4, 1, seed=0)
    K = 64 * infinite.ntk(x)
    expected = kernel.min_norm_fit(net, net.trace(x), y, K=K).tau_star
    assert infinite.min_norm_fit(x, y).tau_star == pytest.approx(expected, rel=1e-9)


def test_float32_inputs_are_computed_in_float64():
    x = inputs(2, 5, seed=9)
    torch.testing.assert_close(infinite.ntk(x.float()), infinite.ntk(x.float().double()), **TOL[f64])
    assert infinite.ntk(x.float()).dtype == f64


def test_zero_variance_positions_give_zero_not_nan():
    """Inputs with zero leading tokens (outside the paper's normalisation) give S = Sdot = 0 there."""
    x = torch.zeros(1, 4, 3, dtype=f64)
    x[0, 2, 0] = 1.0
    fk = infinite.forward_kernel(x)
    assert bool(torch.isfinite(fk.S).all()) and bool(torch.isfinite(fk.Sdot).all())
    assert float(fk.S[0, 0, 1:3].abs().max()) == 0.0 and float(fk.Sdot[0, 0, 0].abs().max()) == 0.0
    assert float(fk.Sdot[0, 0, 2, 2]) == 0.5


# ---------------------------------------------------------------------- Monte-Carlo Gaussian integrals
@pytest.mark.parametrize(
    "q11,q22,rho",
    [(1.0, 1.0, 0.0), (2.0, 0.5, 0.7), (1.0, 3.0, -0.6), (1.0, 1.0, 1.0), (1.0, 1.0, -1.0), (0.3, 0.3, 0.999999)],
)
def test_relu_expectations_match_monte_carlo(q11, q22, rho):
    """E relu(u) relu(v) and P(u > 0, v > 0) within 5 standard errors of 400 000 Gaussian draws
    (seeded; a false failure at 5 standard errors has probability below 1e-6)."""
    g = torch.Generator().manual_seed(11)
    z = torch.randn(400_000, 2, dtype=f64, generator=g)
    q12 = rho * math.sqrt(q11 * q22)
    cov = torch.tensor([[q11, q12], [q12, q22]], dtype=f64)
    Lc = torch.linalg.cholesky(cov + 1e-300 * torch.eye(2, dtype=f64)) if abs(rho) < 1 else None
    if Lc is None:  # degenerate: v = sign(rho) sqrt(q22/q11) u
        u = z[:, 0] * math.sqrt(q11)
        v = math.copysign(math.sqrt(q22 / q11), rho) * u
    else:
        uv = z @ Lc.T
        u, v = uv[:, 0], uv[:, 1]
    e_samples = torch.relu(u) * torch.relu(v)
    p_samples = ((u > 0) & (v > 0)).to(f64)
    e, p = infinite.relu_expectations(
        torch.tensor(q11, dtype=f64), torch.tensor(q22, dtype=f64), torch.tensor(q12, dtype=f64)
    )
    for actual, samples in ((e, e_samples), (p, p_samples)):
        se = float(samples.std()) / math.sqrt(samples.numel())
        assert abs(float(actual) - float(samples.mean())) <= 5 * se + 1e-12


# ---------------------------------------------------------------------- the empirical network at large width
def _errors(m, seeds, x, d=1):
    fk = infinite.forward_kernel(x)
    Kinf = infinite.ntk(x, d=d)
    out = []
    for seed in seeds:
        net = RNN.init(m, x.shape[-1], d, seed=seed)
        tr = net.trace(x)
        H = torch.einsum("alk,bmk->ablm", tr.hidden, tr.hidden)
        P = tr.pattern.to(f64)
        Sd = torch.einsum("alk,bmk->ablm", P, P) / m
        out.append((rel_err(H, fk.S), rel_err(Sd, fk.Sdot), rel_err(kernel.ntk(net, tr) / m, Kinf)))
    return torch.tensor(out).mean(dim=0)


def test_empirical_kernels_approach_the_limit_at_rate_sqrt_m():
    """From m = 128 to m = 2048 (16x) the mean relative errors of S, Sdot and the NTK over 4 networks fall
    by at least 2x (the m^-1/2 rate predicts 4x; deterministic seeds), and at m = 2048 they are small."""
    x = inputs(3, 6, 8, 0.5, seed=2)
    small, large = _errors(128, range(4), x), _errors(2048, range(4), x)
    assert bool((large <= small / 2).all()), (small, large)
    assert bool((large <= torch.tensor([0.3, 0.08, 0.3], dtype=large.dtype)).all()), large


def test_backward_and_feature_correlations_match_the_wide_network():
    """At m = 4096 the backward inner products / m and decoupling's feature correlations are close to
    their limits, including the nonzero equal-lag ones: RMS difference at most 0.025 and largest at
    most 0.12 (fluctuations are about m^-1/2 = 0.016 per entry)."""
    x = inputs(2, 6, 8, 0.5, seed=1)
    m, d = 4096, 2
    net = RNN.init(m, 8, d, seed=0)
    tr = net.trace(x)
    C, pairs = decoupling.feature_correlations(net, tr)
    diff = C - infinite.feature_correlation(x, pairs)
    assert float(diff.pow(2).mean().sqrt()) <= 0.025 and float(diff.abs().max()) <= 0.12, diff
    all_pairs = [(i, j) for j in range(1, 7) for i in range(1, j + 1)]
    bv = backward.back_vectors(net, tr, None)
    jj = torch.tensor([j - 1 for _, j in all_pairs])
    ii = torch.tensor([i - 1 for i, _ in all_pairs])
    for s in range(d):
        delta = bv[:, jj, ii, s] * tr.pattern.to(f64)[:, ii]
        actual = torch.einsum("apk,bqk->abpq", delta, delta) / m
        expected = infinite.backward_correlation(x, pairs=all_pairs, d=d)
        diff = actual - expected
        assert float(diff.pow(2).mean().sqrt()) <= 0.025 and float(diff.abs().max()) <= 0.12, diff


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    x = inputs(3, 6, seed=3)
    torch.testing.assert_close(infinite.ntk(x.cuda()).cpu(), infinite.ntk(x), **TOL[f64])
    torch.testing.assert_close(
        infinite.feature_correlation(x.cuda()).cpu(), infinite.feature_correlation(x), **TOL[f64]
    )
