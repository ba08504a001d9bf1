"""The shared declarations of the paper's claims: the points of a joint (L, m) design."""

from rnntheory.claims._designs import rays


def test_rays_keep_the_order_of_lengths_and_widths():
    assert rays({8: (64, 128), 4: (32,)}, seeds=2, tau=1.0) == (
        {"L": 8, "m": 64, "tau": 1.0, "seeds": 2},
        {"L": 8, "m": 128, "tau": 1.0, "seeds": 2},
        {"L": 4, "m": 32, "tau": 1.0, "seeds": 2},
    )
    assert rays({4: (32, 64)}, seeds={64: 1}) == ({"L": 4, "m": 32}, {"L": 4, "m": 64, "seeds": 1})
