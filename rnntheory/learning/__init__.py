r"""Learning: the target class (concepts), plain SGD on W (training), several SGD runs at once
(batched_sgd) and the quantities along an SGD trajectory (along).

Imports the network, the complexity of a target and ``rnntheory._validation``.
"""

from .._lazy import face

MODULES = ('concepts', 'training', 'batched_sgd', 'along')
NAMES = {
    **dict.fromkeys(['Component', 'Concept', 'LabelledData', 'ball_sampler', 'opt', 'sphere_sampler'], 'concepts'),
    **dict.fromkeys(['LOSSES', 'SGDConfig', 'TrainingDiverged', 'Trajectory', 'output_cotangent', 'risk'], 'training'),
    **dict.fromkeys(['sgd_many'], 'batched_sgd'),
    **dict.fromkeys(['AlongRun', 'QUANTITIES', 'RATIOS', 'SHAPES', 'Tracker', 'TrainingRun', 'measure', 'shape'], 'along'),
}
__getattr__, __dir__ = face(__name__, MODULES, NAMES)
__all__ = [*MODULES, *NAMES]
