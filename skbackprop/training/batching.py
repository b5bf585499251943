"""Minibatches: the batch size, and the rows each minibatch of an epoch spans."""

import warnings

import numpy as np

__all__ = ["batch_spans", "resolve_batch_size"]


def resolve_batch_size(batch_size, n_samples):
    """The rows of a minibatch: ``batch_size`` clipped to [1, n_samples], 'auto' 200.

    Warns, as scikit-learn's MLP does, when an explicit size is clipped.
    """
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"
        )
    return int(np.clip(batch_size, 1, n_samples))


def batch_spans(n_samples, batch_size):
    """``(start, stop)`` of each minibatch of an epoch; the last one may be shorter."""
    return [
        (start, min(start + batch_size, n_samples)) for start in range(0, n_samples, batch_size)
    ]
