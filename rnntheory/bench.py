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
:func:`save` (the JSON); :func:`throughput` and :func:`format_throughput` measure and show the claims'
inner loops against their anchors. ``rnntheory bench`` (rnntheory.cli.bench) is the command line. The
module stands beside the command line, above everything else: it builds networks and runs SGD
(rnntheory.network, rnntheory.learning), which the execution layer (rnntheory.run) must not know.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Sequence

import torch

from . import _validation as V
from .network import pseudo
from .network.batched import Displacements, traces
from .network.inputs import sample_inputs
from .network.model import RNN, Trace, perturbed_traces

__all__ = [
    "kernels",
    "format_results",
    "save",
    "throughput",
    "format_throughput",
    "TARGETS",
    "THROUGHPUT_TARGETS",
    "MANY_TARGETS",
    "FORWARD_TRACE_WIDTHS",
]

TARGETS = "jvp/pseudo >= 2, pseudo/trace <= 2.5, trace efficiency >= 0.5 (float32, m=1024, n=64)"
"""The speed targets the table is read against."""

THROUGHPUT_TARGETS = "per-network/batched >= 2 at m <= 256 with k >= 16 displacements"
"""The target the throughput table is read against (rnntheory.network.batched)."""


MANY_TARGETS = (
    "SGD of 16 networks at once >= 2 x 16 separate runs at m = 256; one float32 SGD step <= 3 x its memory-bound "
    "limit at m = 512; forward-stability traces of 16 networks at once >= 2 x 16 separate traces"
)

FORWARD_TRACE_WIDTHS = (64, 128, 256, 512, 1024)
"""The widths of the forward-stability rows (the default grid's m = 64 .. 4096; from m = 1024 on one trace streams
W from memory and a group gains nothing)."""
"""The targets of the many-networks rows (rnntheory.network.many, rnntheory.learning.batched_sgd)."""


# ---------------------------------------------------------------------- measuring
def _median_time(fn: Callable[[], Any], min_run_time: float) -> float:
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
        t_trace = _median_time(lambda: net.trace(x, check=False), min_run_time)
        t_pseudo = _median_time(lambda: pseudo.outputs(net, tr, Wp), min_run_time)
        t_jvp = _median_time(lambda: torch.func.jvp(fwd, (net.W,), (Wp,)), min_run_time)
        t_mm = _median_time(lambda: H @ net.W.T, min_run_time)
        trs = net.trace(x[:, :naive_L], check=False)
        t_naive = _median_time(lambda: _naive(net, trs, Wp), min_run_time)
        t_pseudo_s = _median_time(lambda: pseudo.outputs(net, trs, Wp), min_run_time)
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


# ---------------------------------------------------------------------- throughput of the claims' inner loops
def throughput(
    *,
    ms: Sequence[int] = (128, 256, 1024),
    k: int = 16,
    n: int = 4,
    L: int = 8,
    sgd_ms: Sequence[int] = (64, 256, 512),
    sgd_steps: int = 40,
    many: int = 16,
    forward_ms: Sequence[int] = FORWARD_TRACE_WIDTHS,
    min_run_time: float = 0.2,
    device: str | torch.device = "cpu",
) -> dict[str, Any]:
    r"""Ratios of the claims' inner loops, each measured against its anchor in the same run.

    * ``traces``: ``k`` displacements of one network (``n`` sequences of length ``L``): one
      :func:`rnntheory.network.batched.traces` call with dense displacements (``t_batched``), with the same
      displacements as one scaled direction (``t_scaled``, as the sweeps over omega use them), against
      one :meth:`~rnntheory.RNN.trace` per displacement (``t_per_network``,
      :func:`rnntheory.network.model.perturbed_traces`) and against ``torch.func.vmap`` of the out-of-place
      forward pass over the ``k`` matrices (``t_vmap``).
    * ``sgd``: seconds per step of :func:`rnntheory.learning.training.sgd` (batch 4, one network) in float32 and
      float64, and the step against its memory-bound limit: the time to read W once
      (``W.sum()``) times the reads of an m x m matrix a step makes (L - 1 forward and L - 1 backward
      products, and two rank-4 updates that read and write W and its transpose: 2 L + 2); and 8
      networks trained at once (:func:`rnntheory.learning.batched_sgd.sgd_many`) against 8 separate runs, in
      float32 (``separate_over_many_8``); and ``many`` networks (the cells of ``many`` seeds measured
      together) against ``many`` separate runs (``separate_over_many``), the batched step next to its
      memory-bound limit (the ``2 L + 2`` reads of the stacked W's a step makes: ``many_over_memory_limit``).
    * ``many_traces``: ``many`` networks (``n`` sequences of length ``L``, float64, the claims' dtype) traced in
      one product per position (:func:`rnntheory.network.many.many_traces`) against one
      :meth:`~rnntheory.RNN.trace` per network (``separate_over_many``), against ``torch.func.vmap`` of the
      out-of-place forward pass over the stacked networks (``vmap_over_many``), and next to the memory-bound
      limit (the ``L - 1`` reads of the stacked W's: ``many_over_memory_limit``).
    * ``forward_traces``: the same at forward stability's cells (``many`` networks, 4 sequences of length 64, each
      network on its own inputs, float32) at the widths ``forward_ms``.

    Returns:
        A JSON-ready dict with the settings and ``traces``, ``many_traces`` and ``sgd`` rows (raw medians in
        seconds and ratios).
    """
    from .learning.concepts import Concept

    fn = "bench.throughput"
    widths = [V.positive_int(fn, "m", m) for m in ms]
    sgd_widths = [V.positive_int(fn, "m", m) for m in sgd_ms]
    k, n = V.positive_int(fn, "k", k), V.positive_int(fn, "n", n)
    L = V.positive_int(fn, "L", L, minimum=3)
    sgd_steps = V.positive_int(fn, "sgd_steps", sgd_steps)
    many = V.positive_int(fn, "many", many)
    min_run_time = V.real_in(fn, "min_run_time", min_run_time, low=0.0, low_open=True)
    dev = V.device(fn, "device", device)
    rows = [_traces_row(m, k, n, L, dev, min_run_time) for m in widths]
    concept = Concept.single_lag(L, 8, 1, d=1, p=3, phi="sin", seed=0)
    steps = [_sgd_row(concept, m, L, sgd_steps, dev, min_run_time, many) for m in sgd_widths]
    return {
        "device": str(dev),
        "threads": torch.get_num_threads(),
        "min_run_time": min_run_time,
        "many": many,
        "traces": rows,
        "many_traces": [_many_traces_row(m, many, n, L, dev, min_run_time) for m in sorted({*widths, *sgd_widths})],
        # forward_stability's cells: n = 4 sequences of length 64, float32, 16 seeds traced together
        "forward_traces": [
            _many_traces_row(m, many, 4, 64, dev, min_run_time, torch.float32)
            for m in (V.positive_int(fn, "forward_ms", m) for m in forward_ms)
        ],
        "sgd": steps,
    }


def _forward(W: torch.Tensor, A: torch.Tensor, B: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    r"""The out-of-place forward pass of one network, ``(n, L, d)`` outputs (what ``vmap`` maps over networks)."""
    Ax = torch.matmul(x, A.T)
    h = torch.relu(Ax[:, 0])
    ys = [h @ B.T]
    for l in range(1, x.shape[1]):
        h = torch.relu(h @ W.T + Ax[:, l])
        ys.append(h @ B.T)
    return torch.stack(ys, dim=1)


def _many_traces_row(
    m: int, k: int, n: int, L: int, dev: torch.device, min_run_time: float, dtype: torch.dtype = torch.float64
) -> dict[str, Any]:
    r"""The ``many_traces`` row of :func:`throughput` at width ``m``: ``k`` independent networks, each on its own
    inputs (as the cells of ``k`` seeds are)."""
    from .network.many import many_traces

    nets = [RNN.init(m, 8, 1, seed=s, dtype=dtype, device=dev) for s in range(k)]
    xs = [sample_inputs(n, L, 8, seed=1 + s, dtype=dtype, device=dev) for s in range(k)]
    x = xs[0]
    W = torch.stack([net.W for net in nets])
    A, B = torch.stack([net.A for net in nets]), torch.stack([net.B for net in nets])
    with torch.no_grad():
        t_sep = _median_time(lambda: [net.trace(xq, check=False) for net, xq in zip(nets, xs)], min_run_time)
        t_many = _median_time(lambda: many_traces(nets, xs, check=False), min_run_time)
        t_vmap = _median_time(lambda: torch.func.vmap(_forward, in_dims=(0, 0, 0, None))(W, A, B, x), min_run_time)
        t_read = _median_time(lambda: W.sum(), min_run_time)
    return {
        "m": m,
        "k": k,
        "n": n,
        "L": L,
        "t_separate": t_sep,
        "t_many": t_many,
        "t_vmap": t_vmap,
        "t_read_W": t_read,
        "separate_over_many": t_sep / t_many,
        "vmap_over_many": t_vmap / t_many,
        "many_over_memory_limit": t_many / ((L - 1) * t_read),
    }


def _traces_row(m: int, k: int, n: int, L: int, dev: torch.device, min_run_time: float) -> dict[str, Any]:
    r"""The ``traces`` row of :func:`throughput` at width ``m``."""
    net = RNN.init(m, 8, 1, seed=0, dtype=torch.float64, device=dev)
    tr = net.trace(sample_inputs(n, L, 8, seed=1, device=dev))
    g = torch.Generator().manual_seed(2)
    U = (torch.randn(m, m, generator=g, dtype=torch.float64) / m).to(dev)
    scales = torch.linspace(0.01, 1.0, k, dtype=torch.float64)
    Wp = scales.to(dev)[:, None, None] * U
    disp = Displacements.scaled(U, scales)

    def fwd(W: torch.Tensor) -> torch.Tensor:
        return net.outputs(tr.x, W, check=False)

    with torch.no_grad():
        Ws = tr.W + Wp
        t_b = _median_time(lambda: traces(net, tr, Wp), min_run_time)
        t_s = _median_time(lambda: traces(net, tr, disp), min_run_time)
        t_p = _median_time(lambda: perturbed_traces(net, tr, Wp), min_run_time)
        t_v = _median_time(lambda: torch.func.vmap(fwd)(Ws), min_run_time)
    return {
        "m": m,
        "k": k,
        "n": n,
        "L": L,
        "t_batched": t_b,
        "t_scaled": t_s,
        "t_per_network": t_p,
        "t_vmap": t_v,
        "per_network_over_batched": t_p / t_b,
        "per_network_over_scaled": t_p / t_s,
        "vmap_over_batched": t_v / t_b,
    }


def _sgd_row(
    concept: Any, m: int, L: int, sgd_steps: int, dev: torch.device, min_run_time: float, many: int = 16
) -> dict[str, Any]:
    r"""The ``sgd`` row of :func:`throughput` at width ``m``."""
    from .learning.batched_sgd import sgd_many
    from .learning.training import rate, sgd

    row: dict[str, Any] = {"m": m, "L": L, "batch": 4, "steps": sgd_steps}
    for name, dt in V.DTYPES.items():
        net = RNN.init(m, 8, 1, seed=0, dtype=dt, device=dev)
        test = concept.sample(4, seed=1, dtype=dt, device=dev)

        def run_() -> Any:
            return sgd(
                net,
                concept=concept,
                test=test,
                lr=rate(1.0, m, L),
                steps=sgd_steps,
                batch_size=4,
                record_every=10 * sgd_steps,
                coupling=False,
            )

        row[f"t_step_{name}"] = _median_time(run_, min_run_time) / sgd_steps
        row[f"t_read_W_{name}"] = _median_time(lambda: net.W.sum(), min_run_time)
        row[f"step_over_memory_limit_{name}"] = row[f"t_step_{name}"] / ((2 * L + 2) * row[f"t_read_W_{name}"])
    row["float64_over_float32"] = row["t_step_float64"] / row["t_step_float32"]
    # 8 networks at once against 8 separate runs, float32
    nets = [RNN.init(m, 8, 1, seed=s, dtype=torch.float32, device=dev) for s in range(8)]
    test = concept.sample(4, seed=1, dtype=torch.float32, device=dev)
    kw = dict(
        concept=concept,
        test=test,
        lr=rate(1.0, m, L),
        steps=sgd_steps,
        batch_size=4,
        record_every=10 * sgd_steps,
        coupling=False,
    )
    t_sep = _median_time(lambda: [sgd(n, seed=s, **kw) for s, n in enumerate(nets)], min_run_time)
    t_many = _median_time(lambda: sgd_many(nets, seeds=range(8), **kw), min_run_time)
    row["separate_over_many_8"] = t_sep / t_many
    # ``many`` networks at once (the cells of ``many`` seeds) against ``many`` separate runs, float32
    nets = [RNN.init(m, 8, 1, seed=s, dtype=torch.float32, device=dev) for s in range(many)]
    t_sep = _median_time(lambda: [sgd(n, seed=s, **kw) for s, n in enumerate(nets)], min_run_time)
    t_many = _median_time(lambda: sgd_many(nets, seeds=range(many), **kw), min_run_time)
    Ws = torch.stack([n.W for n in nets])
    row["many"] = many
    row["separate_over_many"] = t_sep / t_many
    row["t_step_many"] = t_many / sgd_steps
    row["t_read_W_many"] = _median_time(lambda: Ws.sum(), min_run_time)
    row["many_over_memory_limit"] = row["t_step_many"] / ((2 * L + 2) * row["t_read_W_many"])
    return row


def format_throughput(result: dict[str, Any]) -> str:
    r"""The tables of a :func:`throughput` result, as text."""
    lines = [
        f"batched traces ({result['device']}, {result['threads']} threads): k displacements of one network, float64",
        f"{'m':>5} {'k':>3}  {'per-network/batched':>19} {'per-network/scaled':>18} {'vmap/batched':>12}",
    ]
    for r in result["traces"]:
        lines.append(
            f"{r['m']:>5} {r['k']:>3}  {r['per_network_over_batched']:>19.2f} "
            f"{r['per_network_over_scaled']:>18.2f} {r['vmap_over_batched']:>12.2f}"
        )
    lines.append(f"target: {THROUGHPUT_TARGETS}")
    k = result.get("many", 16)
    lines.append(f"{k} networks traced together (float64): separate traces / batched, vmap / batched, batched / limit")
    lines.append(f"{'m':>5} {'k':>3}  {'separate/batched':>16} {'vmap/batched':>12} {'batched/limit':>13}")
    for r in result.get("many_traces", []):
        lines.append(
            f"{r['m']:>5} {r['k']:>3}  {r['separate_over_many']:>16.2f} {r['vmap_over_many']:>12.2f} "
            f"{r['many_over_memory_limit']:>13.2f}"
        )
    lines.append(f"{k} forward-stability cells traced together (float32, n = 4, L = 64, each on its own inputs)")
    lines.append(f"{'m':>5} {'k':>3}  {'separate/batched':>16} {'vmap/batched':>12} {'batched/limit':>13}")
    for r in result.get("forward_traces", []):
        lines.append(
            f"{r['m']:>5} {r['k']:>3}  {r['separate_over_many']:>16.2f} {r['vmap_over_many']:>12.2f} "
            f"{r['many_over_memory_limit']:>13.2f}"
        )
    lines.append(f"target: {MANY_TARGETS}")
    lines.append("SGD steps (batch 4, one network): float64/float32, and each step over its memory-bound limit")
    lines.append(
        f"{'m':>5}  {'f64/f32':>7} {'step/limit f32':>14} {'step/limit f64':>14} {'ms/step f32':>11} "
        f"{'8 separate/8 at once':>20} {f'{k} separate/{k} at once':>22} {f'{k} at once/limit':>16}"
    )
    for r in result["sgd"]:
        lines.append(
            f"{r['m']:>5}  {r['float64_over_float32']:>7.2f} {r['step_over_memory_limit_float32']:>14.2f} "
            f"{r['step_over_memory_limit_float64']:>14.2f} {1e3 * r['t_step_float32']:>11.3f} "
            f"{r['separate_over_many_8']:>20.2f} {r['separate_over_many']:>22.2f} {r['many_over_memory_limit']:>16.2f}"
        )
    return "\n".join(lines)


def save(result: dict[str, Any], path: str | os.PathLike[str]) -> None:
    r"""Write a :func:`kernels` result as JSON (settings, raw medians in seconds, ratios)."""
    with open(path, "w") as fh:
        json.dump(result, fh, indent=2)
