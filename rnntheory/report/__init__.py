r"""The report: running every claim into a report (build), the report with its tables and the files of
its folder (document), the report's Markdown pages and the claims reference (markdown), its figures
(figures: each claim's; regime_plane: the regime m >= poly(L) of a claim that has one; the private
_canvas: what they share, handed on here as ClaimFigure and save_figure), comparing two reports
(comparison) and grid files (grids). (The numbers the docs publish are kept in step with their sources
by the repository tool tools/published.py.)

The top of the package below the command line: it imports the claims, the claim-checking framework
and everything under them.
"""

from .._lazy import face

MODULES = ("build", "document", "markdown", "figures", "regime_plane", "comparison", "grids")
NAMES = {
    **dict.fromkeys(["cost", "from_results", "rejudge", "run", "versions"], "build"),
    **dict.fromkeys(["Report", "headline_finding", "regime_degree"], "document"),
    **dict.fromkeys(["PAPER", "claims_reference", "page"], "markdown"),
    **dict.fromkeys(["OUTSIDE_HINT", "grid_from_spec", "grid_spec", "load_grids"], "grids"),
    **dict.fromkeys(["Comparison", "FindingPair", "compare"], "comparison"),
    **dict.fromkeys(["Panel", "claim_figure", "panels"], "figures"),
    **dict.fromkeys(["regime_figure", "regime_fit"], "regime_plane"),
    **dict.fromkeys(["ClaimFigure", "save_figure"], "_canvas"),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
