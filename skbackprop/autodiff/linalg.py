"""Matrix product and the shape operations.

For ``C = A @ B`` the chain rule gives ``dL/dA = dL/dC @ B^T`` and ``dL/dB = A^T @ dL/dC``
(with 1-D and stacked operands handled as numpy's ``@`` treats them).
"""

import numpy as np

from .operation import Operation, apply, unbroadcast

__all__ = ["matmul", "reshape", "transpose"]


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
        # A 1-D operand is a row on the left and a column on the right, as numpy's @
        # promotes it; the gradient gets the axis the product dropped back.
        a = self.a[None, :] if self.a.ndim == 1 else self.a
        b = self.b[:, None] if self.b.ndim == 1 else self.b
        grad = grad[..., None] if self.b.ndim == 1 else grad
        grad = grad[..., None, :] if self.a.ndim == 1 else grad
        ga = unbroadcast(grad @ _swap(b), a.shape).reshape(self.a.shape) if needs[0] else None
        gb = unbroadcast(_swap(a) @ grad, b.shape).reshape(self.b.shape) if needs[1] else None
        return ga, gb


class Transpose(Operation):
    __slots__ = ("axes",)
    label = "T"

    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, a):
        return np.transpose(a, self.axes)

    def backward(self, grad, needs):
        return (np.transpose(grad, None if self.axes is None else np.argsort(self.axes)),)


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


def transpose(a, axes=None):
    """Permute the axes (reverse them when ``axes`` is None)."""
    return apply(Transpose(axes), a)


def reshape(a, shape):
    """Give ``a`` a new shape with the same number of elements."""
    return apply(Reshape(shape), a)
