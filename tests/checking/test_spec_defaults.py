"""The judging settings a finding spec reads when a field is left out, and the same findings either way."""

import pandas as pd

from rnntheory.checking.specs import Exponent, Growth, J, Regime, Setting


def test_exponent_defaults_to_the_settings_named_by_x():
    spec = Exponent("t", "k", x="m", y="y", groups=None)
    assert spec.claimed == Setting("m_exponent") and spec.resolution == Setting("m_resolution")
    assert spec.settings() == ("m_exponent", "m_resolution")
    given = Exponent("t", "k", x="m", y="y", claimed=0.0, resolution=0.1, groups=None)
    assert (given.claimed, given.resolution) == (0.0, 0.1)  # given values are kept
    df = pd.DataFrame({"m": [64, 128, 256, 512], "y": [1.0, 1.01, 0.99, 1.0]})
    judging = {"m_exponent": 0.0, "m_resolution": 0.1}
    explicit = Exponent("t", "k", x="m", y="y", claimed=J.m_exponent, resolution=J.m_resolution, groups=None)
    assert spec.judge(df, judging) == explicit.judge(df, judging)


def test_growth_and_regime_default_to_growth_factor_and_regime_deltas():
    assert Growth("t", "k", x="L", y="y").factor == Setting("growth_factor")
    r = Regime("t", "k", y="y")
    assert (r.deltas, r.growth_factor) == (Setting("regime_deltas"), Setting("growth_factor"))
    assert Regime("t", "k", y="y", deltas=(0.5,), growth_factor=3.0).settings() == ()
