"""The activation functions and their derivatives, each written once, side by side.

A table of ``name -> (function, derivative)``: ``function(z, out)`` computes ``g(z)`` (into
``out``, which may be ``z`` itself, or into a new array when ``out`` is None), and
``derivative(grad, a)`` is the chain rule's ``grad * g'(z)`` written from the output
``a = g(z)`` (relu' = [a > 0], tanh' = 1 - a^2, sigmoid' = a (1 - a)), so the forward's
work is reused and nothing is recomputed. The element-wise operations
(:func:`~skbackprop.autodiff.relu`, :func:`~skbackprop.autodiff.tanh`,
:func:`~skbackprop.autodiff.sigmoid`) and the fused layer
(:func:`~skbackprop.autodiff.dense`) both read their rules from here.
"""

import numpy as np
from scipy.special import expit

__all__ = ["ACTIVATION_RULES"]


def _relu(z, out=None):
    return np.maximum(z, 0, out=out)


def _relu_derivative(grad, a):
    # relu'(0) = 0, as scikit-learn's MLP takes it.
    return np.multiply(grad, a > 0)


def _tanh_derivative(grad, a):
    delta = a * a
    if not isinstance(delta, np.ndarray):  # a 0-d output squares to a numpy scalar
        return grad * (1 - delta)
    np.subtract(1, delta, out=delta)
    delta *= grad
    return delta


def _sigmoid_derivative(grad, a):
    delta = 1 - a
    delta *= a
    delta *= grad
    return delta


# name -> (function, derivative from the output); identity has neither: no work at all.
ACTIVATION_RULES = {
    "identity": (None, None),
    "relu": (_relu, _relu_derivative),
    "tanh": (np.tanh, _tanh_derivative),
    # expit never overflows: 1 / (1 + exp(-z)) for large negative z would.
    "logistic": (expit, _sigmoid_derivative),
}
