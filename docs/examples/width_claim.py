r"""An example claim defined outside the package: at initialisation ||h_L|| does not grow with the width m
(E ||h_l||^2 = 1 + (l - 1) eps_x^2 whatever m; theory.md sec. 4). docs/new_claim.md walks through it:

    rnntheory report --import docs/examples/width_claim.py --claims hidden_norm_width --out /tmp/width
"""

from rnntheory.checking import Claim, Grid, register
from rnntheory.checking.controls import cannot_detect
from rnntheory.checking.specs import Exponent, J
from rnntheory.claims.cells import make_inputs, make_net

FIXED = {"L": 4, "n": 8, "d_x": 8, "d": 1, "eps_x": 0.1}


def measure(cell):  # one network -> its rows; the runner adds the cell's settings (m, L, seed, ...) to each
    tr = make_net(cell).trace(make_inputs(cell))
    return [{"h_norm": tr.hidden[:, -1].norm(dim=-1).mean().item()}]  # ||h_L||, mean over the cell's sequences


CLAIM = register(Claim(
    name="hidden_norm_width", title="Hidden-state norm against the width", bound="||h_L|| <= c * m^0",
    reference="theory.md sec. 4 (forward stability at initialisation), an example claim",
    statement="at initialisation ||h_L|| = O(1) whatever the width m", quantity="||h_L||, mean over 8 sequences",
    grids={"default": Grid.product({"m": [256, 512, 1024, 2048]}, seeds=10, **FIXED),
           "large": Grid.product({"m": [512, 2048, 4096]}, seeds=20, **FIXED)},
    measure=measure, judging={"m_exponent": 0.0, "m_resolution": 0.1},
    findings=(Exponent("||h_L|| grows at most like m^{m_exponent:g}", "m_exponent", x="m", y="h_norm",
                       claimed=J.m_exponent, resolution=J.m_resolution, too_strong=-0.5, groups=None),),
    controls=(cannot_detect("exponential", "exponential growth in L", "the grid measures one length, L = 4"),)))
