"""The fused hidden layer ``g(x @ W + b)``: one node instead of an affine node and an
activation node.

Forward computes the pre-activation into one fresh array and applies ``g`` in place.
Backward is the lecture's layer rule with the activation's derivative read from the output
(relu' = [a > 0], tanh' = 1 - a^2, sigmoid' = a (1 - a)): ``delta = grad * g'``, then
``dL/dW = x^T delta``, ``dL/db = sum of delta over the batch`` and ``dL/dx = delta W^T``
(only when x needs it: never for the data). Halving the nodes of a network halves the
graph's per-node Python cost, which dominates small networks' training steps.
"""

import numpy as np
from scipy.special import expit

from .operation import Operation, apply

__all__ = ["DENSE_ACTIVATIONS", "dense"]


def _relu_derivative(grad, out):
    return np.multiply(grad, np.greater(out, _zero(out.dtype)))


def _tanh_derivative(grad, out):
    delta = out * out
    np.subtract(1, delta, out=delta)
    delta *= grad
    return delta


def _sigmoid_derivative(grad, out):
    delta = 1 - out
    delta *= out
    delta *= grad
    return delta


_ZEROS = {}


def _zero(dtype):
    """A 0-d zero of ``dtype``, made once: numpy then skips converting a Python scalar on
    every call, a noticeable share of a small layer's microseconds."""
    zero = _ZEROS.get(dtype)
    if zero is None:
        zero = _ZEROS[dtype] = np.zeros((), dtype)
        zero.flags.writeable = False
    return zero


def _relu(z):
    return np.maximum(z, _zero(z.dtype), out=z)


# name -> (in-place activation or None, derivative from the output or None)
DENSE_ACTIVATIONS = {
    "identity": (None, None),
    "relu": (_relu, _relu_derivative),
    "tanh": (lambda z: np.tanh(z, out=z), _tanh_derivative),
    "logistic": (lambda z: expit(z, out=z), _sigmoid_derivative),
}


class Dense(Operation):
    __slots__ = ("W", "activate", "activation", "derivative", "grad_out", "ones", "out", "x")
    label = "dense"

    def __init__(self, activation, grad_out=None):
        self.activation = activation  # the name, for drawings
        self.activate, self.derivative = DENSE_ACTIVATIONS[activation]
        self.ones = None
        self.grad_out = grad_out

    def forward(self, x, W, b):
        out = x @ W
        out += b
        if self.activate is not None:
            self.activate(out)
        self.x, self.W, self.out = x, W, out
        return out

    def backward(self, grad, needs):
        delta = grad if self.derivative is None else self.derivative(grad, self.out)
        return (
            delta @ self.W.T if needs[0] else None,
            *parameter_gradients(self, self.x, delta, needs),
        )


def parameter_gradients(op, x, delta, needs):
    """``dL/dW = x^T delta`` and ``dL/db = 1^T delta`` of a layer, written into
    ``op.grad_out`` when the layer was given buffers for them.

    The products go straight into the buffers when the operands allow it (a dense ``x``
    and ``delta`` of the buffers' dtype); otherwise (a sparse batch, mixed precision) they
    are computed and copied in, so the buffers always hold the last backward pass.
    """
    W_out, b_out = (None, None) if op.grad_out is None else op.grad_out
    grad_W = grad_b = None
    if needs[1]:
        if W_out is None:
            grad_W = x.T @ delta
        elif isinstance(x, np.ndarray) and x.dtype == delta.dtype == W_out.dtype:
            grad_W = np.matmul(x.T, delta, out=W_out)
        else:
            np.copyto(W_out, x.T @ delta, casting="same_kind")  # sparse x, mixed dtypes
            grad_W = W_out
    if needs[2]:
        # dL/db sums delta over the batch; as a product with a ones vector it is one BLAS
        # call, cheaper than a reduction on small batches. The vector is kept across
        # replays of the graph.
        ones = op.ones
        if ones is None or ones.shape[0] != delta.shape[0] or ones.dtype != delta.dtype:
            ones = op.ones = np.ones(delta.shape[0], dtype=delta.dtype)
        if b_out is None:
            grad_b = ones @ delta
        elif b_out.dtype == delta.dtype:
            grad_b = np.matmul(ones, delta, out=b_out)
        else:
            np.copyto(b_out, ones @ delta, casting="same_kind")
            grad_b = b_out
    return grad_W, grad_b


def dense(x, W, b, activation="relu", *, grad_out=None):
    """A hidden layer ``g(x @ W + b)`` as one graph node.

    Parameters
    ----------
    x : Tensor or array-like
        The batch, shape (n, k); may hold a scipy sparse matrix (a constant).
    W : Tensor
        Weights, shape (k, m).
    b : Tensor
        Biases, shape (m,).
    activation : {'identity', 'relu', 'tanh', 'logistic'}, default='relu'
        The activation ``g``.
    grad_out : tuple of (ndarray, ndarray), optional
        Arrays of the shapes and dtypes of ``W`` and ``b`` that every backward pass
        writes ``W.grad`` and ``b.grad`` into, instead of new arrays: a training loop
        keeps all of a network's gradients in one flat buffer this way, with no copy per
        minibatch. ``W.grad`` is then that array, overwritten by the next backward pass.
        A :class:`~skbackprop.autodiff.Graph` drops the buffers of a layer whose W or b
        feeds other nodes too, or whose buffers overlap another layer's: the
        contributions are then summed into new arrays, and ``.grad`` is the one to read.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, dense
    >>> x = Tensor(np.array([[1.0, -2.0]]))
    >>> W = Tensor(np.array([[1.0, 1.0], [1.0, -1.0]]), requires_grad=True)
    >>> b = Tensor(np.zeros(2), requires_grad=True)
    >>> a = dense(x, W, b, "relu")
    >>> a.value
    array([[0., 3.]])
    >>> a.sum().backward()
    >>> W.grad
    array([[ 0.,  1.],
           [ 0., -2.]])
    """
    if activation not in DENSE_ACTIVATIONS:
        raise ValueError(
            f"dense: unknown activation {activation!r}; use one of {sorted(DENSE_ACTIVATIONS)}."
        )
    from .tensor import as_tensor

    x, W, b = (as_tensor(t) for t in (x, W, b))
    x_shape = x.value.shape
    if len(x_shape) != 2 or W.value.ndim != 2 or b.value.shape != (W.value.shape[1],):
        raise ValueError(
            f"dense needs x of shape (n, k), W of shape (k, m) and b of shape (m,); got "
            f"{x_shape}, {W.value.shape} and {b.value.shape}."
        )
    if x_shape[1] != W.value.shape[0]:
        raise ValueError(
            f"dense: x has {x_shape[1]} columns but W has {W.value.shape[0]} rows; they "
            "must match (one row of W per input feature)."
        )
    check_grad_out(grad_out, W, b)
    return apply(Dense(activation, grad_out), x, W, b)


def check_grad_out(grad_out, W, b):
    """Raise ValueError unless ``grad_out`` is None or two arrays like W and b (a 1-D b)."""
    if grad_out is None:
        return
    W_out, b_out = grad_out
    if b.value.ndim != 1:
        raise ValueError(
            f"grad_out needs a bias vector of shape (m,); this b has shape {b.value.shape}. "
            "Pass b as a vector, or leave grad_out out."
        )
    if W_out.shape != W.value.shape or b_out.shape != b.value.shape:
        raise ValueError(
            f"grad_out must hold arrays of W's shape {W.value.shape} and b's shape "
            f"{b.value.shape}; got {W_out.shape} and {b_out.shape}."
        )
    if W_out.dtype != W.value.dtype or b_out.dtype != b.value.dtype:
        raise ValueError(
            f"grad_out must hold arrays of W's dtype {W.value.dtype} and b's dtype "
            f"{b.value.dtype}; got {W_out.dtype} and {b_out.dtype}."
        )
