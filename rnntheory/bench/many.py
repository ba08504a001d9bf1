r"""The throughput rows of ``rnntheory bench``: the claims' inner loops, each measured against its anchor in the
same run. One job: batched traces of k displacements against one trace each, K networks traced or trained at once
against K separate ones (:mod:`rnntheory.network.many`, :mod:`rnntheory.learning.batched_sgd`), and SGD steps
against their memory-bound limit; :func:`throughput` returns them as data, :func:`format_throughput` as text.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from .. import _validation as V
from ..network.batched import Displacements, traces
from ..network.inputs import sample_inputs
from ..network.model import RNN, forward_outputs, perturbed_traces
from . import median_time

__all__ = ["throughput", "format_throughput", "THROUGHPUT_TARGETS", "MANY_TARGETS", "FORWARD_TRACE_WIDTHS"]

THROUGHPUT_TARGETS = "per-network/batched >= 2 at m <= 256 with k >= 16 displacements"
"""The target the throughput table is read against (rnntheory.network.batched)."""


MANY_TARGETS = (
    "SGD of 16 networks at once >= 2 x 16 separate runs at m = 256; one float32 SGD step <= 3 x its memory-bound "
    "limit at m = 512; forward-stability traces of 16 networks at once >= 2 x 16 separate traces"
)
"""The targets of the many-networks rows (rnntheory.network.many, rnntheory.learning.batched_sgd)."""

FORWARD_TRACE_WIDTHS = (64, 128, 256, 512, 1024)
"""The widths of the forward-stability rows (the default grid's m = 64 .. 4096; from m = 1024 on one trace streams
W from memory and a group gains nothing)."""


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
      products, and two rank-4 updates that read and write W and its transpose: 2 L + 2); the claims' step
      (:func:`rnntheory.learning.batched_sgd.sgd_many` with one network, as a cell measured alone trains it: one
      update of W, so ``2 L`` reads) in float32 against its limit (``claims_step_over_memory_limit``); 8
      networks trained at once against 8 separate runs, in
      float32 (``separate_over_many_8``); and ``many`` networks (the cells of ``many`` seeds measured
      together) against ``many`` separate runs (``separate_over_many``), the batched step next to its
      memory-bound limit (the ``2 L`` reads of the stacked W's a step makes: ``many_over_memory_limit``).
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
    from ..learning.concepts import Concept

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


def _many_traces_row(
    m: int, k: int, n: int, L: int, dev: torch.device, min_run_time: float, dtype: torch.dtype = torch.float64
) -> dict[str, Any]:
    r"""The ``many_traces`` row of :func:`throughput` at width ``m``: ``k`` independent networks, each on its own
    inputs (as the cells of ``k`` seeds are)."""
    from ..network.many import many_traces

    nets = [RNN.init(m, 8, 1, seed=s, dtype=dtype, device=dev) for s in range(k)]
    xs = [sample_inputs(n, L, 8, seed=1 + s, dtype=dtype, device=dev) for s in range(k)]
    x = xs[0]
    W = torch.stack([net.W for net in nets])
    A, B = torch.stack([net.A for net in nets]), torch.stack([net.B for net in nets])
    with torch.no_grad():
        t_sep = median_time(lambda: [net.trace(xq, check=False) for net, xq in zip(nets, xs)], min_run_time)
        t_many = median_time(lambda: many_traces(nets, xs, check=False), min_run_time)
        mapped = torch.func.vmap(forward_outputs, in_dims=(0, 0, 0, None))
        t_vmap = median_time(lambda: mapped(W, A, B, x), min_run_time)
        t_read = median_time(lambda: W.sum(), min_run_time)
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
        t_b = median_time(lambda: traces(net, tr, Wp), min_run_time)
        t_s = median_time(lambda: traces(net, tr, disp), min_run_time)
        t_p = median_time(lambda: perturbed_traces(net, tr, Wp), min_run_time)
        t_v = median_time(lambda: torch.func.vmap(fwd)(Ws), min_run_time)
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
    from ..learning.batched_sgd import sgd_many
    from ..learning.training import rate, sgd

    row: dict[str, Any] = {"m": m, "L": L, "batch": 4, "steps": sgd_steps}
    # the settings of every run timed here; each run's held-out set in its network's dtype
    kw = dict(
        concept=concept,
        lr=rate(1.0, m, L),
        steps=sgd_steps,
        batch_size=4,
        record_every=10 * sgd_steps,
        coupling=False,
    )
    for name, dt in V.DTYPES.items():
        net = RNN.init(m, 8, 1, seed=0, dtype=dt, device=dev)
        test = concept.sample(4, seed=1, dtype=dt, device=dev)
        row[f"t_step_{name}"] = median_time(lambda: sgd(net, test=test, **kw), min_run_time) / sgd_steps
        row[f"t_read_W_{name}"] = median_time(lambda: net.W.sum(), min_run_time)
        row[f"step_over_memory_limit_{name}"] = row[f"t_step_{name}"] / ((2 * L + 2) * row[f"t_read_W_{name}"])
    row["float64_over_float32"] = row["t_step_float64"] / row["t_step_float32"]
    # the claims' step: sgd_many with one network (a cell measured alone), one update of W a step
    net = RNN.init(m, 8, 1, seed=0, dtype=torch.float32, device=dev)
    test = concept.sample(4, seed=1, dtype=torch.float32, device=dev)
    row["t_step_claims"] = median_time(lambda: sgd_many([net], seeds=[0], test=test, **kw), min_run_time) / sgd_steps
    row["claims_step_over_memory_limit"] = row["t_step_claims"] / (2 * L * row["t_read_W_float32"])
    # the floor under that ratio: the step's 2 (L - 1) products with W alone (forward and backward, each a batched
    # product of the batch's 4 rows, as _step_many makes them), with no update and no elementwise work. When one
    # product already costs several reads of W (the BLAS kernel bound by arithmetic, not by memory), no rearranging
    # of the step around those products brings the step nearer its memory-bound limit than this
    Wb = net.W[None]
    h = torch.relu(torch.randn(1, 4, m, generator=torch.Generator().manual_seed(0), dtype=net.dtype)).to(dev)
    row["t_product"] = median_time(lambda: torch.bmm(h, Wb.transpose(1, 2)), min_run_time)
    row["product_over_read"] = row["t_product"] / row["t_read_W_float32"]
    row["claims_step_floor"] = 2 * (L - 1) * row["t_product"] / (2 * L * row["t_read_W_float32"])
    # 8 networks at once against 8 separate runs, float32
    nets = [RNN.init(m, 8, 1, seed=s, dtype=torch.float32, device=dev) for s in range(8)]
    kw["test"] = concept.sample(4, seed=1, dtype=torch.float32, device=dev)
    t_sep = median_time(lambda: [sgd(n, seed=s, **kw) for s, n in enumerate(nets)], min_run_time)
    t_many = median_time(lambda: sgd_many(nets, seeds=range(8), **kw), min_run_time)
    row["separate_over_many_8"] = t_sep / t_many
    # ``many`` networks at once (the cells of ``many`` seeds) against ``many`` separate runs, float32
    nets = [RNN.init(m, 8, 1, seed=s, dtype=torch.float32, device=dev) for s in range(many)]
    t_sep = median_time(lambda: [sgd(n, seed=s, **kw) for s, n in enumerate(nets)], min_run_time)
    t_many = median_time(lambda: sgd_many(nets, seeds=range(many), **kw), min_run_time)
    Ws = torch.stack([n.W for n in nets])
    row["many"] = many
    row["separate_over_many"] = t_sep / t_many
    row["t_step_many"] = t_many / sgd_steps
    row["t_read_W_many"] = median_time(lambda: Ws.sum(), min_run_time)
    row["many_over_memory_limit"] = row["t_step_many"] / (2 * L * row["t_read_W_many"])
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
    lines.append(
        "SGD steps (batch 4, one network): float64/float32, and each step over its memory-bound limit (products/limit:"
        " the claims' step's 2(L-1) products with W alone over that limit, the floor under claims step/limit)"
    )
    lines.append(
        f"{'m':>5}  {'f64/f32':>7} {'step/limit f32':>14} {'step/limit f64':>14} {'ms/step f32':>11} "
        f"{'claims step/limit':>17} {'products/limit':>14} {'8 separate/8 at once':>20} "
        f"{f'{k} separate/{k} at once':>22} {f'{k} at once/limit':>16}"
    )
    for r in result["sgd"]:
        lines.append(
            f"{r['m']:>5}  {r['float64_over_float32']:>7.2f} {r['step_over_memory_limit_float32']:>14.2f} "
            f"{r['step_over_memory_limit_float64']:>14.2f} {1e3 * r['t_step_float32']:>11.3f} "
            f"{r.get('claims_step_over_memory_limit', float('nan')):>17.2f} "
            f"{r.get('claims_step_floor', float('nan')):>14.2f} {r['separate_over_many_8']:>20.2f} "
            f"{r['separate_over_many']:>22.2f} {r['many_over_memory_limit']:>16.2f}"
        )
    return "\n".join(lines)
