"""Optimizers and learning-rate schedules, separate from the models they train.

Each stochastic optimizer (an :class:`Optimizer`) owns a flat parameter buffer, which it
updates in place from a flat gradient in ``step(grad)``, and the learning-rate schedule
that sets its ``learning_rate`` between epochs. ``minimize_lbfgs`` drives scipy's
L-BFGS-B with the autodiff engine's gradients; ``soft_threshold`` is the L1 proximal
step; ``Plateau`` is the tolerance test that early stopping and the 'adaptive' rate share.
"""

from .adam import Adam
from .grouped_adam import GroupedAdam
from .lbfgs import minimize_lbfgs
from .optimizer import Optimizer
from .plateau import Plateau
from .proximal import soft_threshold
from .rmsprop import RMSProp
from .schedules import AdaptiveSchedule, ConstantSchedule, InverseScalingSchedule
from .sgd import SGD
from .step_schedules import STEP_SCHEDULES, StepSchedule

__all__ = [
    "SGD",
    "STEP_SCHEDULES",
    "Adam",
    "AdaptiveSchedule",
    "ConstantSchedule",
    "GroupedAdam",
    "InverseScalingSchedule",
    "Optimizer",
    "Plateau",
    "RMSProp",
    "StepSchedule",
    "minimize_lbfgs",
    "soft_threshold",
]
