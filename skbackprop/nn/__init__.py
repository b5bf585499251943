"""Network pieces: layers as compositions of autodiff operations.

The tables of activations and losses, Glorot initialization, one flat parameter buffer
with per-layer views, the forward pass, and the minibatch objective whose graph is built
once and replayed for every minibatch. The estimators in
:mod:`skbackprop.neural_network` are assembled from these.
"""

from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, layer_activations
from .init import glorot_uniform
from .losses import LOSSES, Loss, custom_loss, get_loss
from .network import forward, predict_output
from .objective import MinibatchObjective
from .parameters import FlatParameters
from .tabular_network import TabularNetwork
from .tabular_objective import TabularObjective

__all__ = [
    "HIDDEN_ACTIVATIONS",
    "LOSSES",
    "OUTPUT_ACTIVATIONS",
    "FlatParameters",
    "Loss",
    "MinibatchObjective",
    "TabularNetwork",
    "TabularObjective",
    "custom_loss",
    "forward",
    "get_loss",
    "glorot_uniform",
    "layer_activations",
    "predict_output",
]
