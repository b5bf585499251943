"""Softmax, log-softmax and log-sum-exp along an axis, computed without overflow.

All three subtract the maximum before exponentiating: ``logsumexp(z) = m + log sum
exp(z - m)`` is exact and no ``exp`` sees a positive argument.
"""

import numpy as np

from .operation import Operation, apply

__all__ = ["log_softmax", "logsumexp", "softmax"]


def stable_logsumexp(z, axis=-1, keepdims=True):
    """``log(sum(exp(z), axis))`` with the maximum factored out."""
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


class Softmax(Operation):
    __slots__ = ("axis", "out")
    label = "softmax"

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, z):
        e = np.exp(z - np.max(z, axis=self.axis, keepdims=True))
        e /= e.sum(axis=self.axis, keepdims=True)
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
