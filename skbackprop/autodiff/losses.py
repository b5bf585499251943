"""The fused losses: one node from the last layer's pre-activation to the cost.

Composing ``softmax`` then ``log`` then a product is correct but slow and, for saturated
units, unstable. Fused with its canonical output activation, each loss's gradient with
respect to the pre-activation ``z`` is a difference: ``(y_hat - y) / n`` for the squared
error (identity output), the softmax and sigmoid cross-entropies and the Poisson deviance
(exp output), where the activation's Jacobian and the loss's derivative cancel. The robust
losses (absolute error, Huber, pinball) are functions of the residual ``r = y_hat - y``
alone: their gradient is their slope ``l'(r)`` times ``1 / n``.

Every loss here has one convention: a row's loss is summed over its columns (outputs,
classes or labels) and the rows are averaged, with ``sample_weight`` making it a weighted
average ``sum_i w_i l_i / sum_i w_i``. The targets and weights are inputs like any other,
so a :class:`~skbackprop.autodiff.Graph` picks up a new minibatch written into their
buffers; the loss and its gradient keep the prediction's dtype.

**Kinks.** The absolute error and the pinball loss have a corner at ``r = 0``, where any
slope between the two sides' is a subgradient. Both take 0 there, the subgradient of
smallest size, as the engine's ``abs`` (``sign(0) = 0``) and scikit-learn's MLP
(``relu'(0) = 0``) do: ``abs(prediction - target)`` and ``2 * pinball(...,
quantile=0.5)`` then give exactly the gradient of ``absolute_error``, ties included.
scikit-learn's ``sklearn._loss`` takes the side ``y_true >= y_pred`` instead (slope -1 for
``AbsoluteError``, ``-quantile`` for ``PinballLoss``); the two differ only where a
prediction equals its target exactly.
"""

import numbers

import numpy as np
from scipy.special import xlogy

from .operation import Operation, apply
from .softmax import exp_and_sum, max_shift, reduce_rows

__all__ = [
    "absolute_error",
    "huber",
    "pinball",
    "poisson_deviance_exp",
    "sigmoid_binary_cross_entropy",
    "softmax_cross_entropy",
    "squared_error",
]


def _row_scale(prediction, weight):
    """Each row's share of the average: 1/n, or w_i / sum(w), shaped to broadcast."""
    dtype = prediction.dtype
    if weight is None:
        return np.asarray(1.0 / (prediction.shape[0] if prediction.ndim else 1), dtype=dtype)
    total = weight.sum()
    if not total > 0:
        raise ValueError(
            "sample_weight must have a positive sum; got a sum of "
            f"{float(total)!r}. Give at least one sample a positive weight."
        )
    scale = (weight / total).astype(dtype, copy=False)
    return scale.reshape(scale.shape + (1,) * (prediction.ndim - 1))


class FusedLoss(Operation):
    """A loss node: ``_loss(prediction, target)`` gives its value and keeps ``residual``,
    ``d(row loss)/d(prediction)``; the row shares ``scale`` are set before."""

    __slots__ = ("residual", "scale", "weighted")

    def forward(self, prediction, target, weight=None):
        if target.shape != prediction.shape:
            raise ValueError(
                f"{self.name}: the target has shape {target.shape} but the prediction has "
                f"shape {prediction.shape}; they must match (one column per output or class)."
            )
        self.scale = _row_scale(prediction, weight)
        self.weighted = weight is not None
        return self._loss(prediction, target)

    def _finish(self, per_element):
        # per_element is the loss's own new array: scaled in place.
        per_element *= self.scale
        return np.asarray(np.sum(per_element), dtype=per_element.dtype)

    def backward(self, grad, needs):
        # residual is d(row loss)/d(prediction); the scale averages the rows.
        g = self.residual * (self.scale * grad)
        grads = [g if needs[0] else None, None]
        if needs[1]:
            grads[1] = self._target_grad(grad)
        if self.weighted:
            grads.append(None)  # sample weights are data, never differentiated
        return tuple(grads)


def _pinball_slope(residual, quantile):
    # Over-prediction (r > 0) costs 1 - q per unit, under-prediction q; 0 at r = 0.
    q = residual.dtype.type(quantile)
    slope = (residual > 0) * (1 - q)
    slope -= (residual < 0) * q
    return slope


# name -> (slope, cofactor): the losses of the residual r = prediction - target, each its
# slope l'(r) (given the loss's parameter p: pinball's quantile, Huber's epsilon) times a
# cofactor, so that the forward pass computes the slope once and uses it twice, for the
# value and, kept, for backward.
RESIDUAL_LOSSES = {
    "squared_error": (lambda r, p: r, lambda r, slope: 0.5 * r),
    # sign(0) = 0: see the module's note on kinks.
    "absolute_error": (lambda r, p: np.sign(r), lambda r, slope: r),
    "pinball": (_pinball_slope, lambda r, slope: r),
    # c (r - c / 2) with c = clip(r): r^2 / 2 inside, epsilon (|r| - epsilon / 2) out.
    "huber": (lambda r, p: np.clip(r, -p, p), lambda r, slope: r - 0.5 * slope),
}


class ResidualLoss(FusedLoss):
    """The loss ``name`` of :data:`RESIDUAL_LOSSES`, with its parameter if it has one."""

    __slots__ = ("cofactor", "label", "name", "parameter", "slope")

    def __init__(self, name, **parameter):
        self.name = self.label = name
        self.slope, self.cofactor = RESIDUAL_LOSSES[name]
        self.parameter = None
        for key, value in parameter.items():  # pinball's quantile or Huber's epsilon
            self.parameter, self.label = value, f"{name}({key}={value:g})"

    def _loss(self, prediction, target):
        residual = prediction - target
        self.residual = slope = self.slope(residual, self.parameter)
        return self._finish(slope * self.cofactor(residual, slope))

    def _target_grad(self, grad):
        # The loss depends on prediction - target: d/d target = -d/d prediction.
        return -self.residual * (self.scale * grad)


# A row sum above this lost nothing to subnormal rounding: every term that counts at the
# sum's precision, eps times the sum, is a normal number.
_SAFE_ROW_SUM = np.finfo(np.float64).tiny / np.finfo(np.float64).eps


def _softmax_terms(logits, target, m):
    """``sum_k y_k (z_k - m)``, ``exp(z - m)`` and its sum, each row's (length-1 last axis).

    A row's loss -sum_k y_k log p_k = log(normalizer) sum_k y_k - sum_k y_k (z_k - m),
    summed without forming log p; the products' buffer then receives exp(z - m), so the
    loss needs one array of the logits' shape besides its residual.
    """
    products = logits - m
    products *= target
    target_dot = reduce_rows(np.add, products)
    e, normalizer, _ = exp_and_sum(logits, shift=m, out=products)
    return target_dot, e, normalizer


class SoftmaxCrossEntropy(FusedLoss):
    __slots__ = ("logits",)
    label = name = "softmax_cross_entropy"

    def _loss(self, logits, target):
        # The last batch's residual goes before this one's arrays are allocated.
        self.logits, self.residual = logits, None
        # softmax(z) = exp(z - m) / sum exp(z - m) for any shift m that keeps exp from
        # overflowing. In float64 the batch's maximum serves, one reduction instead of one
        # per short row (a row's round-off grows by eps times its distance from it), unless
        # a row's sum then comes near the subnormals (a row far below the batch's maximum,
        # or non-finite logits): then, and in lower precision, each row's own maximum
        # (max_shift makes a non-finite maximum 0).
        per_row = logits.dtype != np.float64 or logits.size == 0
        m = max_shift(logits) if per_row else np.max(logits)
        target_dot, e, normalizer = _softmax_terms(logits, target, m)
        if not per_row and not normalizer.min() > _SAFE_ROW_SUM:
            target_dot, e, normalizer = _softmax_terms(logits, target, max_shift(logits))
        e /= normalizer  # softmax(z)
        log_normalizer = np.log(normalizer, out=normalizer)
        # d(row loss)/dz = softmax(z) sum_k y_k - y: the familiar p - y only where a row of
        # y sums to 1 (one-hot or probability rows, the usual case).
        target_sums = reduce_rows(np.add, target)
        if not np.all(target_sums == 1):
            e *= target_sums
            log_normalizer = log_normalizer * target_sums
        e -= target
        self.residual = e
        return self._finish(np.subtract(log_normalizer, target_dot, out=target_dot))

    def _target_grad(self, grad):
        # log softmax(z), recomputed as the forward pass computed it rather than kept
        # through every pass for this rare case (targets are data in training).
        m = max_shift(self.logits)
        log_normalizer = np.log(exp_and_sum(self.logits, shift=m)[1])
        return -((self.logits - m) - log_normalizer) * (self.scale * grad)


class SigmoidBinaryCrossEntropy(FusedLoss):
    __slots__ = ("logits",)
    label = name = "sigmoid_binary_cross_entropy"

    def _loss(self, logits, target):
        # The last batch's residual goes before this one's arrays are allocated.
        self.logits, self.residual = logits, None
        # -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + e^z) - y z, and with
        # e = exp(-|z|), which never overflows, log(1 + e^z) = max(z, 0) + log(1 + e) and
        # s(z) = 1 / (1 + e) for z >= 0, e / (1 + e) below: one exponential serves the
        # value and the derivative s(z) - y, which is formed in e's buffer.
        e = np.asarray(np.abs(logits))  # an array also for one logit, to work in place
        np.exp(np.negative(e, out=e), out=e)
        row_loss = np.log1p(e)
        inverse = 1 / (1 + e)
        e *= inverse
        np.copyto(e, inverse, where=logits >= 0)
        e -= target
        self.residual = e
        row_loss += np.maximum(logits, 0)
        row_loss -= target * logits
        return self._finish(row_loss)

    def _target_grad(self, grad):
        return -self.logits * (self.scale * grad)


class PoissonDevianceExp(FusedLoss):
    __slots__ = ("logits", "target")
    label = name = "poisson_deviance_exp"

    def _loss(self, logits, target):
        self.logits, self.target = logits, target
        mu = np.exp(logits)
        self.residual = mu - target
        # xlogy gives 0 log 0 = 0: a zero count contributes only mu.
        return self._finish(xlogy(target, target) - target * logits + self.residual)

    def _target_grad(self, grad):
        # d/dy [y log y - y z - y] = log y - z (infinite at y = 0, where y is data anyway).
        with np.errstate(divide="ignore"):
            return (np.log(self.target) - self.logits) * (self.scale * grad)


def _check_parameter(value, name, loss, hint, valid):
    """``value`` as a float if it is a real number for which ``valid`` holds (NaN never
    does), else a ValueError saying what it must be."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not valid(value):
        raise ValueError(f"{loss}: {name} must be {hint}; got {value!r}.")
    return float(value)


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
    return _apply_loss(ResidualLoss("squared_error"), prediction, target, sample_weight)


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
    ``J = sum_i w_i sum_k [log(1 + e^z_ik) - y_ik z_ik] / sum_i w_i``, the logistic regression
    cost, and its gradient is ``(sigmoid(z) - y) * w_i / sum(w)``.
    """
    return _apply_loss(SigmoidBinaryCrossEntropy(), logits, target, sample_weight)


def poisson_deviance_exp(logits, target, sample_weight=None):
    """Half the Poisson deviance of ``exp(logits)`` against counts ``target >= 0``.

    ``J = sum_i w_i sum_k [y_ik log(y_ik / mu_ik) - y_ik + mu_ik] / sum_i w_i`` with
    ``mu = exp(logits)``; its gradient with respect to the logits is
    ``(mu - y) * w_i / sum(w)``. scikit-learn's ``MLPRegressor(loss="poisson")`` minimizes
    the same cost.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, poisson_deviance_exp
    >>> z = Tensor(np.log(np.array([[2.0], [1.0]])), requires_grad=True)
    >>> J = poisson_deviance_exp(z, np.array([[2.0], [0.0]]))
    >>> float(J.value)   # row 1 fits exactly (0); row 2 costs mu = 1; mean 0.5
    0.5
    >>> J.backward()
    >>> z.grad.ravel()   # (mu - y) / n
    array([0. , 0.5])
    """
    return _apply_loss(PoissonDevianceExp(), logits, target, sample_weight)


def absolute_error(prediction, target, sample_weight=None):
    """The absolute error, summed over outputs, averaged over rows: the median's loss.

    ``J = sum_i w_i sum_k |prediction_ik - target_ik| / sum_i w_i``; its gradient is
    ``sign(prediction - target) * w_i / sum(w)``. A model that minimizes it predicts the
    conditional median. The value is scikit-learn's ``AbsoluteError`` loss and, for one
    output, ``mean_absolute_error``; it is not halved (``squared_error`` is).

    At a tie (``prediction == target``) the gradient is 0, the smallest subgradient, as
    the engine's ``abs`` takes it; scikit-learn's ``sklearn._loss.AbsoluteError`` takes
    -1 there. Only exact ties differ.

    Parameters
    ----------
    prediction : Tensor of shape (n_samples, n_outputs)
        The model's output (identity output activation).
    target : Tensor or array of the same shape
        The observed values.
    sample_weight : Tensor or array of shape (n_samples,), default=None
        Each row's weight in the average; None weighs rows equally.

    Returns
    -------
    loss : Tensor of shape ()

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, absolute_error
    >>> y_hat = Tensor(np.array([[1.0], [3.0], [2.0]]), requires_grad=True)
    >>> J = absolute_error(y_hat, np.array([[0.0], [5.0], [2.0]]))
    >>> float(J.value)   # (1 + 2 + 0) / 3
    1.0
    >>> J.backward()
    >>> y_hat.grad.ravel()   # sign(residual) / 3, and 0 at the tie
    array([ 0.333..., -0.333...,  0. ])
    """
    return _apply_loss(ResidualLoss("absolute_error"), prediction, target, sample_weight)


def pinball(prediction, target, sample_weight=None, *, quantile):
    """The pinball (quantile) loss, summed over outputs, averaged over rows.

    With ``u = target - prediction``, each element costs ``quantile * u`` when the target
    is above the prediction and ``(quantile - 1) * u`` when it is below, so a model that
    minimizes it predicts the conditional ``quantile``. The gradient with respect to the
    prediction is ``-quantile`` below the target, ``1 - quantile`` above it and 0 at a
    tie (the smallest subgradient, so that ``2 * pinball(..., quantile=0.5)`` is
    ``absolute_error``, gradient included; scikit-learn's ``sklearn._loss.PinballLoss``
    takes ``-quantile`` at a tie), times ``w_i / sum(w)``. The value is scikit-learn's
    ``PinballLoss`` and, for one output, ``mean_pinball_loss(alpha=quantile)``.

    Parameters
    ----------
    prediction : Tensor of shape (n_samples, n_outputs)
        The model's output (identity output activation).
    target : Tensor or array of the same shape
        The observed values.
    sample_weight : Tensor or array of shape (n_samples,), default=None
        Each row's weight in the average; None weighs rows equally.
    quantile : float in (0, 1)
        The quantile to estimate; the name is ``HistGradientBoostingRegressor``'s.

    Returns
    -------
    loss : Tensor of shape ()

    Examples
    --------
    The 0.9-quantile: predicting 1 unit too low costs 0.9, 1 unit too high 0.1.

    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, pinball
    >>> y_hat = Tensor(np.array([[1.0], [3.0]]), requires_grad=True)
    >>> J = pinball(y_hat, np.array([[2.0], [2.0]]), quantile=0.9)
    >>> round(float(J.value), 12)   # (0.9 + 0.1) / 2
    0.5
    >>> J.backward()
    >>> y_hat.grad.ravel()   # (-0.9, 0.1) / 2
    array([-0.45,  0.05])
    """
    quantile = _check_parameter(
        quantile,
        "quantile",
        "pinball",
        "a number strictly between 0 and 1 (0.5 for the median)",
        lambda q: 0 < q < 1,
    )
    op = ResidualLoss("pinball", quantile=quantile)
    return _apply_loss(op, prediction, target, sample_weight)


def huber(prediction, target, sample_weight=None, *, epsilon=0.1):
    """The Huber loss, summed over outputs, averaged over rows.

    With ``r = prediction - target``, each element costs ``r^2 / 2`` while
    ``|r| <= epsilon`` and ``epsilon * (|r| - epsilon / 2)`` beyond: the squared error
    near the fit, the absolute error (times ``epsilon``) for outliers, joined with a
    continuous slope ``clip(r, -epsilon, epsilon)``. The gradient is that slope times
    ``w_i / sum(w)``; the loss is differentiable everywhere, so no kink convention is
    needed. It is half-scaled like ``squared_error``, which it equals for
    ``epsilon=inf``; the value is scikit-learn's ``SGDRegressor(loss="huber")`` loss.

    The threshold is **epsilon, a fixed residual in the target's units**, as in
    ``SGDRegressor``. (``GradientBoostingRegressor(loss="huber")`` re-estimates it as a
    quantile of the residuals at every stage; on minibatches that would change the
    function minimized from step to step.) Scale the targets, or set ``epsilon`` from
    their spread, so that it means what you want.

    Parameters
    ----------
    prediction : Tensor of shape (n_samples, n_outputs)
        The model's output (identity output activation).
    target : Tensor or array of the same shape
        The observed values.
    sample_weight : Tensor or array of shape (n_samples,), default=None
        Each row's weight in the average; None weighs rows equally.
    epsilon : float > 0, default=0.1
        The residual at which the loss turns from quadratic to linear.

    Returns
    -------
    loss : Tensor of shape ()

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, huber
    >>> y_hat = Tensor(np.array([[0.5], [3.0]]), requires_grad=True)
    >>> J = huber(y_hat, np.zeros((2, 1)), epsilon=1.0)
    >>> float(J.value)   # (0.5^2 / 2 + 1 * (3 - 1/2)) / 2
    1.3125
    >>> J.backward()
    >>> y_hat.grad.ravel()   # clip(r, -1, 1) / 2
    array([0.25, 0.5 ])
    """
    epsilon = _check_parameter(
        epsilon,
        "epsilon",
        "huber",
        "a positive number, the residual size where the loss turns linear",
        lambda e: e > 0,
    )
    op = ResidualLoss("huber", epsilon=epsilon)
    return _apply_loss(op, prediction, target, sample_weight)
