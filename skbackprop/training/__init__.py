"""The one training loop of every iterative estimator.

Between the network pieces (:mod:`skbackprop.nn`: a flat-parameter objective whose graph
is built once) and the estimators: :class:`MinibatchTrainer` runs minibatch epochs
(shuffle, the optimizer step, the L1 proximal step, the schedule, early
stopping, divergence handling) and :func:`train_lbfgs` the full-batch L-BFGS search. Both
call observers after each epoch or iteration with the :class:`TrainingHistory`; an
observer returning True stops training. :class:`NetworkFitMixin` is how the estimators
that are networks (the MLPs, LogisticBackprop) use them: one wiring of parameters,
optimizer, trainer, callbacks and published results.

The trainer updates parameters and optimizer state in place and never restores an
estimator: a failed fit is rolled back by the estimator with
:func:`skbackprop.utils.rollback_on_error` (every fitted attribute deep-copied on entry and
restored if the fit raises), the one rollback rule of the library.

Imports only downward: autodiff, optim and nn.
"""

from .early_stopping import EarlyStopping, validation_split
from .gradient_norms import LayerGradientNorms, MeanGradientNorm, subgradient_norm
from .history import TrainingHistory
from .lbfgs import train_lbfgs
from .minibatch import MinibatchTrainer
from .network_fit import NetworkFitMixin
from .solvers import SOLVERS, STOCHASTIC_SOLVERS, SolverSettings, make_optimizer

__all__ = [
    "SOLVERS",
    "STOCHASTIC_SOLVERS",
    "EarlyStopping",
    "LayerGradientNorms",
    "MeanGradientNorm",
    "MinibatchTrainer",
    "NetworkFitMixin",
    "SolverSettings",
    "TrainingHistory",
    "make_optimizer",
    "subgradient_norm",
    "train_lbfgs",
    "validation_split",
]
