"""Fused loss operations: one node from the last layer's pre-activation to the cost.

Composing ``softmax`` then ``log`` then a product is correct but slow and, for saturated
units, unstable. Fused, the backward pass is the section notes' ``(y_hat - y) / n``: the
softmax/sigmoid Jacobian and the cross-entropy derivative cancel to a difference.

Every loss here has one convention: a row's loss is summed over its columns (outputs,
classes or labels) and the rows are averaged, with ``sample_weight`` making it a weighted
average ``sum_i w_i l_i / sum_i w_i``. The targets and weights are inputs like any other,
so a :class:`~skbackprop.autodiff.Graph` picks up a new minibatch written into their
buffers.
"""

import functools

import numpy as np
from scipy.special import expit

from .operation import Operation, apply
from .softmax import exp_and_sum, max_shift, stable_logsumexp

__all__ = ["sigmoid_binary_cross_entropy", "softmax_cross_entropy", "squared_error"]


def _row_scale(prediction, weight):
    """Each row's share of the average: 1/n, or w_i / sum(w), shaped to broadcast."""
    dtype = prediction.dtype
    if weight is None:
        return _mean_scale(prediction.shape[0] if prediction.ndim else 1, dtype)
    total = weight.sum()
    if not total > 0:
        raise ValueError(
            "sample_weight must have a positive sum; got a sum of "
            f"{float(total)!r}. Give at least one sample a positive weight."
        )
    scale = (weight / total).astype(dtype, copy=False)
    return scale.reshape(scale.shape + (1,) * (prediction.ndim - 1))


@functools.lru_cache(maxsize=64)
def _mean_scale(n_rows, dtype):
    """``1 / n_rows`` as a read-only 0-d array of ``dtype``, made once per batch length
    (a graph replayed for every minibatch asks for the same one each time)."""
    scale = np.asarray(1.0 / n_rows, dtype=dtype)
    scale.flags.writeable = False
    return scale


def _check_target(prediction, target, name):
    if target.shape != prediction.shape:
        raise ValueError(
            f"{name}: the target has shape {target.shape} but the prediction has shape "
            f"{prediction.shape}; they must match (one column per output or class)."
        )


def _weighted_total(scale, row_values, dtype):
    """``sum_i scale_i row_values_i`` (``scale`` the weighted rows' column of shares) as a
    0-d array: one dot product, no temporaries."""
    return np.asarray(np.dot(scale.ravel(), row_values), dtype=dtype)


class FusedLoss(Operation):
    __slots__ = ("residual", "scale", "weighted")

    def _finish(self, per_element, weight):
        self.weighted = weight is not None
        return np.asarray(np.sum(per_element * self.scale), dtype=per_element.dtype)

    def backward(self, grad, needs):
        # residual is d(row loss)/d(prediction); the scale averages the rows.
        g = self.residual * (self.scale * grad)
        grads = [g if needs[0] else None, None]
        if needs[1]:
            grads[1] = self._target_grad(grad)
        if self.weighted:
            grads.append(None)  # sample weights are data, never differentiated
        return tuple(grads)


class SquaredError(FusedLoss):
    __slots__ = ()
    label = "squared_error"

    def forward(self, prediction, target, weight=None):
        _check_target(prediction, target, "squared_error")
        self.scale = scale = _row_scale(prediction, weight)
        self.weighted = weight is not None
        self.residual = residual = prediction - target
        if not self.weighted:
            # The sum of squares is one dot product of the residual with itself.
            flat = residual.ravel()
            return np.asarray(0.5 * scale * np.dot(flat, flat), dtype=residual.dtype)
        if residual.ndim == 2:
            row_squares = np.einsum("ij,ij->i", residual, residual)
            return _weighted_total(0.5 * scale, row_squares, residual.dtype)
        return self._finish(0.5 * residual * residual, weight)

    def _target_grad(self, grad):
        return -self.residual * (self.scale * grad)


class SoftmaxCrossEntropy(FusedLoss):
    __slots__ = ("log_normalizer", "ones", "shifted")
    label = "softmax_cross_entropy"

    def __init__(self):
        self.ones = None

    def forward(self, logits, target, weight=None):
        _check_target(logits, target, "softmax_cross_entropy")
        self.scale = _row_scale(logits, weight)
        self.weighted = weight is not None
        if logits.ndim != 2:
            self.log_normalizer = stable_logsumexp(logits, axis=-1)
            self.shifted = logits
            log_p = logits - self.log_normalizer
            # d(row loss)/dz = softmax(z) sum_k y_k - y: p - y when a row of y sums to 1.
            self.residual = np.exp(log_p) * target.sum(axis=-1, keepdims=True) - target
            return self._finish(-target * log_p, weight)
        ones = self.ones
        if ones is None or ones.shape[0] != logits.shape[1] or ones.dtype != logits.dtype:
            # Row sums as a product with a ones vector: one BLAS call, several times faster
            # than numpy's reduction over short rows. Kept across replays of the graph.
            ones = self.ones = np.ones(logits.shape[1], dtype=logits.dtype)
        # softmax(z) = exp(z - m) / sum exp(z - m) for any shift m. In float64 the batch's
        # maximum keeps every exp <= 1 with one reduction (a row's loss then carries a
        # round-off of eps times its distance from that maximum: harmless at 1e-16). Each
        # row is shifted by its own maximum, the textbook stable form, in lower precision,
        # and whenever a row's sum comes near the subnormals (a row far below the batch's
        # maximum, or non-finite logits).
        per_row = logits.dtype != np.float64
        m = max_shift(logits) if per_row else np.max(logits)
        e, normalizer, _ = exp_and_sum(logits, shift=m, ones=ones)
        if not per_row and not normalizer.min() > _smallest_safe(logits.dtype):
            m = max_shift(logits)
            e, normalizer, _ = exp_and_sum(logits, shift=m, out=e, ones=ones)
        shifted = logits - m
        log_normalizer = np.log(normalizer)
        e /= normalizer[:, None]  # softmax(z)
        # d(row loss)/dz = softmax(z) sum_k y_k - y: the familiar p - y only where a row of
        # y sums to 1 (one-hot or probability rows, the usual case, left bit for bit).
        target_sums = target @ ones
        if not np.all(target_sums == 1):
            e *= target_sums[:, None]
        e -= target
        self.residual = e
        self.shifted, self.log_normalizer = shifted, log_normalizer[:, None]
        # A row's loss -sum_k y_k log p_k = log(normalizer) sum_k y_k - sum_k y_k shifted_k,
        # summed without forming log p.
        if not self.weighted:
            total = np.dot(log_normalizer, target_sums) - np.vdot(target, shifted)
            return np.asarray(self.scale * total, dtype=logits.dtype)
        row_loss = log_normalizer * target_sums - (target * shifted) @ ones
        return _weighted_total(self.scale, row_loss, logits.dtype)

    def _target_grad(self, grad):
        return -(self.shifted - self.log_normalizer) * (self.scale * grad)


@functools.cache
def _smallest_safe(dtype):
    """A row sum above this lost nothing to subnormal rounding: tiny / eps."""
    info = np.finfo(dtype)
    return info.tiny / info.eps


class SigmoidBinaryCrossEntropy(FusedLoss):
    __slots__ = ("logits",)
    label = "sigmoid_binary_cross_entropy"

    def forward(self, logits, target, weight=None):
        _check_target(logits, target, "sigmoid_binary_cross_entropy")
        self.scale = _row_scale(logits, weight)
        self.logits = logits
        self.residual = expit(logits) - target
        # -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + e^z) - y z, with no overflow.
        return self._finish(np.logaddexp(0, logits) - target * logits, weight)

    def _target_grad(self, grad):
        return -self.logits * (self.scale * grad)


def _apply_loss(op, prediction, target, sample_weight):
    if sample_weight is None:
        return apply(op, prediction, target)
    return apply(op, prediction, target, sample_weight)


def squared_error(prediction, target, sample_weight=None):
    """Half the squared error, summed over outputs, averaged over rows.

    ``J = sum_i w_i * 0.5 * ||prediction_i - target_i||^2 / sum_i w_i``; its gradient is
    ``(prediction - target) * w_i / sum(w)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, squared_error
    >>> y_hat = Tensor(np.array([[1.0], [3.0]]), requires_grad=True)
    >>> J = squared_error(y_hat, np.array([[0.0], [1.0]]))
    >>> float(J.value)
    1.25
    >>> J.backward()
    >>> y_hat.grad.ravel()
    array([0.5, 1. ])
    """
    return _apply_loss(SquaredError(), prediction, target, sample_weight)


def softmax_cross_entropy(logits, target, sample_weight=None):
    """Cross-entropy of ``softmax(logits)`` against one-hot (or probability) rows.

    ``J = -sum_i w_i sum_k y_ik log softmax(z_i)_k / sum_i w_i``; its gradient with respect
    to the logits is ``(softmax(z) - y) * w_i / sum(w)`` for target rows that sum to 1, and
    ``(softmax(z) * sum_k y_ik - y) * w_i / sum(w)`` for any other rows.
    """
    return _apply_loss(SoftmaxCrossEntropy(), logits, target, sample_weight)


def sigmoid_binary_cross_entropy(logits, target, sample_weight=None):
    """Binary cross-entropy of ``sigmoid(logits)`` against 0/1 targets (any shape).

    Each element is an independent binary problem (one column per label for multilabel);
    ``J = sum_i w_i sum_k [log(1 + e^z_ik) - y_ik z_ik] / sum_i w_i``, the lecture's logistic
    regression cost, and its gradient is ``(sigmoid(z) - y) * w_i / sum(w)``.
    """
    return _apply_loss(SigmoidBinaryCrossEntropy(), logits, target, sample_weight)
