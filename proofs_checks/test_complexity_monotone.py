r"""Complexity is monotone (theory.md sec. 5): C_eps(Phi, R) and C_s(Phi, R) are non-decreasing in R and
C_eps is non-decreasing in 1/eps.

Grid (registry entry ``complexity_monotone``, default): sin, exp, cos, erf, log1p, tanh, sigmoid and
z^3 - 2z + 1, with C* = 10 and 2 seeds (16 cells); log10 of C_eps (eps = 1e-3) and C_s along 6 sorted
random R (log-uniform up to 1.5 x the radius of convergence, so finite and divergent values are
compared), and of C_eps along 6 sorted random 1/eps in [1.5, 1e12]. Every consecutive difference
must be >= 0 (divergent counts as +inf; rounding allowance 1e-20 in log10). No interval is involved:
each finding is a check of every case.

Findings, measured on the default grid: C_eps non-decreasing in R, C_s non-decreasing in R, C_eps
non-decreasing in 1/eps: 16/16 sweeps (function, seed) each, consistent. Claim verdict: consistent.

False-failure rate: 0, per finding and for the claim. The computation is deterministic and the claim
is exact (every summand is monotone), so a failure is a defect of the computation.

How the check can fail (negative controls): the deliberately wrong claim "non-increasing" is
rejected by all three findings. A wrong normalisation in m cannot be detected (the complexity of a
function does not involve the width), nor can exponential growth (the claim is monotonicity only and
makes no growth claim).

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py. The property test draws random polynomials and R1 < R2 and targets
the ratio C(R1)/C(R2) (worst ratio found <= 1; it approaches 1 for constant polynomials, where C does
not depend on R).
"""

from hypothesis import given, target
from hypothesis import strategies as st

from rnntheory.complexity import c_eps, c_s, smooth


@given(
    coefs=st.lists(st.integers(-20, 20), min_size=1, max_size=8),
    r1=st.floats(0.01, 5.0),
    factor=st.floats(1.0, 4.0),
    k=st.floats(0.5, 20.0),
)
def test_complexity_monotone_per_instance(coefs, r1, factor, k):
    f = smooth(coefs)
    r2 = r1 * factor
    lo, hi = c_eps(f, r1, 10.0**-k, 10.0), c_eps(f, r2, 10.0**-k, 10.0)
    if hi.value > 0:
        target(float(lo.value / hi.value), label="C_eps(R1) / C_eps(R2)")
    # the values carry 40 digits; compare through the difference (rounding allowance 1e-25)
    assert lo.value - hi.value <= 1e-25 * hi.value
    s1, s2 = c_s(f, r1, 10.0).value, c_s(f, r2, 10.0).value
    assert s1 - s2 <= 1e-25 * s2
    e1, e2 = c_eps(f, r1, 10.0**-k, 10.0).value, c_eps(f, r1, 10.0 ** -(k + 1), 10.0).value
    assert e1 - e2 <= 1e-25 * e2
