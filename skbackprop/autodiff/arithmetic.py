"""The arithmetic operators, with numpy broadcasting.

Each rule says how the upstream gradient flows to the inputs: ``+`` distributes it
unchanged, ``*`` scales it by the other factor, and every input broadcast to a larger
shape has its gradient summed back to its own shape.
"""

import numpy as np

from .operation import Operation, apply, unbroadcast

__all__ = ["add", "divide", "multiply", "negative", "power", "subtract"]


class Add(Operation):
    """``a + b``, or ``a - b`` with ``sign=-1``: the flow goes to ``b`` times the sign."""

    __slots__ = ("label", "shapes", "sign")

    def __init__(self, sign=1):
        self.sign, self.label = sign, "+" if sign > 0 else "-"

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        return a + b if self.sign > 0 else a - b

    def backward(self, grad, needs):
        shape_a, shape_b = self.shapes
        return (
            unbroadcast(grad, shape_a) if needs[0] else None,
            unbroadcast(grad if self.sign > 0 else -grad, shape_b) if needs[1] else None,
        )


class Multiply(Operation):
    __slots__ = ("a", "b")
    label = "*"

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad, needs):
        # dz/da = b: the flow scaled by out / a, written without dividing by a.
        a, b = self.a, self.b
        return (
            unbroadcast(grad * b, a.shape) if needs[0] else None,
            unbroadcast(grad * a, b.shape) if needs[1] else None,
        )


class Divide(Operation):
    __slots__ = ("a", "b", "out")
    label = "/"

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a / b
        return self.out

    def backward(self, grad, needs):
        a, b = self.a, self.b
        ga = grad / b
        return (
            unbroadcast(ga, a.shape) if needs[0] else None,
            unbroadcast(-ga * self.out, b.shape) if needs[1] else None,
        )


class Negative(Operation):
    __slots__ = ()
    label = "neg"

    def forward(self, a):
        return -a

    def backward(self, grad, needs):
        return (-grad,)


class Power(Operation):
    __slots__ = ("a", "b", "out")
    label = "**"

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a**b
        return self.out

    def backward(self, grad, needs):
        a, b = self.a, self.b
        ga = gb = None
        if needs[0]:
            # b * a**(b-1), written so that a == 0 with b >= 1 stays finite.
            ga = unbroadcast(grad * b * a ** (b - 1), a.shape)
        if needs[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                local = np.where(a > 0, self.out * np.log(np.where(a > 0, a, 1)), 0)
            gb = unbroadcast(grad * local, b.shape)
        return ga, gb


def add(a, b):
    """``a + b``."""
    return apply(Add(), a, b)


def subtract(a, b):
    """``a - b``."""
    return apply(Add(sign=-1), a, b)


def multiply(a, b):
    """``a * b``, element-wise."""
    return apply(Multiply(), a, b)


def divide(a, b):
    """``a / b``, element-wise."""
    return apply(Divide(), a, b)


def negative(a):
    """``-a``."""
    return apply(Negative(), a)


def power(a, b):
    """``a ** b``, element-wise; ``d/db`` is defined where ``a > 0`` (0 elsewhere)."""
    return apply(Power(), a, b)
