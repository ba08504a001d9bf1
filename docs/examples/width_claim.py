r"""An example of a claim defined outside the package: at initialisation the hidden-state norm
||h_L|| does not grow with the width m (E ||h_l||^2 = 1 + (l - 1) eps_x^2 whatever m; theory.md sec. 4).
docs/new_claim.md walks through it. Its default grid measures 40 networks in a few seconds:

    rnntheory report --import docs/examples/width_claim.py --claims hidden_norm_width --out /tmp/width
"""

from rnntheory.checking import Claim, Grid, register
from rnntheory.checking.findings import cannot_detect, exponent_finding, too_strong, wrong_m
from rnntheory.claims.cells import config, make_inputs, make_net

# -- the grid: the measuring settings, points times seeds plus fixed settings. Short sequences and widths from
#    256 up: at a fixed width log ||h_L|| wanders from network to network by about L m^-0.42 (docs/index.md)
FIXED = {"L": 4, "n": 8, "d_x": 8, "d": 1, "eps_x": 0.1}
GRIDS = {
    "default": Grid.product({"m": [256, 512, 1024, 2048]}, seeds=10, **FIXED),
    "large": Grid.product({"m": [512, 2048, 4096]}, seeds=20, **FIXED),
}


# -- the measurement: one cell (one network) -> rows with the configuration they were measured at
def measure(cell):
    net = make_net(cell)  # W, A ~ N(0, 2/m), B ~ N(0, 1/d) from the cell's seed
    tr = net.trace(make_inputs(cell))  # inputs from the cell's seed + a fixed offset
    h_norm = tr.hidden[:, -1].norm(dim=-1).mean().item()  # ||h_L||, averaged over the cell's sequences
    return [{**config(cell, "m", "L", "seed"), "h_norm": h_norm}]


# -- the analysis: rows and judging settings -> findings, each judged by a builder
def analyse(df, judging):
    return [
        exponent_finding(
            f"||h_L|| grows at most like m^{judging['m_exponent']:g} (L = {int(df['L'].iloc[0])})",
            df,
            "m",
            "h_norm",
            judging["m_exponent"],
            key="m_exponent",
            resolution=judging["m_resolution"],
            groups=None,  # every cell is its own network: the regression interval over independent points
        )
    ]


# -- the claim: what the paper says, its grids, measure and analysis, judging settings, controls, expectation
CLAIM = register(
    Claim(
        name="hidden_norm_width",
        title="Hidden-state norm against the width",
        reference="theory.md sec. 4 (forward stability at initialisation), an example claim",
        statement="at initialisation ||h_L|| = O(1) whatever the width m",
        quantity="||h_L|| at random initialisation, the mean over 8 sequences of one network",
        bound="||h_L|| <= c * m^0",
        grids=GRIDS,
        measure=measure,
        analyse=analyse,
        judging={"m_exponent": 0.0, "m_resolution": 0.1},
        controls=(
            too_strong("a claimed decay like m^-0.5", m_exponent=-0.5),
            wrong_m("h_norm"),
            cannot_detect("exponential", "exponential growth in L", "the grid measures one length, L = 4"),
        ),
        expected=(
            "consistent",
            "the norm's mean does not depend on m (1 + (L - 1) eps_x^2 in expectation), so the "
            "exponent in m sits within 0.1 of 0 on this grid",
        ),
    )
)
