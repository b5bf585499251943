"""LogisticBackprop takes scikit-learn 1.9's deprecated ``penalty`` as scikit-learn does."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skbackprop import LogisticBackprop


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _warnings_and_error(estimator, X, y):
    """(the warnings' categories and messages, the error's type and message or None)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            estimator.fit(X, y)
            error = None
        except ValueError as e:
            error = (type(e), str(e))
    shown = sorted(
        {(w.category.__name__, str(w.message)) for w in caught}
        - {("ConvergenceWarning", str(w.message)) for w in caught}
    )
    return shown, error


CASES = [
    {"penalty": "l2"},
    {"penalty": "l2", "l1_ratio": 0.5},
    {"penalty": None},
    {"penalty": None, "C": 2.0},
    {"l1_ratio": None},
    {"n_jobs": 2},
]


@pytest.mark.parametrize("params", CASES, ids=str)
def test_penalty_warns_and_fails_as_in_scikit_learn(cancer, params):
    X, y = cancer
    expected = _warnings_and_error(LogisticRegression(**params), X, y)
    got = _warnings_and_error(LogisticBackprop(**params), X, y)
    assert got == expected


@pytest.mark.parametrize(
    ("params", "same_as"),
    [
        ({"penalty": "l2", "C": 0.5}, {"C": 0.5}),
        ({"penalty": None}, {"C": np.inf}),
        ({"penalty": "l1", "C": 0.5}, {"l1_ratio": 1.0, "C": 0.5}),
        ({"penalty": "elasticnet", "l1_ratio": 0.3}, {"l1_ratio": 0.3}),
        ({"penalty": "l2", "l1_ratio": 1.0}, {"l1_ratio": 0.0}),
    ],
    ids=str,
)
def test_penalty_maps_to_l1_ratio_and_c(cancer, params, same_as):
    X, y = cancer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = LogisticBackprop(**params).fit(X, y)
        expected = LogisticBackprop(**same_as).fit(X, y)
    np.testing.assert_array_equal(got.coef_, expected.coef_)


def test_penalty_is_positional_as_in_scikit_learn(cancer):
    X, y = cancer
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        LogisticBackprop("l2").fit(X, y)


@pytest.mark.parametrize("solver", ["liblinear", "newton-cg", "newton-cholesky", "sag", "saga"])
def test_scikit_learn_only_solvers_name_ours(cancer, solver):
    X, y = cancer
    with pytest.raises(ValueError, match=rf"solver='{solver}'.*Use solver='lbfgs'.*'adam'"):
        LogisticBackprop(solver=solver).fit(X, y)


def test_elasticnet_needs_l1_ratio(cancer):
    # scikit-learn's message (its lbfgs rejects elastic net before; every solver here
    # takes it).
    X, y = cancer
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="l1_ratio must be"):
        LogisticBackprop(penalty="elasticnet", l1_ratio=None).fit(X, y)
