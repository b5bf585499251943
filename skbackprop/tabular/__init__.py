"""Multilayer perceptrons with a strong default recipe for tabular data (RealMLP-TD)."""

from ._classifier import TabularMLPClassifier
from ._regressor import TabularMLPRegressor

__all__ = ["TabularMLPClassifier", "TabularMLPRegressor"]
