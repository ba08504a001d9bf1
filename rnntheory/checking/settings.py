r"""The checks of a claim's settings, before anything is measured or judged. One job: refuse a setup
mistake with a message, so that it is an error and never a verdict.

* **measuring** settings (:func:`check_settings`, :func:`check_cells`): the names and types a claim's
  registered grids use (:func:`measuring_types`); a cell that leaves a setting unset, or gives a
  non-positive value where every registered value is positive;
* **judging** settings (:func:`check_judging`): the names of ``Claim.judging`` and values of the kind
  of their defaults.

A wrong type raises TypeError and a wrong value ValueError (the policy of rnntheory._validation).
:class:`~rnntheory.checking.Claim` calls these through its methods of the same names.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from .grid import SEEDS_KEY, Grid, point_settings

__all__ = ["type_fits", "measuring_types", "check_settings", "check_cells", "check_judging"]


def type_fits(value: Any, types: tuple[type, ...]) -> bool:
    r"""Whether a setting's ``value`` has one of the ``types`` its registered grids use (an int passes
    where a float does; a bool only where a bool does; lists and tuples pass for each other)."""
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and (int in types or float in types):
        return True
    if isinstance(value, float) and float in types:
        return True
    if isinstance(value, (list, tuple)) and (list in types or tuple in types):
        return True
    if isinstance(value, Mapping) and dict in types:
        return True
    return isinstance(value, str) and str in types


def measuring_types(claim: Any) -> dict[str, tuple[type, ...]]:
    r"""Every measuring setting of the claim's cells (the keys of its registered grids' points and
    fixed parameters) with the Python types its values take there."""
    out: dict[str, set[type]] = {}
    for g in claim.grids.values():
        for source in (g.fixed, *g.points):
            for k, v in source.items():
                if k != SEEDS_KEY:
                    out.setdefault(k, set()).add(type(v))
    if "m" in out:  # every claim that builds a network takes its W variance and the W0 jitter of a sensitivity
        # run (rnntheory.claims.cells.make_net)
        out.setdefault("w_var", set()).update({float, int})
        out.setdefault("w0_jitter", set()).update({int, bool})
    return {k: tuple(sorted(v, key=lambda t: t.__name__)) for k, v in out.items()}


def check_settings(claim: Any, settings: Mapping[str, Any], where: str) -> None:
    r"""Refuse measuring settings the claim does not have, or of a type its grids never use (a
    misremembered name would otherwise give default results that look like the asked run)."""
    known = measuring_types(claim)
    unknown = sorted(set(settings) - set(known) - {"seed", "device", "dtype", SEEDS_KEY})
    if unknown:
        raise ValueError(f"{where}: {claim.name} has no measuring settings {unknown}; expected some of {sorted(known)}")
    for k, v in settings.items():
        if k in known and not type_fits(v, known[k]):
            names_ = " or ".join(t.__name__ for t in known[k])
            raise TypeError(f"{where}: {claim.name} setting {k}={v!r} must be {names_}")


def check_cells(claim: Any, grid: Grid, where: str) -> None:
    r"""Refuse, before any cell is measured, a grid whose cells lack a measuring setting that every
    registered grid of the claim sets (a custom grid that forgot the fixed settings would fail every
    cell), or give a setting of the wrong type, or a non-positive value where every registered value
    is positive (``m = -64``), or that the claim's own ``check_cell`` refuses (``eps_x = 5``)."""
    registered = [{**g.fixed, **point_settings(p)} for g in claim.grids.values() for p in g.points]
    required = set.intersection(*(set(c) for c in registered)) if registered else set()
    positive = {
        k
        for k in required
        if all(isinstance(c[k], (int, float)) and not isinstance(c[k], bool) and c[k] > 0 for c in registered)
    }
    for pt in grid.points:
        cell = {**grid.fixed, **point_settings(pt)}
        missing = sorted(required - set(cell))
        if missing:
            example = {k: registered[0][k] for k in missing}
            raise ValueError(
                f"{where}: {claim.name}: the grid point {point_settings(pt)!r} leaves {missing} unset; every "
                f"cell of its registered grids sets them (e.g. {example!r}); start from "
                "claim.grid().with_fixed(...) or Grid(points, seeds, fixed=claim.grid().fixed)"
            )
        check_settings(claim, cell, where)
        for k in sorted(positive & set(cell)):
            v = cell[k]
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not v > 0:
                raise ValueError(f"{where}: {claim.name} setting {k}={v!r} must be positive")
        if claim.check_cell is not None:
            probe = {**cell, "seed": grid.point_seeds(pt)[0], "device": "cpu", "dtype": claim.dtype}
            try:
                claim.check_cell(probe)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{where}: {claim.name}: the grid point {point_settings(pt)!r}: {exc}") from None


_SIZE_SUFFIXES = ("_ref", "_points", "_L", "_per_L2", "_count", "_frac", "slack")


def check_judging(claim: Any, values: Mapping[str, Any], where: str) -> None:
    r"""Refuse judging settings the claim does not have, or whose value cannot be what the default is:
    a number where the default is a number (finite, not a bool), positive where the setting is a
    resolution, a count or a reference size, a factor in (1, 8) for ``growth_factor``; a string or a
    mapping where the default is one."""
    unknown = set(values) - set(claim.judging)
    if unknown:
        raise ValueError(
            f"{where}: {claim.name} has no judging settings {sorted(unknown)}; expected some of {sorted(claim.judging)}"
        )
    for k, v in values.items():
        default = claim.judging[k]
        if isinstance(default, bool) or default is None:
            continue
        if isinstance(default, (int, float)):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise TypeError(
                    f"{where}: {claim.name} judging setting {k}={v!r} must be a number (default {default!r})"
                )
            if not math.isfinite(v):
                raise ValueError(f"{where}: {claim.name} judging setting {k}={v!r} must be finite")
            if k.endswith("resolution") and v <= 0:
                raise ValueError(
                    f"{where}: {claim.name} judging setting {k}={v!r} must be positive (a resolution of 0 "
                    "is for exact checks only)"
                )
            if k.endswith("factor") and not 1 < v < 8:
                raise ValueError(
                    f"{where}: {claim.name} judging setting {k}={v!r} must be in (1, 8): the factor an "
                    "exponential may add over the range unnoticed, below the injected factor 8"
                )
            if default > 0 and v <= 0 and k.endswith(_SIZE_SUFFIXES):
                raise ValueError(f"{where}: {claim.name} judging setting {k}={v!r} must be positive")
        elif isinstance(default, str) and not isinstance(v, str):
            raise TypeError(f"{where}: {claim.name} judging setting {k}={v!r} must be a string (default {default!r})")
        elif isinstance(default, Mapping) and not isinstance(v, Mapping):
            raise TypeError(f"{where}: {claim.name} judging setting {k}={v!r} must be a mapping (default {default!r})")
