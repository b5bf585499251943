"""scikit-learn's estimator checks, and the everyday contracts, for every public estimator.

An estimator joins this file by being exported in ``skbackprop.__all__``.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.datasets import load_diabetes, load_iris, make_blobs
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import skbackprop

ESTIMATORS = [
    getattr(skbackprop, name)
    for name in skbackprop.__all__
    if isinstance(getattr(skbackprop, name), type)
    and issubclass(getattr(skbackprop, name), BaseEstimator)
]

# A small grid over one of each estimator's own parameters; estimators not listed are
# searched over the scaler's parameter, which still exercises clone/set_params in the search.
GRIDS = {
    "MLPRegressor": {"model__alpha": [1e-4, 1e-2]},
    "MLPClassifier": {"model__alpha": [1e-4, 1e-2]},
    "LogisticBackprop": {"model__C": [0.1, 1.0]},
    "NormalEquationRegressor": {"model__alpha": [0.0, 1.0]},
    "GaussianMixtureEM": {"model__n_components": [1, 2]},
}
# Settings that keep the everyday tests fast; they change nothing about the contracts.
FAST = {
    "MLPRegressor": {"max_iter": 30, "hidden_layer_sizes": (8,)},
    "MLPClassifier": {"max_iter": 30, "hidden_layer_sizes": (8,)},
    "TabularMLPClassifier": {"max_iter": 10, "hidden_layer_sizes": (16, 16)},
    "TabularMLPRegressor": {"max_iter": 10, "hidden_layer_sizes": (16, 16)},
}
# The scikit-learn checks of estimators whose defaults are slow (three layers of 256 units
# for 256 epochs) run with these smaller settings; the contracts are the same.
CHECK_SETTINGS = {
    "TabularMLPClassifier": {"max_iter": 20, "hidden_layer_sizes": (32, 32)},
    "TabularMLPRegressor": {"max_iter": 20, "hidden_layer_sizes": (32, 32)},
}
# Checks an estimator cannot pass by its design, with the reason (scikit-learn lists the
# same for its own estimators that hold out a validation split).
_HELD_OUT = (
    "a validation split, data-driven initialisation and dropout draw from the rows, so "
    "weighting a row is not the same as repeating it"
)
EXPECTED_FAILED = {
    "TabularMLPClassifier": {"check_sample_weight_equivalence_on_dense_data": _HELD_OUT},
    "TabularMLPRegressor": {"check_sample_weight_equivalence_on_dense_data": _HELD_OUT},
}


# Non-default configurations that add behaviour of their own, checked like the defaults.
CONFIGURATIONS = [
    skbackprop.MLPRegressor(loss="quantile", quantile=0.8),
    skbackprop.MLPRegressor(loss="huber", huber_epsilon=0.5),
]


def _instances():
    return [
        Estimator(**CHECK_SETTINGS.get(Estimator.__name__, {})) for Estimator in ESTIMATORS
    ] + CONFIGURATIONS


def _expected_failed(estimator):
    return EXPECTED_FAILED.get(type(estimator).__name__, {})


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failed)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# Non-default configurations: what skbackprop adds keeps every contract too.
EXTENSIONS = [
    skbackprop.MLPClassifier(class_weight="balanced"),
    skbackprop.MLPClassifier(hidden_layer_sizes=(10, 5), activation=["relu", "tanh"]),
    skbackprop.MLPRegressor(hidden_layer_sizes=(10, 5), activation=("tanh", "logistic")),
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(EXTENSIONS)
def test_sklearn_compatible_extension(estimator, check):
    check(estimator)


def _data(estimator):
    if is_classifier(estimator):
        return load_iris(return_X_y=True)
    if is_regressor(estimator):
        return load_diabetes(return_X_y=True)
    X, _ = make_blobs(n_samples=150, centers=2, n_features=3, random_state=0)
    return X, None


def _fast(Estimator):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    return Estimator(**FAST.get(Estimator.__name__, {}))


def _outputs(estimator, X):
    names = ("predict", "predict_proba", "score_samples", "decision_function")
    return {n: getattr(estimator, n)(X) for n in names if hasattr(estimator, n)}


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_pickle_round_trip_predicts_the_same(Estimator):
    X, y = _data(Estimator())
    estimator = _fast(Estimator).fit(X, y)
    restored = pickle.loads(pickle.dumps(estimator))
    for name, expected in _outputs(estimator, X).items():
        np.testing.assert_array_equal(getattr(restored, name)(X), expected, err_msg=name)


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_clone_keeps_parameters_and_drops_fitted_state(Estimator):
    X, y = _data(Estimator())
    estimator = _fast(Estimator).fit(X, y)
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params()
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(copy))


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_pipeline_and_grid_search(Estimator):
    X, y = _data(Estimator())
    pipe = Pipeline([("scale", StandardScaler()), ("model", _fast(Estimator))])
    grid = GRIDS.get(Estimator.__name__, {"scale__with_mean": [True, False]})
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert set(search.cv_results_["params"][0]) == set(grid)
    assert np.isfinite(search.best_score_)
    assert search.predict(X).shape[0] == X.shape[0]
