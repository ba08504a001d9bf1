r"""Every registered claim, measured on its default grid and judged through the one shared path
(``Claim.run`` -> ``Claim.judge``), with its negative controls.

One test per claim and kind, parametrised over ``claims.names()``: a new claim is checked here the
moment it is registered. Each default grid is measured once per test session (``_harness``); the
claim-specific tests in the other modules of this folder reuse the same result.

* ``test_claim_is_judged``: the analysis ran on the default grid (no "could not run" finding) and
  the verdict is the one the claim expects (``Claim.expected``, with its reason; docs/findings.md
  explains every verdict that is not "consistent"). A changed verdict fails here and must be
  explained there.
* ``test_negative_controls``: each of the three controls (too-strong exponent, wrong normalisation
  in m, injected exponential growth) is rejected by a re-analysis of the claim's own measurements,
  or the claim says why it cannot detect it.
* ``test_large_grid`` (slow): the large grid runs and is judged.

False-failure rates: a verdict test fails by chance only if an interval misses the truth, at most
0.5% per finding at the boundary (99% t intervals over seeds; rates per check in each module's
docstring). The grids' seeds are fixed, so every run is deterministic on one machine.
"""

import pytest

from proofs_checks._harness import TRAINED, run_claim
from rnntheory import claims
from rnntheory.checking import CONTROL_KINDS
from rnntheory.stats.verdicts import VERDICTS

NAMES = [pytest.param(n, marks=pytest.mark.trained) if n in TRAINED else n for n in claims.names()]
"""Every registered claim; the checks of the claims that train networks by SGD are a step of their own (``trained``:
their default grids train some 300 networks, about 4 minutes on 2 cores)."""
EXPECTED = {name: (claims.get(name).expected or ("consistent", ""))[0] for name in claims.names()}
"""The verdict each claim expects on its default grid, from ``Claim.expected`` (verdict and reason live on
the claim; docs/findings.md explains every verdict that is not "consistent")."""


def test_every_expectation_that_is_not_consistent_gives_its_reason():
    for name in claims.names():
        c = claims.get(name)
        if c.expected:
            verdict, reason = c.expected
            assert verdict in VERDICTS and len(reason) > 40, (name, c.expected)


@pytest.mark.parametrize("name", NAMES)
def test_claim_is_judged(name):
    res = run_claim(name)
    assert res.findings, str(res)
    assert all(f.decision.rule != "cannot analyse" for f in res.findings), str(res)
    assert res.verdict in VERDICTS
    assert res.verdict == EXPECTED[name], str(res)


@pytest.mark.parametrize("name", NAMES)
def test_negative_controls(name):
    res = run_claim(name)
    outcomes = res.controls()
    assert sorted(o.kind for o in outcomes) == sorted(CONTROL_KINDS)
    for o in outcomes:
        # an error the check can see is never accepted: rejected, or undecided with what would reject it
        assert o.status != "NOT rejected", f"{name}: {o}\n{res}"
        assert (
            o.rejected
            or o.verdict is None
            or (o.moot and res.verdict == "inconsistent")
            or (o.status == "undecided" and "to reject it" in o.detail)
        ), f"{name}: {o}\n{res}"
        if o.verdict is None:
            assert len(o.detail) > 40, f"{name}: the {o.kind} control needs a reason it cannot be detected"


@pytest.mark.slow
@pytest.mark.parametrize("name", claims.names())
def test_large_grid(name):
    res = run_claim(name, "large")
    assert all(f.decision.rule != "cannot analyse" for f in res.findings), str(res)
    assert res.verdict in VERDICTS
