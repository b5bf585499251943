"""The solvers: their names, and the optimizer and learning-rate schedule each one uses."""

from dataclasses import dataclass

from ..optim import (
    SGD,
    Adam,
    AdaptiveSchedule,
    InverseScalingSchedule,
    RMSProp,
)

__all__ = ["SOLVERS", "STOCHASTIC_SOLVERS", "SolverSettings", "make_optimizer"]

STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop")
SOLVERS = ("lbfgs", *STOCHASTIC_SOLVERS)


@dataclass(frozen=True)
class SolverSettings:
    """What a minibatch solver needs to know, in scikit-learn's parameter names.

    ``learning_rate`` is the schedule: 'constant', 'invscaling' (``learning_rate_init /
    (t + 1) ** power_t``, t the samples seen) or 'adaptive' (divided by 5 when the
    tolerance test fails, stopping once it is at 1e-6). ``rmsprop_decay`` is the decay of
    RMSProp's average of squared gradients.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.training import SolverSettings, make_optimizer
    >>> settings = SolverSettings(solver="sgd", learning_rate_init=0.1,
    ...                           learning_rate="invscaling")
    >>> optimizer = make_optimizer(settings, np.zeros(3))
    >>> type(optimizer).__name__, type(optimizer.schedule).__name__
    ('SGD', 'InverseScalingSchedule')
    >>> optimizer.iteration_ends(99)
    >>> optimizer.learning_rate
    0.01
    """

    solver: str = "adam"
    learning_rate_init: float = 0.001
    learning_rate: str = "constant"
    power_t: float = 0.5
    momentum: float = 0.9
    nesterov: bool = True
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    rmsprop_decay: float = 0.9


def make_optimizer(settings, values):
    """The optimizer named by ``settings.solver``, owning the flat buffer ``values``, with
    the learning-rate schedule named by ``settings.learning_rate``."""
    rate = settings.learning_rate_init
    if settings.solver == "sgd":
        optimizer = SGD(
            values, learning_rate=rate, momentum=settings.momentum, nesterov=settings.nesterov
        )
    elif settings.solver == "adam":
        optimizer = Adam(
            values,
            learning_rate=rate,
            beta_1=settings.beta_1,
            beta_2=settings.beta_2,
            epsilon=settings.epsilon,
        )
    else:
        optimizer = RMSProp(
            values, learning_rate=rate, decay=settings.rmsprop_decay, epsilon=settings.epsilon
        )
    if settings.learning_rate == "invscaling":
        optimizer.schedule = InverseScalingSchedule(rate, power_t=settings.power_t)
    elif settings.learning_rate == "adaptive":
        optimizer.schedule = AdaptiveSchedule(rate)
    return optimizer
