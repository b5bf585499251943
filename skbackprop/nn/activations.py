"""The activation functions of a network, as a table of autodiff operations.

Hidden layers use one of scikit-learn's four activations, one name for every hidden layer
or one name per hidden layer; the output layer's activation is fixed by the loss
(``out_activation_``). During training the output activation is fused into the loss (see
:mod:`skbackprop.nn.losses`), so it is only applied after training: as a graph node (for
:func:`skbackprop.inspection.forward_graph`) or, when predicting, to an array in place.
"""

import numpy as np

from ..autodiff import exp, relu, sigmoid, softmax, tanh
from ..autodiff.activation_rules import ACTIVATION_RULES
from ..autodiff.softmax import softmax_rows

__all__ = ["HIDDEN_ACTIVATIONS", "OUTPUT_ACTIVATIONS", "layer_activations"]


def identity(x):
    """``f(x) = x``: no node at all, so a linear bottleneck costs nothing."""
    return x


HIDDEN_ACTIVATIONS = {
    "identity": identity,
    "logistic": sigmoid,
    "tanh": tanh,
    "relu": relu,
}


# name -> (graph operation, the same function applied to an array in place). Prediction
# uses the array form: it needs no derivative, and recording a node costs more than a
# small network's output activation (docs/performance.rst, "Fast paths kept").
OUTPUT_ACTIVATIONS = {
    "identity": (identity, identity),
    "exp": (exp, lambda z: np.exp(z, out=z)),
    "logistic": (sigmoid, lambda z: ACTIVATION_RULES["logistic"][0](z, out=z)),
    "softmax": (softmax, softmax_rows),
}


def layer_activations(activation, n_hidden):
    """The activation of each hidden layer: one name repeated, or one name per layer.

    Parameters
    ----------
    activation : str or sequence of str
        One of :data:`HIDDEN_ACTIVATIONS` for every hidden layer, or a list or tuple with
        one name per hidden layer, the first hidden layer first.
    n_hidden : int
        The number of hidden layers.

    Returns
    -------
    names : list of str
        ``n_hidden`` names.

    Raises
    ------
    ValueError
        If a name is not one of :data:`HIDDEN_ACTIVATIONS`, or a sequence does not have
        ``n_hidden`` names.

    Examples
    --------
    >>> from skbackprop.nn import layer_activations
    >>> layer_activations("tanh", 2)
    ['tanh', 'tanh']
    >>> layer_activations(("relu", "logistic"), 2)
    ['relu', 'logistic']
    """
    names = [activation] * n_hidden if isinstance(activation, str) else list(activation)
    unknown = [
        name for name in names if not isinstance(name, str) or name not in HIDDEN_ACTIVATIONS
    ]
    if unknown:
        # Each unknown name once, in order (one name repeated for every layer is one).
        listed = ", ".join(dict.fromkeys(map(repr, unknown)))
        raise ValueError(
            f"Unknown hidden activation {listed} in activation={activation!r}; use names "
            f"among {sorted(HIDDEN_ACTIVATIONS)}."
        )
    if len(names) != n_hidden:
        raise ValueError(
            f"activation={activation!r} gives {len(names)} activation(s) but the network "
            f"has {n_hidden} hidden layer(s) (hidden_layer_sizes); give one name, or one "
            "name per hidden layer."
        )
    return names
