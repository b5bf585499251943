"""Softmax and log-softmax of a fitted model's scores, as plain array functions.

Prediction needs no derivative, so the scores of a classifier are turned into
probabilities without the computation graph and without ``scipy.special``'s per-call
array-namespace dispatch (a noticeable share of a single-row prediction). The operations
are scipy's, in the same order, so the values are the same to the last bit.
"""

import numpy as np

from ..autodiff.softmax import exp_and_sum, max_shift

__all__ = ["log_softmax_rows", "softmax_rows"]


def softmax_rows(scores):
    """``exp(s - max s) / sum exp(s - max s)`` of each row, in place of ``scores``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils import softmax_rows
    >>> softmax_rows(np.array([[0.0, np.log(3.0)]]))
    array([[0.25, 0.75]])
    """
    # The raw maximum, as scipy shifts (a row holding +inf is NaN, as there); the one
    # log-sum-exp of the package does the rest in place.
    e, total, _ = exp_and_sum(
        scores, axis=1, shift=np.max(scores, axis=1, keepdims=True), out=scores
    )
    e /= total
    return e


def log_softmax_rows(scores):
    """``s - max s - log sum exp(s - max s)`` of each row (a new array), as
    ``scipy.special.log_softmax(scores, axis=1)`` computes it.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils import log_softmax_rows
    >>> np.exp(log_softmax_rows(np.array([[0.0, np.log(3.0)]])))
    array([[0.25, 0.75]])
    """
    shifted = scores - max_shift(scores, axis=1)
    _, total, _ = exp_and_sum(shifted, axis=1, shift=0)
    with np.errstate(divide="ignore"):
        shifted -= np.log(total)
    return shifted
