r"""Durations in words and from words. One job: the one way a length of time is written (:func:`duration`:
progress bars, cost previews, "to decide", a budget's sentence) and read (:func:`parse_duration`: ``--budget``),
so that what is printed can be given back (:func:`canonical`).

>>> duration(42.4), duration(200), duration(4 * 3600), duration(75, about=True)
('42 s', '3.3 min', '4.0 h', 'about 75 s')
>>> parse_duration("1h30m"), canonical("90 min")
(5400.0, '90m')
"""

from __future__ import annotations

import math
import re

from .. import _validation as V

__all__ = ["duration", "parse_duration", "canonical"]

_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
_PART = r"(\d+(?:\.\d+)?)\s*(h|min|m|sec|s)?"


def duration(seconds: float, *, about: bool = False) -> str:
    r"""``seconds`` in words: whole seconds below 90 s, minutes to one decimal below 90 min, hours beyond;
    ``about=True`` for an estimate (``"about 7.0 min"``); ``"-"`` for no time (NaN, infinite or negative)."""
    if not math.isfinite(seconds) or seconds < 0:
        return "-"
    text = (
        f"{max(seconds, 0):.0f} s"
        if seconds < 90
        else f"{seconds / 60:.1f} min"
        if seconds < 5400
        else f"{seconds / 3600:.1f} h"
    )
    return f"about {text}" if about else text


def parse_duration(text: str | float | int) -> float:
    r"""Seconds from ``"1h"``, ``"90m"``, ``"90 min"``, ``"45s"``, ``"1h30m"`` or a number of seconds.

    Raises:
        ValueError: anything else, or a duration that is not positive.
    """
    fn = V.caller(parse_duration)
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        secs = float(text)
    else:
        s = str(text).strip().lower()
        if re.fullmatch(r"-\s*" + f"(?:{_PART})+", s.replace(" ", "")):  # "-5m": a negative duration, not a word
            raise ValueError(f"{fn}: {text!r} must be a positive duration (e.g. 5m, 1h, 1h30m)")
        parts = re.findall(_PART, s)
        if not s or not parts or re.sub(_PART, "", s).strip():
            raise ValueError(f"{fn}: {text!r} is not a duration; expected e.g. 1h, 90m, 45s or 3600")
        secs = sum(float(v) * _UNITS.get(u or "s", 1.0) for v, u in parts)
    if not math.isfinite(secs) or secs <= 0:
        raise ValueError(f"{fn}: {text!r} must be a positive duration")
    return secs


def canonical(text: str | float | int) -> str:
    r"""A duration as a command line takes it back (``"1h"``, ``"90m"``, ``"45s"``): what a report prints
    under "Regenerate with"."""
    secs = parse_duration(text)
    if secs % 3600 == 0:
        return f"{secs / 3600:g}h"
    if secs % 60 == 0:
        return f"{secs / 60:g}m"
    return f"{secs:g}s"
