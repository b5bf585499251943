"""Pickles: no larger than scikit-learn's, and a pickled model continues exactly."""

import pickle
import warnings

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.datasets import load_digits

import skbackprop.neural_network as ours


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a deliberately short fit
        return model.fit(X, y)


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_a_fitted_model_pickles_no_larger_than_scikit_learn(digits, name, solver):
    X, y = digits
    params = {"solver": solver, "max_iter": 3, "random_state": 0}
    expected = len(pickle.dumps(_fit(getattr(sk, name)(**params), X, y)))
    got = len(pickle.dumps(_fit(getattr(ours, name)(**params), X, y)))
    assert got <= expected


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
@pytest.mark.parametrize("solver", ["adam", "sgd", "rmsprop"])
def test_a_pickled_model_continues_as_if_never_pickled(digits, name, solver):
    X, y = digits
    model = _fit(getattr(ours, name)(solver=solver, max_iter=3, random_state=0), X, y)
    copy = pickle.loads(pickle.dumps(model))
    # coefs_ are views of the optimizer's buffer again, as after fit.
    assert np.shares_memory(copy.coefs_[0], copy._optimizer.params)
    for _ in range(3):
        model.partial_fit(X, y)
        copy.partial_fit(X, y)
    for a, b in zip(model.coefs_ + model.intercepts_, copy.coefs_ + copy.intercepts_):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    assert copy._optimizer.t == model._optimizer.t
    # warm_start continues from the pickled optimizer state as well.
    model.set_params(warm_start=True, max_iter=2)
    copy = pickle.loads(pickle.dumps(model))
    _fit(model, X, y)
    _fit(copy, X, y)
    np.testing.assert_allclose(copy.coefs_[0], model.coefs_[0], rtol=0, atol=1e-12)
