r"""The execution layer: running cells and what a run costs. It owns a cell's task, cache key and
record (records), the cell cache and its locks (cache), the executors that measure cells in this
process, in local worker processes or on a Dask cluster (executors), the progress bar (progress), the
cost of a run before it starts (cost), spending a budget where a finding is undecided (budget) and
the speed benchmarks (bench). It may import the network, learning, stats and
``rnntheory._validation``; never the claims, the report or the command line.
"""

from .._lazy import face

MODULES = ('records', 'cache', 'executors', 'progress', 'cost', 'budget', 'bench')
NAMES = {
    **dict.fromkeys(['Task', 'cell_key', 'cell_record', 'device_name', 'failures', 'frame', 'plain', 'rows_checksum', 'to_json'], 'records'),
    **dict.fromkeys(['CellCache', 'CellLock', 'atomic_write'], 'cache'),
    **dict.fromkeys(['run_tasks'], 'executors'),
    **dict.fromkeys(['Progress', 'clock', 'watching'], 'progress'),
    **dict.fromkeys(['Cost', 'about', 'estimate', 'point_of', 'reference_timings', 'timings_from_records'], 'cost'),
    **dict.fromkeys(['ALPHA', 'FACTORS', 'Plan', 'judge', 'level_of', 'look_level', 'measure', 'parse_duration', 'plan', 'run_grids'], 'budget'),
    **dict.fromkeys(['TARGETS', 'THROUGHPUT_TARGETS', 'format_results', 'format_throughput', 'run', 'save', 'throughput'], 'bench'),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
