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

# Everything is imported on first attribute access (PEP 562): ``import rnntheory`` loads no torch, so
# that ``rnntheory --help`` answers at once; ``rnntheory.RNN`` loads torch and the model, the other
# submodules pull in pandas, scipy, sympy/mpmath or matplotlib, or every registered claim.
_FROM_MODEL = ("RNN", "Trace", "check_inputs", "data_vectors", "inputs_from_data", "sample_inputs")
_LAZY = (
    "along",
    "backward",
    "batched",
    "batched_sgd",
    "bench",
    "claims",
    "complexity",
    "concepts",
    "cost",
    "decoupling",
    "grids",
    "infinite",
    "kernel",
    "model",
    "perturbation",
    "plotting",
    "pseudo",
    "report",
    "stats",
    "sweep",
    "training",
    "verdicts",
)


def _present(name: str) -> bool:
    """Whether the submodule ``name`` exists (looked up on disk, not imported)."""
    import importlib.util

    return importlib.util.find_spec(f"{__name__}.{name}") is not None


_LAZY_PRESENT = tuple(name for name in _LAZY if _present(name))


def __getattr__(name: str):
    if name in _FROM_MODEL:
        from . import model

        return getattr(model, name)
    if name in _LAZY:
        import importlib

        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_PRESENT) | set(_FROM_MODEL))


__all__ = [*_FROM_MODEL, *_LAZY_PRESENT, "__version__"]
