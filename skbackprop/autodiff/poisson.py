"""The fused Poisson loss with a log link: from the pre-activation to half the deviance.

A count regression predicts ``mu = exp(z)``. Half the Poisson deviance of a row is
``sum_k [y_k log(y_k / mu_k) - y_k + mu_k] = sum_k [y_k log y_k - y_k z_k - y_k + e^{z_k}]``;
fused with the exponential output its derivative with respect to ``z`` is ``e^z - y``, the
same "prediction minus target" as the other fused losses (``exp' = exp`` cancels the
deviance's ``1 / mu``). Rows are averaged with the convention of
:mod:`skbackprop.autodiff.losses`: a weighted mean ``sum_i w_i l_i / sum_i w_i``.
"""

import numpy as np
from scipy.special import xlogy

from .losses import FusedLoss, _apply_loss, _check_target, _row_scale

__all__ = ["poisson_deviance_exp"]


class PoissonDevianceExp(FusedLoss):
    __slots__ = ("logits", "target")
    label = "poisson_deviance_exp"

    def forward(self, logits, target, weight=None):
        _check_target(logits, target, "poisson_deviance_exp")
        self.scale = _row_scale(logits, weight)
        self.logits, self.target = logits, target
        mu = np.exp(logits)
        self.residual = mu - target
        # xlogy gives 0 log 0 = 0: a zero count contributes only mu.
        return self._finish(xlogy(target, target) - target * logits + self.residual, weight)

    def _target_grad(self, grad):
        # d/dy [y log y - y z - y] = log y - z (infinite at y = 0, where y is data anyway).
        with np.errstate(divide="ignore"):
            return (np.log(self.target) - self.logits) * (self.scale * grad)


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
