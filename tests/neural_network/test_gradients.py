"""Each estimator's gradient against finite differences, for every activation and loss.

The network, loss, penalty and sample weights are the ones the fitted estimator trains
with; the gradient is the one its optimizer receives (the flat buffer), and the finite
differences perturb the flat parameter vector of the cost it minimizes.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skbackprop.autodiff import Tensor, numerical_grad
from skbackprop.neural_network import MLPClassifier, MLPRegressor
from skbackprop.nn import LOSSES, FlatParameters, MinibatchObjective

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
rng = np.random.default_rng(0)
X = rng.normal(size=(9, 3))
TARGETS = {
    "squared_error": (MLPRegressor, {"loss": "squared_error"}, rng.normal(size=(9, 2))),
    "poisson": (MLPRegressor, {"loss": "poisson"}, rng.poisson(2.0, size=9).astype(float)),
    "log_loss": (MLPClassifier, {}, np.array([0, 1, 2] * 3)),
    "binary_log_loss": (MLPClassifier, {}, np.array([0, 1, 1] * 3)),
}


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", sorted(TARGETS))
def test_estimator_gradient_matches_finite_differences(loss, activation):
    Estimator, params, y = TARGETS[loss]
    est = Estimator(
        hidden_layer_sizes=(4, 3),
        activation=activation,
        alpha=0.5,
        max_iter=1,
        random_state=0,
        **params,
    )
    sw = rng.uniform(0.5, 2.0, size=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y, sample_weight=sw)
    assert est._training_loss() is LOSSES[loss]
    units = [3, 4, 3, est.n_outputs_]
    flat = FlatParameters(units, np.float64)
    flat.load(est.coefs_, est.intercepts_)
    objective = MinibatchObjective(
        flat, 9, loss=loss, activation=activation, alpha=est.alpha, weighted=True
    )
    Y = y.reshape(9, -1) if est.n_outputs_ == 1 or loss != "log_loss" else np.eye(3)[y]
    if loss == "binary_log_loss":
        Y = Y.astype(float)
    objective.load_batch(X, Y, sw, slice(None))
    objective()
    analytic = flat.grad.copy()

    def cost(theta):
        flat.values[:] = theta.value
        return objective.value()

    (numeric,) = numerical_grad(cost, Tensor(flat.values.copy(), requires_grad=True))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
