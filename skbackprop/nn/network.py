"""The forward pass of a multilayer perceptron: as graph operations, and on arrays.

Hidden layer ``l`` computes ``a^l = g_l(a^{l-1} W^l + b^l)`` (rows are samples, so the
textbook's ``W a`` is written ``a W``), each with its own activation ``g_l``; the output
layer stops at the pre-activation ``z``, and the output activation ``f`` gives the
prediction ``f(z)``. In the graph (:func:`forward`) each hidden layer is one fused
:func:`~skbackprop.autodiff.dense` node and the loss fuses ``f`` with the cost; optional
dropout multiplies each hidden activation by a mask leaf that the training loop refills
per minibatch. :func:`predict_output` applies the same forward rules to arrays.
"""

import numpy as np

from ..autodiff import affine, dense
from ..autodiff.activation_rules import ACTIVATION_RULES
from .activations import OUTPUT_ACTIVATIONS, layer_activations

__all__ = ["forward", "predict_output"]


def forward(x, coef_tensors, intercept_tensors, activation, dropout_masks=None):
    """Build the nodes from the input ``x`` to the output layer's pre-activation.

    Parameters
    ----------
    x : Tensor
        The input batch (dense or scipy sparse), shape (n_samples, n_features).
    coef_tensors, intercept_tensors : list of Tensor
        One weight matrix and one bias vector per layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'} or sequence of them
        The hidden activation, or one per hidden layer.
    dropout_masks : list of Tensor, optional
        One per hidden layer; the hidden activation is multiplied by it.

    Returns
    -------
    z : Tensor
        The output layer's pre-activation, shape (n_samples, n_outputs).
    """
    hidden = layer_activations(activation, len(coef_tensors) - 1)
    a = x
    for layer, (W, b, g) in enumerate(zip(coef_tensors[:-1], intercept_tensors[:-1], hidden)):
        a = dense(a, W, b, g)
        if dropout_masks is not None:
            a = a * dropout_masks[layer]
    return affine(a, coef_tensors[-1], intercept_tensors[-1])


def predict_output(X, coefs, intercepts, activation, out_activation):
    """The network's output ``f(X)``: probabilities, counts or values.

    The forward rules of :func:`forward`'s nodes and of the output activation, applied
    to arrays in place; no graph is recorded, since prediction needs no derivative. The
    parameters' dtype decides: a float32 network predicts in float32.

    Parameters
    ----------
    X : ndarray or scipy sparse matrix of shape (n_samples, n_features)
    coefs, intercepts : list of ndarray
    activation : str or sequence of str
        Hidden activation, or one per hidden layer.
    out_activation : str
        One of :data:`OUTPUT_ACTIVATIONS`.

    Returns
    -------
    output : ndarray of shape (n_samples, n_outputs)

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.nn import predict_output
    >>> W1, b1 = np.array([[1.0, -1.0]]), np.zeros(2)
    >>> W2, b2 = np.array([[1.0], [1.0]]), np.array([0.5])
    >>> predict_output(np.array([[2.0], [-3.0]]), [W1, W2], [b1, b2], "relu", "identity")
    array([[2.5],
           [3.5]])

    One activation per hidden layer (``"relu"`` for both would give 0 here):

    >>> W = [np.array([[1.0]]), np.array([[-1.0]]), np.array([[1.0]])]
    >>> b = [np.zeros(1)] * 3
    >>> predict_output(np.array([[2.0]]), W, b, ["relu", "identity"], "identity")
    array([[-2.]])
    """
    a = X.astype(coefs[0].dtype, copy=False)
    for W, b, name in zip(
        coefs[:-1], intercepts[:-1], layer_activations(activation, len(coefs) - 1)
    ):
        activate = ACTIVATION_RULES[name][0]
        a = a @ W
        a += b
        if activate is not None:
            activate(a, out=a)
    z = a @ coefs[-1]
    z += intercepts[-1]
    with np.errstate(over="ignore"):
        # An exp output may overflow to inf on extreme inputs; that is its value.
        return OUTPUT_ACTIVATIONS[out_activation][1](z)
