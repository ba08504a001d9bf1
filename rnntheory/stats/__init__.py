r"""Statistics: fitted exponents and their intervals, and how an estimate is written (fits, over the
least squares of ``_lsq``, whose error :class:`InsufficientData` this face hands on), the intervals of a
mean and of a frequency (intervals), the verdict rule with its indifference zone (verdicts), and the
statistics of "m >= poly(L)": threshold widths (thresholds) and their degree in L (regime), both over the
batched fits of ``_regime``, and the collapse q = F(L^k / m) (collapse).

Imports nothing of rnntheory but ``rnntheory._validation``: fits and verdicts are plain numerics.
"""

from .._lazy import face

MODULES = ("fits", "intervals", "verdicts", "thresholds", "regime", "collapse")
NAMES = {
    **dict.fromkeys(["InsufficientData"], "_lsq"),
    **dict.fromkeys(
        [
            "Estimate",
            "ExponentFit",
            "GrowthFit",
            "Interval",
            "estimate_text",
            "factor_text",
            "fit_exponent",
            "fit_growth",
            "fit_rate",
            "smallest_constant",
        ],
        "fits",
    ),
    **dict.fromkeys(
        ["BinomialDecision", "MeanInterval", "binomial_decision", "binomial_interval", "mean_interval"], "intervals"
    ),
    **dict.fromkeys(["ThresholdWidth", "ThresholdWidths", "threshold_widths"], "thresholds"),
    **dict.fromkeys(["ThresholdDegree", "ThresholdDegrees", "threshold_degree"], "regime"),
    **dict.fromkeys(["CollapseFit", "collapse_exponent", "lack_size"], "collapse"),
    **dict.fromkeys(
        [
            "CannotAnalyse",
            "Decision",
            "VERDICTS",
            "Verdict",
            "cannot_analyse",
            "checked",
            "combine",
            "event",
            "every_case",
            "exponent",
            "growth",
            "mean",
            "needed",
        ],
        "verdicts",
    ),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
