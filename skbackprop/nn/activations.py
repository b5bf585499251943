"""The activation functions of a network, as a table of autodiff operations.

Hidden layers use one of scikit-learn's four activations; the output layer's activation is
fixed by the loss (``out_activation_``). During training the output activation is fused
into the loss (see :mod:`skbackprop.nn.losses`), so it is only applied here when
predicting. Each entry builds graph nodes, so the derivative comes from the engine: relu,
tanh and the logistic function take theirs from their outputs.
"""

from ..autodiff import exp, relu, sigmoid, softmax, tanh

__all__ = ["HIDDEN_ACTIVATIONS", "OUTPUT_ACTIVATIONS", "glorot_factor"]


def identity(x):
    """``f(x) = x``: no node at all, so a linear bottleneck costs nothing."""
    return x


HIDDEN_ACTIVATIONS = {
    "identity": identity,
    "logistic": sigmoid,
    "tanh": tanh,
    "relu": relu,
}

OUTPUT_ACTIVATIONS = {
    "identity": identity,
    "exp": exp,
    "logistic": sigmoid,
    "softmax": softmax,
}


def glorot_factor(activation):
    """The numerator of Glorot's bound ``sqrt(factor / (fan_in + fan_out))``.

    Glorot and Bengio derive 6 for tanh-like units; scikit-learn uses 2 for the logistic
    function, whose slope at 0 is a quarter of tanh's, and we follow it.
    """
    return 2.0 if activation == "logistic" else 6.0
