r"""Growth of C_eps(Phi, 1) in 1/eps (paper.md sec. 5, known anchors): polynomial for sin and exp at
fixed C*; faster for functions whose series must be truncated (tanh, sigmoid).

Measured (registry entry ``complexity_eps_growth``): C* = 10, R = 1, eps = 10^-1, ..., 10^-12. sin and
exp: the exponent of C_eps in 1/eps (log-log least squares, 99% regression interval) must be at most
1, the degree at which "poly(1/eps)" is checked (docs/complexity.md); measured 0.207 [0.187, 0.228]
for both (their C_eps differ by about the constant sinh/cosh split), with local exponents rising to
0.25 and then falling, i.e. sub-polynomial at the small-eps end. tanh and sigmoid, truncated at the
smallest degree whose rigorous error on [-1, 1] is at most eps: their exponent interval must lie wholly
above the entire functions' (measured 4.10 [3.97, 4.24] and 1.06 [1.05, 1.06]; the prediction
log(C* R / rho) / log(rho / R) gives 4.10 and 1.01).

False-failure rate: the computation is deterministic; the interval reflects only the curvature of the
log-log curve, and the measured values sit far inside the allowed side (0.23 against 1; 3.97 and 1.05
against 0.23), so the check fails only if the computation changes.

The check can fail: the deliberately wrong claim "degree 0.1" is rejected below, and so is "faster
growth" at C* = 1, where C* R is inside the radii of tanh and sigmoid and truncation is not needed.
"""


from proofs_checks._harness import run_claim


def test_complexity_eps_growth_rejects_faster_growth_when_no_truncation_is_needed():
    # with C* = 1 < pi/2, C* R is inside the radius of tanh and sigmoid: truncation changes nothing and
    # their C_eps does not grow faster than sin's, so the "faster" finding must fail
    res = run_claim("complexity_eps_growth", C_star=1.0)
    assert res.verdict == "inconsistent", str(res)
