"""Softmax, log-softmax and log-sum-exp along an axis, computed without overflow.

All subtract the maximum before exponentiating: ``logsumexp(z) = m + log sum exp(z - m)``
is exact and no ``exp`` sees a positive argument. The graph operations, the fused
cross-entropy, the Gaussian mixture's responsibilities and a fitted classifier's
probabilities (:func:`softmax_rows`, :func:`log_softmax_rows`, plain array functions with
no graph) all compute it with :func:`exp_and_sum`.
"""

import numpy as np

from .operation import Operation, apply

__all__ = ["log_softmax", "log_softmax_rows", "logsumexp", "softmax", "softmax_rows"]


# Below this many columns numpy's sum adds a row's values in order (its pairwise sum starts
# at 8), so a sum taken one column at a time has the same bits.
FEW_COLUMNS = 8


def reduce_rows(ufunc, a, axis=-1):
    """``ufunc.reduce(a, axis, keepdims=True)`` (``np.add`` or ``np.maximum``) without
    numpy's reduction along a short last axis of a 2-D array.

    numpy reduces a short contiguous axis row by row, at a per-row cost far above the
    arithmetic's (figures in docs/performance.rst, "The autodiff engine"). Below
    :data:`FEW_COLUMNS` columns the reduction is one ufunc call per column, numpy's result
    to the bit, signed zeros and NaN included (below 8 values numpy also adds a row in
    order starting from +0, and takes its maximum in order). From there on sums are one
    BLAS product with a ones vector, rounded in BLAS's order rather than numpy's.
    """
    if a.ndim != 2 or axis not in (1, -1) or a.shape[1] == 0:
        return ufunc.reduce(a, axis=axis, keepdims=True)
    if a.shape[1] >= FEW_COLUMNS:
        if ufunc is np.add:
            return (a @ np.ones(a.shape[1], dtype=a.dtype))[:, None]
        return ufunc.reduce(a, axis=axis, keepdims=True)
    # numpy's sum starts from +0, which turns a row of -0.0 into +0.0.
    out = a[:, :1] + 0.0 if ufunc is np.add else a[:, :1].copy()
    for j in range(1, a.shape[1]):
        ufunc(out, a[:, j : j + 1], out=out)
    return out


def max_shift(z, axis=-1):
    """The maximum of ``z`` along ``axis`` (kept as a length-1 axis), 0 where it is not
    finite: subtracting it leaves every exponent <= 0, and a slice of -inf stays -inf
    instead of becoming NaN."""
    m = reduce_rows(np.maximum, z, axis)
    m[~np.isfinite(m)] = 0
    return m


def exp_and_sum(z, axis=-1, *, shift=None, out=None):
    """``exp(z - m)`` and its sum along ``axis``: the first half of every stable
    log-sum-exp and softmax, ``logsumexp(z) = m + log(sum)`` and ``softmax(z) = e / sum``.

    Parameters
    ----------
    z : ndarray
    axis : int, default=-1
    shift : ndarray or float, optional
        ``m``; :func:`max_shift` of ``z`` by default. Any ``m`` gives the same log-sum-exp
        in exact arithmetic; one that is not the maximum must keep ``exp`` from overflowing.
    out : ndarray, optional
        Receives ``exp(z - m)``; may be ``z`` itself (in place).

    Returns
    -------
    e : ndarray
        ``exp(z - m)``.
    total : ndarray
        Its sum along ``axis``, keeping a length-1 axis.
    m : ndarray or float
        The shift used.
    """
    m = max_shift(z, axis) if shift is None else shift
    e = np.subtract(z, m, out=out)
    with np.errstate(under="ignore"):
        np.exp(e, out=e)
    return e, reduce_rows(np.add, e, axis), m


def stable_logsumexp(z, axis=-1, keepdims=True):
    """``log(sum(exp(z), axis))`` with the maximum factored out."""
    _, total, m = exp_and_sum(z, axis)
    with np.errstate(divide="ignore"):  # a slice of -inf: log 0 = -inf, its true value
        out = np.log(total) + m
    return out if keepdims else np.squeeze(out, axis=axis)


class Softmax(Operation):
    __slots__ = ("axis", "out")
    label = "softmax"

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, z):
        e, total, _ = exp_and_sum(z, self.axis)
        e /= total
        self.out = e
        return e

    def backward(self, grad, needs):
        # The Jacobian diag(s) - s s^T applied to grad, without forming it.
        s = self.out
        return (s * (grad - np.sum(grad * s, axis=self.axis, keepdims=True)),)


class LogSumExp(Operation):
    __slots__ = ("axis", "keepdims", "out", "z")
    label = "logsumexp"

    def __init__(self, axis=-1, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, z):
        self.z = z
        self.out = stable_logsumexp(z, axis=self.axis, keepdims=True)
        return self.out if self.keepdims else np.squeeze(self.out, axis=self.axis)

    def backward(self, grad, needs):
        if not self.keepdims:
            grad = np.expand_dims(grad, self.axis)
        # d logsumexp / dz = softmax(z)
        return (grad * np.exp(self.z - self.out),)


def softmax(z, axis=-1):
    """``exp(z) / sum(exp(z))`` along ``axis``."""
    return apply(Softmax(axis), z)


def log_softmax(z, axis=-1):
    """``z - logsumexp(z)`` along ``axis``."""
    return z - logsumexp(z, axis, keepdims=True)


def logsumexp(z, axis=-1, keepdims=False):
    """``log(sum(exp(z)))`` along ``axis`` (a single int)."""
    return apply(LogSumExp(axis, keepdims), z)


def softmax_rows(scores):
    """``exp(s - max s) / sum exp(s - max s)`` of each row, in place of ``scores``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff.softmax import softmax_rows
    >>> softmax_rows(np.array([[0.0, np.log(3.0)]]))
    array([[0.25, 0.75]])
    """
    # The raw maximum, as scipy shifts (a row holding +inf is NaN, as there); the one
    # log-sum-exp of the package does the rest in place.
    e, total, _ = exp_and_sum(scores, axis=1, shift=reduce_rows(np.maximum, scores), out=scores)
    e /= total
    return e


def log_softmax_rows(scores):
    """``s - max s - log sum exp(s - max s)`` of each row (a new array), as
    ``scipy.special.log_softmax(scores, axis=1)`` computes it.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff.softmax import log_softmax_rows
    >>> np.exp(log_softmax_rows(np.array([[0.0, np.log(3.0)]])))
    array([[0.25, 0.75]])
    """
    shifted = scores - max_shift(scores, axis=1)
    _, total, _ = exp_and_sum(shifted, axis=1, shift=0)
    with np.errstate(divide="ignore"):
        shifted -= np.log(total)
    return shifted
