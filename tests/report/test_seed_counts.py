"""A grid's seeds per point, counted once (the report's grid line and a claim's result text both read
:meth:`Grid.seed_counts`)."""

from rnntheory.checking import Grid
from rnntheory.checking.text import seeds_text
from rnntheory.report.markdown import _points_and_seeds


def test_seed_counts_of_a_uniform_and_a_mixed_grid():
    g = Grid.product({"m": [64, 128]}, seeds=3)
    assert g.seed_counts() == [3]
    assert seeds_text(g) == 3 and _points_and_seeds(g) == "2 points x 3 seeds; swept: m"
    mixed = Grid(points=({"m": 64, "seeds": [0, 1]}, {"m": 128, "seeds": [0, 1, 2, 3]}), seeds=(0,))
    assert mixed.seed_counts() == [2, 4]
    assert seeds_text(mixed) == "2 to 4 seeds per point"
    assert _points_and_seeds(mixed, per_point=" per point") == "2 points x 2 to 4 seeds per point; swept: m"
