"""The many-networks rows of ``rnntheory bench`` (rnntheory.bench.many.throughput): K networks batched against K
separate cells, per family, next to the memory-bound limit; tiny sizes, so only their presence and sense."""

import math

from rnntheory.bench import many as bench


def test_throughput_has_many_networks_rows_for_traces_and_sgd():
    r = bench.throughput(ms=(32,), sgd_ms=(32,), sgd_steps=2, many=2, forward_ms=(32,), min_run_time=0.01)
    (tr,) = r["many_traces"]
    (fw,) = r["forward_traces"]
    assert (fw["k"], fw["n"], fw["L"]) == (2, 4, 64) and math.isfinite(fw["separate_over_many"])
    (sg,) = r["sgd"]
    assert r["many"] == 2 and tr["k"] == 2 and sg["many"] == 2
    for key in ("separate_over_many", "vmap_over_many", "many_over_memory_limit"):
        assert math.isfinite(tr[key]) and tr[key] > 0
    for key in (
        "separate_over_many",
        "many_over_memory_limit",
        "step_over_memory_limit_float32",
        "claims_step_over_memory_limit",
        "claims_step_floor",
        "product_over_read",
    ):
        assert math.isfinite(sg[key]) and sg[key] > 0
    # the floor counts a part of the step (its products with W), so it lies below the whole step's ratio
    assert sg["claims_step_floor"] < sg["claims_step_over_memory_limit"]
    text = bench.format_throughput(r)
    assert (
        "2 networks traced together" in text
        and "2 forward-stability cells traced together" in text
        and "2 separate/2 at once" in text
        and "claims step/limit" in text
        and "products/limit" in text
    )
