"""Bad input and failing training: clear errors, and nothing lost."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skbackprop.neural_network import MLPClassifier, MLPRegressor


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _state(est):
    return pickle.dumps(est)


@pytest.mark.parametrize(
    ("Estimator", "solver"),
    [
        (MLPRegressor, "adam"),
        (MLPRegressor, "rmsprop"),
        (MLPClassifier, "adam"),
        (MLPClassifier, "sgd"),
    ],
)
def test_huge_rates_give_no_nan_outputs(iris, Estimator, solver):
    # Adam's and RMSProp's steps are bounded by the rate, and the cross-entropy's gradient
    # by 1: the weights grow without overflowing, and the outputs stay numbers.
    X, y = iris
    model = Estimator(
        solver=solver,
        learning_rate_init=1e6,
        hidden_layer_sizes=(10,),
        max_iter=20,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert all(np.isfinite(c).all() for c in model.coefs_ + model.intercepts_)
    assert not np.isnan(model.predict(X)).any()
    if Estimator is MLPClassifier:
        assert not np.isnan(model.predict_proba(X)).any()


def test_partial_fit_with_wrong_features_leaves_the_model_unchanged(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    before = _state(clf)
    with pytest.raises(ValueError, match="has 3 features, but MLPClassifier is expecting 4"):
        clf.partial_fit(X[:, :3], y)
    assert _state(clf) == before


def test_partial_fit_with_an_unseen_class_leaves_the_model_unchanged(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    before = _state(clf)
    with pytest.raises(ValueError, match=r"classes not in `self\.classes_`"):
        clf.partial_fit(X, y)
    assert _state(clf) == before
    with pytest.raises(ValueError, match="is not the same as on last call"):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert _state(clf) == before


def test_partial_fit_with_another_number_of_outputs_is_refused(iris):
    X, y = iris
    reg = MLPRegressor(hidden_layer_sizes=(4,), random_state=0).partial_fit(X, y)
    before = _state(reg)
    with pytest.raises(ValueError, match="y has 2 outputs but the model has 1"):
        reg.partial_fit(X, np.column_stack([y, y]))
    assert _state(reg) == before


def test_failed_fit_keeps_the_previous_fit(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    before = _state(clf)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(bad, y)
    assert _state(clf) == before
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(X, y[:-1])
    assert _state(clf) == before


def test_warm_start_with_other_classes_or_layers_is_refused(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=1, random_state=0, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    with pytest.raises(ValueError, match="same classes"):
        clf.fit(X[y < 2], y[y < 2])
    clf.set_params(hidden_layer_sizes=(5,))
    with pytest.raises(ValueError, match="hidden_layer_sizes=\\(5,\\) does not match"):
        clf.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_parameter_errors(iris):
    X, y = iris
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        MLPClassifier(hidden_layer_sizes=(3, 0)).fit(X, y)
    with pytest.raises(ValueError, match="dropout"):
        MLPClassifier(dropout=1.0).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        MLPRegressor(l1_ratio=2).fit(X, y)
    with pytest.raises(ValueError, match="needs y >= 0"):
        MLPRegressor(loss="poisson").fit(X, y - 1)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X, y)
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPRegressor(early_stopping=True, validation_fraction=0.01).fit(X[:50], y[:50])
    with pytest.warns(UserWarning, match="It is going to be clipped"):
        MLPRegressor(batch_size=1000, max_iter=1).fit(X, y)
