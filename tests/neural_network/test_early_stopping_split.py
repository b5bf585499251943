"""Early stopping holds out the rows scikit-learn holds out, and follows its path."""

import re
import warnings

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.preprocessing import StandardScaler

import skbackprop.neural_network as ours

LOADERS = {"iris": load_iris, "wine": load_wine, "digits": load_digits}


@pytest.mark.parametrize("dataset", list(LOADERS))
@pytest.mark.parametrize("random_state", [0, 1])
def test_multiclass_early_stopping_follows_scikit_learn(dataset, random_state):
    X, y = LOADERS[dataset](return_X_y=True)
    X = StandardScaler().fit_transform(X)
    params = {
        "hidden_layer_sizes": (20,),
        "early_stopping": True,
        "max_iter": 60,
        "random_state": random_state,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short fits may not converge
        expected = sk.MLPClassifier(**params).fit(X, y)
        got = ours.MLPClassifier(**params).fit(X, y)
    assert got.n_iter_ == expected.n_iter_
    np.testing.assert_allclose(got.validation_scores_, expected.validation_scores_, atol=1e-12)
    assert got.best_validation_score_ == expected.best_validation_score_


def test_binary_early_stopping_follows_scikit_learn():
    X, y = load_iris(return_X_y=True)
    X, y = StandardScaler().fit_transform(X[y < 2]), y[y < 2]
    params = {"early_stopping": True, "max_iter": 30, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = sk.MLPClassifier(**params).fit(X, y)
        got = ours.MLPClassifier(**params).fit(X, y)
    assert got.n_iter_ == expected.n_iter_
    np.testing.assert_allclose(got.validation_scores_, expected.validation_scores_, atol=1e-12)


@pytest.mark.parametrize(
    "y", [np.array([True] * 19 + [False]), np.array(["a"] * 19 + ["b"]), np.r_[[3] * 19, 7]]
)
def test_a_class_with_one_member_gets_scikit_learn_message(y):
    X = np.random.RandomState(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match="least populated") as expected:
        sk.MLPClassifier(early_stopping=True).fit(X, y)
    with pytest.raises(ValueError, match=re.escape(str(expected.value))):
        ours.MLPClassifier(early_stopping=True).fit(X, y)
    if y.dtype == bool:
        assert "['False']" in str(expected.value)
