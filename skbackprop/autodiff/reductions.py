"""Reductions: sum, mean, max and min along axes.

``sum`` distributes the upstream gradient to every summand unchanged; ``mean`` divides it
by the count; ``max``/``min`` "direct flow to the max/min input", the indicator rule
``dz/dx_i = 1[x_i == z]``. That rule does not say what happens on a tie; here the flow is
split evenly among the tied inputs, ``dz/dx_i = 1[x_i == z] / #{j : x_j == z}``, as
autograd, PyTorch and JAX do, so the shares add up to the upstream gradient (the flow is
conserved). Where the extreme is unique this is the indicator rule itself.
"""

import numpy as np

from .operation import Operation, apply

__all__ = ["max_", "mean", "min_", "sum_"]


def _expand(grad, shape, axis, keepdims):
    """Give a reduced gradient its reduced axes back, so it broadcasts against the input."""
    if axis is None or keepdims:
        return grad  # a 0-d or keepdims gradient already broadcasts against the input
    axes = (axis,) if isinstance(axis, int) else axis
    return np.expand_dims(grad, tuple(a % len(shape) for a in axes))


class Sum(Operation):
    __slots__ = ("axis", "keepdims", "shape")
    label = "sum"

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.shape = a.shape
        return np.asarray(a.sum(axis=self.axis, keepdims=self.keepdims))

    def backward(self, grad, needs):
        grad = _expand(grad, self.shape, self.axis, self.keepdims)
        return (np.broadcast_to(grad, self.shape).copy(),)


class Mean(Sum):
    __slots__ = ("count",)
    label = "mean"

    def forward(self, a):
        total = super().forward(a)
        self.count = a.size // max(total.size, 1) if a.size else 1
        return total / np.asarray(self.count, dtype=total.dtype)

    def backward(self, grad, needs):
        (full,) = super().backward(grad, needs)
        full /= np.asarray(self.count, dtype=full.dtype)
        return (full,)


class Extreme(Operation):
    __slots__ = ("a", "axis", "keepdims", "label", "out", "reduce")

    def __init__(self, reduce, label, axis=None, keepdims=False):
        self.reduce, self.label = reduce, label
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        if a.size == 0:
            raise ValueError(f"{self.label}() of an empty array is undefined.")
        self.a = a
        self.out = np.asarray(self.reduce(a, axis=self.axis, keepdims=self.keepdims))
        return self.out

    def backward(self, grad, needs):
        shape = self.a.shape
        out = _expand(self.out, shape, self.axis, self.keepdims)
        grad = _expand(grad, shape, self.axis, self.keepdims)
        # Indicator rule, split evenly among ties: each of the k inputs equal to the
        # extreme receives 1/k of the flow, so the shares sum to the upstream gradient.
        share = np.equal(self.a, out).astype(grad.dtype)
        count = share.sum(axis=self.axis, keepdims=True)
        # A slice holding NaN has no input equal to its (NaN) extreme: count 0, no flow.
        share /= np.maximum(count, 1)
        return (grad * share,)


def sum_(a, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes when None)."""
    return apply(Sum(axis, keepdims), a)


def mean(a, axis=None, keepdims=False):
    """Arithmetic mean over ``axis`` (all axes when None)."""
    return apply(Mean(axis, keepdims), a)


def max_(a, axis=None, keepdims=False):
    """Largest element over ``axis`` (an int, a tuple of ints, or None for all axes).

    When ``k`` elements tie for the maximum, each receives ``1/k`` of the upstream
    gradient, so the shares add up to it (autograd's, PyTorch's and JAX's rule); the
    others receive nothing. With a unique maximum (``k = 1``) this is the indicator rule
    ``dz/dx_i = 1[x_i == z]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, max
    >>> x = Tensor(np.array([1.0, 1.0, 0.5]), requires_grad=True)
    >>> max(x).backward()
    >>> x.grad
    array([0.5, 0.5, 0. ])
    """
    return apply(Extreme(np.max, "max", axis, keepdims), a)


def min_(a, axis=None, keepdims=False):
    """Smallest element over ``axis`` (an int, a tuple of ints, or None for all axes).

    The gradient goes to the element equal to the minimum; ``k`` tied elements each
    receive ``1/k`` of it, as in :func:`max_`.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, min
    >>> x = Tensor(np.array([[2.0, 0.0, 0.0], [1.0, 3.0, 4.0]]), requires_grad=True)
    >>> min(x, axis=1).sum().backward()
    >>> x.grad
    array([[0. , 0.5, 0.5],
           [1. , 0. , 0. ]])
    """
    return apply(Extreme(np.min, "min", axis, keepdims), a)
