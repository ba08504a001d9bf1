r"""Running cells: tasks, cache keys and records, the cell cache and its locks, the local and Dask
executors, progress (sweep); the cost of a run before it starts (cost); spending a budget where a
finding is undecided (budget); and the speed benchmarks (bench).

Imports the network, learning, stats and ``rnntheory._validation``; never a claim or the report.
"""

from .._lazy import face

MODULES = ('sweep', 'cost', 'budget', 'bench')
NAMES = {
    **dict.fromkeys(['CellCache', 'CellLock', 'Progress', 'Task', 'atomic_write', 'cell_key', 'device_name', 'failures', 'frame', 'plain', 'run_tasks', 'to_json'], 'sweep'),
    **dict.fromkeys(['Cost', 'about', 'estimate', 'point_of', 'reference_timings', 'timings_from_records'], 'cost'),
    **dict.fromkeys(['ALPHA', 'Plan', 'judge', 'level_of', 'look_level', 'measure', 'parse_duration', 'plan', 'run_grids'], 'budget'),
    **dict.fromkeys(['TARGETS', 'THROUGHPUT_TARGETS', 'format', 'format_throughput', 'run', 'save', 'throughput'], 'bench'),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
