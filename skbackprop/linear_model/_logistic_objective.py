"""LogisticRegression's objective as one autodiff graph over a flat parameter buffer.

scikit-learn's ``LogisticRegression`` minimizes ``C * sum_i s_i l_i + penalty(W)`` (``s_i``
the sample times class weights, ``l_i`` the log loss of row ``i``, the intercept not
penalized). Divided by ``C * S`` with ``S = sum_i s_i`` that is the engine's weighted mean

    J = sum_i s_i l_i / S  +  ((1 - l1_ratio) / 2 ||W||^2 + l1_ratio ||W||_1) / (C S),

the same minimizer, and the scale scikit-learn's own lbfgs solver uses. The data term is
``affine`` into ``sigmoid_binary_cross_entropy`` (two classes, one coefficient column) or
``softmax_cross_entropy`` (one column per class); the L2 term is ``l2_penalty``. The graph
is built once and replayed as the parameter values change.

For L1 and elastic net with L-BFGS the weights are split into a positive and a negative
part, ``W = W_pos - W_neg`` with both bounded below by 0. Then ``||W||_1`` is the linear
``sum(W_pos) + sum(W_neg)``, the objective is smooth, and L-BFGS-B's projection onto the
bounds (the proximal step of the constraint) puts coefficients exactly at 0.
"""

import numpy as np

from ..autodiff import (
    Graph,
    Tensor,
    affine,
    l2_penalty,
    sigmoid_binary_cross_entropy,
    softmax_cross_entropy,
)
from ..optim import soft_threshold

__all__ = ["LogisticObjective", "min_norm_subgradient"]


class LogisticObjective:
    """The objective ``J`` and its gradient over one flat float64 parameter buffer.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features), float64
        The data (a batch for the stochastic solvers; swap it with :meth:`set_data`).
    Y : ndarray of shape (n_samples, n_outputs)
        0/1 targets: one column for two classes, one-hot rows for more.
    sample_weight : ndarray of shape (n_samples,) or None
        Sample times class weights; None for unit weights (a cheaper graph).
    fit_intercept : bool
        Whether the buffer holds an intercept per output (never penalized).
    l2_scale, l1_scale : float
        ``(1 - l1_ratio) / (C S)`` and ``l1_ratio / (C S)``.
    split_l1 : bool
        Put the L1 term in the graph through the split ``W = W_pos - W_neg`` (for
        L-BFGS-B with bounds). When False the graph is smooth and an L1 term, if any, is
        left to a proximal step (:func:`~skbackprop.optim.soft_threshold`).
    params : ndarray, optional
        An existing flat buffer to view into (an optimizer's), instead of a new zero one.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        The flat buffer: weights (``(n_features, n_outputs)`` row-major; twice when split),
        then the intercepts.
    grad : ndarray of shape (n_params,)
        The gradient of the last :meth:`evaluate`, in the same layout.
    """

    def __init__(
        self,
        X,
        Y,
        sample_weight,
        *,
        fit_intercept,
        l2_scale,
        l1_scale=0.0,
        split_l1=False,
        params=None,
    ):
        n_features, n_outputs = X.shape[1], Y.shape[1]
        self.n_weights = n_features * n_outputs
        self.split_l1 = split_l1 and l1_scale > 0
        self.l1_scale = l1_scale
        n_params = self.n_weights * (2 if self.split_l1 else 1) + (
            n_outputs if fit_intercept else 0
        )
        if params is None:
            params = np.zeros(n_params)
        self.params = params
        self.grad = np.zeros(n_params)
        shape = (n_features, n_outputs)
        weight_parts = [
            Tensor(params[k * self.n_weights : (k + 1) * self.n_weights].reshape(shape), True)
            for k in range(2 if self.split_l1 else 1)
        ]
        self._weight_parts = weight_parts
        offset = len(weight_parts) * self.n_weights
        if fit_intercept:
            self.intercept = Tensor(params[offset:], requires_grad=True)
        else:
            self.intercept = Tensor(np.zeros(n_outputs))
        self.X = Tensor(X)
        self.Y = Tensor(Y)
        self.sample_weight = None if sample_weight is None else Tensor(sample_weight)

        W = weight_parts[0] - weight_parts[1] if self.split_l1 else weight_parts[0]
        logits = affine(self.X, W, self.intercept)
        data_term = (sigmoid_binary_cross_entropy if n_outputs == 1 else softmax_cross_entropy)(
            logits, self.Y, self.sample_weight
        )
        loss = data_term
        if l2_scale > 0:
            loss = loss + l2_penalty(W, scale=l2_scale)
        if self.split_l1:
            # Linear on the bounded parts, so its gradient is l1_scale even at 0 (where
            # L-BFGS-B must see it to keep the coefficient there).
            loss = loss + l1_scale * (weight_parts[0].sum() + weight_parts[1].sum())
        self.loss = loss
        self.logits = logits
        self.graph = Graph(loss)
        self._gradient_slots = [
            (part, slice(k * self.n_weights, (k + 1) * self.n_weights))
            for k, part in enumerate(weight_parts)
        ]
        if fit_intercept:
            self._gradient_slots.append((self.intercept, slice(offset, None)))

    def set_data(self, X, Y, sample_weight=None):
        """Replace the data leaves (a new minibatch); the graph replays over them."""
        self.X.value = X
        self.Y.value = Y
        if self.sample_weight is not None:
            self.sample_weight.value = sample_weight

    def evaluate(self):
        """Forward and backward at the current ``params``; return ``(J, grad)``."""
        loss = float(self.graph.forward())
        self.graph.backward()
        grad = self.grad
        for tensor, where in self._gradient_slots:
            grad[where] = tensor.grad.ravel()
        return loss, grad

    def __call__(self, x):
        """``(J, grad)`` at ``x``: the function handed to L-BFGS-B."""
        self.params[...] = x
        return self.evaluate()

    def bounds(self):
        """L-BFGS-B bounds: the split weight parts are >= 0, the rest is free."""
        if not self.split_l1:
            return None
        n_free = self.params.size - 2 * self.n_weights
        return [(0.0, None)] * (2 * self.n_weights) + [(None, None)] * n_free

    # ------------------------------------------------------------------ the fitted model
    def weights(self):
        """The coefficients ``W`` of shape (n_features, n_outputs) (a copy)."""
        parts = self._weight_parts
        if self.split_l1:
            return parts[0].value - parts[1].value
        return parts[0].value.copy()

    def set_weights(self, W, intercept=None):
        """Start from ``W`` (and ``intercept``): a warm start."""
        parts = self._weight_parts
        if self.split_l1:
            np.maximum(W, 0.0, out=parts[0].value)
            np.maximum(-W, 0.0, out=parts[1].value)
        else:
            parts[0].value[...] = W
        if intercept is not None and self.intercept.requires_grad:
            self.intercept.value[...] = intercept

    def smooth_weight_gradient(self):
        """``dJ/dW`` of the loss and L2 term at the last evaluation (without the L1 term)."""
        if self.split_l1:
            # d/dW_pos = g + l1_scale and d/dW_neg = -g + l1_scale.
            return 0.5 * (self._weight_parts[0].grad - self._weight_parts[1].grad).ravel()
        return self._weight_parts[0].grad.ravel()

    def subgradient_norm(self, l1_scale):
        """Norm of the minimum-norm subgradient of ``J`` at the last evaluation."""
        g = min_norm_subgradient(self.smooth_weight_gradient(), self.weights().ravel(), l1_scale)
        total = float(g @ g)
        if self.intercept.requires_grad:
            total += float(self.intercept.grad @ self.intercept.grad)
        return total**0.5


def min_norm_subgradient(smooth_grad, w, l1_scale):
    """The smallest element of ``smooth_grad + l1_scale * d||w||_1``: 0 at an optimum.

    Where ``w != 0`` the L1 term's derivative is ``l1_scale * sign(w)``; where ``w == 0``
    it may be anything in ``[-l1_scale, l1_scale]``, so the smallest subgradient there is
    ``smooth_grad`` soft-thresholded by ``l1_scale``.
    """
    if l1_scale == 0:
        return smooth_grad
    g = smooth_grad + l1_scale * np.sign(w)
    zero = w == 0
    g[zero] = soft_threshold(smooth_grad[zero], l1_scale)
    return g
