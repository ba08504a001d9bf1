r"""``rnntheory bench``: speed ratios of the forward trace and the pseudo-network, measured in one run.

Times, for each dtype (float32 and float64) and width, on ``n`` sequences of length ``L``:

* ``trace``: one forward trace (:meth:`rnntheory.RNN.trace`);
* ``pseudo``: :func:`rnntheory.network.pseudo.outputs` for one displacement (theory.md section 3);
* ``jvp``: the same outputs through ``torch.func.jvp`` of :meth:`rnntheory.RNN.outputs` in W;
* ``naive``: the explicit all-pairs sum :math:`\sum_{i\le j}\mathrm{Back}_{i\to j} D_i W' h_{i-1}`, each
  pair re-formed from scratch (cubic in L, so it is timed at a shorter length ``naive_L`` and compared
  with ``pseudo`` at that length);
* ``matmul``: one plain ``(L n, m) x (m, m)`` product, the same multiply-adds as the forward pass
  (the machine's practical peak for this shape).

Each quantity is timed by ``torch.utils.benchmark.Timer.blocked_autorange`` (warm-up, blocks of calls
sized so that the timer's overhead is negligible, CUDA synchronisation, on all of torch's threads);
the median time per call is kept. Only ratios measured in the same run are reported, never absolute
times compared across runs. The JSON file holds the raw medians and the ratios.

Use :func:`kernels` (returns the results as data), :func:`format_results` (the table as text) and
:func:`save` (the JSON); :mod:`rnntheory.bench.many` measures and shows the claims' inner loops (batched
traces, many networks at once, SGD steps) against their anchors. ``rnntheory bench`` (rnntheory.cli.bench) is the
command line. The package stands beside the command line, above everything else: it builds networks and runs SGD
(rnntheory.network, rnntheory.learning), which the execution layer (rnntheory.run) must not know.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Sequence

import torch

from .. import _validation as V
from ..network import pseudo
from ..network.inputs import sample_inputs
from ..network.model import RNN, Trace

__all__ = ["kernels", "format_results", "save", "median_time", "TARGETS"]

TARGETS = "jvp/pseudo >= 2, pseudo/trace <= 2.5, trace efficiency >= 0.5 (float32, m=1024, n=64)"
"""The speed targets the table is read against."""


# ---------------------------------------------------------------------- measuring
def median_time(fn: Callable[[], Any], min_run_time: float) -> float:
    r"""Median seconds per call of ``fn`` from ``Timer.blocked_autorange`` on all of torch's threads."""
    from torch.utils import benchmark

    timer = benchmark.Timer(stmt="fn()", globals={"fn": fn}, num_threads=torch.get_num_threads())
    return float(timer.blocked_autorange(min_run_time=min_run_time).median)


def _naive(net: RNN, tr: Trace, Wp: torch.Tensor) -> torch.Tensor:
    r"""The all-pairs sum, every pair (i, j) applying its own chain :math:`B D_j W \cdots D_{i+1} W`."""
    n, L = tr.n, tr.L
    out = torch.zeros(n, L, net.d, dtype=net.dtype, device=net.device)
    for j0 in range(L):
        for i0 in range(j0 + 1):
            v = tr.pattern[:, i0] * (tr.hidden[:, i0] @ Wp.T)  # D_i W' h_{i-1}
            for c in range(i0 + 1, j0 + 1):
                v = tr.pattern[:, c] * (v @ tr.W.T)
            out[:, j0] += v @ net.B.T
    return out


def _fits(m: int, n: int, L: int, dt: torch.dtype, device: torch.device) -> bool:
    need = (6 * m * m + 8 * L * n * m) * torch.finfo(dt).bits // 8
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return need < 0.8 * free
    try:
        avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return True
    return need < 0.5 * avail


def _measure(
    name: str, dt: torch.dtype, m: int, n: int, L: int, naive_L: int, dev: torch.device, min_run_time: float
) -> dict[str, Any]:
    net = RNN.init(m, 8, 1, seed=0, dtype=dt, device=dev)
    x = sample_inputs(n, L, 8, seed=1, dtype=dt, device=dev)
    g = torch.Generator().manual_seed(2)
    Wp = (torch.randn(m, m, generator=g, dtype=torch.float64) / m).to(dev, dt)
    tr = net.trace(x)
    H = torch.randn(L * n, m, generator=g, dtype=torch.float64).to(dev, dt)

    def fwd(W: torch.Tensor) -> torch.Tensor:
        return net.outputs(x, W, check=False)

    with torch.no_grad():
        t_trace = median_time(lambda: net.trace(x, check=False), min_run_time)
        t_pseudo = median_time(lambda: pseudo.outputs(net, tr, Wp), min_run_time)
        t_jvp = median_time(lambda: torch.func.jvp(fwd, (net.W,), (Wp,)), min_run_time)
        t_mm = median_time(lambda: H @ net.W.T, min_run_time)
        trs = net.trace(x[:, :naive_L], check=False)
        t_naive = median_time(lambda: _naive(net, trs, Wp), min_run_time)
        t_pseudo_s = median_time(lambda: pseudo.outputs(net, trs, Wp), min_run_time)
    flops = 2.0 * L * n * m * m
    return {
        "dtype": name,
        "m": m,
        "n": n,
        "L": L,
        "naive_L": naive_L,
        "device": str(dev),
        "t_trace": t_trace,
        "t_pseudo": t_pseudo,
        "t_jvp": t_jvp,
        "t_matmul": t_mm,
        "t_naive": t_naive,
        "t_pseudo_naive_L": t_pseudo_s,
        "jvp_over_pseudo": t_jvp / t_pseudo,
        "pseudo_over_trace": t_pseudo / t_trace,
        "trace_efficiency": t_mm / t_trace,
        "naive_over_pseudo": t_naive / t_pseudo_s,
        "matmul_gflops": flops / t_mm / 1e9,
        "trace_gflops": flops / t_trace / 1e9,
    }


def kernels(
    *,
    n: int = 64,
    L: int = 50,
    ms: Sequence[int] = (1024,),
    naive_L: int = 10,
    dtypes: Sequence[str | torch.dtype] = ("float32", "float64"),
    min_run_time: float = 0.2,
    device: str | torch.device = "cpu",
) -> dict[str, Any]:
    r"""Measure every quantity for every dtype and width.

    Args:
        n, L: batch size and length (``L >= 3``).
        ms: widths.
        naive_L: length for the all-pairs variant, ``3 <= naive_L <= L``.
        dtypes: ``"float32"`` and/or ``"float64"`` (or the torch dtypes).
        min_run_time: seconds spent timing each quantity (``Timer.blocked_autorange``), > 0.
        device: ``"cpu"`` or ``"cuda"``.

    Returns:
        A JSON-ready dict: the settings ``n``, ``L``, ``naive_L``, ``device``, ``min_run_time``,
        ``threads`` and ``rows``, one dict per (dtype, m) with keys dtype, m, n, L, the median seconds
        per call ``t_trace``, ``t_pseudo``, ``t_jvp``, ``t_matmul``, ``t_naive``, ``t_pseudo_naive_L``,
        the ratios ``jvp_over_pseudo``, ``pseudo_over_trace``, ``trace_efficiency`` (matmul time / trace
        time), ``naive_over_pseudo`` (at ``naive_L``) and ``trace_gflops``, ``matmul_gflops``. A width
        that does not fit in memory gives a row with ``skipped`` instead of times.

    Raises:
        ValueError, TypeError: bad sizes, dtype names, run time or device.
    """
    fn = V.caller(kernels)
    n = V.positive_int(fn, "n", n)
    L = V.positive_int(fn, "L", L, minimum=3)
    naive_L = V.positive_int(fn, "naive_L", naive_L, minimum=3)
    if naive_L > L:
        raise ValueError(f"{fn}: naive_L={naive_L} must be at most L={L}")
    widths = [V.positive_int(fn, "m", m) for m in ms]
    names = [V.dtype_name(dt, fn) for dt in dtypes]
    if not widths or not names:
        raise ValueError(f"{fn}: ms={list(ms)!r} and dtypes={list(dtypes)!r} must both be non-empty")
    min_run_time = V.real_in(fn, "min_run_time", min_run_time, low=0.0, low_open=True)
    dev = V.device(fn, "device", device)
    rows = []
    for name in names:
        dt = V.DTYPES[name]
        for m in widths:
            if not _fits(m, n, L, dt, dev):
                rows.append({"dtype": name, "m": m, "n": n, "L": L, "skipped": "not enough memory"})
                continue
            rows.append(_measure(name, dt, m, n, L, naive_L, dev, min_run_time))
    return {
        "n": n,
        "L": L,
        "naive_L": naive_L,
        "device": str(dev),
        "min_run_time": min_run_time,
        "threads": torch.get_num_threads(),
        "rows": rows,
    }


# ---------------------------------------------------------------------- showing and saving
def format_results(result: dict[str, Any]) -> str:
    r"""The table of ratios of a :func:`kernels` result, with its settings and the targets, as text."""
    lines = [
        f"rnntheory bench: n={result['n']}, L={result['L']} (naive at L={result['naive_L']}), "
        f"device={result['device']}, {result['threads']} threads, "
        f"medians per call over at least {result['min_run_time']:g} s per quantity",
        f"{'dtype':<8} {'m':>5}  {'jvp/pseudo':>10} {'pseudo/trace':>12} {'trace eff.':>10} "
        f"{'naive/pseudo':>12} {'trace GF/s':>10} {'matmul GF/s':>11}",
    ]
    for r in result["rows"]:
        if "skipped" in r:
            lines.append(f"{r['dtype']:<8} {r['m']:>5}  skipped: {r['skipped']}")
            continue
        lines.append(
            f"{r['dtype']:<8} {r['m']:>5}  {r['jvp_over_pseudo']:>10.2f} {r['pseudo_over_trace']:>12.2f} "
            f"{r['trace_efficiency']:>10.2f} {r['naive_over_pseudo']:>12.1f} {r['trace_gflops']:>10.1f} "
            f"{r['matmul_gflops']:>11.1f}"
        )
    lines.append(f"targets: {TARGETS}")
    return "\n".join(lines)


def save(result: dict[str, Any], path: str | os.PathLike[str]) -> None:
    r"""Write a :func:`kernels` result as JSON (settings, raw medians in seconds, ratios)."""
    with open(path, "w") as fh:
        json.dump(result, fh, indent=2)
