r"""The report: running every claim and writing docs/report/ (build), its figures (figures),
comparing two reports (compare), grid files (grids) and the numbers the docs publish (_published).

The top of the package below the command line: it imports the claims and everything under them.
"""

from .._lazy import face

MODULES = ('build', 'figures', 'comparison', 'grids')
NAMES = {
    **dict.fromkeys(['Report', 'claims_reference', 'cost', 'false_alarm', 'from_results', 'headline', 'measured', 'rejudge', 'run', 'versions', 'what_was_shown'], 'build'),
    **dict.fromkeys(['grid_from_spec', 'grid_spec', 'load_grids'], 'grids'),
    **dict.fromkeys(['Comparison', 'compare'], 'comparison'),
    **dict.fromkeys(['ClaimFigure', 'Panel', 'claim_figure', 'panels', 'save_figure'], 'figures'),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
