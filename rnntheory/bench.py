r"""``rnntheory bench``: speed ratios of the forward trace and the pseudo-network, measured in one run.

Times, for each dtype (float32 and float64) and width, on ``n`` sequences of length ``L``:

* ``trace``: one forward trace (:meth:`rnntheory.RNN.trace`);
* ``pseudo``: :func:`rnntheory.pseudo.outputs` for one displacement (paper.md section 3);
* ``jvp``: the same outputs through ``torch.func.jvp`` of :meth:`rnntheory.RNN.outputs` in W;
* ``naive``: the explicit all-pairs sum :math:`\sum_{i\le j}\mathrm{Back}_{i\to j} D_i W' h_{i-1}`, each
  pair re-formed from scratch (cubic in L, so it is timed at a shorter length ``--naive-L`` and compared
  with ``pseudo`` at that length);
* ``matmul``: one plain ``(L n, m) x (m, m)`` product, the same multiply-adds as the forward pass
  (the machine's practical peak for this shape).

Only ratios measured in the same run are reported (medians of repeated timings), never absolute times
compared across runs. The JSON file holds the raw medians and the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any, Callable

import torch

from . import pseudo
from .model import RNN, sample_inputs

__all__ = ["add_arguments", "main", "run"]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    r"""Add the options of ``rnntheory bench`` to ``parser``."""
    parser.add_argument("--n", type=int, default=64, help="sequences per batch (default 64)")
    parser.add_argument("--L", type=int, default=50, help="sequence length (default 50)")
    parser.add_argument("--m", type=int, nargs="+", default=[1024], help="widths (default 1024)")
    parser.add_argument("--large", action="store_true", help="also m = 4096 when memory allows")
    parser.add_argument("--naive-L", type=int, default=10, dest="naive_L",
                        help="length for the all-pairs variant, whose cost grows like L^3 (default 10)")
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"], choices=sorted(_DTYPES))
    parser.add_argument("--repeat", type=int, default=7, help="timed repetitions per quantity (median; default 7)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--out", default="bench.json", help="where to save the JSON (default bench.json)")


def _median_time(fn: Callable[[], Any], repeat: int, device: torch.device) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _naive(net: RNN, tr, Wp: torch.Tensor) -> torch.Tensor:
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
        import os

        avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return True
    return need < 0.5 * avail


def run(*, n: int = 64, L: int = 50, ms: list[int] | None = None, naive_L: int = 10,
        dtypes: list[str] | None = None, repeat: int = 7, device: str = "cpu") -> list[dict[str, Any]]:
    r"""Measure every quantity; one dict per (dtype, m) with medians in seconds and the ratios.

    Args:
        n, L: batch size and length.
        ms: widths (default ``[1024]``).
        naive_L: length for the all-pairs variant.
        dtypes: names among ``"float32"``, ``"float64"``.
        repeat: timed repetitions (median).
        device: ``"cpu"`` or ``"cuda"``.

    Returns:
        Rows with keys dtype, m, n, L, the medians ``t_trace``, ``t_pseudo``, ``t_jvp``, ``t_matmul``,
        ``t_naive``, ``t_pseudo_naive_L`` and the ratios ``jvp_over_pseudo``, ``pseudo_over_trace``,
        ``trace_efficiency`` (matmul time / trace time), ``naive_over_pseudo`` (at ``naive_L``).
    """
    dev = torch.device(device)
    rows = []
    for name in dtypes or ["float32", "float64"]:
        dt = _DTYPES[name]
        for m in ms or [1024]:
            if not _fits(m, n, L, dt, dev):
                rows.append({"dtype": name, "m": m, "n": n, "L": L, "skipped": "not enough memory"})
                continue
            net = RNN.init(m, 8, 1, seed=0, dtype=dt, device=dev)
            x = sample_inputs(n, L, 8, seed=1, dtype=dt, device=dev)
            g = torch.Generator().manual_seed(2)
            Wp = (torch.randn(m, m, generator=g, dtype=torch.float64) / m).to(dev, dt)
            tr = net.trace(x)
            H = torch.randn(L * n, m, generator=g, dtype=torch.float64).to(dev, dt)
            fwd = lambda W: net.outputs(x, W, check=False)  # noqa: E731
            with torch.no_grad():
                t_trace = _median_time(lambda: net.trace(x, check=False), repeat, dev)
                t_pseudo = _median_time(lambda: pseudo.outputs(net, tr, Wp), repeat, dev)
                t_jvp = _median_time(lambda: torch.func.jvp(fwd, (net.W,), (Wp,)), repeat, dev)
                t_mm = _median_time(lambda: H @ net.W.T, repeat, dev)
                xs = x[:, :naive_L]
                trs = net.trace(xs, check=False)
                t_naive = _median_time(lambda: _naive(net, trs, Wp), max(1, repeat // 3), dev)
                t_pseudo_s = _median_time(lambda: pseudo.outputs(net, trs, Wp), repeat, dev)
            flops = 2.0 * L * n * m * m
            rows.append({
                "dtype": name, "m": m, "n": n, "L": L, "naive_L": naive_L, "device": str(dev),
                "t_trace": t_trace, "t_pseudo": t_pseudo, "t_jvp": t_jvp, "t_matmul": t_mm,
                "t_naive": t_naive, "t_pseudo_naive_L": t_pseudo_s,
                "jvp_over_pseudo": t_jvp / t_pseudo, "pseudo_over_trace": t_pseudo / t_trace,
                "trace_efficiency": t_mm / t_trace, "naive_over_pseudo": t_naive / t_pseudo_s,
                "matmul_gflops": flops / t_mm / 1e9, "trace_gflops": flops / t_trace / 1e9,
            })
    return rows


def main(args: argparse.Namespace) -> int:
    r"""Run the benchmark from parsed arguments, print a table and save the JSON; returns 0."""
    ms = list(args.m) + ([4096] if args.large and 4096 not in args.m else [])
    rows = run(n=args.n, L=args.L, ms=ms, naive_L=args.naive_L, dtypes=args.dtypes, repeat=args.repeat, device=args.device)
    head = f"{'dtype':<8} {'m':>5}  {'jvp/pseudo':>10} {'pseudo/trace':>12} {'trace eff.':>10} {'naive/pseudo':>12} {'trace GF/s':>10} {'matmul GF/s':>11}"
    print(f"rnntheory bench: n={args.n}, L={args.L} (naive at L={args.naive_L}), device={args.device}, medians of {args.repeat}")
    print(head)
    for r in rows:
        if "skipped" in r:
            print(f"{r['dtype']:<8} {r['m']:>5}  skipped: {r['skipped']}")
            continue
        print(f"{r['dtype']:<8} {r['m']:>5}  {r['jvp_over_pseudo']:>10.2f} {r['pseudo_over_trace']:>12.2f} "
              f"{r['trace_efficiency']:>10.2f} {r['naive_over_pseudo']:>12.1f} {r['trace_gflops']:>10.1f} {r['matmul_gflops']:>11.1f}")
    print("targets: jvp/pseudo >= 2, pseudo/trace <= 2.5, trace efficiency >= 0.5 (float32, m=1024, n=64)")
    with open(args.out, "w") as fh:
        json.dump({"n": args.n, "L": args.L, "rows": rows}, fh, indent=2)
    print(f"saved {args.out}")
    return 0
