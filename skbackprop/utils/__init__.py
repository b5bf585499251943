"""Helpers shared by several estimators (linear algebra in :mod:`skbackprop.utils.linalg`)."""
