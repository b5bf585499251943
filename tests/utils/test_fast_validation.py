"""validate_predict_input: validate_data's result, errors and warnings, faster."""

import re
import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.datasets import make_blobs
from sklearn.utils.validation import validate_data

from skbackprop import GaussianMixtureEM
from skbackprop.utils._fast_validation import validate_predict_input

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def fitted():
    X, _ = make_blobs(n_samples=60, centers=2, n_features=3, random_state=0)
    return GaussianMixtureEM(2, random_state=0).fit(X)


@pytest.fixture(scope="module")
def fitted_with_names():
    X, _ = make_blobs(n_samples=60, centers=2, n_features=3, random_state=0)
    return GaussianMixtureEM(2, random_state=0).fit(pd.DataFrame(X, columns=["a", "b", "c"]))


def _outcome(function, estimator, X):
    """What a call returns, raises and warns."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", np.asarray(function(estimator, X)))
        except Exception as error:  # any error: the point is to compare them
            result = (type(error), str(error))
    return result, [(w.category, str(w.message)) for w in caught]


def _reference(estimator, X):
    return validate_data(estimator, X, reset=False, dtype=[np.float64, np.float32])


BAD_INPUTS = {
    "nan": np.array([[0.0, np.nan, 1.0]]),
    "inf": np.array([[0.0, np.inf, 1.0]]),
    "too few features": np.zeros((1, 2)),
    "too many features": np.zeros((2, 4)),
    "no rows": np.zeros((0, 3)),
    "1-D": np.zeros(3),
    "3-D": np.zeros((1, 1, 3)),
    "strings": np.array([["a", "b", "c"]]),
    "ints": np.arange(6).reshape(2, 3),
    "fortran order": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    "float32": np.ones((2, 3), dtype=np.float32),
    "list": [[0.0, 1.0, 2.0]],
    "dataframe": pd.DataFrame(np.zeros((1, 3)), columns=["a", "b", "c"]),
    "wrong names": pd.DataFrame(np.zeros((1, 3)), columns=["a", "b", "x"]),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
@pytest.mark.parametrize("names", [False, True])
def test_same_result_errors_and_warnings_as_validate_data(fitted, fitted_with_names, name, names):
    estimator = fitted_with_names if names else fitted
    X = BAD_INPUTS[name]
    ours, our_warnings = _outcome(validate_predict_input, estimator, X)
    theirs, their_warnings = _outcome(_reference, estimator, X)
    assert ours[0] == theirs[0]
    if ours[0] == "ok":
        np.testing.assert_array_equal(ours[1], theirs[1])
        assert ours[1].dtype == theirs[1].dtype
    else:
        assert ours[1] == theirs[1]
    assert our_warnings == their_warnings


def test_plain_ndarray_is_returned_unchanged(fitted):
    X = np.ones((2, 3))
    assert validate_predict_input(fitted, X) is X


def test_ndarray_given_to_an_estimator_fitted_with_names_warns(fitted_with_names):
    message = "X does not have valid feature names"
    with pytest.warns(UserWarning, match=re.escape(message)):
        validate_predict_input(fitted_with_names, np.ones((1, 3)))


def test_assume_finite_skips_the_check_as_validate_data_does(fitted):
    X = np.array([[np.nan, 0.0, 0.0]])
    with config_context(assume_finite=True):
        assert np.isnan(validate_predict_input(fitted, X)).any()
    with pytest.raises(ValueError, match="Input X contains NaN"):
        validate_predict_input(fitted, X)
