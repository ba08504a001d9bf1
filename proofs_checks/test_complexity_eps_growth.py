r"""Growth of C_eps(Phi, 1) in 1/eps (theory.md sec. 5, known anchors): polynomial for sin and exp at
fixed C*; faster for functions whose series must be truncated (tanh, sigmoid).

Grid (registry entry ``complexity_eps_growth``, default): sin, exp, tanh, sigmoid; C* = 10, R = 1,
eps = 10^-1, ..., 10^-12 (one deterministic cell per function). Exponents are log-log least squares
over the 12 points with the regression interval (99%, 10 df).

Findings, measured on the default grid:

1.-2. sin and exp: exponent of C_eps in 1/eps at most 1, the degree at which "poly(1/eps)" is
   checked (docs/complexity.md): 0.207 [0.187, 0.228] for both (their C_eps differ by about the
   constant sinh/cosh split), with local exponents rising to 0.25 and then falling, i.e.
   sub-polynomial at the small-eps end: consistent.
3.-4. tanh and sigmoid, truncated at the smallest degree whose rigorous error on [-1, 1] is at most
   eps: the exponent must lie wholly above the entire functions' (at least 0.228): 4.10
   [3.97, 4.24] and 1.06 [1.05, 1.06] (the prediction log(C* R / rho) / log(rho / R) gives 4.10 and
   1.01): consistent.

Claim verdict: consistent.

False-failure rates: the report's rule counts 0.5% per interval finding, at most 4 x 0.5% = 2% for
the claim, but the computation is deterministic: the interval reflects only the curvature of the
log-log curve, and the measured values sit far inside the allowed side (0.23 against 1; 3.97 and
1.05 against 0.23), so the check fails only if the computation changes.

How the check can fail (negative controls): the deliberately wrong claim "degree 0.1" is rejected
(sin and exp). A wrong normalisation in m cannot be detected (the complexity does not involve the
width), nor can an exponential in 1/eps injected as in the other claims (1/eps spans twelve decades,
so a factor that adds 10 times over the range sits in the last point alone); faster-than-polynomial
growth is checked directly by findings 3 and 4. "Faster growth" at C* = 1, where C* R is inside the
radii of tanh and sigmoid and truncation is not needed, is rejected below.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.
"""

from proofs_checks._harness import run_claim


def test_complexity_eps_growth_rejects_faster_growth_when_no_truncation_is_needed():
    # with C* = 1 < pi/2, C* R is inside the radius of tanh and sigmoid: truncation changes nothing and
    # their C_eps does not grow faster than sin's, so the "faster" finding must fail
    res = run_claim("complexity_eps_growth", C_star=1.0)
    assert res.verdict == "inconsistent", str(res)
