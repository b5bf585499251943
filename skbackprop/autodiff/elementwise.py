"""Element-wise functions: each Jacobian is diagonal, so backward is a product.

The one-input functions are a table of ``f`` and its derivative side by side. Where the
derivative can be written from the output (sigmoid' = s(1 - s), tanh' = 1 - t^2,
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
    "identity",
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


def _from_output(derivative):
    """An activation rule's derivative, which reads the output, as ``(grad, a, out)``."""
    return lambda grad, a, out: derivative(grad, out)


# name -> (f, (grad, a, out) -> grad * f'(a)): each derivative beside its function, read
# from the input a or, where that reuses the forward's work, from the output out = f(a).
RULES = {
    "identity": (lambda a: a, lambda grad, a, out: grad),
    "exp": (np.exp, lambda grad, a, out: grad * out),
    "log": (np.log, lambda grad, a, out: grad / a),
    "sin": (np.sin, lambda grad, a, out: grad * np.cos(a)),
    "cos": (np.cos, lambda grad, a, out: -grad * np.sin(a)),
    "abs": (np.abs, lambda grad, a, out: grad * np.sign(a)),  # sign(0) = 0 at the kink
    "sqrt": (np.sqrt, lambda grad, a, out: grad / (2 * out)),
    "square": (np.square, lambda grad, a, out: grad * 2 * a),
    "tanh": (ACTIVATION_RULES["tanh"][0], _from_output(ACTIVATION_RULES["tanh"][1])),
    "sigmoid": (ACTIVATION_RULES["logistic"][0], _from_output(ACTIVATION_RULES["logistic"][1])),
    "relu": (ACTIVATION_RULES["relu"][0], _from_output(ACTIVATION_RULES["relu"][1])),
}


class Elementwise(Operation):
    """``f(a)`` element-wise, for an entry ``label`` of :data:`RULES`."""

    __slots__ = ("a", "derivative", "function", "label", "out")

    def __init__(self, label):
        self.label = label
        self.function, self.derivative = RULES[label]

    def forward(self, a):
        self.a = a
        self.out = self.function(a)
        return self.out

    def backward(self, grad, needs):
        return (self.derivative(grad, self.a, self.out),)


class Extremum(Operation):
    """maximum/minimum of two arrays: the flow goes to the input equal to the output,
    half to each on a tie."""

    __slots__ = ("a", "b", "label", "out", "ufunc")

    def __init__(self, ufunc, label):
        self.ufunc, self.label = ufunc, label

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


def identity(x):
    """``x`` itself, as a new node of the graph; the gradient passes through unchanged.

    Computing with a value needs no identity node, so training never builds one. A
    drawing does: a network whose output activation is the identity still ends in a node
    named ``y_hat``, as every other network does (see
    :func:`skbackprop.inspection.forward_graph`).

    Examples
    --------
    >>> from skbackprop.autodiff import Tensor, identity
    >>> x = Tensor([1.0, -2.0], requires_grad=True, name="x")
    >>> y = identity(x)
    >>> y.op.label, y.parents == (x,)
    ('identity', True)
    >>> y.sum().backward()
    >>> x.grad
    array([1., 1.])
    """
    return apply(Elementwise("identity"), x)


def exp(x):
    """``exp(x)``, element-wise."""
    return apply(Elementwise("exp"), x)


def log(x):
    """Natural logarithm, element-wise."""
    return apply(Elementwise("log"), x)


def sin(x):
    """``sin(x)``, element-wise."""
    return apply(Elementwise("sin"), x)


def cos(x):
    """``cos(x)``, element-wise."""
    return apply(Elementwise("cos"), x)


def tanh(x):
    """Hyperbolic tangent, element-wise."""
    return apply(Elementwise("tanh"), x)


def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``, computed without overflow."""
    return apply(Elementwise("sigmoid"), x)


def relu(x):
    """``max(x, 0)``, element-wise.

    Its derivative is 1 where ``x > 0`` and 0 where ``x <= 0``: at the kink ``x = 0`` it
    is 0, as scikit-learn's MLP takes it (its
    derivative is 0 wherever the activation is 0), not the 1/2 that
    ``maximum(x, 0)`` would give the tie.
    """
    return apply(Elementwise("relu"), x)


def abs(x):
    """``|x|``, element-wise, with subgradient 0 at 0."""
    return apply(Elementwise("abs"), x)


def sqrt(x):
    """Square root, element-wise."""
    return apply(Elementwise("sqrt"), x)


def square(x):
    """``x * x``, element-wise."""
    return apply(Elementwise("square"), x)


def maximum(a, b):
    """Element-wise maximum of ``a`` and ``b``, with numpy broadcasting.

    The gradient goes to the larger input; where ``a == b`` each receives half of it, so
    the two shares add up to the upstream gradient (autograd's, PyTorch's and JAX's rule):
    ``d/dx sum(maximum(x, x)) = 1``. Away from ties this is the indicator rule
    ``dz/dx_i = 1[x_i == z]``. An input broadcast along an axis has its shares summed
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
    return apply(Extremum(np.maximum, "max"), a, b)


def minimum(a, b):
    """Element-wise minimum of ``a`` and ``b``, with numpy broadcasting.

    The gradient goes to the smaller input; where ``a == b`` each receives half of it, as
    in :func:`maximum`.
    """
    return apply(Extremum(np.minimum, "min"), a, b)
