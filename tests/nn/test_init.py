"""Glorot initialization draws what scikit-learn's MLP draws."""

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from skbackprop.nn import glorot_uniform


@pytest.mark.parametrize("activation", ["relu", "logistic"])
def test_same_draws_as_scikit_learn(activation):
    sk = MLPClassifier(hidden_layer_sizes=(5, 4), activation=activation)
    sk._random_state = np.random.RandomState(3)
    expected = [sk._init_coef(a, b, np.float64) for a, b in [(6, 5), (5, 4), (4, 3)]]
    coefs, intercepts = glorot_uniform(np.random.RandomState(3), [6, 5, 4, 3], activation)
    for (coef, intercept), c, b in zip(expected, coefs, intercepts):
        np.testing.assert_array_equal(c, coef)
        np.testing.assert_array_equal(b, intercept)


def test_bound_and_dtype():
    coefs, intercepts = glorot_uniform(np.random.RandomState(0), [50, 30], "logistic", np.float32)
    assert coefs[0].dtype == intercepts[0].dtype == np.float32
    bound = np.sqrt(2.0 / 80)
    assert np.abs(coefs[0]).max() <= bound
    assert np.abs(coefs[0]).max() > 0.9 * bound  # uniform over the whole interval
