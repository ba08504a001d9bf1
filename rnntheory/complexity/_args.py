r"""Argument checks of the complexity functions (:mod:`rnntheory.complexity` and the truncation
remedy in :mod:`rnntheory.complexity._truncation`).

Messages have the form ``"<function>: <argument>=<value> <what was expected>"`` like those of
:mod:`rnntheory._validation`, but the checks differ from its ``real_in`` / ``positive_int`` in the
exception types they raise (a non-integer count is a ValueError here), so they are kept apart.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import mpmath
import numpy as np

__all__ = ["check_real", "check_eps", "check_degree", "check_count"]


def check_real(fn: str, name: str, value: Any, *, positive: bool = True) -> float:
    r"""Check a finite real number (> 0 when ``positive``; an mpmath ``mpf`` counts as real).

    Args:
        fn: the calling function's name, for error messages.
        name: the argument's name.
        value: the value.
        positive: also require ``value > 0``.

    Returns:
        ``float(value)``.

    Raises:
        TypeError: not a real number (bool included).
        ValueError: not finite, or not > 0 when ``positive``.
    """
    if isinstance(value, bool) or not isinstance(value, (Real, mpmath.mpf)):
        raise TypeError(f"{fn}: {name}={value!r} must be a real number")
    v = float(value)
    if not math.isfinite(v) or (positive and v <= 0):
        raise ValueError(f"{fn}: {name}={value!r} must be a finite number > 0")
    return v


def check_eps(fn: str, eps: Any) -> float:
    r"""Check a target accuracy :math:`arepsilon \in (0, 1)`.

    Args:
        fn: the calling function's name, for error messages.
        eps: the value.

    Returns:
        ``float(eps)``.

    Raises:
        TypeError: not a real number (bool included).
        ValueError: outside (0, 1) or not finite.
    """
    if isinstance(eps, bool) or not isinstance(eps, (Real, mpmath.mpf)):
        raise TypeError(f"{fn}: eps={eps!r} must be a real number")
    v = float(eps)
    if not (math.isfinite(v) and 0 < v < 1):
        raise ValueError(f"{fn}: eps={eps!r} must be in (0, 1)")
    return v


def check_degree(fn: str, degree: Any) -> int | None:
    r"""Check a truncation degree: a non-negative integer, or ``None`` for no truncation.

    Args:
        fn: the calling function's name, for error messages.
        degree: the value.

    Returns:
        ``int(degree)``, or ``None``.

    Raises:
        TypeError: not an integer (bool included) and not ``None``.
        ValueError: negative.
    """
    if degree is None:
        return None
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)):
        raise TypeError(f"{fn}: degree={degree!r} must be a non-negative integer or None")
    if degree < 0:
        raise ValueError(f"{fn}: degree={degree} must be a non-negative integer")
    return int(degree)


def check_count(fn: str, name: str, value: Any, minimum: int) -> int:
    r"""Check an integer count ``>= minimum`` (``n``, ``dps``, ``max_terms``, ``k_max``).

    Args:
        fn: the calling function's name, for error messages.
        name: the argument's name.
        value: the value.
        minimum: the smallest allowed value.

    Returns:
        ``int(value)``.

    Raises:
        ValueError: not an integer (bool included) or below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{fn}: {name}={value!r} must be an integer >= {minimum}")
    return int(value)
