r"""Argument checks shared by every public function: the package's one validation policy.

The policy, for every check here and every function that uses them:

* a value of the wrong **type** raises :class:`TypeError` (a string where a number goes, a float
  where an integer goes, a bool where a number goes: ``True`` is not a count);
* a value of the right type but the wrong **value** raises :class:`ValueError` (a negative width, an
  accuracy outside (0, 1), a repeated seed);
* every message names the function, the argument and its value, and says what it must be, in the
  form ``"<function>: <argument>=<value> <what was expected>"``, for example
  ``"RNN.init: m=0 must be a positive integer"``; a message that names a module-level function takes
  the name from the function itself (:func:`caller`), so that the name moves with the code.

Numbers: an integer is any :class:`numbers.Integral` (numpy integers too); a real number is any
:class:`numbers.Real` or an mpmath ``mpf``; bool is neither. Seeds are non-negative integers, and a
set of seeds (:func:`seeds`) is a count or a list of distinct seeds.
"""

from __future__ import annotations

import math
import sys
from numbers import Integral, Real
from typing import Any, Sequence

import torch

__all__ = [
    "DTYPES",
    "SUPPORTED_DTYPES",
    "caller",
    "show",
    "dtype_name",
    "torch_dtype",
    "positive_int",
    "non_negative_int",
    "seeds",
    "is_real",
    "real",
    "positive_real",
    "real_in",
    "dtype",
    "device",
    "run_device",
    "tensor",
    "all_finite",
    "generator",
]

DTYPES: dict[str, torch.dtype] = {"float64": torch.float64, "float32": torch.float32}
"""The supported floating dtypes by name: the one map between ``"float64"``/``"float32"`` and torch."""

SUPPORTED_DTYPES: tuple[torch.dtype, ...] = tuple(DTYPES.values())
"""The supported torch dtypes (the values of :data:`DTYPES`)."""


def caller(obj: Any) -> str:
    r"""The name by which an error message names ``obj`` (a function or a class), from the object itself:
    ``module.function`` for a module's function, the last part of its module's name first
    (``executors.run_tasks``, ``claims.get``), and the qualified name for a class or a method
    (``Finding``, ``Claim.run``)."""
    qualname = obj.__qualname__
    if isinstance(obj, type) or "." in qualname:
        return qualname
    return f"{obj.__module__.rpartition('.')[2]}.{qualname}"


def show(value: Any) -> str:
    """Short printable form of a value for error messages (tensors by shape, dtype and device)."""
    if isinstance(value, torch.Tensor):
        return f"<tensor shape={tuple(value.shape)} dtype={value.dtype} device={value.device}>"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def dtype_name(dtype: str | torch.dtype, fn: str = "dtype_name") -> str:
    """The name (``"float64"`` or ``"float32"``) of a supported dtype given by name or as a torch dtype.

    Args:
        dtype: ``"float64"``, ``"float32"``, ``torch.float64`` or ``torch.float32``.
        fn: the calling function, for the message.

    Raises:
        ValueError: any other value, e.g. ``"Claim.run: dtype='float16' must be 'float64' or 'float32'"``.
    """
    for key, value in DTYPES.items():
        if (isinstance(dtype, str) and dtype == key) or (isinstance(dtype, torch.dtype) and dtype == value):
            return key
    accepted = " or ".join(repr(k) for k in DTYPES)
    raise ValueError(f"{fn}: dtype={show(dtype)} must be {accepted}")


def torch_dtype(name: str | torch.dtype, fn: str = "torch_dtype") -> torch.dtype:
    """The torch dtype of a supported dtype given by name (``"float64"``/``"float32"``) or as a torch dtype.

    Raises:
        ValueError: as :func:`dtype_name`, naming ``fn``.
    """
    return DTYPES[dtype_name(name, fn)]


def positive_int(fn: str, name: str, value: Any, *, minimum: int = 1) -> int:
    """Check that ``value`` is an integer >= ``minimum`` (bool is rejected)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{fn}: {name}={show(value)} must be an integer >= {minimum}")
    if value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{fn}: {name}={value} must be {what}")
    return int(value)


def non_negative_int(fn: str, name: str, value: Any, *, none: bool = False) -> int | None:
    """Check that ``value`` is an integer >= 0 (a seed, a seed offset, a degree); ``None`` passes, and
    is returned, when ``none`` is true."""
    if none and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{fn}: {name}={show(value)} must be a non-negative integer" + (" or None" if none else ""))
    if value < 0:
        raise ValueError(f"{fn}: {name}={value} must be a non-negative integer")
    return int(value)


def seeds(fn: str, value: Any, name: str = "seeds") -> tuple[int, ...]:
    """Check a set of seeds: a positive count ``n`` (meaning ``0..n-1``) or a non-empty list of distinct
    non-negative integers (a repeated seed would count one network twice); returns them as a tuple."""
    what = f"{fn}: {name}={value!r} must be a positive count or a list of distinct non-negative integers"
    if isinstance(value, bool) or isinstance(value, (str, bytes)) or not isinstance(value, (Integral, Sequence)):
        raise TypeError(what)
    if isinstance(value, Integral):
        if value < 1:
            raise ValueError(what)
        return tuple(range(int(value)))
    if any(isinstance(v, bool) or not isinstance(v, Integral) for v in value):
        raise TypeError(what)
    if not value or any(v < 0 for v in value):
        raise ValueError(what)
    if len(set(value)) != len(value):
        raise ValueError(f"{what} (a repeated seed would count one network twice)")
    return tuple(int(v) for v in value)


def is_real(value: Any) -> bool:
    """Whether ``value`` is a real number: a :class:`numbers.Real` or an mpmath ``mpf`` (asked of mpmath
    only when it is loaded: an mpf cannot exist before), never a bool."""
    if isinstance(value, bool):
        return False
    if isinstance(value, Real):
        return True
    mp = sys.modules.get("mpmath")
    return mp is not None and isinstance(value, mp.mpf)


def real(fn: str, name: str, value: Any) -> float:
    """Check that ``value`` is a real number (:func:`is_real`) and return it as a float (not checked
    finite: :func:`real_in` and :func:`positive_real` do that)."""
    if not is_real(value):
        raise TypeError(f"{fn}: {name}={show(value)} must be a real number")
    return float(value)


def positive_real(fn: str, name: str, value: Any) -> float:
    """Check that ``value`` is a finite real number > 0."""
    v = real(fn, name, value)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{fn}: {name}={value!r} must be a finite number > 0")
    return v


def real_in(
    fn: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Check that ``value`` is a finite real number inside the stated interval."""
    v = real(fn, name, value)
    lo = "-inf" if low is None else repr(low)
    hi = "inf" if high is None else repr(high)
    interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
    bad = not math.isfinite(v)
    if low is not None:
        bad = bad or (v <= low if low_open else v < low)
    if high is not None:
        bad = bad or (v >= high if high_open else v > high)
    if bad:
        raise ValueError(f"{fn}: {name}={value!r} must be a finite number in {interval}")
    return v


def dtype(fn: str, name: str, value: Any) -> torch.dtype:
    """Check that ``value`` is a supported floating dtype: torch.float32 or torch.float64, or its name
    (``"float32"``, ``"float64"``, as the command line and ``Claim.run`` take it)."""
    if isinstance(value, str) and value in DTYPES:
        return DTYPES[value]
    if not isinstance(value, torch.dtype) or value not in SUPPORTED_DTYPES:
        raise TypeError(f"{fn}: {name}={show(value)} must be torch.float32 or torch.float64 (or 'float32', 'float64')")
    return value


def device(fn: str, name: str, value: Any) -> torch.device:
    """Parse a device argument; a CUDA device must be available."""
    try:
        dev = torch.device(value)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"{fn}: {name}={show(value)} is not a torch device ({exc})") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{fn}: {name}={show(value)} asks for CUDA, but no CUDA device is available")
    return dev


def run_device(fn: str, value: Any) -> str:
    """A device to measure on: ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` (available), as a string; any
    other device (``"meta"``, ``"mps"``, a typo) is refused before anything is computed."""
    if not isinstance(value, (str, torch.device)):
        raise TypeError(f"{fn}: device={show(value)} must be 'cpu' or 'cuda' (a string)")
    dev = device(fn, "device", value)
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"{fn}: device={show(value)} must be 'cpu', 'cuda' or 'cuda:N'")
    return str(value)


def tensor(
    fn: str,
    name: str,
    value: Any,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: Sequence[int | None] | None = None,
    dtype: torch.dtype | None = None,
    device: torch.device | None = None,
    finite: bool = True,
    match: str = "the network",
) -> torch.Tensor:
    """Check a floating tensor: type, number of dims, shape (None = any), dtype, device, finiteness
    (``match`` names what the dtype and device must agree with, for the message)."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{fn}: {name}={show(value)} must be a torch.Tensor")
    if value.dtype not in SUPPORTED_DTYPES:
        raise TypeError(f"{fn}: {name} has dtype {value.dtype}; expected torch.float32 or torch.float64")
    if dtype is not None and value.dtype != dtype:
        raise TypeError(f"{fn}: {name} has dtype {value.dtype}; expected {dtype} to match {match}")
    if device is not None and value.device != device:
        raise ValueError(f"{fn}: {name} is on device {value.device}; expected {device} to match {match}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.ndim not in allowed:
            raise ValueError(
                f"{fn}: {name} has shape {tuple(value.shape)}; expected {' or '.join(map(str, allowed))} dimensions"
            )
    if shape is not None:
        ok = value.ndim == len(shape) and all(s is None or s == t for s, t in zip(shape, value.shape))
        if not ok:
            want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{fn}: {name} has shape {tuple(value.shape)}; expected {want}")
    if finite and not all_finite(value):
        bad = int((~torch.isfinite(value)).sum())
        raise ValueError(f"{fn}: {name} contains {bad} NaN or infinite entries; expected finite values")
    return value


def all_finite(value: torch.Tensor) -> bool:
    """Whether every entry of a floating tensor is finite, at the cost of one sum for a large tensor.

    A NaN or infinite entry makes the sum NaN or infinite, so a finite sum proves every entry finite
    without the boolean tensor of :func:`torch.isfinite`; only a non-finite sum (a bad entry, or finite
    entries whose sum overflows) pays for the entrywise scan, which decides.
    """
    if value.numel() >= 4096 and bool(torch.isfinite(value.sum())):
        return True
    return bool(torch.isfinite(value).all())


def generator(fn: str, seed: Any, gen: Any, dev: torch.device) -> torch.Generator:
    """Build a torch.Generator from exactly one of ``seed`` and ``generator``."""
    if (seed is None) == (gen is None):
        raise ValueError(
            f"{fn}: pass exactly one of seed= or generator= (got seed={show(seed)}, generator={show(gen)})"
        )
    if gen is not None:
        if not isinstance(gen, torch.Generator):
            raise TypeError(f"{fn}: generator={show(gen)} must be a torch.Generator")
        if gen.device.type != dev.type:
            raise ValueError(f"{fn}: generator is on {gen.device}; expected a generator on {dev}")
        return gen
    g = torch.Generator(device=dev)
    g.manual_seed(non_negative_int(fn, "seed", seed))
    return g
