"""Sufficient statistics of rows held in memory: the in-memory source of the EM driver.

See :mod:`._em_driver` for what a source provides.
"""

import numpy as np

from ._em_steps import (
    block_rows,
    centred_second_moments,
    e_step_statistics,
    feature_map,
    n_quadratic_features,
    responsibilities,
    statistics_from_responsibilities,
)
from ._initialization import initial_responsibilities
from ._log_prob import NaturalParameters, weighted_log_prob

# The features of all training rows are kept between EM iterations when they take at most
# this many bytes; beyond it (many features under 'full') each block is rebuilt per pass.
_MAX_CACHED_FEATURE_BYTES = 1 << 28


class Features:
    """The feature map of a data set, kept whole when small, else rebuilt block by block."""

    def __init__(self, X, covariance_type, shift):
        self.X = X
        self.covariance_type = covariance_type
        self.shift = shift
        self.n_features = X.shape[1]
        self.width = 1 + self.n_features + n_quadratic_features(self.n_features, covariance_type)
        nbytes = X.shape[0] * self.width * X.dtype.itemsize
        self.cached = None
        if nbytes <= _MAX_CACHED_FEATURE_BYTES:
            self.cached = feature_map(X, covariance_type, shift)

    def blocks(self, n_components):
        """Yield ``(phi, rows)``: the features of consecutive row slices."""
        n_samples = self.X.shape[0]
        if self.cached is not None:
            yield self.cached, slice(0, n_samples)
            return
        rows = block_rows(self.width, n_components)
        buffer = np.empty((min(rows, n_samples), self.width), dtype=self.X.dtype)
        for start in range(0, n_samples, rows):
            stop = min(start + rows, n_samples)
            phi = feature_map(
                self.X[start:stop], self.covariance_type, self.shift, out=buffer[: stop - start]
            )
            yield phi, slice(start, stop)


class InMemorySource:
    """The EM driver's statistics of a validated ndarray ``X``, in ``X``'s precision."""

    def __init__(self, X, covariance_type):
        self.X = X
        self.covariance_type = covariance_type
        self.n_samples, self.n_features = X.shape
        self.dtype = X.dtype
        # The data's mean: the features are centred on it so that second moments minus
        # mean products lose few digits (the mixture itself is shift-invariant).
        self.shift = X.mean(axis=0, dtype=np.float64).astype(X.dtype)
        self.features = Features(X, covariance_type, self.shift)

    def initial_statistics(self, n_components, init_params, random_state):
        resp = initial_responsibilities(self.X, n_components, init_params, random_state)
        stats = None
        for phi, rows in self.features.blocks(n_components):
            block = statistics_from_responsibilities(
                phi, resp[rows].T, self.covariance_type, self.n_features
            )
            stats = block if stats is None else stats + block
        return stats, resp

    def e_step(self, theta):
        stats = None
        for phi, _ in self.features.blocks(theta.per_component.shape[1]):
            block = e_step_statistics(phi, theta, self.covariance_type)
            stats = block if stats is None else stats + block
        return stats

    def centred_second_moments(self, rule, means, components):
        e_step = isinstance(rule, NaturalParameters)
        n_components = rule.per_component.shape[1] if e_step else rule.shape[1]
        total = None
        for phi, rows in self.features.blocks(n_components):
            if e_step:
                resp = weighted_log_prob(phi, rule)
                responsibilities(resp)
            else:
                resp = rule[rows].T
            centered = phi[:, 1 : 1 + self.n_features]
            block = centred_second_moments(centered, resp[components], means, self.covariance_type)
            total = block if total is None else total + block
        return total
