"""Mixture models: Gaussian mixtures fitted by expectation-maximization."""

from ._gaussian_mixture import GaussianMixtureEM

__all__ = ["GaussianMixtureEM"]
