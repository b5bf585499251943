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


def _selu_with_derivative(x):
    """``f(x)`` and ``f'(x)`` from one exponential, without masked copies (slow on
    random signs): with ``e = exp(min(x, 0))``, which is 1 where ``x > 0``,
    ``f = s max(x, 0) + s a (e - 1)`` and ``f' = s a e + (s - s a) [x > 0]``."""
    sa = SELU_SCALE * SELU_ALPHA
    e = np.exp(np.minimum(x, 0))
    value = np.maximum(x, 0)
    value *= SELU_SCALE
    value += sa * e
    value -= sa
    derivative = e
    derivative *= sa
    derivative += (SELU_SCALE - sa) * (x > 0)
    return value.astype(x.dtype, copy=False), derivative.astype(x.dtype, copy=False)


def _softplus_tanh(x):
    """``tanh(log(1 + e^x)) = n (n + 2) / (n (n + 2) + 2)`` with ``n = e^x``; above
    ``x = 20`` it is 1 to double precision, so ``x`` is capped there (no overflow)."""
    n = np.exp(np.minimum(x, 20))
    numerator = n + 2
    numerator *= n
    return numerator / (numerator + 2)


def _mish_with_derivative(x):
    """``f = x t`` and ``f' = t + x sigmoid(x) (1 - t^2)`` with ``t = tanh(softplus(x))``."""
    t = _softplus_tanh(x)
    value = x * t
    derivative = 1 - t * t
    derivative *= x
    derivative *= expit(x)
    derivative += t
    return value.astype(x.dtype, copy=False), derivative.astype(x.dtype, copy=False)


# name -> function returning (f(x), f'(x)), both of the pre-activation.
SMOOTH_ACTIVATIONS = {
    "selu": _selu_with_derivative,
    "mish": _mish_with_derivative,
}


def _rules(name):
    if name not in SMOOTH_ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; use one of {sorted(SMOOTH_ACTIVATIONS)}.")
    return SMOOTH_ACTIVATIONS[name]


class SmoothActivation(Operation):
    # f'(x) is computed with f(x), from the same exponential, and kept for backward.
    __slots__ = ("derivative", "function", "label")

    def __init__(self, name):
        self.label = name
        self.function = _rules(name)

    def forward(self, x):
        value, self.derivative = self.function(x)
        return value

    def backward(self, grad, needs):
        return (grad * self.derivative,)


class ParametricActivation(Operation):
    __slots__ = ("alpha", "difference", "function", "label", "slope")

    def __init__(self, name):
        self.label = f"parametric {name}"
        self.function = _rules(name)

    def forward(self, x, alpha):
        self.alpha = alpha
        # f(x) - x is both the alpha derivative and the term the output adds to x.
        difference, slope = self.function(x)
        difference -= x
        self.difference = difference
        # dy/dx = 1 + alpha (f'(x) - 1), kept for backward
        slope -= 1
        slope *= alpha
        slope += 1
        self.slope = slope
        out = alpha * difference
        out += x
        return out

    def backward(self, grad, needs):
        grad_x = grad * self.slope if needs[0] else None
        grad_alpha = None
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
