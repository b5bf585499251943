"""The fused hidden layer ``g(x @ W + b)``: one node instead of an affine node and an
activation node.

Forward computes the pre-activation into one fresh array and applies ``g`` in place.
Backward is the lecture's layer rule with the activation's derivative read from the output
(the rules of :mod:`~skbackprop.autodiff.activation_rules`): ``delta = grad * g'``, then
``dL/dW = x^T delta``, ``dL/db = sum of delta over the batch`` and ``dL/dx = delta W^T``
(only when x needs it: never for the data). Halving the nodes of a network halves the
graph's per-node Python cost, which dominates small networks' training steps.
"""

import numpy as np

from .activation_rules import ACTIVATION_RULES
from .operation import Operation, apply

__all__ = ["dense"]


class Dense(Operation):
    __slots__ = ("W", "activate", "activation", "derivative", "grad_out", "ones", "out", "x")
    label = "dense"

    # Which parents a Graph may hand a buffer for (W and b): see parameter_gradients.
    buffered_parents = (1, 2)

    def __init__(self, activation):
        self.activation = activation  # the name, for drawings
        self.activate, self.derivative = ACTIVATION_RULES[activation]
        self.ones = None
        self.grad_out = None

    def forward(self, x, W, b):
        out = x @ W
        out += b
        if self.activate is not None:
            self.activate(out, out=out)
        self.x, self.W, self.out = x, W, out
        return out

    def backward(self, grad, needs):
        delta = grad if self.derivative is None else self.derivative(grad, self.out)
        return (
            input_gradient(delta, self.W) if needs[0] else None,
            *parameter_gradients(self, self.x, delta, needs),
        )


def input_gradient(delta, W):
    """``dL/dx = delta W^T`` of a layer with weights ``W`` of shape (k, m).

    With one unit (``m = 1``, a regressor's output layer) the product's inner dimension
    is 1: it is the outer product of two vectors, each element one multiplication.
    numpy's broadcast multiply gives the same numbers in about half the time OpenBLAS's
    gemm takes for an inner dimension of 1 (``benchmarks/profile_mlp.py --layouts``).
    """
    if W.shape[1] == 1:
        return np.multiply(delta, W.T)
    return delta @ W.T


def parameter_gradients(op, x, delta, needs):
    """``dL/dW = x^T delta`` and ``dL/db = 1^T delta`` of a layer, written into
    ``op.grad_out`` when a :class:`~skbackprop.autodiff.Graph` over a flat parameter
    buffer handed the layer views of its gradient buffer (see ``Graph``'s ``gradient``).

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


def dense(x, W, b, activation="relu"):
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

    When a :class:`~skbackprop.autodiff.Graph` is built over a flat parameter buffer that
    ``W`` and ``b`` are views of, it may have the layer write their gradients straight
    into the flat gradient buffer: a training loop then copies nothing per minibatch.

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
    if activation not in ACTIVATION_RULES:
        raise ValueError(
            f"dense: unknown activation {activation!r}; use one of {sorted(ACTIVATION_RULES)}."
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
    return apply(Dense(activation), x, W, b)
