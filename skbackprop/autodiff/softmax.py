"""Softmax, log-softmax and log-sum-exp along an axis, computed without overflow.

All three subtract the maximum before exponentiating: ``logsumexp(z) = m + log sum
exp(z - m)`` is exact and no ``exp`` sees a positive argument.
"""

import numpy as np

from .operation import Operation, apply

__all__ = ["log_softmax", "logsumexp", "softmax"]


def max_shift(z, axis=-1):
    """The maximum of ``z`` along ``axis`` (kept as a length-1 axis), 0 where it is not
    finite: subtracting it leaves every exponent <= 0, and a slice of -inf stays -inf
    instead of becoming NaN."""
    m = np.max(z, axis=axis, keepdims=True)
    m[~np.isfinite(m)] = 0
    return m


def exp_and_sum(z, axis=-1, *, shift=None, out=None, ones=None):
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
    ones : ndarray, optional
        A vector of ones of length ``z.shape[-1]`` (with ``axis=-1`` on 2-D ``z``): the sum
        is then one product with it, a BLAS call several times faster than numpy's
        reduction over short rows.

    Returns
    -------
    e : ndarray
        ``exp(z - m)``.
    total : ndarray
        Its sum along ``axis``: keeps a length-1 axis, except with ``ones``.
    m : ndarray or float
        The shift used.
    """
    m = max_shift(z, axis) if shift is None else shift
    e = np.subtract(z, m, out=out)
    with np.errstate(under="ignore"):
        np.exp(e, out=e)
    total = e @ ones if ones is not None else e.sum(axis=axis, keepdims=True)
    return e, total, m


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


class LogSoftmax(Operation):
    __slots__ = ("axis", "out")
    label = "log_softmax"

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, z):
        self.out = z - stable_logsumexp(z, axis=self.axis)
        return self.out

    def backward(self, grad, needs):
        s = np.exp(self.out)
        return (grad - s * np.sum(grad, axis=self.axis, keepdims=True),)


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
    return apply(LogSoftmax(axis), z)


def logsumexp(z, axis=-1, keepdims=False):
    """``log(sum(exp(z)))`` along ``axis`` (a single int)."""
    return apply(LogSumExp(axis, keepdims), z)
