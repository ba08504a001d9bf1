r"""rnntheory: numerical checks of the lemmas of Allen-Zhu and Li, "Can SGD Learn Recurrent Neural
Networks with Provable Generalization?" (NeurIPS 2019), on real ReLU RNNs.

Conventions (stated once; docs/conventions.md has every choice):

* Network: :math:`h_0 = 0`, :math:`g_l = W h_{l-1} + A x_l`, :math:`h_l = \mathrm{relu}(g_l)`,
  :math:`y_l = B h_l`, no biases. Initialisation :math:`W_{ij}, A_{ij} \sim N(0, 2/m)`,
  :math:`B_{ij} \sim N(0, 1/d)`; only W is trained, :math:`W = W_0 + W'`.
* Inputs: :math:`x_1 = e_{d_x}`; :math:`x_l = (\varepsilon_x x^*_l, 0)` with :math:`\|x^*_l\| \le 1`
  for l >= 2; default :math:`\varepsilon_x = 0.1`.
* Positions: the paper's position ``l`` (1-based) is index ``l - 1`` of every ``(n, L, ...)`` tensor;
  ``Trace.hidden[:, l]`` is :math:`h_l` (``hidden[:, 0] = 0``). Arguments named after the paper's
  symbols (``i``, ``j``, ``a``, ``b``) are 1-based.
* dtype: float64 by default; float32 supported. Devices through ``device=`` (CPU or CUDA).
* Randomness: no global seeding; every random function takes ``seed=`` or ``generator=``.
"""

__version__ = "0.1.0"

from . import backward, claims, decoupling, perturbation, pseudo, stats  # noqa: E402
from .model import RNN, Trace, check_inputs, data_vectors, inputs_from_data, sample_inputs  # noqa: E402

_LAZY = ("plotting", "report", "sweep")  # imported on first use (plotting loads matplotlib)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'rnntheory' has no attribute {name!r}")

__all__ = [
    "RNN",
    "Trace",
    "sample_inputs",
    "inputs_from_data",
    "data_vectors",
    "check_inputs",
    "backward",
    "pseudo",
    "perturbation",
    "decoupling",
    "stats",
    "claims",
    "plotting",
    "report",
    "sweep",
    "__version__",
]
