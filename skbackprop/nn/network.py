"""The forward pass of a multilayer perceptron, as a composition of graph operations.

Layer ``l`` is the seeds' ``a^l = g(a^{l-1} W^l + b^l)``: one fused :func:`affine` node and
one activation node (rows are samples, so the seeds' ``W a`` is written ``a W``). The last
layer stops at the pre-activation ``z``: the loss fuses the output activation with the cost.
Optional dropout multiplies each hidden activation by a mask leaf that the training loop
refills per minibatch.
"""

from ..autodiff import Tensor, affine
from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS

__all__ = ["forward", "predict_output"]


def forward(x, coef_tensors, intercept_tensors, activation, dropout_masks=None):
    """Build the nodes from the input ``x`` to the output layer's pre-activation.

    Parameters
    ----------
    x : Tensor
        The input batch (dense or scipy sparse), shape (n_samples, n_features).
    coef_tensors, intercept_tensors : list of Tensor
        One weight matrix and one bias vector per layer.
    activation : str
        The hidden activation's name in :data:`HIDDEN_ACTIVATIONS`.
    dropout_masks : list of Tensor, optional
        One per hidden layer; the hidden activation is multiplied by it.

    Returns
    -------
    z : Tensor
        The output layer's pre-activation, shape (n_samples, n_outputs).
    """
    g = HIDDEN_ACTIVATIONS[activation]
    a = x
    last = len(coef_tensors) - 1
    for layer, (W, b) in enumerate(zip(coef_tensors, intercept_tensors)):
        z = affine(a, W, b)
        if layer == last:
            return z
        a = g(z)
        if dropout_masks is not None:
            a = a * dropout_masks[layer]
    raise ValueError("a network needs at least one layer")  # pragma: no cover


def predict_output(X, coefs, intercepts, activation, out_activation):
    """The network's output ``f(X)``: probabilities, counts or values.

    Parameters
    ----------
    X : ndarray or scipy sparse matrix of shape (n_samples, n_features)
    coefs, intercepts : list of ndarray
    activation : str
        Hidden activation.
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
    """
    z = forward(
        Tensor(X),
        [Tensor(c) for c in coefs],
        [Tensor(b) for b in intercepts],
        activation,
    )
    return OUTPUT_ACTIVATIONS[out_activation](z).value
