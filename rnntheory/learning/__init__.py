r"""Learning: the data distribution and labelled samples (data), the target class (concepts), the loss, the
risk and the settings of an SGD run (objective), plain SGD on W (training), several SGD runs at once
(batched_sgd) and the quantities along an SGD trajectory (along).

Imports the network, the complexity of a target and ``rnntheory._validation``.
"""

from .._lazy import face

MODULES = ("data", "concepts", "objective", "training", "batched_sgd", "along")
NAMES = {
    **dict.fromkeys(["LabelledData", "NOISE_KINDS", "ball_sampler", "label_noise", "opt", "sphere_sampler"], "data"),
    **dict.fromkeys(["Component", "Concept"], "concepts"),
    **dict.fromkeys(["LOSSES", "SGDConfig", "output_cotangent", "risk"], "objective"),
    **dict.fromkeys(["TrainingDiverged", "Trajectory", "rate"], "training"),
    **dict.fromkeys(["sgd_many"], "batched_sgd"),
    **dict.fromkeys(
        ["AlongRun", "QUANTITIES", "RATIOS", "SHAPES", "Tracker", "TrainingRun", "measure", "shape"], "along"
    ),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
