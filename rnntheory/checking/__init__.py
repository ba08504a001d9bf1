r"""Checking claims: the framework that turns a claim into measured cells, findings and a verdict,
knowing nothing of RNNs. A claim's grid of measuring settings (grid), the checks of its measuring and
judging settings (settings), the judged findings (results), the negative controls and their outcomes
(controls), a claim's result (claim_result), the :class:`Claim` and its one path from a grid to a verdict
(claim), the finding builders every claim uses (findings), the findings on the regime m >= poly(L)
(regime), the typed finding specs a claim declares instead of writing its analysis (specs), the words a
result shares with the report (text), budgeted runs and the levels of repeated looks (budget), running
claims from grids to verdicts with one set of options (running), the registry (registry) and claims from
outside the package (plugins).

A claim of anyone's imports from here (docs/new_claim.md); the paper's claims are
:mod:`rnntheory.claims`, which also looks registered claims up by name. Imports
``rnntheory._validation``, the statistics and the execution layer (rnntheory.run); never the network,
learning, complexity or the paper's claims.
"""

from .._lazy import face

MODULES = (
    "grid",
    "settings",
    "results",
    "controls",
    "claim_result",
    "text",
    "findings",
    "regime",
    "specs",
    "budget",
    "running",
    "claim",
    "registry",
    "plugins",
)
NAMES = {
    **dict.fromkeys(["Grid", "SEEDS_KEY", "dtype_name", "point_settings", "torch_dtype"], "grid"),
    **dict.fromkeys(["check_cells", "check_judging", "check_settings", "measuring_types", "type_fits"], "settings"),
    **dict.fromkeys(["ANALYSIS_ERRORS", "Finding", "Judging", "LEVEL", "ONE_WIDTH", "Series", "described"], "results"),
    **dict.fromkeys(
        [
            "CONTROL_KINDS",
            "Control",
            "ControlOutcome",
            "Controls",
            "cannot_detect",
            "derived_controls",
            "exponential",
            "too_strong",
            "wrong_m",
        ],
        "controls",
    ),
    **dict.fromkeys(["ClaimResult"], "claim_result"),
    **dict.fromkeys(
        [
            "HEADLINE_RULE",
            "catches",
            "cell",
            "controls_table",
            "false_alarm",
            "findings_table",
            "measured",
            "pct",
            "seeds_text",
            "to_decide",
            "what_was_shown",
        ],
        "text",
    ),
    **dict.fromkeys(
        [
            "EXPONENTIAL_FACTOR",
            "TOO_STRONG",
            "cannot_finding",
            "event_finding",
            "every_case_finding",
            "exponent_finding",
            "growth_finding",
            "mean_finding",
            "series",
            "split_diverged",
        ],
        "findings",
    ),
    **dict.fromkeys(["COLLAPSE_RESOLUTION", "RegimeFit", "regime_findings"], "regime"),
    **dict.fromkeys(
        [
            "Setting",
            "J",
            "Spec",
            "Exponent",
            "Growth",
            "Mean",
            "Event",
            "EveryCase",
            "Regime",
            "Analysis",
            "judge_all",
        ],
        "specs",
    ),
    **dict.fromkeys(
        ["ALPHA", "ERROR_RATES", "FACTORS", "ONLY", "Plan", "level_of", "look_level", "plan", "spend"], "budget"
    ),
    **dict.fromkeys(["Runnable", "cost", "judge_records", "measure_grids", "run", "run_grids"], "running"),
    **dict.fromkeys(["Claim", "describe_failures"], "claim"),
    **dict.fromkeys(["REGISTRY", "register"], "registry"),
    **dict.fromkeys(["DISABLE_AUTOLOAD", "ENTRY_POINT_GROUP", "import_claims", "load_entry_points"], "plugins"),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
