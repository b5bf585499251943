"""Softmax and log-softmax of a fitted model's scores, as plain array functions.

Prediction needs no derivative, so the scores of a classifier are turned into
probabilities without the computation graph and without ``scipy.special``'s per-call
array-namespace dispatch (a noticeable share of a single-row prediction). The operations
are scipy's, in the same order, so the values are the same to the last bit.
"""

import numpy as np

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
    scores -= np.max(scores, axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= np.sum(scores, axis=1, keepdims=True)
    return scores


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
    top = np.max(scores, axis=1, keepdims=True)
    infinite = ~np.isfinite(top)
    if infinite.any():
        top[infinite] = 0
    shifted = scores - top
    with np.errstate(divide="ignore"):
        log_sum = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    shifted -= log_sum
    return shifted
