"""Element-wise functions: each Jacobian is diagonal, so backward is a product.

Where the derivative can be written from the output (sigmoid' = s(1 - s), tanh' = 1 - t^2,
exp' = exp, relu' = [out > 0]) it is, so the forward's work is reused and nothing is
recomputed. The activations (tanh, sigmoid, relu) take their function and derivative from
:mod:`~skbackprop.autodiff.activation_rules`, the table the fused layer uses too.
"""

import numpy as np

from .activation_rules import ACTIVATION_RULES
from .operation import Operation, apply, unbroadcast

__all__ = [
    "abs",
    "cos",
    "exp",
    "log",
    "maximum",
    "minimum",
    "relu",
    "sigmoid",
    "sin",
    "sqrt",
    "square",
    "tanh",
]


class Exp(Operation):
    __slots__ = ("out",)
    label = "exp"

    def forward(self, a):
        self.out = np.exp(a)
        return self.out

    def backward(self, grad, needs):
        return (grad * self.out,)


class Log(Operation):
    __slots__ = ("a",)
    label = "log"

    def forward(self, a):
        self.a = a
        return np.log(a)

    def backward(self, grad, needs):
        return (grad / self.a,)


class Sin(Operation):
    __slots__ = ("a",)
    label = "sin"

    def forward(self, a):
        self.a = a
        return np.sin(a)

    def backward(self, grad, needs):
        return (grad * np.cos(self.a),)


class Cos(Operation):
    __slots__ = ("a",)
    label = "cos"

    def forward(self, a):
        self.a = a
        return np.cos(a)

    def backward(self, grad, needs):
        return (-grad * np.sin(self.a),)


class Activation(Operation):
    """An activation of :data:`ACTIVATION_RULES`, its derivative taken from its output."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = self.function(a)
        return self.out

    def backward(self, grad, needs):
        return (self.derivative(grad, self.out),)


def _activation(name, label):
    function, derivative = ACTIVATION_RULES[name]
    return type(
        label.capitalize(),
        (Activation,),
        {
            "__slots__": (),
            "label": label,
            "function": staticmethod(function),
            "derivative": staticmethod(derivative),
        },
    )


Tanh = _activation("tanh", "tanh")
Sigmoid = _activation("logistic", "sigmoid")
Relu = _activation("relu", "relu")


class Abs(Operation):
    __slots__ = ("a",)
    label = "abs"

    def forward(self, a):
        self.a = a
        return np.abs(a)

    def backward(self, grad, needs):
        # The subgradient sign(0) = 0 at the kink.
        return (grad * np.sign(self.a),)


class Sqrt(Operation):
    __slots__ = ("out",)
    label = "sqrt"

    def forward(self, a):
        self.out = np.sqrt(a)
        return self.out

    def backward(self, grad, needs):
        return (grad / (2 * self.out),)


class Square(Operation):
    __slots__ = ("a",)
    label = "square"

    def forward(self, a):
        self.a = a
        return a * a

    def backward(self, grad, needs):
        return (grad * 2 * self.a,)


class Extremum(Operation):
    """maximum/minimum of two arrays: the flow goes to the input equal to the output,
    half to each on a tie."""

    __slots__ = ("a", "b", "out")

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = self.ufunc(a, b)
        return self.out

    def backward(self, grad, needs):
        # The indicator rule 1[x_i == z], with a tie's flow split in half so that the two
        # shares add up to the upstream gradient. Both shares have the output's
        # (broadcast) shape; unbroadcast sums each back to its input's shape.
        a, b, out = self.a, self.b, self.out
        tie = np.equal(a, b)
        grads = []
        for value, need in zip((a, b), needs):
            if not need:
                grads.append(None)
                continue
            share = np.where(tie, 0.5, np.equal(value, out)).astype(grad.dtype, copy=False)
            grads.append(unbroadcast(grad * share, value.shape))
        return tuple(grads)


class Maximum(Extremum):
    __slots__ = ()
    label = "max"
    ufunc = staticmethod(np.maximum)


class Minimum(Extremum):
    __slots__ = ()
    label = "min"
    ufunc = staticmethod(np.minimum)


def exp(x):
    """``exp(x)``, element-wise."""
    return apply(Exp(), x)


def log(x):
    """Natural logarithm, element-wise."""
    return apply(Log(), x)


def sin(x):
    """``sin(x)``, element-wise."""
    return apply(Sin(), x)


def cos(x):
    """``cos(x)``, element-wise."""
    return apply(Cos(), x)


def tanh(x):
    """Hyperbolic tangent, element-wise."""
    return apply(Tanh(), x)


def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``, computed without overflow."""
    return apply(Sigmoid(), x)


def relu(x):
    """``max(x, 0)``, element-wise.

    Its derivative is 1 where ``x > 0`` and 0 where ``x <= 0``: at the kink ``x = 0`` it
    is 0, as the deep-learning notes write it and scikit-learn's MLP takes it (its
    derivative is 0 wherever the activation is 0), not the 1/2 that
    ``maximum(x, 0)`` would give the tie.
    """
    return apply(Relu(), x)


def abs(x):
    """``|x|``, element-wise, with subgradient 0 at 0."""
    return apply(Abs(), x)


def sqrt(x):
    """Square root, element-wise."""
    return apply(Sqrt(), x)


def square(x):
    """``x * x``, element-wise."""
    return apply(Square(), x)


def maximum(a, b):
    """Element-wise maximum of ``a`` and ``b``, with numpy broadcasting.

    The gradient goes to the larger input; where ``a == b`` each receives half of it, so
    the two shares add up to the upstream gradient (autograd's, PyTorch's and JAX's rule):
    ``d/dx sum(maximum(x, x)) = 1``. Away from ties this is the section notes' indicator
    rule ``dz/dx_i = 1[x_i == z]``. An input broadcast along an axis has its shares summed
    along it.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, maximum
    >>> a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    >>> b = Tensor(np.array([2.0, 2.0, 2.0]), requires_grad=True)
    >>> maximum(a, b).sum().backward()
    >>> a.grad, b.grad
    (array([0. , 0.5, 1. ]), array([1. , 0.5, 0. ]))
    """
    return apply(Maximum(), a, b)


def minimum(a, b):
    """Element-wise minimum of ``a`` and ``b``, with numpy broadcasting.

    The gradient goes to the smaller input; where ``a == b`` each receives half of it, as
    in :func:`maximum`.
    """
    return apply(Minimum(), a, b)
