"""Reductions: sum, mean, max and min along axes.

``sum`` distributes the upstream gradient to every summand unchanged; ``mean`` divides it
by the count; ``max``/``min`` direct it to the input(s) equal to the result, the section notes'
indicator rule ``dz/dx_i = 1[x_i == z]``.
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
    __slots__ = ("a", "axis", "keepdims", "out")

    def __init__(self, axis=None, keepdims=False):
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
        # Indicator rule: every input equal to the extreme receives the flow.
        return (grad * (self.a == out),)


class Max(Extreme):
    __slots__ = ()
    label = "max"
    reduce = staticmethod(np.max)


class Min(Extreme):
    __slots__ = ()
    label = "min"
    reduce = staticmethod(np.min)


def sum_(a, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes when None)."""
    return apply(Sum(axis, keepdims), a)


def mean(a, axis=None, keepdims=False):
    """Arithmetic mean over ``axis`` (all axes when None)."""
    return apply(Mean(axis, keepdims), a)


def max_(a, axis=None, keepdims=False):
    """Largest element over ``axis``; ties all receive the gradient (indicator rule)."""
    return apply(Max(axis, keepdims), a)


def min_(a, axis=None, keepdims=False):
    """Smallest element over ``axis``; ties all receive the gradient (indicator rule)."""
    return apply(Min(axis, keepdims), a)
