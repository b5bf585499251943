"""The training losses, as a table: each a fused autodiff node and its output activation.

Every built-in loss pairs with its canonical output activation (identity with the squared,
absolute, Huber and pinball losses, exp with Poisson, softmax with categorical and the
logistic function with binary cross-entropy), so the fused node's gradient with respect
to the last pre-activation is ``(y_hat - y) / n`` or, for the robust
losses, their slope times ``1 / n``.

``mean_over_outputs`` says how the optimized cost becomes the value reported in ``loss_``:
scikit-learn's squared error is averaged over the outputs, while the gradient it follows
(and ours) is that of the sum. The absolute, Huber and pinball losses are reported the
same way, so that their ``loss_`` (penalty aside) is scikit-learn's
``mean_absolute_error`` or ``mean_pinball_loss`` with ``multioutput='uniform_average'``.
Only multi-output regression is affected.

:func:`custom_loss` turns a user's function of Tensors into a :class:`Loss` whose contract
(a scalar Tensor that depends on the prediction) is checked when the graph is built.
"""

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from .. import autodiff as ad

__all__ = ["LOSSES", "Loss", "custom_loss", "get_loss"]


@dataclass(frozen=True)
class Loss:
    """A fused loss node, its output activation, and how scikit-learn reports it."""

    node: Any
    out_activation: str
    mean_over_outputs: bool = False

    def bind(self, **options):
        """This loss with its node's keyword parameters fixed (``quantile=0.9``)."""
        return replace(self, node=partial(self.node, **options))


LOSSES = {
    "squared_error": Loss(ad.squared_error, "identity", mean_over_outputs=True),
    "poisson": Loss(ad.poisson_deviance_exp, "exp"),
    "absolute_error": Loss(ad.absolute_error, "identity", mean_over_outputs=True),
    # Usable by name with MLPRegressor's defaults (the median for 'quantile', which the
    # estimator itself requires to be given); ``bind`` overrides them.
    "huber": Loss(ad.huber, "identity", mean_over_outputs=True).bind(epsilon=1.0),
    "quantile": Loss(ad.pinball, "identity", mean_over_outputs=True).bind(quantile=0.5),
    "log_loss": Loss(ad.softmax_cross_entropy, "softmax"),
    "binary_log_loss": Loss(ad.sigmoid_binary_cross_entropy, "logistic"),
}


def get_loss(loss):
    """``loss`` itself if it is a :class:`Loss`, else the table's entry of that name."""
    return loss if isinstance(loss, Loss) else LOSSES[loss]


def custom_loss(function, out_activation="identity"):
    """A :class:`Loss` from a user's ``function(y_true, y_pred, sample_weight)``.

    ``y_pred`` is the last layer's pre-activation Tensor (the prediction itself with an
    identity output, the logits before a softmax or logistic output), ``y_true`` the
    targets' Tensor and ``sample_weight`` None or the weights' Tensor. The function is
    called once for each graph that is built (one per minibatch length), not once per
    step: the Tensors it receives are graph inputs whose values change as the graph is
    replayed, so it must compute with them through :mod:`skbackprop.autodiff` operations,
    not read their ``.value``. What it returns is checked there and then: a Tensor, of
    size 1, that depends on ``y_pred``. It is reported as returned (not averaged over
    outputs).

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor
    >>> loss = custom_loss(lambda y, p, w: ((p - y) ** 2).sum())
    >>> p = Tensor(np.array([[1.0], [2.0]]), requires_grad=True)
    >>> float(loss.node(p, Tensor(np.zeros((2, 1))), None).value)
    5.0
    >>> custom_loss(lambda y, p, w: 3.0).node(p, Tensor(np.zeros((2, 1))), None)
    Traceback (most recent call last):
    ...
    TypeError: The loss callable <lambda> must return a scalar skbackprop Tensor ...
    """
    return Loss(partial(_checked_call, function), out_activation)


def _checked_call(function, prediction, target, sample_weight):
    name = getattr(function, "__name__", repr(function))
    out = function(target, prediction, sample_weight)
    if not isinstance(out, ad.Tensor):
        raise TypeError(
            f"The loss callable {name} must return a scalar skbackprop Tensor computed "
            f"from y_pred with skbackprop.autodiff operations; it returned "
            f"{type(out).__name__}. Compute with the Tensors it receives (Tensor "
            "arithmetic, skbackprop.autodiff.abs, .sum(), ...) instead of numpy on .value."
        )
    if out.value.size != 1:
        raise ValueError(
            f"The loss callable {name} must return a scalar Tensor (shape () or size 1); "
            f"it returned shape {out.value.shape}. Reduce it to one number, e.g. "
            "with .sum() or skbackprop.autodiff.mean."
        )
    if not any(node is prediction for node in ad.topological_order(out)):
        raise ValueError(
            f"The loss callable {name} returned a Tensor that does not depend on y_pred, "
            "so it has no gradient to train with. Compute it from its y_pred argument "
            "with skbackprop.autodiff operations (a function of y_pred.value is a "
            "constant to the engine)."
        )
    return out if out.value.ndim == 0 else ad.reshape(out, ())
