r"""Statistics: fitted exponents and their intervals (fits, over the least squares of ``_lsq``) and the
verdict rule with its indifference zone (verdicts).

Imports nothing of rnntheory but ``rnntheory._validation``: fits and verdicts are plain numerics.
"""

from .._lazy import face

MODULES = ('fits', 'verdicts')
NAMES = {
    **dict.fromkeys(['BinomialDecision', 'Estimate', 'ExponentFit', 'GrowthFit', 'InsufficientData', 'MeanInterval', 'binomial_decision', 'binomial_interval', 'fit_exponent', 'fit_growth', 'fit_rate', 'mean_interval', 'smallest_constant'], 'fits'),
    **dict.fromkeys(['CannotAnalyse', 'Decision', 'VERDICTS', 'Verdict', 'cannot_analyse', 'checked', 'combine', 'event', 'every_case', 'exponent', 'growth', 'mean', 'needed'], 'verdicts'),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
