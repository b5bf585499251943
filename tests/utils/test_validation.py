"""The fast prediction-input check answers exactly as scikit-learn's checks do.

For every input, ``check_predict_input`` is compared with the calls it stands for,
``check_is_fitted`` then ``validate_data(reset=False)`` as scikit-learn's ``predict`` calls
it (``dtype='numeric'``, which refuses strings) and a cast to the estimator's floating
dtype: the same error type and message, the same warnings, the same returned array (and,
for the plain float arrays the fast path takes, the input itself).
"""

import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import config_context
from sklearn.utils.validation import check_is_fitted, validate_data

from skbackprop import (
    GaussianMixtureEM,
    LogisticBackprop,
    MLPClassifier,
    MLPRegressor,
    NormalEquationRegressor,
)
from skbackprop.utils import check_predict_input

pd = pytest.importorskip("pandas")

N_FEATURES = 4
# How each estimator's prediction methods validate their input.
CHECK_PARAMS = {
    MLPClassifier: {"dtype": (np.float64, np.float32), "accept_sparse": ["csr", "csc"]},
    MLPRegressor: {"dtype": (np.float64, np.float32), "accept_sparse": ["csr", "csc"]},
    LogisticBackprop: {"dtype": (np.float64, np.float32), "accept_sparse": "csr"},
    NormalEquationRegressor: {
        "dtype": (np.float64, np.float32, np.float16),
        "accept_sparse": "csr",
    },
    GaussianMixtureEM: {"dtype": (np.float64, np.float32)},
}
FIT_PARAMS = {
    MLPClassifier: {"max_iter": 5, "hidden_layer_sizes": (3,)},
    MLPRegressor: {"max_iter": 5, "hidden_layer_sizes": (3,)},
    GaussianMixtureEM: {"n_components": 2, "random_state": 0},
}


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, N_FEATURES))
    y = (X[:, 0] > 0).astype(int)
    return X, y


@functools.cache  # predicting does not change an estimator
def _fitted(Estimator, feature_names=False):
    X, y = _data()
    if feature_names:
        X = pd.DataFrame(X, columns=[f"f{i}" for i in range(N_FEATURES)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Estimator(**FIT_PARAMS.get(Estimator, {})).fit(X, y)


def _inputs():
    X = _data()[0][:5].copy()
    nan, inf = X.copy(), X.copy()
    nan[1, 2] = np.nan
    inf[0, 0] = -np.inf
    huge = np.full((3, N_FEATURES), np.finfo(np.float64).max)  # finite, but its sum is not
    names = [f"f{i}" for i in range(N_FEATURES)]
    return {
        "float64 C": X,
        "float64 F": np.asfortranarray(X),
        "float64 strided": np.repeat(X, 2, axis=1)[:, ::2],
        "float32": X.astype(np.float32),
        "one row": X[:1],
        "NaN": nan,
        "inf": inf,
        "finite with an overflowing sum": huge,
        "too few features": X[:, :3],
        "too many features": np.hstack([X, X]),
        "1-D": X[0],
        "3-D": X[None],
        "no rows": X[:0],
        "no columns": X[:, :0],
        "float16": X.astype(np.float16),
        "int": X.astype(np.int64),
        "bool": X > 0,
        "object": X.astype(object),
        "object with None": np.array([[1.0, None, 2.0, 3.0]], dtype=object),
        "complex": X.astype(np.complex128),
        "string": X.astype(str),
        "list": X.tolist(),
        "matrix subclass": np.asmatrix(X),
        "memmap-like subclass": X.view(type("Sub", (np.ndarray,), {})),
        "csr": sp.csr_matrix(X),
        "csc": sp.csc_matrix(X),
        "coo": sp.coo_matrix(X),
        "DataFrame with names": pd.DataFrame(X, columns=names),
        "DataFrame with other names": pd.DataFrame(X, columns=names[::-1]),
        "DataFrame without names": pd.DataFrame(X),
        "DataFrame with NaN": pd.DataFrame(nan, columns=names),
        "None": None,
        "scalar": 3.0,
    }


INPUTS = _inputs()


def _outcome(check, estimator, X):
    """What a check does with X: its result or error, and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("returned", check(estimator, X))
        except Exception as error:  # any error: the point is to compare them
            result = ("raised", type(error), str(error))
    return result, [(w.category, str(w.message)) for w in caught]


def _reference(estimator, X):
    check_is_fitted(estimator)
    params = dict(CHECK_PARAMS[type(estimator)])
    dtype = params.pop("dtype")
    dtypes = dtype if isinstance(dtype, tuple) else (dtype,)
    X = validate_data(estimator, X, reset=False, **params)
    return X if X.dtype in dtypes else X.astype(dtypes[0])


def _fast(estimator, X):
    return check_predict_input(estimator, X, **CHECK_PARAMS[type(estimator)])


def _assert_same(estimator, X):
    expected, expected_warnings = _outcome(_reference, estimator, X)
    got, got_warnings = _outcome(_fast, estimator, X)
    assert got_warnings == expected_warnings
    assert got[0] == expected[0], (got, expected)
    if got[0] == "raised":
        assert got[1:] == expected[1:]
        return
    got, expected = got[1], expected[1]
    assert type(got) is type(expected)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    if sp.issparse(got):
        assert got.format == expected.format
        got, expected = got.toarray(), expected.toarray()
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", list(INPUTS))
@pytest.mark.parametrize("Estimator", list(CHECK_PARAMS))
@pytest.mark.parametrize("feature_names", [False, True], ids=["fit on ndarray", "fit on names"])
def test_same_outcome_as_validate_data(Estimator, feature_names, name):
    _assert_same(_fitted(Estimator, feature_names), INPUTS[name])


@pytest.mark.parametrize("name", ["float64 C", "NaN", "DataFrame with names"])
@pytest.mark.parametrize("Estimator", list(CHECK_PARAMS))
def test_same_outcome_when_not_fitted(Estimator, name):
    _assert_same(Estimator(), INPUTS[name])


@pytest.mark.parametrize("name", ["NaN", "inf"])
def test_assume_finite_is_honoured(name):
    with config_context(assume_finite=True):
        _assert_same(_fitted(MLPRegressor), INPUTS[name])


@pytest.mark.parametrize(
    "name", ["float64 C", "float64 F", "one row", "finite with an overflowing sum"]
)
def test_plain_float_arrays_pass_unchanged(name):
    X = INPUTS[name]
    assert _fast(_fitted(MLPClassifier), X) is X


def test_a_dtype_is_kept_where_the_estimator_accepts_it():
    X = INPUTS["float32"]
    assert _fast(_fitted(MLPRegressor), X) is X
    assert _fast(_fitted(LogisticBackprop), X) is X
    half = INPUTS["float16"]
    assert _fast(_fitted(NormalEquationRegressor), half) is half  # as LinearRegression
    assert _fast(_fitted(MLPRegressor), half).dtype == np.float64


def test_the_feature_count_message_names_the_estimator():
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 4"):
        _fast(_fitted(MLPClassifier), INPUTS["too few features"])
