r"""The network and the quantities its lemmas bound: the ReLU RNN and its inputs (model, inputs),
backward products (backward), several displaced copies at once (batched), many independent networks in one
product (many), the size of a displacement (sizes), displacements and the hidden-state and sign changes they
cause (perturbation), the pseudo-network (pseudo), the coupling errors along named directions at several radii
(coupling), decoupling (decoupling), the neural tangent kernel at finite width (kernel) and in the infinite-width
limit (infinite).

Imports only ``rnntheory._validation`` (and torch, numpy); everything above builds on it.
"""

from .._lazy import face

MODULES = (
    "model",
    "inputs",
    "backward",
    "batched",
    "many",
    "sizes",
    "perturbation",
    "pseudo",
    "coupling",
    "decoupling",
    "kernel",
    "infinite",
)
NAMES = {
    **dict.fromkeys(
        [
            "LOSS_POSITIONS",
            "RNN",
            "Trace",
            "base_trace",
            "check_displacements",
            "check_trace",
            "forward_outputs",
            "perturbed_traces",
        ],
        "model",
    ),
    **dict.fromkeys(["DEFAULT_EPS_X", "check_inputs", "data_vectors", "inputs_from_data", "sample_inputs"], "inputs"),
    **dict.fromkeys(
        [
            "ProductNorms",
            "all_pairs",
            "back_apply",
            "back_norms",
            "back_vectors",
            "grad_W",
            "grad_factors",
            "product_norms",
        ],
        "backward",
    ),
    **dict.fromkeys(["BORDERLINE_FACTOR", "Displacements", "Traces", "traces"], "batched"),
    **dict.fromkeys(["check_nets", "many_traces", "stack"], "many"),
    **dict.fromkeys(["ntk_radius", "rescale", "scale_to", "size_argument", "spectral_norm"], "sizes"),
    **dict.fromkeys(
        [
            "adversarial_direction",
            "adversarial_factors",
            "adversarial_flip_estimate",
            "gradient_direction",
            "hidden_change",
            "random_direction",
            "sign_changes",
        ],
        "perturbation",
    ),
    **dict.fromkeys(
        ["BackwardCoupling", "backward_coupling", "forward_coupling", "gradient_change", "outputs", "relative_change"],
        "pseudo",
    ),
    **dict.fromkeys(["ADVERSARIAL", "ForwardErrors", "backward_errors", "forward_errors"], "coupling"),
    **dict.fromkeys(
        ["Decoupling", "back_correlations", "correlations_by_kind", "feature_correlations", "feature_pairs"],
        "decoupling",
    ),
    **dict.fromkeys(
        ["KernelFit", "Rademacher", "check_positions", "position_kernel", "rademacher", "solve_min_norm", "subtrace"],
        "kernel",
    ),
    **dict.fromkeys(
        ["ForwardKernel", "backward_correlation", "feature_correlation", "forward_kernel", "relu_expectations"],
        "infinite",
    ),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
