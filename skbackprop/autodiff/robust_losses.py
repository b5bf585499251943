"""Robust and quantile regression losses, fused: absolute error, Huber and pinball.

Each is a function of the residual ``r = prediction - target`` alone, applied element-wise,
so each node keeps one array, its slope ``d loss / d prediction`` (the ``residual`` slot of
:class:`~skbackprop.autodiff.losses.FusedLoss`), and backward is that slope times the
row's share of the average: the same ``residual * w_i / sum(w)`` as the squared error's.
The conventions are those of :mod:`skbackprop.autodiff.losses`: a row's loss is summed
over its columns (outputs), rows are averaged, ``sample_weight`` makes it the weighted
average ``sum_i w_i l_i / sum_i w_i``, targets and weights are graph inputs (a
:class:`~skbackprop.autodiff.Graph` replayed on a new minibatch reads them again), and the
loss and gradient have the residual's dtype (float32 stays float32).

Each loss is also a product with its slope, ``l(r) = r * l'(r)`` for the absolute error
and the pinball loss, ``l(r) = l'(r) * (r - l'(r) / 2)`` for Huber, so the forward pass
computes the slope once and uses it twice: for the value and, kept, for backward.

**Kinks.** The absolute error and the pinball loss have a corner at ``r = 0``, where any
slope between the two sides' is a subgradient. Both take 0 there, the subgradient of
smallest size: a sample predicted exactly contributes no step. It is the rule of the
engine's ``abs`` (``sign(0) = 0``), of ``relu'(0) = 0`` in scikit-learn's MLP and of
``SGDRegressor(loss="epsilon_insensitive", epsilon=0)``, so a user's
``abs(prediction - target)`` and ``2 * pinball(..., quantile=0.5)`` give exactly the
gradient of ``absolute_error``, ties included. scikit-learn's ``sklearn._loss`` (behind
the gradient-boosting estimators) takes the side ``y_true >= y_pred`` instead: slope -1
for ``AbsoluteError`` and ``-quantile`` for ``PinballLoss`` at a tie. The two rules differ
only where a prediction equals its target exactly; everywhere else the values and
gradients are scikit-learn's. The Huber loss is differentiable everywhere.
"""

import numbers

import numpy as np

from .losses import FusedLoss, _apply_loss, _check_target, _row_scale, _weighted_total

__all__ = ["absolute_error", "huber", "pinball"]


class _ResidualLoss(FusedLoss):
    """A loss of the residual ``r = prediction - target``; subclasses give its slope."""

    __slots__ = ()

    def forward(self, prediction, target, weight=None):
        _check_target(prediction, target, self.name)
        self.scale = _row_scale(prediction, weight)
        self.weighted = weight is not None
        residual = prediction - target
        self.residual = slope = self._slope(residual)
        return self._average(slope, self._cofactor(residual, slope), residual.dtype)

    def _cofactor(self, residual, slope):
        """The array that, times the slope, gives each element's loss."""
        return residual

    def _average(self, a, b, dtype):
        """``sum_i scale_i sum_k a_ik b_ik``, the (weighted) row average of ``a * b``."""
        scale = self.scale
        if not self.weighted:
            return np.asarray(scale * np.vdot(a, b), dtype=dtype)
        if a.ndim == 2:
            return _weighted_total(scale, np.einsum("ij,ij->i", a, b), dtype)
        return np.asarray(np.sum(a * b * scale), dtype=dtype)

    def _target_grad(self, grad):
        # The loss depends on prediction - target: d/d target = -d/d prediction.
        return -self.residual * (self.scale * grad)


class AbsoluteError(_ResidualLoss):
    __slots__ = ()
    label = name = "absolute_error"

    def _slope(self, residual):
        return np.sign(residual)  # sign(0) = 0: see the module's note on kinks


class Pinball(_ResidualLoss):
    __slots__ = ("quantile",)
    name = "pinball"

    def __init__(self, quantile):
        self.quantile = quantile

    @property
    def label(self):
        return f"pinball(quantile={self.quantile:g})"

    def _slope(self, residual):
        # Over-prediction (r > 0) costs 1 - q per unit, under-prediction q; 0 at r = 0.
        q = residual.dtype.type(self.quantile)
        slope = (residual > 0) * (1 - q)
        slope -= (residual < 0) * q
        return slope


class Huber(_ResidualLoss):
    __slots__ = ("epsilon",)
    name = "huber"

    def __init__(self, epsilon):
        self.epsilon = epsilon

    @property
    def label(self):
        return f"huber(epsilon={self.epsilon:g})"

    def _slope(self, residual):
        return np.clip(residual, -self.epsilon, self.epsilon)

    def _cofactor(self, residual, slope):
        # c (r - c / 2) with c = clip(r): r^2 / 2 inside, epsilon (|r| - epsilon / 2) out.
        return residual - 0.5 * slope


def _check_parameter(value, name, loss, hint, valid):
    """``value`` as a float if it is a real number for which ``valid`` holds (NaN never
    does), else a ValueError saying what it must be."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not valid(value):
        raise ValueError(f"{loss}: {name} must be {hint}; got {value!r}.")
    return float(value)


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
    return _apply_loss(AbsoluteError(), prediction, target, sample_weight)


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
    return _apply_loss(Pinball(quantile), prediction, target, sample_weight)


def huber(prediction, target, sample_weight=None, *, epsilon=0.1):
    """The Huber loss, summed over outputs, averaged over rows.

    With ``r = prediction - target``, each element costs ``r^2 / 2`` while
    ``|r| <= epsilon`` and ``epsilon * (|r| - epsilon / 2)`` beyond: the squared error
    near the fit, the absolute error (times ``epsilon``) for outliers, joined with a
    continuous slope ``clip(r, -epsilon, epsilon)``. The gradient is that slope times
    ``w_i / sum(w)``; the loss is differentiable everywhere, so no kink convention is
    needed. It is half-scaled like ``squared_error``, which it equals for
    ``epsilon=inf``; the value is scikit-learn's ``SGDRegressor(loss="huber")`` loss.

    The threshold is **epsilon, a fixed residual in the target's units**, named and
    defaulted after ``SGDRegressor``'s (whose Huber loss is this one).
    ``GradientBoostingRegressor(loss="huber", alpha=0.9)`` instead sets the threshold
    ``delta`` to the ``alpha``-quantile of the current absolute residuals, recomputed at
    every boosting stage (``sklearn._loss.HuberLoss(quantile=...)`` holds that ``delta``).
    For a network trained on minibatches a quantile threshold would be re-estimated from
    each small batch, so the function being minimized would change from step to step and
    its gradient would ignore how the threshold moves with the parameters (L-BFGS's line
    search assumes one fixed function). A fixed threshold keeps one objective; scale the
    targets (or set ``epsilon`` from their spread) so that it means what you want.
    (``HuberRegressor``'s ``epsilon`` is the same idea on residuals divided by a scale it
    fits alongside the weights.)

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
    return _apply_loss(Huber(epsilon), prediction, target, sample_weight)
