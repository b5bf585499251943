"""Matrix product, the affine map, and the shape operations.

For ``C = A @ B`` the matrix-calculus rules of the notes give ``dL/dA = dL/dC @ B^T`` and
``dL/dB = A^T @ dL/dC``. The fused :func:`affine` ``x @ W + b`` is one node whose backward
is the lecture's layer rule: ``dL/dW = x^T delta``, ``dL/db = sum of delta over the batch``,
``dL/dx = delta W^T`` (computed only when x needs it: never for the data).
"""

import numpy as np

from .dense import input_gradient, parameter_gradients
from .operation import Operation, apply, unbroadcast

__all__ = ["affine", "matmul", "reshape", "transpose"]


def _swap(a):
    return a.T if a.ndim == 2 else np.swapaxes(a, -1, -2)


def _check_matmul_shapes(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul needs arrays of at least one dimension, got shapes {a.shape} and "
            f"{b.shape}; use * to scale by a scalar."
        )
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner_b:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} are not aligned: the last axis of the "
            f"left operand ({a.shape[-1]}) must equal the "
            f"{'only' if b.ndim == 1 else 'second-to-last'} axis of the right operand "
            f"({inner_b}). Transpose an operand (.T) or fix its shape."
        )


class MatMul(Operation):
    __slots__ = ("a", "b")
    label = "@"

    def forward(self, a, b):
        _check_matmul_shapes(a, b)
        self.a, self.b = a, b
        if a.ndim == 1 and b.ndim == 1:
            return np.asarray(a @ b)  # an array, not a numpy scalar, like every node value
        return a @ b

    def backward(self, grad, needs):
        a, b = self.a, self.b
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            ga = grad * b if needs[0] else None
            gb = grad * a if needs[1] else None
        elif a.ndim == 1:
            # (k,) @ (..., k, n) -> (..., n)
            if needs[0]:
                ga = unbroadcast((b @ grad[..., :, None])[..., 0], a.shape)
            if needs[1]:
                gb = unbroadcast(a[:, None] * grad[..., None, :], b.shape)
        elif b.ndim == 1:
            # (..., m, k) @ (k,) -> (..., m)
            if needs[0]:
                ga = unbroadcast(grad[..., :, None] * b, a.shape)
            if needs[1]:
                gb = unbroadcast((_swap(a) @ grad[..., :, None])[..., 0], b.shape)
        else:
            if needs[0]:
                ga = unbroadcast(grad @ _swap(b), a.shape)
            if needs[1]:
                gb = unbroadcast(_swap(a) @ grad, b.shape)
        return ga, gb


class Affine(Operation):
    __slots__ = ("W", "b_shape", "grad_out", "ones", "x")
    label = "affine"

    # Which parents a Graph may hand a buffer for (W and b): see parameter_gradients.
    buffered_parents = (1, 2)

    def __init__(self):
        self.grad_out = None
        self.ones = None

    def forward(self, x, W, b):
        if x.ndim != 2 or W.ndim != 2:
            raise ValueError(
                f"affine expects a batch x of shape (n, k) and weights W of shape (k, m); "
                f"got {x.shape} and {W.shape}. Reshape one sample with x.reshape(1, -1)."
            )
        _check_matmul_shapes(x, W)
        self.x, self.W, self.b_shape = x, W, b.shape
        out = x @ W
        out += b
        return out

    def backward(self, grad, needs):
        grad_x = input_gradient(grad, self.W) if needs[0] else None
        if len(self.b_shape) == 1:
            return (grad_x, *parameter_gradients(self, self.x, grad, needs))
        # A bias of shape (1, m) or (n, m): its gradient is unbroadcast, no buffer.
        return (
            grad_x,
            self.x.T @ grad if needs[1] else None,
            unbroadcast(grad, self.b_shape) if needs[2] else None,
        )


class Transpose(Operation):
    __slots__ = ("axes",)
    label = "T"

    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, a):
        return np.transpose(a, self.axes)

    def backward(self, grad, needs):
        if self.axes is None:
            return (np.transpose(grad),)
        return (np.transpose(grad, np.argsort(self.axes)),)


class Reshape(Operation):
    __slots__ = ("in_shape", "shape")
    label = "reshape"

    def __init__(self, shape):
        self.shape = shape

    def forward(self, a):
        self.in_shape = a.shape
        return np.reshape(a, self.shape)

    def backward(self, grad, needs):
        return (np.reshape(grad, self.in_shape),)


def matmul(a, b):
    """The matrix product ``a @ b`` (numpy's rules for 1-D and stacked operands)."""
    return apply(MatMul(), a, b)


def affine(x, W, b):
    """The fused layer map ``x @ W + b`` for a batch ``x`` of shape (n, k).

    ``W`` has shape (k, m) and ``b`` shape (m,). ``x`` may be a scipy sparse matrix (a
    constant). One node instead of two: one temporary less and one Python call less per
    layer and minibatch. Like :func:`~skbackprop.autodiff.dense`, it writes ``W``'s and
    ``b``'s gradients into a flat gradient buffer when a Graph hands it views of one.

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
    return apply(Affine(), x, W, b)


def transpose(a, axes=None):
    """Permute the axes (reverse them when ``axes`` is None)."""
    return apply(Transpose(axes), a)


def reshape(a, shape):
    """Give ``a`` a new shape with the same number of elements."""
    return apply(Reshape(shape), a)
