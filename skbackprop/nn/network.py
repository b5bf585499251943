"""The forward pass of a multilayer perceptron, as a composition of graph operations.

Hidden layer ``l`` is the lecture's ``a^l = g(a^{l-1} W^l + b^l)`` as one fused
:func:`~skbackprop.autodiff.dense` node (rows are samples, so the lecture's ``W a`` is written
``a W``). The last layer is an :func:`~skbackprop.autodiff.affine` node that stops at the
pre-activation ``z``: the loss fuses the output activation with the cost.
Optional dropout multiplies each hidden activation by a mask leaf that the training loop
refills per minibatch.
"""

from ..autodiff import Tensor, affine, dense
from .activations import OUTPUT_ACTIVATIONS

__all__ = ["forward", "predict_output"]


def forward(x, coef_tensors, intercept_tensors, activation, dropout_masks=None):
    """Build the nodes from the input ``x`` to the output layer's pre-activation.

    Parameters
    ----------
    x : Tensor
        The input batch (dense or scipy sparse), shape (n_samples, n_features).
    coef_tensors, intercept_tensors : list of Tensor
        One weight matrix and one bias vector per layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'}
        The hidden activation.
    dropout_masks : list of Tensor, optional
        One per hidden layer; the hidden activation is multiplied by it.

    Returns
    -------
    z : Tensor
        The output layer's pre-activation, shape (n_samples, n_outputs).
    """
    a = x
    for layer, (W, b) in enumerate(zip(coef_tensors[:-1], intercept_tensors[:-1])):
        a = dense(a, W, b, activation)
        if dropout_masks is not None:
            a = a * dropout_masks[layer]
    return affine(a, coef_tensors[-1], intercept_tensors[-1])


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
