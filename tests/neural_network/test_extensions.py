"""Beyond scikit-learn: dropout, l1_ratio, solver='rmsprop' and gradient_norms_."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skbackprop.neural_network import MLPClassifier, MLPRegressor

warnings.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y / 100


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dropout_zero_is_exactly_no_dropout(iris):
    X, y = iris
    params = {"hidden_layer_sizes": (6, 5), "max_iter": 5, "random_state": 0}
    plain = MLPClassifier(**params).fit(X, y)
    zero = MLPClassifier(dropout=0.0, **params).fit(X, y)
    for a, b in zip(plain.coefs_, zero.coefs_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dropout_trains_differently_but_predicts_deterministically(iris):
    X, y = iris
    params = {
        "hidden_layer_sizes": (16,),
        "max_iter": 60,
        "random_state": 0,
        "learning_rate_init": 0.02,
    }
    plain = MLPClassifier(**params).fit(X, y)
    dropped = MLPClassifier(dropout=0.3, **params).fit(X, y)
    assert not np.allclose(plain.coefs_[0], dropped.coefs_[0])
    # Nothing is dropped at prediction time: repeated calls agree, and the output is the
    # plain forward pass of the learned weights.
    np.testing.assert_array_equal(dropped.predict_proba(X), dropped.predict_proba(X))
    hidden = np.maximum(X @ dropped.coefs_[0] + dropped.intercepts_[0], 0)
    logits = hidden @ dropped.coefs_[1] + dropped.intercepts_[1]
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(dropped.predict_proba(X), expected, rtol=1e-10)
    assert dropped.score(X, y) > 0.8


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dropout_is_reproducible_with_a_random_state(iris):
    X, y = iris
    params = {"hidden_layer_sizes": (8,), "max_iter": 3, "random_state": 0, "dropout": 0.5}
    a, b = MLPClassifier(**params).fit(X, y), MLPClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "sgd", "rmsprop"])
def test_l1_ratio_one_gives_exact_zeros(diabetes, solver):
    X, y = diabetes
    params = {
        "hidden_layer_sizes": (20,),
        "max_iter": 30,
        "random_state": 0,
        "solver": solver,
        "learning_rate_init": 0.01,
    }
    l2 = MLPRegressor(alpha=2.0, **params).fit(X, y)
    l1 = MLPRegressor(alpha=2.0, l1_ratio=1.0, **params).fit(X, y)
    assert np.count_nonzero(l2.coefs_[0] == 0) == 0
    zeros = np.mean(l1.coefs_[0] == 0)
    assert zeros > 0.2, zeros  # the soft-threshold sets weights exactly to zero
    assert l1.score(X, y) > 0.3  # and the model still fits
    assert np.all(np.isfinite(l1.loss_curve_))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_l1_ratio_zero_is_scikit_learns_l2(diabetes):
    X, y = diabetes
    params = {"hidden_layer_sizes": (5,), "max_iter": 3, "random_state": 0, "alpha": 0.5}
    a = MLPRegressor(**params).fit(X, y)
    b = MLPRegressor(l1_ratio=0.0, **params).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_l1_loss_includes_the_l1_term(diabetes):
    X, y = diabetes
    params = {
        "hidden_layer_sizes": (5,),
        "max_iter": 1,
        "random_state": 0,
        "alpha": 5.0,
        "batch_size": 442,
        "shuffle": False,
        "learning_rate_init": 1e-12,
    }
    reg = MLPRegressor(l1_ratio=1.0, **params).fit(X, y)
    # One full batch with a negligible step: loss_ is the cost at the (unchanged) start.
    residual = reg.predict(X) - y
    l1 = sum(np.abs(c).sum() for c in reg.coefs_)
    assert reg.loss_ == pytest.approx(0.5 * np.mean(residual**2) + 5.0 * l1 / 442, rel=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_rmsprop_trains(diabetes):
    X, y = diabetes
    reg = MLPRegressor(
        solver="rmsprop",
        hidden_layer_sizes=(20,),
        max_iter=40,
        learning_rate_init=0.005,
        random_state=0,
    ).fit(X, y)
    assert reg.loss_curve_[-1] < 0.5 * reg.loss_curve_[0]
    assert reg.score(X, y) > 0.4


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_gradient_norms_show_the_vanishing_gradient(iris):
    X, y = iris
    deep = MLPClassifier(
        hidden_layer_sizes=(16,) * 6,
        activation="logistic",
        max_iter=3,
        random_state=0,
        solver="sgd",
        learning_rate_init=0.01,
    ).fit(X, y)
    assert deep.gradient_norms_.shape == (3, 7)
    norms = deep.gradient_norms_[0]
    # Each logistic layer scales the backpropagated delta by at most 1/4: the first layer's
    # gradient is orders of magnitude below the last's.
    assert norms[0] < 1e-2 * norms[-1]
    relu = MLPClassifier(
        hidden_layer_sizes=(16,) * 6,
        max_iter=3,
        random_state=0,
        solver="sgd",
        learning_rate_init=0.01,
    ).fit(X, y)
    assert relu.gradient_norms_[0, 0] > 10 * norms[0]
