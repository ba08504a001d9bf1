r"""The execution layer: running cells and what a run costs. It owns a cell's task, cache key and
record (records), the cell cache and its locks (cache), the run of a list of cells in this process, in
local worker processes or on a Dask cluster (executors, over the private ``_shared``: one group measured
under its cells' locks, ``_workers``: the local worker processes, and ``_cluster``: Dask), which cells
are measured together and stored apart (batching), the cores this process may use (cores), the progress
bar (progress), the cost of a run before it starts (cost), how durations are written and read
(durations) and a run's options (options). It runs picklable
tasks and knows nothing of what they measure: it may import ``rnntheory._validation`` (and the
package's version); never the network, learning, the claim-checking framework, the claims, the report
or the command line.
"""

from .._lazy import face

MODULES = ("records", "batching", "cache", "executors", "cores", "progress", "cost", "durations", "options")
NAMES = {
    **dict.fromkeys(
        [
            "Batching",
            "Task",
            "cell_key",
            "cell_record",
            "code_fingerprint",
            "device_name",
            "failures",
            "frame",
            "measure_again",
            "plain",
            "rows_checksum",
            "to_json",
        ],
        "records",
    ),
    **dict.fromkeys(["error_of", "groups", "measure_cell", "measure_group"], "batching"),
    **dict.fromkeys(["CellCache", "CellLock", "atomic_write"], "cache"),
    **dict.fromkeys(["run_tasks"], "executors"),
    **dict.fromkeys(["available"], "cores"),
    **dict.fromkeys(["Progress", "watching"], "progress"),
    **dict.fromkeys(["Cost", "estimate", "point_of", "reference_timings", "timings_from_records"], "cost"),
    **dict.fromkeys(["canonical", "duration", "parse_duration"], "durations"),
    **dict.fromkeys(["EXECUTORS", "RunOptions"], "options"),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
