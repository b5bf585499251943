"""Agreement with scikit-learn's MLP.

Tight: with the same ``random_state`` both draw the same initial weights, shuffles and
validation split, and in float64 our steps equal scikit-learn's up to rounding, so after a
few epochs the parameters and loss curves agree to ~1e-10. Loose: held-out scores on bundled
data sets, at equal epochs and settings, agree within noise.
"""

import warnings

import numpy as np
import pytest
from sklearn import neural_network as sk
from sklearn.datasets import load_diabetes, load_digits, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skbackprop.neural_network import MLPClassifier, MLPRegressor


def _fit_both(Ours, Theirs, X, y, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = Ours(**params).fit(X, y, sample_weight=sample_weight)
        theirs = Theirs(**params).fit(X, y, sample_weight=sample_weight)
    return ours, theirs


def _assert_same_trajectory(ours, theirs, atol=1e-10):
    for mine, ref in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(mine, ref, rtol=0, atol=atol)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    if hasattr(theirs, "loss_curve_"):
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
        if theirs.best_loss_ is None:
            assert ours.best_loss_ is None
        else:
            assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-10)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-10)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X[:200]), y[:200] / 100


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


SOLVERS = [
    {"solver": "adam", "learning_rate_init": 0.01},
    {"solver": "sgd", "learning_rate_init": 0.01, "nesterovs_momentum": False},
    {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.05, "power_t": 0.3},
    {
        "solver": "sgd",
        "learning_rate": "adaptive",
        "learning_rate_init": 0.01,
        "tol": 10.0,
        "n_iter_no_change": 1,
    },
]


@pytest.mark.parametrize("settings", SOLVERS, ids=lambda s: "-".join(map(str, s.values())))
@pytest.mark.parametrize("shuffle", [True, False])
def test_regressor_follows_scikit_learns_trajectory(diabetes, settings, shuffle):
    X, y = diabetes
    ours, theirs = _fit_both(
        MLPRegressor,
        sk.MLPRegressor,
        X,
        y,
        hidden_layer_sizes=(8, 6),
        max_iter=6,
        batch_size=32,
        shuffle=shuffle,
        random_state=0,
        activation="tanh",
        alpha=0.01,
        **settings,
    )
    _assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize("activation", ["relu", "logistic", "identity"])
def test_classifier_follows_scikit_learns_trajectory(iris, activation):
    X, y = iris
    ours, theirs = _fit_both(
        MLPClassifier,
        sk.MLPClassifier,
        X,
        y,
        hidden_layer_sizes=(10,),
        max_iter=5,
        batch_size=40,
        random_state=1,
        activation=activation,
        learning_rate_init=0.02,
    )
    _assert_same_trajectory(ours, theirs)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-10)


def test_binary_and_multilabel_classifiers_follow_scikit_learn(iris):
    X, y = iris
    ours, theirs = _fit_both(
        MLPClassifier,
        sk.MLPClassifier,
        X,
        y == 2,
        hidden_layer_sizes=(6,),
        max_iter=4,
        random_state=0,
        learning_rate_init=0.02,
    )
    assert ours.out_activation_ == "logistic"
    assert ours.coefs_[-1].shape == (6, 1)
    _assert_same_trajectory(ours, theirs)
    Y = np.column_stack([y == 0, y == 1, X[:, 0] > 0]).astype(int)
    ours, theirs = _fit_both(
        MLPClassifier,
        sk.MLPClassifier,
        X,
        Y,
        hidden_layer_sizes=(6,),
        max_iter=4,
        random_state=0,
        learning_rate_init=0.02,
    )
    _assert_same_trajectory(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_sample_weight_follows_scikit_learn(diabetes):
    X, y = diabetes
    sw = np.random.default_rng(0).uniform(0.1, 3.0, size=len(y))
    ours, theirs = _fit_both(
        MLPRegressor,
        sk.MLPRegressor,
        X,
        y,
        sample_weight=sw,
        hidden_layer_sizes=(8,),
        max_iter=4,
        batch_size=50,
        random_state=0,
        alpha=0.1,
        learning_rate_init=0.01,
    )
    _assert_same_trajectory(ours, theirs)


def test_early_stopping_follows_scikit_learn(diabetes, iris):
    X, y = diabetes
    ours, theirs = _fit_both(
        MLPRegressor,
        sk.MLPRegressor,
        X,
        y,
        hidden_layer_sizes=(8,),
        max_iter=8,
        early_stopping=True,
        n_iter_no_change=2,
        random_state=0,
        learning_rate_init=0.05,
    )
    _assert_same_trajectory(ours, theirs)
    np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=1e-10)
    assert ours.best_validation_score_ == pytest.approx(theirs.best_validation_score_)
    X, y = iris
    # binary targets: both split stratified by class from the same random state
    ours, theirs = _fit_both(
        MLPClassifier,
        sk.MLPClassifier,
        X,
        y == 1,
        hidden_layer_sizes=(8,),
        max_iter=6,
        early_stopping=True,
        random_state=0,
        learning_rate_init=0.05,
    )
    _assert_same_trajectory(ours, theirs)
    assert ours.validation_scores_ == theirs.validation_scores_


def test_poisson_and_multi_output_regression_follow_scikit_learn(diabetes):
    X, y = diabetes
    counts = np.random.default_rng(0).poisson(np.exp(0.3 * X[:, 2]))
    ours, theirs = _fit_both(
        MLPRegressor,
        sk.MLPRegressor,
        X,
        counts,
        loss="poisson",
        hidden_layer_sizes=(5,),
        max_iter=5,
        random_state=0,
        learning_rate_init=0.01,
    )
    assert ours.out_activation_ == "exp"
    _assert_same_trajectory(ours, theirs)
    Y = np.column_stack([y, X[:, 0] ** 2])
    ours, theirs = _fit_both(
        MLPRegressor,
        sk.MLPRegressor,
        X,
        Y,
        hidden_layer_sizes=(5,),
        max_iter=5,
        random_state=0,
        learning_rate_init=0.01,
    )
    _assert_same_trajectory(ours, theirs)


def test_warm_start_and_partial_fit_follow_scikit_learn(iris):
    X, y = iris
    pair = []
    for Est in (MLPClassifier, sk.MLPClassifier):
        est = Est(hidden_layer_sizes=(5,), random_state=0, learning_rate_init=0.02)
        for start in range(0, 150, 50):
            est.partial_fit(X[start : start + 50], y[start : start + 50], classes=[0, 1, 2])
        est.set_params(warm_start=True, max_iter=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        pair.append(est)
    _assert_same_trajectory(*pair)


def test_lbfgs_reaches_scikit_learns_solution(iris):
    X, y = iris
    ours, theirs = _fit_both(
        MLPClassifier,
        sk.MLPClassifier,
        X,
        y,
        solver="lbfgs",
        hidden_layer_sizes=(5,),
        max_iter=30,
        random_state=0,
    )
    _assert_same_trajectory(ours, theirs, atol=1e-6)


# ---------------------------------------------------------------- held-out scores
def _split(X, y):
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.mark.parametrize(
    ("name", "Ours", "Theirs", "params"),
    [
        (
            "diabetes",
            MLPRegressor,
            sk.MLPRegressor,
            {"hidden_layer_sizes": (20,), "max_iter": 60, "learning_rate_init": 0.01},
        ),
        (
            "make_regression",
            MLPRegressor,
            sk.MLPRegressor,
            {"hidden_layer_sizes": (20,), "max_iter": 60, "learning_rate_init": 0.01},
        ),
        ("digits", MLPClassifier, sk.MLPClassifier, {"hidden_layer_sizes": (32,), "max_iter": 15}),
        (
            "iris",
            MLPClassifier,
            sk.MLPClassifier,
            {"hidden_layer_sizes": (10,), "max_iter": 60, "learning_rate_init": 0.01},
        ),
    ],
)
def test_held_out_scores_agree(name, Ours, Theirs, params):
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        y = y / 100
    elif name == "make_regression":
        X, y = make_regression(n_samples=400, n_features=10, noise=5.0, random_state=0)
        y = y / 100
    elif name == "digits":
        X, y = load_digits(return_X_y=True)
    else:
        X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = _split(X, y)
    scores = []
    for seed in (0, 1):
        # float32: the rounding differs, so the two agree within noise only
        ours, theirs = _fit_both(
            Ours, Theirs, X_train.astype(np.float32), y_train, random_state=seed, **params
        )
        scores.append((ours.score(X_test, y_test), theirs.score(X_test, y_test)))
    ours_mean, theirs_mean = np.mean(scores, axis=0)
    assert abs(ours_mean - theirs_mean) < 0.02, scores
