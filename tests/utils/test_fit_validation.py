"""The fast fit-input checks answer exactly as scikit-learn's checks do.

``check_fit_input`` is compared with ``validate_data(X, y, ...)`` as LogisticBackprop and
NormalEquationRegressor call it (and without ``y``, as GaussianMixtureEM calls it), and
``classes_of_targets`` with ``check_classification_targets`` then ``np.unique``: the same
error type and message, the same warnings, the same returned arrays, and the same
``n_features_in_`` and ``feature_names_in_`` on the estimator afterwards.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import config_context
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from skbackprop import GaussianMixtureEM, LogisticBackprop, NormalEquationRegressor
from skbackprop.utils import check_fit_input, classes_of_targets

pd = pytest.importorskip("pandas")

N_FEATURES = 4
# How each estimator's fit validates its data.
CHECK_PARAMS = {
    LogisticBackprop: {"accept_sparse": "csr", "dtype": np.float64, "order": "C"},
    NormalEquationRegressor: {
        "accept_sparse": "csr",
        "dtype": [np.float64, np.float32],
        "y_numeric": True,
        "multi_output": True,
    },
    GaussianMixtureEM: {"dtype": [np.float64, np.float32], "ensure_min_samples": 2},
}
# The estimators that validate X alone (validate_data's default y="no_validation").
UNSUPERVISED = (GaussianMixtureEM,)


def _X_inputs():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, N_FEATURES))
    nan = X.copy()
    nan[3, 1] = np.nan
    names = [f"f{i}" for i in range(N_FEATURES)]
    return {
        "float64 C": X,
        "float64 F": np.asfortranarray(X),
        "float64 strided": np.repeat(X, 2, axis=1)[:, ::2],
        "float32": X.astype(np.float32),
        "int": (X * 10).astype(np.int64),
        "NaN": nan,
        "finite with an overflowing sum": np.full((30, N_FEATURES), np.finfo(np.float64).max),
        "no columns": X[:, :0],
        "1-D": X[:, 0],
        "3-D": X[None],
        "object": X.astype(object),
        "complex": X.astype(np.complex128),
        "list": X.tolist(),
        "subclass": X.view(type("Sub", (np.ndarray,), {})),
        "csr": sp.csr_matrix(X),
        "DataFrame with names": pd.DataFrame(X, columns=names),
    }


def _y_inputs():
    y = np.arange(30) % 3
    y_float = y.astype(np.float64)
    nan = y_float.copy()
    nan[0] = np.nan
    return {
        "int": y,
        "uint8": y.astype(np.uint8),
        "float64": y_float,
        "float32": y.astype(np.float32),
        "float NaN": nan,
        "float inf": np.where(y == 0, np.inf, y_float),
        "continuous": y_float + 0.5,
        "column": y.reshape(-1, 1),
        "two columns": np.column_stack([y, y]),
        "no columns": np.empty((30, 0)),
        "strided": np.repeat(y, 2)[::2],
        "too short": y[:-1],
        "strings": y.astype(str),
        "bool": y > 0,
        "object": y.astype(object),
        "list": y.tolist(),
        "Series": pd.Series(y),
        "None": None,
    }


X_INPUTS, Y_INPUTS = _X_inputs(), _y_inputs()


def _outcome(check, estimator, X, y):
    """What a check does: its result or error, its warnings, and the estimator after."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("returned", check(estimator, X, y))
        except Exception as error:  # any error: the point is to compare them
            result = ("raised", type(error), str(error))
    state = {
        "n_features_in_": getattr(estimator, "n_features_in_", None),
        "feature_names_in_": getattr(estimator, "feature_names_in_", None),
    }
    return result, [(w.category, str(w.message)) for w in caught], state


def _assert_same_arrays(got, expected):
    assert type(got) is type(expected)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    if sp.issparse(got):
        got, expected = got.toarray(), expected.toarray()
    else:
        assert got.flags.c_contiguous == expected.flags.c_contiguous
    np.testing.assert_array_equal(got, expected)


def _estimator(Estimator, fitted_with):
    """A new estimator, or one carrying the state a fit on ndarray or DataFrame leaves."""
    estimator = Estimator()
    if fitted_with == "names":
        estimator.feature_names_in_ = np.array([f"f{i}" for i in range(N_FEATURES)], object)
    if fitted_with is not None:
        estimator.n_features_in_ = N_FEATURES
    return estimator


def _assert_same(Estimator, X, y, reset=True, fitted_with=None):
    params = CHECK_PARAMS[Estimator]
    if Estimator in UNSUPERVISED:
        y = "no_validation"

    def reference(estimator, X, y):
        return validate_data(estimator, X, y, reset=reset, **params)

    def fast(estimator, X, y):
        return check_fit_input(estimator, X, y, reset=reset, **params)

    expected, expected_warnings, expected_state = _outcome(
        reference, _estimator(Estimator, fitted_with), X, y
    )
    got, got_warnings, got_state = _outcome(fast, _estimator(Estimator, fitted_with), X, y)
    assert got_warnings == expected_warnings
    assert got[0] == expected[0], (got, expected)
    if got[0] == "raised":
        assert got[1:] == expected[1:]
    else:
        if Estimator in UNSUPERVISED:  # X alone, not a pair
            got, expected = (None, (got[1],)), (None, (expected[1],))
        for got_array, expected_array in zip(got[1], expected[1]):
            _assert_same_arrays(got_array, expected_array)
    assert got_state["n_features_in_"] == expected_state["n_features_in_"]
    np.testing.assert_array_equal(
        got_state["feature_names_in_"], expected_state["feature_names_in_"]
    )


@pytest.mark.parametrize("X_name", list(X_INPUTS))
@pytest.mark.parametrize("Estimator", list(CHECK_PARAMS))
def test_same_outcome_as_validate_data_for_X(Estimator, X_name):
    _assert_same(Estimator, X_INPUTS[X_name], Y_INPUTS["int"])


@pytest.mark.parametrize("y_name", list(Y_INPUTS))
@pytest.mark.parametrize("Estimator", [E for E in CHECK_PARAMS if E not in UNSUPERVISED])
def test_same_outcome_as_validate_data_for_y(Estimator, y_name):
    _assert_same(Estimator, X_INPUTS["float64 C"], Y_INPUTS[y_name])


@pytest.mark.parametrize("X_name", ["float64 C", "DataFrame with names", "no columns"])
@pytest.mark.parametrize("fitted_with", [None, "ndarray", "names"])
@pytest.mark.parametrize("reset", [True, False])
@pytest.mark.parametrize("Estimator", list(CHECK_PARAMS))
def test_feature_names_and_count_as_validate_data(Estimator, reset, fitted_with, X_name):
    _assert_same(Estimator, X_INPUTS[X_name], Y_INPUTS["int"], reset, fitted_with)


def test_wrong_feature_count_on_a_later_call():
    X = X_INPUTS["float64 C"][:, :3]
    for Estimator in CHECK_PARAMS:
        _assert_same(Estimator, X, Y_INPUTS["int"], reset=False, fitted_with="ndarray")


@pytest.mark.parametrize("name", ["NaN", "finite with an overflowing sum"])
def test_assume_finite_is_honoured(name):
    with config_context(assume_finite=True):
        _assert_same(NormalEquationRegressor, X_INPUTS[name], Y_INPUTS["float64"])


def test_plain_arrays_pass_unchanged():
    X, y = X_INPUTS["float64 C"], Y_INPUTS["int"]
    estimator = LogisticBackprop()
    assert all(a is b for a, b in zip(check_fit_input(estimator, X, y, dtype=np.float64), (X, y)))
    assert estimator.n_features_in_ == N_FEATURES


def test_unsupervised_plain_arrays_pass_unchanged():
    X = X_INPUTS["float64 C"]
    estimator = GaussianMixtureEM()
    assert check_fit_input(estimator, X, **CHECK_PARAMS[GaussianMixtureEM]) is X
    assert estimator.n_features_in_ == N_FEATURES


@pytest.mark.parametrize("n_samples", [1, 2])
def test_too_few_samples_as_validate_data(n_samples):
    _assert_same(GaussianMixtureEM, X_INPUTS["float64 C"][:n_samples], None)


def test_other_parameters_go_to_scikit_learn():
    # ensure_min_features is not one the fast path knows: scikit-learn applies it.
    with pytest.raises(ValueError, match="minimum of 5 is required"):
        check_fit_input(
            NormalEquationRegressor(),
            X_INPUTS["float64 C"],
            Y_INPUTS["float64"],
            dtype=np.float64,
            ensure_min_features=5,
        )


def _classes_outcome(check, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("returned", check(y))
        except Exception as error:  # any error: the point is to compare them
            result = ("raised", type(error), str(error))
    return result, [(w.category, str(w.message)) for w in caught]


def _reference_classes(y):
    check_classification_targets(y)
    return np.unique(y, return_inverse=True)


CLASS_TARGETS = {
    "binary": np.array([0, 1] * 15),
    "multiclass": np.arange(30) % 3,
    "one class": np.zeros(30, dtype=int),
    "uint8": (np.arange(30) % 4).astype(np.uint8),
    "more classes than half the samples": np.arange(30),
    "as many classes as samples, few samples": np.arange(20),
    "float labels": np.arange(30.0) % 3,
    "continuous": np.linspace(0, 1, 30),
    "strings": np.array(["a", "b", "c"] * 10),
    "column": (np.arange(30) % 3).reshape(-1, 1),
    "multilabel": np.eye(3, dtype=int)[np.arange(30) % 3],
    "list": [0, 1, 2] * 10,
}


@pytest.mark.parametrize("name", list(CLASS_TARGETS))
def test_classes_as_check_classification_targets(name):
    y = CLASS_TARGETS[name]
    expected, expected_warnings = _classes_outcome(_reference_classes, y)
    got, got_warnings = _classes_outcome(classes_of_targets, y)
    assert got_warnings == expected_warnings
    assert got[0] == expected[0]
    if got[0] == "raised":
        assert got[1:] == expected[1:]
        return
    for got_array, expected_array in zip(got[1], expected[1]):
        assert got_array.dtype == expected_array.dtype
        np.testing.assert_array_equal(got_array, expected_array)
