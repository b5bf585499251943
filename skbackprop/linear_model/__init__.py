"""Linear models: closed-form least squares and logistic regression by backpropagation."""

from ._logistic import LogisticBackprop
from ._normal_equation import NormalEquationRegressor

__all__ = [
    "LogisticBackprop",
    "NormalEquationRegressor",
]
