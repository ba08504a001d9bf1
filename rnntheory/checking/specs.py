r"""Typed finding specs: a claim's findings declared, not written by hand. One job: turning a declaration
(what to fit, against which judging setting, on which rows, per which group) into judged findings through
the finding builders (:mod:`.findings`, :mod:`.regime`). The negative controls that follow from a claim's
specs are derived by :func:`rnntheory.checking.controls.derived_controls`.

A spec is a small frozen value, like a layer of neural-tangents' ``stax``: it carries its own judging
names, resolution, title, key and controls. A claim lists them in ``findings=``; the runner judges each
on the claim's rows with the claim's judging settings. ``analyse=`` stays as the escape hatch for the
few analyses that need code (and may call :meth:`Spec.judge` itself).

Values that are judging settings are written ``J.name`` (a :class:`Setting`), so that one name is
written once and a changed judging value re-judges stored cells; titles are templates formatted with
the judging settings and, for a spec evaluated ``per`` group, with the group's values:

>>> from rnntheory.checking.specs import Exponent, J
>>> spec = Exponent("y grows at most like m^{a:g}", x="m", y="y", claimed=J.a, resolution=0.1,
...                 key="m_exponent", groups=None)
>>> import pandas as pd
>>> df = pd.DataFrame({"m": [64, 128, 256, 512], "y": [1.0, 1.01, 0.99, 1.0]})
>>> [f.label for f in spec.judge(df, {"a": 0.0})]
['consistent (at resolution 0.1)']
>>> spec.settings()
('a',)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np
import pandas as pd

from . import findings as F
from .regime import regime_findings
from .results import LEVEL, Finding, described

__all__ = [
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
]


@dataclass(frozen=True)
class Setting:
    r"""A reference to the judging setting ``name`` (write ``J.name``), resolved when a spec is judged."""

    name: str

    def __call__(self, judging: Mapping[str, Any]) -> Any:
        return judging[self.name]


class _Settings:
    r"""``J.degree`` is ``Setting("degree")``: the judging setting ``degree``."""

    def __getattr__(self, name: str) -> Setting:
        if name.startswith("__"):
            raise AttributeError(name)
        return Setting(name)


J = _Settings()
"""Write a judging setting as ``J.name`` in a spec (``claimed=J.degree``)."""

Value = Union[float, int, Setting, None]
Rows = Union[None, Mapping[str, Any], Callable[[pd.DataFrame, Mapping[str, Any]], pd.DataFrame]]


def _level(judging: Mapping[str, Any]) -> float:
    return getattr(judging, "level", LEVEL)


def _value(v: Any, judging: Mapping[str, Any]) -> Any:
    return v(judging) if isinstance(v, Setting) else v


def _default(spec: Spec, name: str, setting: Setting) -> None:
    r"""Give a spec's field left out (None) its default judging setting (a frozen dataclass: set in place)."""
    if getattr(spec, name) is None:
        object.__setattr__(spec, name, setting)


def _select(df: pd.DataFrame, rows: Rows, judging: Mapping[str, Any]) -> pd.DataFrame:
    r"""The rows a spec judges: all (None), those equal to every ``{column: value}`` (a value may be a
    :class:`Setting`), or what a function ``(df, judging) -> df`` returns."""
    if rows is None:
        return df
    if callable(rows):
        return rows(df, judging)
    keep = np.ones(len(df), bool)
    for col, v in rows.items():
        keep &= (df[col] == _value(v, judging)).to_numpy()
    return df[keep]


@dataclass(frozen=True)
class Spec:
    r"""What every spec has.

    Attributes:
        title: the finding's name, a template formatted with the judging settings and the group's values
            (``"... at L = {L}"``), or a function ``(rows, judging, group) -> str``.
        key: the stable key; with ``per`` each group's finding is keyed ``key[c1=v1,c2=v2]``, or by the key
            itself formatted with the group's values where it is a template (``"exponent[{direction},m={m}]"``).
        rows: which rows it judges: None (all), ``{column: value}`` (a value may be ``J.name``) or a
            function ``(df, judging) -> df``.
        per: columns; one finding per group of their values (in order of appearance).
        note: a function ``(rows, judging) -> str`` whose text is appended to the finding's detail.
        described: non-empty: the findings are descriptions, not verdicts, and this says why
            (:data:`.results.ONE_WIDTH` for a slice at one width; :attr:`Finding.described`).
    """

    title: str | Callable[[pd.DataFrame, Mapping[str, Any], Mapping[str, Any]], str]
    key: str
    rows: Rows = field(default=None, kw_only=True)
    per: tuple[str, ...] = field(default=(), kw_only=True)
    note: Callable[[pd.DataFrame, Mapping[str, Any]], str] | None = field(default=None, kw_only=True)
    described: str = field(default="", kw_only=True)

    def settings(self) -> tuple[str, ...]:
        r"""The judging settings the spec reads (its :class:`Setting` fields and rows), in field order."""
        out: list[str] = []
        for v in vars(self).values():
            vals = v.values() if isinstance(v, Mapping) else [v]
            out += [s.name for s in vals if isinstance(s, Setting) and s.name not in out]
        return tuple(out)

    def judge(self, df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
        r"""The spec's findings on ``df`` (one, or one per group of ``per``)."""
        part = _select(df, self.rows, judging)
        if not self.per:
            return [self._noted(self.build(part, judging, self._title(part, judging, {}), self.key, ""), part, judging)]
        out = []
        for values, group in part.groupby(list(self.per), sort=False):
            values = values if isinstance(values, tuple) else (values,)
            named = dict(zip(self.per, values))
            key = (
                self.key.format(**named)
                if "{" in self.key
                else f"{self.key}[{','.join(f'{c}={v}' for c, v in named.items())}]"
            )
            label = ", ".join(f"{c}={v}" for c, v in named.items())
            out.append(
                self._noted(self.build(group, judging, self._title(group, judging, named), key, label), group, judging)
            )
        return out

    def _title(self, part: pd.DataFrame, judging: Mapping[str, Any], named: Mapping[str, Any]) -> str:
        r"""The finding's name: the template formatted with the settings and the group's values, or what a
        callable ``title(rows, judging, group)`` returns (a name that says a measured count, for example)."""
        return self.title(part, judging, named) if callable(self.title) else self.title.format(**judging, **named)

    def _noted(self, f: Finding, part: pd.DataFrame, judging: Mapping[str, Any]) -> Finding:
        f = f if self.note is None else replace(f, detail=f"{f.detail}{self.note(part, judging)}")
        return described(f, self.described) if self.described else f

    def build(self, part: pd.DataFrame, judging: Mapping[str, Any], title: str, key: str, label: str) -> Finding:
        raise NotImplementedError  # pragma: no cover


@dataclass(frozen=True)
class Exponent(Spec):
    r"""The exponent of ``y`` in ``x`` against ``claimed`` (:func:`.findings.exponent_finding`).

    ``claimed`` and ``resolution`` are numbers or ``J.name``; left out, they are the judging settings
    ``{x}_exponent`` and ``{x}_resolution`` (``J.m_exponent`` and ``J.m_resolution`` for ``x="m"``).
    ``end`` (a number or ``J.name``) fits the limiting end of the range. ``shape``: a function
    ``rows -> array`` of the bound's shape (default ``x**claimed``). ``too_strong``: the claimed value the
    derived too-strong control judges against (default: ``claimed`` made :data:`~.findings.TOO_STRONG`
    stronger; only for a ``J.name`` claim)."""

    x: str = field(default="", kw_only=True)
    y: str = field(default="", kw_only=True)
    claimed: Value = field(default=None, kw_only=True)
    resolution: Value = field(default=None, kw_only=True)
    bound: str = field(default="upper", kw_only=True)
    parameter: str = field(default="growing", kw_only=True)
    end: Value = field(default=None, kw_only=True)
    shape: Callable[[pd.DataFrame], np.ndarray] | None = field(default=None, kw_only=True)
    groups: str | None = field(default="seed", kw_only=True)
    panel: str = field(default="", kw_only=True)
    label: str | None = field(default=None, kw_only=True)
    extra: Callable[[pd.DataFrame, Mapping[str, Any]], Sequence[Any]] | None = field(default=None, kw_only=True)
    too_strong: float | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        _default(self, "claimed", Setting(f"{self.x}_exponent"))
        _default(self, "resolution", Setting(f"{self.x}_resolution"))

    def build(self, part, judging, title, key, label):
        return F.exponent_finding(
            title,
            part,
            self.x,
            self.y,
            _value(self.claimed, judging),
            key=key,
            resolution=_value(self.resolution, judging),
            bound=self.bound,
            parameter=self.parameter,
            end=_value(self.end, judging),
            shape=None if self.shape is None else self.shape(part),
            groups=self.groups,
            label=label if self.label is None else self.label.format(**judging),
            panel=self.panel.format(**judging),
            extra=() if self.extra is None else tuple(self.extra(part, judging)),
            level=_level(judging),
        )

    def stronger(self) -> dict[str, float] | None:
        r"""The judging change of the derived too-strong control, or None where the claim is a number."""
        if not isinstance(self.claimed, Setting):
            return None
        if self.too_strong is not None:
            return {self.claimed.name: self.too_strong}
        return None


@dataclass(frozen=True)
class Growth(Spec):
    r"""Polynomial versus exponential growth of ``y`` in ``x`` (:func:`.findings.growth_finding`);
    ``factor`` (a number or ``J.name``; left out, the judging setting ``growth_factor``) sets the
    resolution. Its exponential control is derived (:func:`.controls.derived_controls`), injected per
    group of ``per``."""

    x: str = field(default="", kw_only=True)
    y: str = field(default="", kw_only=True)
    factor: Value = field(default=None, kw_only=True)
    groups: str | None = field(default="seed", kw_only=True)
    shape: Callable[[pd.DataFrame], np.ndarray] | None = field(default=None, kw_only=True)
    panel: str = field(default="", kw_only=True)
    label: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        _default(self, "factor", J.growth_factor)

    def build(self, part, judging, title, key, label):
        return F.growth_finding(
            title,
            part,
            self.x,
            self.y,
            key=key,
            factor=_value(self.factor, judging),
            groups=self.groups,
            shape=None if self.shape is None else self.shape(part),
            label=label if self.label is None else self.label.format(**judging),
            panel=self.panel.format(**judging),
            level=_level(judging),
        )


@dataclass(frozen=True)
class Mean(Spec):
    r"""A mean against a threshold (:func:`.findings.mean_finding`): ``values`` is a column of the rows or
    a function ``(rows, judging) -> values``; ``threshold`` and ``resolution`` numbers or ``J.name``;
    ``positive=True`` for a quantity that cannot be negative (its interval stays at or above 0)."""

    values: str | Callable[[pd.DataFrame, Mapping[str, Any]], Any] = field(default="", kw_only=True)
    threshold: Value = field(default=None, kw_only=True)
    resolution: Value = field(default=None, kw_only=True)
    what: str = field(default="mean", kw_only=True)
    bound: str = field(default="upper", kw_only=True)
    points: Callable[[pd.DataFrame, Mapping[str, Any]], Any] | None = field(default=None, kw_only=True)
    meaning: str = field(default="", kw_only=True)
    positive: bool = field(default=False, kw_only=True)

    def build(self, part, judging, title, key, label):
        vals = part[self.values].to_numpy(float) if isinstance(self.values, str) else self.values(part, judging)
        return F.mean_finding(
            title,
            vals,
            _value(self.threshold, judging),
            key=key,
            resolution=_value(self.resolution, judging),
            what=self.what.format(**judging),
            bound=self.bound,
            points=None if self.points is None else self.points(part, judging),
            meaning=self.meaning.format(**judging),
            level=_level(judging),
            positive=self.positive,
        )


@dataclass(frozen=True)
class Event(Spec):
    r"""A high-probability event over independent cases (:func:`.findings.event_finding`): ``held`` is a
    boolean column or a function ``(rows, judging) -> bool array``; ``failures`` an optional function
    ``(rows, judging) -> descriptions``."""

    held: str | Callable[[pd.DataFrame, Mapping[str, Any]], Any] = field(default="", kw_only=True)
    tolerated: Value = field(default=0.1, kw_only=True)
    resolution: Value = field(default=0.1, kw_only=True)
    what: str = field(default="cases", kw_only=True)
    failures: Callable[[pd.DataFrame, Mapping[str, Any]], Sequence[str]] | None = field(default=None, kw_only=True)

    def build(self, part, judging, title, key, label):
        held = part[self.held].to_numpy(bool) if isinstance(self.held, str) else self.held(part, judging)
        fails = () if self.failures is None else self.failures(part, judging)
        return F.event_finding(
            title,
            np.asarray(held, bool),
            key=key,
            tolerated=_value(self.tolerated, judging),
            resolution=_value(self.resolution, judging),
            what=self.what,
            failures=fails,
            level=_level(judging),
        )


@dataclass(frozen=True)
class EveryCase(Spec):
    r"""An exact property that must hold in every case (:func:`.findings.every_case_finding`); ``ok`` as
    for :class:`Event`'s ``held``."""

    ok: str | Callable[[pd.DataFrame, Mapping[str, Any]], Any] = field(default="", kw_only=True)
    what: str = field(default="cases", kw_only=True)
    failures: Callable[[pd.DataFrame, Mapping[str, Any]], Sequence[str]] | None = field(default=None, kw_only=True)

    def build(self, part, judging, title, key, label):
        ok = part[self.ok].to_numpy(bool) if isinstance(self.ok, str) else self.ok(part, judging)
        fails = () if self.failures is None else self.failures(part, judging)
        return F.every_case_finding(title, np.asarray(ok, bool), self.what, fails, key=key)


@dataclass(frozen=True)
class Regime(Spec):
    r"""The premise "m >= poly(L)" for a quantity ``y`` that should be small in the regime
    (:func:`.regime.regime_findings`): per accuracy in ``deltas`` (numbers or ``J.name`` of a tuple),
    the judged degree of the threshold width m*(L; delta) in L, and the described collapse onto L^k / m.
    ``title`` names the quantity in words; the keys are ``{key}_degree[delta=...]`` and
    ``{key}_collapse``. Its exponential control is derived (an exponential m*(L)). Left out, ``deltas``
    and ``growth_factor`` are the judging settings ``regime_deltas`` and ``growth_factor``."""

    y: str = field(default="", kw_only=True)
    deltas: Any = field(default=None, kw_only=True)
    x: str = field(default="m", kw_only=True)
    by: str = field(default="L", kw_only=True)
    seeds: str | None = field(default="seed", kw_only=True)
    growth_factor: Value = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        _default(self, "deltas", J.regime_deltas)
        _default(self, "growth_factor", J.growth_factor)

    def judge(self, df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
        part = _select(df, self.rows, judging)
        return regime_findings(
            self._title(part, judging, {}),
            part,
            self.y,
            tuple(_value(self.deltas, judging)),
            key=self.key,
            x=self.x,
            by=self.by,
            seeds=self.seeds,
            growth_factor=_value(self.growth_factor, judging),
            level=_level(judging),
        )


Analysis = Callable[[pd.DataFrame, Mapping[str, Any]], Sequence[Finding]]
"""A hand-written part of a claim's judging, in its place among the specs: ``(rows, judging) -> findings``."""


def judge_all(specs: Sequence[Spec | Analysis], df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    r"""Every spec's findings on ``df``, in the order declared; a function among them (an :data:`Analysis`)
    adds what it returns at its place, so a finding that needs code does not push the specs after it into
    code too."""
    return [f for s in specs for f in (s.judge(df, judging) if isinstance(s, Spec) else s(df, judging))]
