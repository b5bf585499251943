"""Full-batch training with L-BFGS (solver='lbfgs').

scipy's L-BFGS-B drives the search over the flat parameter vector; every function value
and gradient it asks for is one forward and one backward pass of the autodiff graph over
the whole training set, built once.
"""

import numpy as np

from ..nn import MinibatchObjective
from ..optim import minimize_lbfgs

__all__ = ["LBFGSTrainingMixin"]


class LBFGSTrainingMixin:
    """L-BFGS training for :class:`BaseMultilayerPerceptron`."""

    def _fit_lbfgs(self, X, Y, sample_weight, layer_units):
        params = self._flat_parameters(layer_units, Y.dtype)
        l1_alpha = self.alpha * self.l1_ratio
        objective = MinibatchObjective(
            params,
            X.shape[0],
            loss=self._loss_name(),
            activation=self.activation,
            alpha=self.alpha - l1_alpha,
            # No proximal step here: the L1 term enters with its subgradient.
            l1_alpha=l1_alpha,
            weighted=sample_weight is not None,
            sparse_input=not isinstance(X, np.ndarray),
        )
        objective.take(X, Y, sample_weight, slice(None))

        def cost_and_gradient(x):
            params.values[...] = x
            cost = objective()
            return float(cost), params.grad

        # Warns (ConvergenceWarning) like scikit-learn when max_iter or max_fun is reached.
        result, self.n_iter_ = minimize_lbfgs(
            cost_and_gradient,
            params.values,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
            verbose=self.verbose,
        )
        params.values[...] = result.x
        objective()
        self.loss_ = objective.reported_loss()
