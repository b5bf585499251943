"""Every estimator fails as its scikit-learn counterpart does.

Each row runs one bad input (or one misuse) against scikit-learn's estimator and ours. Both
must raise the same exception type; where the row checks the message, ours must be
scikit-learn's (with our class's name for theirs, and without its final period), optionally
followed by the fix. Rows that check the type only, or that are expected to fail, say why;
the differences kept on purpose are listed in docs/compatibility.rst, "Errors and
messages".
"""

import re
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk_linear
from sklearn import mixture as sk_mixture
from sklearn import neural_network as sk_nn

import skbackprop

RNG = np.random.RandomState(0)
X = RNG.standard_normal((30, 3))
Y_CLASSES = np.repeat([0, 1, 2], 10)
Y_REAL = X.sum(axis=1)


def _short(make):
    """The estimator with few iterations, unless the row sets max_iter."""
    return lambda **kw: make(**{"max_iter": 5, **kw})


def _two_components(make):
    return lambda **kw: make(**{"n_components": 2, **kw})


PAIRS = {
    "MLPRegressor": (_short(sk_nn.MLPRegressor), _short(skbackprop.MLPRegressor)),
    "MLPClassifier": (_short(sk_nn.MLPClassifier), _short(skbackprop.MLPClassifier)),
    "LogisticRegression": (sk_linear.LogisticRegression, skbackprop.LogisticBackprop),
    "LinearRegression": (sk_linear.LinearRegression, skbackprop.NormalEquationRegressor),
    "Ridge": (sk_linear.Ridge, skbackprop.NormalEquationRegressor),
    "GaussianMixture": (
        _two_components(sk_mixture.GaussianMixture),
        _two_components(skbackprop.GaussianMixtureEM),
    ),
}
# LogisticRegression has no partial_fit: SGDClassifier's log-loss model is the reference.
PAIRS["SGDClassifier"] = (
    lambda **kw: sk_linear.SGDClassifier(loss="log_loss", **kw),
    lambda **kw: skbackprop.LogisticBackprop(solver="sgd", **kw),
)
NAMES = {
    "MLPRegressor": "MLPRegressor",
    "MLPClassifier": "MLPClassifier",
    "LogisticRegression": "LogisticBackprop",
    "SGDClassifier": "LogisticBackprop",
    "LinearRegression": "NormalEquationRegressor",
    "Ridge": "NormalEquationRegressor",
    "GaussianMixture": "GaussianMixtureEM",
}
TARGETS = {
    "MLPRegressor": Y_REAL,
    "LinearRegression": Y_REAL,
    "Ridge": Y_REAL,
    "GaussianMixture": None,
}


def _with(X_bad, y_bad="same"):
    def fit(model, y):
        y = y if isinstance(y_bad, str) else y_bad
        return model.fit(X_bad) if y is None else model.fit(X_bad, y)

    return fit


def _nan(A):
    A = A.copy()
    A[0, 0] = np.nan
    return A


def _inf(A):
    A = A.copy()
    A[0, 0] = np.inf
    return A


def _fitted(model, y):
    return model.fit(X) if y is None else model.fit(X, y)


# Misuses every estimator must answer as scikit-learn does: (id, action(model, y)).
COMMON = [
    ("nan_in_X", _with(_nan(X))),
    ("inf_in_X", _with(_inf(X))),
    ("X_1d", _with(X[:, 0])),
    ("X_3d", _with(X[:, :, None])),
    ("X_of_strings", _with(np.full((30, 3), "a"))),
    ("X_complex", _with(X + 1j)),
    ("X_object_of_numbers", _with(X.astype(object))),
    ("empty_X", lambda m, y: _with(X[:0], None if y is None else y[:0])(m, y)),
    ("one_sample", lambda m, y: _with(X[:1], None if y is None else y[:1])(m, y)),
    ("predict_before_fit", lambda m, y: m.predict(X)),
    ("n_features_mismatch_at_predict", lambda m, y: _fitted(m, y).predict(X[:, :2])),
    ("nan_at_predict", lambda m, y: _fitted(m, y).predict(_nan(X))),
]
SUPERVISED = [
    ("y_of_wrong_length", lambda m, y: m.fit(X, y[:-1])),
    ("nan_in_y", lambda m, y: m.fit(X, np.r_[np.nan, y[1:]])),
    ("sample_weight_of_wrong_length", lambda m, y: m.fit(X, y, sample_weight=np.ones(5))),
]
CLASSIFIER = [
    ("one_class", lambda m, y: m.fit(X, np.zeros(30))),
    ("continuous_y", lambda m, y: m.fit(X, Y_REAL)),
]
PARTIAL_FIT = [
    ("partial_fit_without_classes", lambda m, y: m.partial_fit(X, y)),
    (
        "partial_fit_unseen_labels",
        lambda m, y: m.partial_fit(X, y, classes=[0, 1, 2]).partial_fit(X, y + 5),
    ),
    (
        "partial_fit_other_classes",
        lambda m, y: m.partial_fit(X, y, classes=[0, 1, 2]).partial_fit(
            X, y, classes=[0, 1, 2, 3]
        ),
    ),
    (
        "partial_fit_n_features_mismatch",
        lambda m, y: m.partial_fit(X, y, classes=[0, 1, 2]).partial_fit(X[:, :2], y),
    ),
]

TYPE_ONLY = "type"  # marker: compare the exception type only (the reason follows)


def _rows():
    rows = []
    for pair in ("MLPRegressor", "MLPClassifier", "LogisticRegression", "LinearRegression"):
        rows += [(pair, case, action, {}, None) for case, action in COMMON + SUPERVISED]
    rows += [("GaussianMixture", case, action, {}, None) for case, action in COMMON]
    for pair in ("MLPClassifier", "LogisticRegression"):
        rows += [(pair, case, action, {}, None) for case, action in CLASSIFIER]
    for pair in ("MLPClassifier", "SGDClassifier"):
        rows += [(pair, case, action, {}, None) for case, action in PARTIAL_FIT]
    rows += [
        ("MLPRegressor", "max_iter_negative", _fitted, {"max_iter": -1}, None),
        ("MLPRegressor", "hidden_layer_of_size_0", _fitted, {"hidden_layer_sizes": (5, 0)}, None),
        (
            "MLPClassifier",
            "warm_start_with_new_classes",
            lambda m, y: m.fit(X, y).fit(X, y + 1),
            {"warm_start": True},
            None,
        ),
        (
            "MLPClassifier",
            "partial_fit_with_early_stopping",
            lambda m, y: m.partial_fit(X, y, classes=[0, 1, 2]),
            {"early_stopping": True},
            None,
        ),
        (
            "MLPClassifier",
            "unknown_solver",
            _fitted,
            {"solver": "foo"},
            (TYPE_ONLY, "the list of valid solvers includes ours ('rmsprop')"),
        ),
        (
            "MLPClassifier",
            "lbfgs_partial_fit",
            lambda m, y: m.partial_fit(X, y, classes=[0, 1, 2]),
            {"solver": "lbfgs"},
            None,
        ),
        ("LogisticRegression", "C_negative", _fitted, {"C": -1}, None),
        ("LogisticRegression", "l1_ratio_above_1", _fitted, {"l1_ratio": 2}, None),
        (
            "LogisticRegression",
            "unknown_penalty",
            _fitted,
            {"penalty": "foo"},
            (TYPE_ONLY, "the listed options are a set, printed in any order"),
        ),
        (
            "LogisticRegression",
            "class_weight_of_unknown_class",
            _fitted,
            {"class_weight": {7: 1}},
            None,
        ),
        (
            "LogisticRegression",
            "unknown_solver",
            _fitted,
            {"solver": "foo"},
            (TYPE_ONLY, "the valid solvers are ours, not scikit-learn's"),
        ),
        (
            "LogisticRegression",
            "max_iter_negative",
            _fitted,
            {"max_iter": -1},
            (TYPE_ONLY, "max_iter must be at least 1 here, 0 is allowed there"),
        ),
        ("LinearRegression", "fit_intercept_not_bool", _fitted, {"fit_intercept": "yes"}, None),
        (
            "Ridge",
            "alpha_negative",
            _fitted,
            {"alpha": -1},
            (TYPE_ONLY, "a per-target array of alpha is not accepted"),
        ),
        ("GaussianMixture", "n_components_0", _fitted, {"n_components": 0}, None),
        (
            "GaussianMixture",
            "unknown_covariance_type",
            _fitted,
            {"covariance_type": "foo"},
            (TYPE_ONLY, "the listed options are a set, printed in any order"),
        ),
        ("GaussianMixture", "more_components_than_samples", _fitted, {"n_components": 40}, None),
        (
            "GaussianMixture",
            "weights_init_not_normalized",
            _fitted,
            {"weights_init": [0.5, 0.7]},
            None,
        ),
        (
            "GaussianMixture",
            "means_init_of_wrong_shape",
            _fitted,
            {"means_init": np.zeros((3, 3))},
            None,
        ),
        ("GaussianMixture", "sample_before_fit", lambda m, y: m.sample(3), {}, None),
        (
            "GaussianMixture",
            "sample_0",
            lambda m, y: _fitted(m, y).sample(0),
            {},
            (TYPE_ONLY, "scikit-learn's message reports n_samples=1 for 0; ours names 0"),
        ),
    ]
    xfails = {
        ("LogisticRegression", "huge_values_in_X"): "kept: a non-finite loss raises a "
        "ValueError naming the fix, where LogisticRegression's L-BFGS backs off and "
        "returns coefficients fitted to overflowing data",
    }
    rows.append(("LogisticRegression", "huge_values_in_X", _with(X * 1e200), {}, None))
    rows.append(
        (
            "LinearRegression",
            "negative_sample_weight",
            lambda m, y: m.fit(X, y, sample_weight=-np.ones(30)),
            {},
            None,
        )
    )
    params = []
    for pair, case, action, kwargs, check in rows:
        marks = ()
        if (pair, case) in xfails:
            marks = pytest.mark.xfail(strict=True, reason=xfails[pair, case])
        params.append(pytest.param(pair, action, kwargs, check, id=f"{pair}-{case}", marks=marks))
    return params


def _outcome(make, action, kwargs, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and deprecation warnings of both
        try:
            action(make(**kwargs), y)
        except Exception as error:  # the point is to compare them
            return error
    return None


@pytest.mark.parametrize(("pair", "action", "kwargs", "check"), _rows())
def test_same_error_as_scikit_learn(pair, action, kwargs, check):
    theirs, ours = PAIRS[pair]
    y = TARGETS.get(pair, Y_CLASSES)
    expected = _outcome(theirs, action, kwargs, y)
    got = _outcome(ours, action, kwargs, y)
    if expected is None:
        assert got is None, f"scikit-learn fits; we raise {got!r}"
        return
    assert type(got) is type(expected), f"scikit-learn raises {expected!r}; we {got!r}"
    if check is not None:
        return  # the type only: see the row's reason
    message = str(expected).replace(pair, NAMES[pair]).rstrip(". ")
    assert re.match(re.escape(message), str(got)), f"{str(got)!r} is not {message!r}"
