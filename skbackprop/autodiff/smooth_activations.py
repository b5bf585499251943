"""SELU, Mish and the parametric activation ``x + alpha (f(x) - x)``.

Each activation is a pair ``(f, f')`` of functions of the pre-activation ``x`` (unlike the
table of :mod:`~skbackprop.autodiff.activation_rules`, whose derivatives are read from the
output: Mish's derivative cannot be written from its output alone).

- SELU (Klambauer et al., 2017): ``f(x) = s x`` for ``x > 0`` and ``s a (e^x - 1)``
  otherwise, with ``a = 1.6732632423543772`` and ``s = 1.0507009873554805``;
  ``f'(x) = s`` for ``x > 0`` and ``s a e^x`` otherwise.
- Mish (Misra, 2019): ``f(x) = x tanh(softplus(x))``;
  ``f'(x) = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2)`` with ``sp = log(1 + e^x)``.
- The parametric activation ``y = x + alpha (f(x) - x)`` with one ``alpha`` per unit
  (a learnable blend between the identity, ``alpha = 0``, and ``f``, ``alpha = 1``):
  ``dy/dx = 1 + alpha (f'(x) - 1)`` and ``dy/dalpha = f(x) - x``, summed over the rows.
"""

import numpy as np
from scipy.special import expit

from .operation import Operation, apply, unbroadcast

__all__ = ["SMOOTH_ACTIVATIONS", "mish", "parametric_activation", "selu"]

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _selu(x):
    negative = np.expm1(np.minimum(x, 0))
    negative *= SELU_ALPHA
    return SELU_SCALE * np.where(x > 0, x, negative)


def _selu_derivative(x):
    return SELU_SCALE * np.where(x > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(x, 0))).astype(
        x.dtype, copy=False
    )


def _softplus_tanh(x):
    # tanh(log(1 + e^x)) = ((1 + e^x)^2 - 1) / ((1 + e^x)^2 + 1), written with
    # u = e^{-|x|} so nothing overflows: for x >= 0 it is (1 + 2u) / (1 + 2u + 2u^2),
    # for x < 0 it is (u^2 + 2u) / (u^2 + 2u + 2).
    u = np.exp(-np.abs(x))
    positive = x >= 0
    numerator = np.where(positive, 1 + 2 * u, u * u + 2 * u)
    denominator = np.where(positive, 1 + 2 * u + 2 * u * u, u * u + 2 * u + 2)
    return numerator / denominator


def _mish(x):
    return x * _softplus_tanh(x)


def _mish_derivative(x):
    t = _softplus_tanh(x)
    return t + x * expit(x) * (1 - t * t)


# name -> (f, f'), both functions of the pre-activation.
SMOOTH_ACTIVATIONS = {
    "selu": (_selu, _selu_derivative),
    "mish": (_mish, _mish_derivative),
}


def _rules(name):
    if name not in SMOOTH_ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; use one of {sorted(SMOOTH_ACTIVATIONS)}.")
    return SMOOTH_ACTIVATIONS[name]


class SmoothActivation(Operation):
    __slots__ = ("derivative", "function", "label", "x")

    def __init__(self, name):
        self.label = name
        self.function, self.derivative = _rules(name)

    def forward(self, x):
        self.x = x
        return self.function(x).astype(x.dtype, copy=False)

    def backward(self, grad, needs):
        return (grad * self.derivative(self.x),)


class ParametricActivation(Operation):
    __slots__ = ("alpha", "derivative", "difference", "function", "label", "x")

    def __init__(self, name):
        self.label = f"parametric {name}"
        self.function, self.derivative = _rules(name)

    def forward(self, x, alpha):
        self.x, self.alpha = x, alpha
        # f(x) - x is both the alpha derivative and the term the output adds to x.
        self.difference = difference = self.function(x).astype(x.dtype, copy=False)
        difference -= x
        return x + alpha * difference

    def backward(self, grad, needs):
        grad_x = grad_alpha = None
        if needs[0]:
            slope = self.derivative(self.x).astype(grad.dtype, copy=False)
            slope -= 1
            slope *= self.alpha
            slope += 1
            grad_x = grad * slope
        if needs[1]:
            grad_alpha = unbroadcast(grad * self.difference, np.shape(self.alpha))
        return grad_x, grad_alpha


def selu(x):
    """The scaled exponential linear unit, element-wise.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, selu
    >>> np.round(selu(Tensor(np.array([-1.0, 0.0, 2.0]))).value, 4)
    array([-1.1113,  0.    ,  2.1014])
    """
    return apply(SmoothActivation("selu"), x)


def mish(x):
    """``x tanh(log(1 + e^x))``, element-wise.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, mish
    >>> np.round(mish(Tensor(np.array([-1.0, 0.0, 2.0]))).value, 4)
    array([-0.3034,  0.    ,  1.944 ])
    """
    return apply(SmoothActivation("mish"), x)


def parametric_activation(x, alpha, activation="selu"):
    """``x + alpha * (f(x) - x)`` with ``f`` the activation and ``alpha`` learnable.

    Parameters
    ----------
    x : Tensor of shape (n, m)
        The pre-activations.
    alpha : Tensor of shape (m,)
        One blend per unit: 0 is the identity, 1 is ``f``.
    activation : {'selu', 'mish'}, default='selu'

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, parametric_activation
    >>> x = Tensor(np.array([[-1.0, -1.0]]))
    >>> alpha = Tensor(np.array([1.0, 0.0]), requires_grad=True)
    >>> y = parametric_activation(x, alpha, "selu")
    >>> np.round(y.value, 4)
    array([[-1.1113, -1.    ]])
    >>> y.sum().backward()
    >>> np.round(alpha.grad, 4)
    array([-0.1113, -0.1113])
    """
    return apply(ParametricActivation(activation), x, alpha)
