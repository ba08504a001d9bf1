r"""rnntheory: numerical checks of the lemmas of Allen-Zhu and Li, "Can SGD Learn Recurrent Neural
Networks with Provable Generalization?" (NeurIPS 2019), on real ReLU RNNs.

Section numbers ("theory.md sec. 4") refer to docs/theory.md, which restates the mathematics.

Conventions (stated once; docs/conventions.md has every choice):

* Network: :math:`h_0 = 0`, :math:`g_l = W h_{l-1} + A x_l`, :math:`h_l = \mathrm{relu}(g_l)`,
  :math:`y_l = B h_l`, no biases. Initialisation :math:`W_{ij}, A_{ij} \sim N(0, 2/m)`,
  :math:`B_{ij} \sim N(0, 1/d)`; only W is trained, :math:`W = W_0 + W'`.
* Inputs: :math:`x_1 = e_{d_x}`; :math:`x_l = (\varepsilon_x x^*_l, 0)` with :math:`\|x^*_l\| \le 1`
  for l >= 2; default :math:`\varepsilon_x = 0.1`.
* Positions: the paper's position ``l`` (1-based) is index ``l - 1`` of every ``(n, L, ...)`` tensor;
  ``Trace.hidden[:, l]`` is :math:`h_l` (``hidden[:, 0] = 0``). Arguments named after the paper's
  symbols (``i``, ``j``, ``a``, ``b``) are 1-based.
* dtype: float64 by default in every function; float32 supported. A report measures each claim in its
  own dtype (``Claim.dtype``: float32 where both dtypes give the same verdicts; docs/reporting.md).
  Devices through ``device=`` (CPU or CUDA).
* Randomness: no global seeding; every random function takes ``seed=`` or ``generator=``.
"""

__version__ = "0.1.0"

# Everything is imported on first attribute access (PEP 562, through rnntheory._lazy): ``import
# rnntheory`` loads no torch, so that ``rnntheory --help`` answers at once; ``rnntheory.RNN`` loads torch
# and the model, the other sub-packages pull in pandas, scipy, sympy/mpmath or matplotlib, or every
# registered claim. docs/architecture.md draws the floor plan.
from . import _lazy

_PACKAGES = ("network", "complexity", "learning", "stats", "run", "checking", "claims", "report")
"""The sub-packages, each loaded on first use (``rnntheory.network``, ...; the command line ``rnntheory.cli``
and the modules ``rnntheory.bench``, ``rnntheory.seeds`` and ``rnntheory.testing`` are imported by name)."""

SHORTCUTS = {
    "RNN": ("network.model", "RNN"),
    "sample_inputs": ("network.inputs", "sample_inputs"),
    "backward": ("network.backward", None),
    "pseudo": ("network.pseudo", None),
    "perturbation": ("network.perturbation", None),
    "complexity": ("complexity", None),
    "stats": ("stats", None),
    "claims": ("claims", None),
}
"""The short names a notebook uses, and the only names of this face that are not a sub-package:
``rt.RNN``, ``rt.sample_inputs``, ``rt.backward.back_norms(net, tr, u)``, ``rt.pseudo.forward_coupling``,
``rt.perturbation.sign_changes``, ``rt.complexity.c_eps``, ``rt.stats.fit_exponent``, ``rt.claims.get``.
Each maps a name to (the module below ``rnntheory`` that holds it, the attribute of that module, or
``None`` for the module itself). They are attributes only, not module paths: ``import
rnntheory.backward`` fails; code imports from the home (``from rnntheory.network import backward``)."""

__getattr__, __dir__ = _lazy.face(
    __name__,
    modules=(*_PACKAGES, "seeds", "cli", "bench", "testing"),
    names={name: module for name, (module, attribute) in SHORTCUTS.items() if attribute is not None},
    aliases={name: module for name, (module, attribute) in SHORTCUTS.items() if attribute is None and module != name},
)

# ``from rnntheory import *`` leaves out the command line, the benchmark and the test strategies
# (Hypothesis is in the test extra only)
__all__ = [*SHORTCUTS, *(p for p in _PACKAGES if p not in SHORTCUTS), "__version__"]
