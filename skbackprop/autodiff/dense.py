"""The layer ``g(x @ W + b)`` as one node; with the identity ``g`` it is the affine map.

Forward computes the pre-activation into one fresh array and applies ``g`` in place.
Backward is backpropagation's layer rule, with the activation's derivative read from the
output (the rules of :mod:`~skbackprop.autodiff.activation_rules`):

- ``delta = grad * g'(z)``,
- ``dL/dW = x^T delta``, ``dL/db = sum of delta over the batch``,
- ``dL/dx = delta W^T`` (only when x needs it: never for the data).

One node per layer instead of an affine node and an activation node halves the graph's
per-node Python cost, which dominates small networks' training steps.
"""

import numpy as np

from .activation_rules import ACTIVATION_RULES
from .operation import Operation, apply
from .softmax import FEW_COLUMNS

__all__ = ["affine", "dense"]


class Dense(Operation):
    __slots__ = ("W", "activate", "b_shape", "derivative", "label", "ones", "out", "x")

    # W's and b's gradients can be written into arrays a Graph hands backward.
    in_place_inputs = (1, 2)

    def __init__(self, activation):
        # A drawing names the activation: "dense relu", or "affine" for the identity.
        self.label = "affine" if activation == "identity" else f"dense {activation}"
        self.activate, self.derivative = ACTIVATION_RULES[activation]
        self.ones = None

    def forward(self, x, W, b):
        out = x @ W
        add_to_rows(out, b)
        if self.activate is not None:
            self.activate(out, out=out)
        self.x, self.W, self.b_shape, self.out = x, W, b.shape, out
        return out

    def backward(self, grad, needs, out=(None, None, None)):
        delta = grad if self.derivative is None else self.derivative(grad, self.out)
        x, W_out, b_out = self.x, out[1], out[2]
        grad_W = grad_b = None
        if needs[1]:
            # A sparse batch's product is a new array; the Graph copies it into W_out.
            sparse_x = not isinstance(x, np.ndarray)
            grad_W = x.T @ delta if sparse_x else np.matmul(x.T, delta, out=W_out)
        if needs[2]:
            # A product with a ones vector, kept across replays, sums delta over the batch
            # faster than a reduction (docs/performance.rst, "The autodiff engine").
            ones = self.ones
            if ones is None or ones.shape[0] != delta.shape[0] or ones.dtype != delta.dtype:
                ones = self.ones = np.ones(delta.shape[0], dtype=delta.dtype)
            row = ones if len(self.b_shape) == 1 else ones[None, :]  # b of shape (1, m)
            grad_b = np.matmul(row, delta, out=b_out)
        grad_x = None
        if needs[0]:
            W = self.W
            # One unit: numpy's matmul does an inner dimension of 1 without BLAS, several
            # times slower than this broadcast product (docs/performance.rst, "The autodiff
            # engine").
            grad_x = np.multiply(delta, W.T) if W.shape[1] == 1 else delta @ W.T
        return (grad_x, grad_W, grad_b)


def add_to_rows(out, b):
    """``out += b``, the bias added to every row of the 2-D ``out``, in place.

    numpy adds a broadcast vector with one inner loop per row, at a per-row cost far above
    the arithmetic's on short rows: with fewer than :data:`FEW_COLUMNS` columns and many
    rows (at least ``64 m^2`` for ``m`` columns, past which the per-column calls' own cost
    is repaid), one strided addition per column is faster, with the same bits
    (docs/performance.rst, "The autodiff engine").
    """
    n_rows, n_columns = out.shape
    if n_columns < FEW_COLUMNS and n_rows >= 64 * n_columns * n_columns:
        for j, value in enumerate(np.ravel(b)):
            column = out[:, j]
            column += value
        return
    out += b


def _check_layer(x, W, b):
    x_shape, W_shape, b_shape = x.value.shape, W.value.shape, b.value.shape
    if len(x_shape) != 2 or len(W_shape) != 2:
        raise ValueError(
            f"A layer needs a batch x of shape (n, k) and weights W of shape (k, m); got "
            f"{x_shape} and {W_shape}. Reshape one sample with x.reshape(1, -1)."
        )
    if x_shape[1] != W_shape[0]:
        raise ValueError(
            f"A layer's shapes {x_shape} and {W_shape} are not aligned: x has "
            f"{x_shape[1]} columns but W has {W_shape[0]} rows; they must match (one row "
            "of W per input feature)."
        )
    if b_shape not in ((W_shape[1],), (1, W_shape[1])):
        raise ValueError(
            f"A layer needs b of shape (m,) (or (1, m)) for W of shape {W_shape}; got {b_shape}."
        )


def dense(x, W, b, activation="relu"):
    """A layer ``g(x @ W + b)`` as one graph node.

    Parameters
    ----------
    x : Tensor or array-like
        The batch, shape (n, k); may hold a scipy sparse matrix (a constant).
    W : Tensor
        Weights, shape (k, m).
    b : Tensor
        Biases, shape (m,) or (1, m).
    activation : {'identity', 'relu', 'tanh', 'logistic'}, default='relu'
        The activation ``g``.

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
    _check_layer(x, W, b)
    return apply(Dense(activation), x, W, b)


def affine(x, W, b):
    """The affine map ``x @ W + b`` of a batch ``x`` of shape (n, k): :func:`dense` with
    the identity activation.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, affine
    >>> x = Tensor(np.array([[1.0, 2.0]]))
    >>> W = Tensor(np.array([[1.0], [1.0]]), requires_grad=True)
    >>> b = Tensor(np.array([0.5]), requires_grad=True)
    >>> z = affine(x, W, b)
    >>> z.value
    array([[3.5]])
    >>> z.sum().backward()
    >>> W.grad.ravel(), b.grad
    (array([1., 2.]), array([1.]))
    """
    return dense(x, W, b, "identity")
