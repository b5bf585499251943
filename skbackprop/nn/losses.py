"""The training losses, as a table: each a fused autodiff node and its output activation.

Every loss pairs with its canonical output activation (identity with squared error, exp
with Poisson, softmax with categorical and the logistic function with binary
cross-entropy), so the fused node's gradient with respect to the last pre-activation is the
section notes' ``(y_hat - y) / n``.

``report_scale`` converts the optimized cost to the value scikit-learn reports in
``loss_``: its squared error is averaged over the outputs, while the gradient it follows
(and ours) is that of the sum. Only multi-output regression is affected.
"""

from dataclasses import dataclass
from typing import Any

from ..autodiff import (
    poisson_deviance_exp,
    sigmoid_binary_cross_entropy,
    softmax_cross_entropy,
    squared_error,
)

__all__ = ["LOSSES", "Loss"]


@dataclass(frozen=True)
class Loss:
    """A fused loss node, its output activation, and how scikit-learn reports it."""

    node: Any
    out_activation: str
    mean_over_outputs: bool = False

    def report_scale(self, n_outputs):
        return 1.0 / n_outputs if self.mean_over_outputs else 1.0


LOSSES = {
    "squared_error": Loss(squared_error, "identity", mean_over_outputs=True),
    "poisson": Loss(poisson_deviance_exp, "exp"),
    "log_loss": Loss(softmax_cross_entropy, "softmax"),
    "binary_log_loss": Loss(sigmoid_binary_cross_entropy, "logistic"),
}
