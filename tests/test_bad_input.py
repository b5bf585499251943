"""Bad input: every estimator fails, or succeeds, as its scikit-learn counterpart does.

Each row runs one input (or one misuse) through scikit-learn's estimator and ours: the fit,
then, if it succeeds, the predictions. Both must end the same way:

- the same exception type and, unless the row checks the type only, scikit-learn's message
  (with our class's name for theirs, and without its final period), optionally followed by
  the fix;
- or, when both succeed, outputs (``predict``, and ``predict_proba`` where scikit-learn's
  estimator has it) of the same dtypes and shapes.

Ours must let no RuntimeWarning escape (numpy's included), whatever scikit-learn does.
Where we differ on purpose, the row asserts our outcome instead and says why; those
differences are listed in docs/compatibility.rst, "Errors and messages".
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn import linear_model as sk_linear
from sklearn import mixture as sk_mixture
from sklearn import neural_network as sk_nn
from sklearn.base import BaseEstimator

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


def _ridge(make):
    return lambda **kw: make(**{"alpha": 1.0, **kw})


TABULAR_SHORT = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0}
PAIRS = {
    "MLPRegressor": (_short(sk_nn.MLPRegressor), _short(skbackprop.MLPRegressor)),
    "MLPClassifier": (_short(sk_nn.MLPClassifier), _short(skbackprop.MLPClassifier)),
    "LogisticRegression": (sk_linear.LogisticRegression, skbackprop.LogisticBackprop),
    "LinearRegression": (sk_linear.LinearRegression, skbackprop.NormalEquationRegressor),
    "Ridge": (sk_linear.Ridge, _ridge(skbackprop.NormalEquationRegressor)),
    "GaussianMixture": (
        _two_components(sk_mixture.GaussianMixture),
        _two_components(skbackprop.GaussianMixtureEM),
    ),
}
# The tabular MLPs against scikit-learn's MLPs, on the rows where their input handling
# should agree (they also take NaN, text and categories, which scikit-learn's MLPs do not).
PAIRS["TabularMLPClassifier"] = (
    _short(sk_nn.MLPClassifier),
    lambda **kw: skbackprop.TabularMLPClassifier(**{**TABULAR_SHORT, **kw}),
)
PAIRS["TabularMLPRegressor"] = (
    _short(sk_nn.MLPRegressor),
    lambda **kw: skbackprop.TabularMLPRegressor(**{**TABULAR_SHORT, **kw}),
)
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
    "TabularMLPClassifier": "TabularMLPClassifier",
    "TabularMLPRegressor": "TabularMLPRegressor",
}
# The class whose name scikit-learn's messages hold, where it is not the pair's name.
THEIR_NAMES = {"TabularMLPClassifier": "MLPClassifier", "TabularMLPRegressor": "MLPRegressor"}
TARGETS = {
    "MLPRegressor": Y_REAL,
    "LinearRegression": Y_REAL,
    "Ridge": Y_REAL,
    "GaussianMixture": None,
    "TabularMLPRegressor": Y_REAL,
}
REGRESSORS = ("MLPRegressor", "LinearRegression", "Ridge")
CLASSIFIERS = ("MLPClassifier", "LogisticRegression")


def _fit_predict(X_fit, y_fit=None, X_predict=None):
    """The action: fit on ``X_fit`` (and ``y_fit(y)``), then predict on ``X_predict``.

    ``y`` is None for a model without a target; ``X_predict`` defaults to ``X_fit``.
    """

    def action(model, y):
        if y is not None and y_fit is not None:
            y = y_fit(y)
        model = model.fit(X_fit) if y is None else model.fit(X_fit, y)
        return _predictions(model, X_fit if X_predict is None else X_predict)

    return action


def _predictions(model, X_predict):
    methods = [m for m in ("predict", "predict_proba") if hasattr(model, m)]
    return {m: getattr(model, m)(X_predict) for m in methods}


def _nan(A, value=np.nan):
    A = np.array(A, dtype=float)
    A.flat[0] = value
    return A


def _fitted(model, y):
    return model.fit(X) if y is None else model.fit(X, y)


MIXED_FRAME = pd.DataFrame(
    {
        "float64": X[:, 0],
        "float32": X[:, 1].astype(np.float32),
        "int": np.arange(30) % 4,
        "bool": X[:, 2] > 0,
    }
)
FRAME_WITH_TEXT = pd.DataFrame({"number": X[:, 0], "text": ["a", "b", "c"] * 10})

# What every estimator must answer as scikit-learn does: (id, action(model, y)).
COMMON = [
    ("nan_in_X", _fit_predict(_nan(X))),
    ("inf_in_X", _fit_predict(_nan(X, np.inf))),
    ("X_1d", _fit_predict(X[:, 0])),
    ("X_3d", _fit_predict(X[:, :, None])),
    ("X_of_strings", _fit_predict(np.full((30, 3), "a"))),
    ("X_of_numeric_strings", _fit_predict(X.astype(str), X_predict=X)),
    ("numeric_strings_at_predict", _fit_predict(X, X_predict=X.astype(str))),
    ("X_complex", _fit_predict(X + 1j)),
    ("X_object_of_numbers", _fit_predict(X.astype(object))),
    ("empty_X", _fit_predict(X[:0], lambda y: y[:0])),
    ("one_sample", _fit_predict(X[:1], lambda y: y[:1])),
    ("one_feature", _fit_predict(X[:, :1])),
    ("zero_features", _fit_predict(X[:, :0])),
    ("predict_before_fit", lambda m, y: m.predict(X)),
    ("n_features_mismatch_at_predict", _fit_predict(X, X_predict=X[:, :2])),
    ("nan_at_predict", _fit_predict(X, X_predict=_nan(X))),
    ("huge_values_in_X", _fit_predict(X * 1e300)),
    ("tiny_values_in_X", _fit_predict(X * 1e-300)),
    ("X_float16", _fit_predict(X.astype(np.float16))),
    ("X_float32", _fit_predict(X.astype(np.float32))),
    ("float16_at_predict", _fit_predict(X, X_predict=X.astype(np.float16))),
    ("X_csr", _fit_predict(sparse.csr_matrix(X))),
    ("X_csc", _fit_predict(sparse.csc_matrix(X))),
    (
        "nan_in_sparse_X_at_predict",
        _fit_predict(sparse.csr_matrix(X), X_predict=sparse.csr_matrix(_nan(X))),
    ),
    (
        "inf_in_sparse_X_at_predict",
        _fit_predict(sparse.csr_matrix(X), X_predict=sparse.csr_matrix(_nan(X, np.inf))),
    ),
    ("dataframe_of_mixed_dtypes", _fit_predict(MIXED_FRAME)),
    ("dataframe_with_a_text_column", _fit_predict(FRAME_WITH_TEXT)),
]
SUPERVISED = [
    ("y_of_wrong_length", _fit_predict(X, lambda y: y[:-1])),
    ("nan_in_y", _fit_predict(X, _nan)),
    ("inf_in_y", _fit_predict(X, lambda y: _nan(y, np.inf))),
    ("sample_weight_of_wrong_length", lambda m, y: m.fit(X, y, sample_weight=np.ones(5))),
]
REGRESSOR = [
    ("huge_values_in_y", _fit_predict(X, lambda y: y * 1e300)),
    ("tiny_values_in_y", _fit_predict(X, lambda y: y * 1e-300)),
]
CLASSIFIER = [
    ("one_class", _fit_predict(X, lambda y: np.zeros(30))),
    ("continuous_y", _fit_predict(X, lambda y: Y_REAL)),
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

# The rows that apply to the tabular MLPs: the rest concern input they accept on purpose
# (NaN at predict, text, DataFrames) or options they do not have (partial_fit).
TABULAR_CASES = {
    "nan_in_X",
    "X_1d",
    "X_of_strings",
    "empty_X",
    "n_features_mismatch_at_predict",
    "huge_values_in_X",
    "y_of_wrong_length",
    "nan_in_y",
    "inf_in_y",
    "huge_values_in_y",
}

TYPE_ONLY = "type"  # marker: compare the exception type only (the reason follows)
# Where LinearRegression and Ridge disagree, NormalEquationRegressor follows
# LinearRegression whatever its alpha: these Ridge rows are held to LinearRegression.
FOLLOWS_LINEAR_REGRESSION = {
    "X_of_strings": "Ridge says 'could not convert string to float'",
    "X_of_numeric_strings": "Ridge converts the strings",
    "huge_values_in_X": "Ridge's solver fails with 'array must not contain infs or NaNs'",
    "X_float16": "Ridge predicts in float64, LinearRegression in float16",
}
# Where we differ from scikit-learn on purpose: (pair, case) -> (our exception type, or
# None where we fit, a fragment of our message, why).
DELIBERATE = {
    ("LogisticRegression", "huge_values_in_X"): (
        ValueError,
        "Scale the input features",
        "a non-finite loss raises a ValueError naming the fix, where LogisticRegression's "
        "L-BFGS backs off and returns coefficients fitted to overflowing data",
    ),
    ("MLPClassifier", "huge_values_in_X"): (
        ValueError,
        "Solver produced non-finite parameter weights",
        "scikit-learn's MLPClassifier returns probabilities of exactly 0 or 1 from a loss "
        "of 1e299; its MLPRegressor's error is raised instead",
    ),
    ("MLPRegressor", "huge_values_in_y"): (
        ValueError,
        "Solver produced non-finite parameter weights",
        "scikit-learn's MLPRegressor returns predictions nowhere near the target",
    ),
    ("GaussianMixture", "huge_values_in_X"): (
        ValueError,
        "overflow",
        "GaussianMixture's solver fails with 'array must not contain infs or NaNs'; ours "
        "names the cause and the fix",
    ),
}
_IMPUTES = (
    "the tabular MLPs impute missing numbers (the median, plus a missing indicator): NaN in "
    "X is input they are made for"
)
DELIBERATE.update(
    {
        ("TabularMLPClassifier", "nan_in_X"): (None, "", _IMPUTES),
        ("TabularMLPRegressor", "nan_in_X"): (None, "", _IMPUTES),
        ("TabularMLPRegressor", "huge_values_in_X"): (
            None,
            "",
            "robust scaling and smooth clipping bring the inputs to a few units, so the fit "
            "is that on X / 1e300; scikit-learn's MLPRegressor diverges",
        ),
    }
)
# Rows of the tabular MLPs whose exception type only is compared: (case) -> the check.
TABULAR_CHECKS = {
    "X_of_strings": (
        TYPE_ONLY,
        "numeric-only input is validated by check_array's message; scikit-learn's MLP "
        "reports the failed float conversion",
    ),
}


def _rows():
    rows = []
    for pair in ("MLPRegressor", "MLPClassifier", "LogisticRegression", *REGRESSORS[1:]):
        rows += [(pair, case, action, {}, None) for case, action in COMMON + SUPERVISED]
    rows += [("GaussianMixture", case, action, {}, None) for case, action in COMMON]
    for pair, extra in (("TabularMLPClassifier", []), ("TabularMLPRegressor", REGRESSOR)):
        rows += [
            (pair, case, action, {}, TABULAR_CHECKS.get(case))
            for case, action in COMMON + SUPERVISED + extra
            if case in TABULAR_CASES
        ]
    for pair in REGRESSORS:
        rows += [(pair, case, action, {}, None) for case, action in REGRESSOR]
    for pair in CLASSIFIERS:
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
    rows.append(
        (
            "LinearRegression",
            "negative_sample_weight",
            lambda m, y: m.fit(X, y, sample_weight=-np.ones(30)),
            {},
            None,
        )
    )
    return [
        pytest.param(pair, case, action, kwargs, check, id=f"{pair}-{case}")
        for pair, case, action, kwargs, check in rows
    ]


def _outcome(make, action, kwargs, y):
    """(the exception or None, {method: (dtype, shape)}, the RuntimeWarnings emitted)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = action(make(**kwargs), y)
        except Exception as raised:  # the point is to compare them
            error, outputs = raised, {}
        else:
            error = None
            if isinstance(result, BaseEstimator):
                result = _predictions(result, X)
            outputs = {name: (out.dtype, out.shape) for name, out in result.items()}
    runtime = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return error, outputs, runtime


@pytest.mark.parametrize(("pair", "case", "action", "kwargs", "check"), _rows())
def test_same_outcome_as_scikit_learn(pair, case, action, kwargs, check):
    theirs, ours = PAIRS[pair]
    if pair == "Ridge" and case in FOLLOWS_LINEAR_REGRESSION:
        theirs = PAIRS["LinearRegression"][0]
    y = TARGETS.get(pair, Y_CLASSES)
    got, our_outputs, leaked = _outcome(ours, action, kwargs, y)
    assert not leaked, f"RuntimeWarnings escaped: {leaked}"
    if (pair, case) in DELIBERATE:
        error_type, fragment, _ = DELIBERATE[pair, case]
        if error_type is None:  # we fit where scikit-learn raises
            assert got is None, f"we should fit: {got!r}"
            return
        assert type(got) is error_type, f"we should raise {error_type.__name__}: {got!r}"
        assert fragment in str(got)
        return
    expected, their_outputs, _ = _outcome(theirs, action, kwargs, y)
    if expected is None:
        assert got is None, f"scikit-learn fits; we raise {got!r}"
        assert our_outputs == their_outputs, "the outputs' dtypes or shapes differ"
        return
    assert type(got) is type(expected), f"scikit-learn raises {expected!r}; we {got!r}"
    if check is not None:
        return  # the type only: see the row's reason
    name = "LinearRegression" if pair == "Ridge" and theirs is not PAIRS[pair][0] else pair
    name = THEIR_NAMES.get(pair, name)
    message = str(expected).replace(name, NAMES[pair]).rstrip(". ")
    assert re.match(re.escape(message), str(got)), f"{str(got)!r} is not {message!r}"


def test_every_deliberate_difference_is_a_row():
    ids = {(pair, case) for pair, case, *_ in (p.values for p in _rows())}
    assert set(DELIBERATE) <= ids
    assert {("Ridge", case) for case in FOLLOWS_LINEAR_REGRESSION} <= ids
