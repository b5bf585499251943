"""Multilayer perceptrons with scikit-learn's interface, trained by skbackprop's engine."""

from ._classifier import MLPClassifier
from ._regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
