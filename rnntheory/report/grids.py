r"""Grid files: the grids a report measures, as plain JSON or TOML data.

:func:`load_grids` resolves ``"default"``, ``"large"`` or a grid file into one :class:`~rnntheory.checking.Grid`
per claim; :func:`grid_spec` writes a grid back as plain data (``rnntheory report --dump-grid``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

from .. import _validation as V
from ..checking.grid import Grid
from ..claims import get, names
from ..run.records import plain
from ..seeds import SEED_LIMIT

__all__ = ["load_grids", "grid_spec", "grid_from_spec", "OUTSIDE_HINT"]

OUTSIDE_HINT = (
    "A claim defined outside the package is chosen after the module that registers it is imported: "
    "`rnntheory report --import MODULE` (a module name or the path of a .py file), an installed package's "
    "entry point, or `rnntheory.checking.import_claims` in Python (docs/new_claim.md)."
)
"""What an unknown claim name is told: where a claim of one's own comes from."""

_KEYS = ("base", "points", "axes", "seeds", "fixed", "judging")


def grid_spec(g: Grid) -> dict[str, Any]:
    r"""A grid as plain JSON data: ``{"points": [...], "seeds": [...], "fixed": {...}}`` (and ``"judging"``
    when the grid overrides judging settings)."""
    spec = {"points": [dict(p) for p in g.points], "seeds": list(g.seeds), "fixed": dict(g.fixed)}
    if g.judging:
        spec["judging"] = dict(g.judging)
    return plain(spec)


def _read(path: Path) -> Any:
    if path.suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        return tomllib.loads(path.read_text())
    return json.loads(path.read_text())


def _kind(fn: str, where: str, name: str, key: str, value: Any, kind: type, what: str) -> None:
    if not isinstance(value, kind) or isinstance(value, (str, bytes)) and kind is not str:
        raise ValueError(f"{fn}: {where}: claim {name!r}: {key}={value!r} must be {what}")


def grid_from_spec(name: str, spec: Mapping[str, Any]) -> Grid:
    r"""The grid of claim ``name`` written as ``spec`` (the form :func:`grid_spec` and results.json use),
    checked as a grid file's entry would be."""
    return _grid_from_spec(name, spec, "default", "results.json")


def _grid_from_spec(name: str, spec: Mapping[str, Any], base: str, where: str) -> Grid:
    fn = "grids.load_grids"
    claim = get(name)
    if not isinstance(spec, dict):
        raise ValueError(
            f"{fn}: {where}: claim {name!r} must map to an object with some of {', '.join(_KEYS)}; got {spec!r}"
        )
    for key, kind, what in (
        ("fixed", dict, "an object of measuring settings"),
        ("judging", dict, "an object of judging settings"),
        ("axes", dict, 'an object of lists, e.g. {"m": [256, 512]}'),
        ("points", list, 'a list of objects, e.g. [{"m": 256}]'),
        ("base", str, "'default' or 'large'"),
    ):
        if key in spec:
            _kind(fn, where, name, key, spec[key], kind, what)
    for k, v in spec.get("axes", {}).items():
        _kind(fn, where, name, f"axes.{k}", v, list, "a non-empty list of values")
        if not v:
            raise ValueError(f"{fn}: {where}: claim {name!r}: axes.{k}=[] must list at least one value")
    unknown = set(spec) - set(_KEYS)
    if unknown:
        raise ValueError(
            f"grids.load_grids: {where}: claim {name!r} has unknown keys {sorted(unknown)}; "
            f"expected some of {', '.join(_KEYS)}"
        )
    g = claim.grid(spec.get("base", base))
    if "points" in spec and "axes" in spec:
        raise ValueError(f"grids.load_grids: {where}: claim {name!r} gives both points and axes; give one")
    fixed = {**g.fixed, **spec.get("fixed", {})}
    judging = {**g.judging, **spec.get("judging", {})}
    claim.settings(**spec.get("judging", {}))  # names every unknown judging setting
    try:
        if "seeds" in spec:  # one count or list for the claim: every point measures these seeds
            g = g.with_seeds(spec["seeds"])
        sd = g.seeds
        if "axes" in spec:
            out = Grid.product(spec["axes"], seeds=sd, judging=judging, **fixed)
        else:
            points = (
                tuple(dict(p) if isinstance(p, dict) else p for p in spec["points"]) if "points" in spec else g.points
            )
            out = Grid(points=points, seeds=sd, fixed=fixed, judging=judging)
        for pt in out.points:
            claim.check_settings({**out.fixed, **pt}, f"{fn}: {where}")
    except (TypeError, ValueError) as exc:
        msg = str(exc) if str(exc).startswith(fn) else f"{fn}: {where}: claim {name!r}: {exc}"
        raise ValueError(msg) from None
    return out


def load_grids(
    grid: str | os.PathLike[str], claims: Sequence[str] | None = None, *, seeds: int | None = None, seed_offset: int = 0
) -> dict[str, Grid]:
    r"""The grid of every chosen claim: ``"default"``, ``"large"``, ``"gpu"`` (the claims that define a grid
    for one GPU, and only those) or a grid file; ``seeds`` replaces
    every grid's seeds by ``range(seeds)``, and ``seed_offset`` then shifts every seed (an independent
    replication: fresh networks, inputs and directions, no shared cache entry).

    A grid file (JSON, or TOML when it ends in ``.toml``) reads::

        {"base": "default",                        # grid of the claims not listed (default: "default")
         "only": false,                            # true: measure only the claims listed (unless claims= chooses)
         "claims": {"forward_coupling": {"base": "large", "seeds": 8, "fixed": {"L": 12}},
                    "sign_changes": {"axes": {"m": [1024, 4096]}},
                    "ntk_ball": {"points": [{"m": 128}, {"m": 1024}]},
                    "pseudo_solution": {"judging": {"m_ref": 512}}}}

    Per claim: ``base`` (the registered grid to start from), ``points`` (a list of dicts) or ``axes``
    (every combination), ``seeds`` (a count or a list), ``fixed`` (merged into the base's measuring
    settings) and ``judging`` (merged into its judging settings; changes no cell). ``rnntheory report
    --dump-grid`` writes the resolved grids in this form, with ``"only": true``, so that the file alone
    measures exactly the run it was written for (its claims, points and seeds).

    Raises:
        ValueError: an unknown grid name, claim or key, a file that cannot be read, a bad ``seeds``, or a seed
            (with the offset) outside ``[0, 2^28)`` (:data:`rnntheory.seeds.SEED_LIMIT`).
    """
    if seeds is not None:
        V.positive_int("grids.load_grids", "seeds", seeds)
    V.non_negative_int("grids.load_grids", "seed_offset", seed_offset)
    grids = _load_grids(grid, claims)
    for n, g in grids.items():
        try:
            get(n).check_cells(g, "grids.load_grids")
        except TypeError as exc:
            raise ValueError(str(exc)) from None
    if seeds is not None:
        grids = {n: g.with_seeds(seeds) for n, g in grids.items()}
    if seed_offset:
        grids = {n: g.with_seed_offset(seed_offset) for n, g in grids.items()}
    for n, g in grids.items():  # every cell's seed must name its own random streams (rnntheory.seeds)
        top = max((s for p in g.points for s in g.point_seeds(p)), default=0)
        if top >= SEED_LIMIT:
            raise ValueError(
                f"grids.load_grids: {n}'s largest seed is {top}"
                + (f" (seed offset {seed_offset} included)" if seed_offset else "")
                + f"; cell seeds must lie in [0, {SEED_LIMIT}) (2^28), the range whose random streams never meet"
            )
    return grids


def _load_grids(grid: str | os.PathLike[str], claims: Sequence[str] | None) -> dict[str, Grid]:
    chosen = list(claims) if claims else names()
    unknown = [n for n in chosen if n not in names()]
    if unknown:
        raise ValueError(
            f"grids.load_grids: {', '.join(map(repr, unknown))} "
            f"{'is not a registered claim' if len(unknown) == 1 else 'are not registered claims'}; "
            f"expected one of {names()}. {OUTSIDE_HINT}"
        )
    if str(grid) in ("default", "large"):
        return {n: get(n).grid(str(grid)) for n in chosen}
    if str(grid) == "gpu":
        # the grid for one GPU: only the claims that define one (widths 16384..65536 of the regime designs)
        have = [n for n in chosen if "gpu" in get(n).grids]
        if not have:
            raise ValueError(f"grids.load_grids: none of {chosen} defines a 'gpu' grid")
        return {n: get(n).grid("gpu") for n in have}
    path = Path(grid)
    if not path.is_file():
        raise ValueError(f"grids.load_grids: grid={str(grid)!r} is neither 'default', 'large', 'gpu' nor a file")
    try:
        spec = _read(path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"grids.load_grids: cannot read the grid file {path}: {exc}") from None
    if not isinstance(spec, dict) or set(spec) - {"base", "claims", "only"}:
        extra = sorted(set(spec) - {"base", "claims", "only"}) if isinstance(spec, dict) else []
        raise ValueError(
            f"grids.load_grids: {path} must hold an object with keys 'base', 'claims' and 'only'"
            + (f"; it has {', '.join(repr(k) for k in extra)}" if extra else "")
        )
    if not isinstance(spec.get("only", False), bool):
        raise ValueError(f"grids.load_grids: {path}: only={spec['only']!r} must be true or false")
    base = spec.get("base", "default")
    if base not in ("default", "large"):
        raise ValueError(f"grids.load_grids: {path}: base={base!r} must be 'default' or 'large'")
    listed = spec.get("claims", {})
    if not isinstance(listed, dict):
        raise ValueError(
            f"grids.load_grids: {path}: claims={listed!r} must be an object that maps claim names to their grids"
        )
    for n in listed:
        if n not in names():
            raise ValueError(
                f"grids.load_grids: {path}: {n!r} is not a registered claim; expected one of {names()}. {OUTSIDE_HINT}"
            )
    built = {n: _grid_from_spec(n, spec_n, base, str(path)) for n, spec_n in listed.items()}  # every entry is checked
    if spec.get("only") and not claims:  # the file names the run's claims
        chosen = list(listed)
    return {n: built[n] if n in built else _grid_from_spec(n, {}, base, str(path)) for n in chosen}
