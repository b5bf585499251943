"""The prediction path gives exactly the answers of the graph's forward pass.

Predictions run the forward rules on arrays, without recording a graph, and pick classes
without LabelBinarizer; these tests compare them with the reference computation: the
graph's forward pass (:func:`skbackprop.nn.forward` and the output activation's node) and
``LabelBinarizer.inverse_transform``.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal

from skbackprop import MLPClassifier, MLPRegressor
from skbackprop.autodiff import Tensor
from skbackprop.nn import OUTPUT_ACTIVATIONS, forward


def _fit(Estimator, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short fits do not converge
        return Estimator(hidden_layer_sizes=(7, 5), max_iter=20, random_state=0, **params).fit(
            X, y
        )


def _reference_output(model, X):
    X = X.astype(model.coefs_[0].dtype)
    coefs, intercepts = [Tensor(c) for c in model.coefs_], [Tensor(b) for b in model.intercepts_]
    z = forward(Tensor(X), coefs, intercepts, model.activation)
    return OUTPUT_ACTIVATIONS[model.out_activation_][0](z).value


def _reference_classes(model, X):
    output = _reference_output(model, X)
    if model.n_outputs_ == 1:
        output = output.ravel()
    return model._label_binarizer.inverse_transform(output)


def _data(dtype=np.float64, n_samples=60):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, 4)).astype(dtype)
    return X, rng


TARGETS = {
    "binary": lambda X, rng: np.where(X[:, 0] > 0, "yes", "no"),
    "multiclass": lambda X, rng: rng.integers(0, 3, len(X)),
    "multilabel": lambda X, rng: (X[:, :3] > 0).astype(int),
}


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_classifier_matches_the_graph(activation, target, dtype):
    X, rng = _data(dtype)
    model = _fit(MLPClassifier, X, TARGETS[target](X, rng), activation=activation)
    # Extreme rows too: saturated outputs, ties at the threshold are where a shortcut
    # would differ.
    X_test = np.vstack([X, 1e3 * X[:5], np.zeros((1, 4), dtype)]).astype(dtype)
    for rows in (X_test, X_test[:1], np.asfortranarray(X_test), sp.csr_matrix(X_test)):
        proba = model.predict_proba(rows)
        output = _reference_output(model, rows)
        expected = (
            np.vstack([1 - output.ravel(), output.ravel()]).T if target == "binary" else output
        )
        assert proba.dtype == expected.dtype
        assert_array_equal(proba, expected)
        assert_array_equal(model.predict(rows), _reference_classes(model, rows))
        with np.errstate(divide="ignore"):
            assert_array_equal(model.predict_log_proba(rows), np.log(expected))


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_regressor_matches_the_graph(activation, n_outputs, dtype):
    X, _ = _data(dtype)
    y = X[:, :n_outputs] * 2 + 1
    model = _fit(MLPRegressor, X, y.ravel() if n_outputs == 1 else y, activation=activation)
    for rows in (X, X[:1], sp.csc_matrix(X)):
        expected = _reference_output(model, rows)
        got = model.predict(rows)
        assert got.dtype == expected.dtype
        assert_array_equal(got, expected.ravel() if n_outputs == 1 else expected)


def test_poisson_regressor_exp_output_matches_the_graph():
    X, rng = _data()
    model = _fit(MLPRegressor, X, rng.poisson(2.0, len(X)), loss="poisson")
    X_test = np.vstack([X, 1e3 * X[:3]])  # overflowing exp: inf, as the graph gives
    with np.errstate(over="ignore"):
        expected = _reference_output(model, X_test).ravel()
    assert_array_equal(model.predict(X_test), expected)


def test_nan_outputs_pick_the_classes_labelbinarizer_picks():
    X, rng = _data()
    for target in ("binary", "multiclass"):
        model = _fit(MLPClassifier, X, TARGETS[target](X, rng))
        model.coefs_[-1][0, 0] = np.nan  # every output NaN
        assert_array_equal(
            model._predict(X[:3], check_input=False), _reference_classes(model, X[:3])
        )


def test_single_class_and_sparse_targets_keep_labelbinarizer():
    X, _ = _data()
    model = _fit(MLPClassifier, X, np.full(len(X), 7))
    assert_array_equal(model.predict(X), _reference_classes(model, X))
    Y = sp.csr_matrix((X[:, :3] > 0).astype(int))
    model = _fit(MLPClassifier, X, Y)
    got, expected = model.predict(X), _reference_classes(model, X)
    assert sp.issparse(got)
    assert sp.issparse(expected)
    assert_array_equal(got.toarray(), expected.toarray())
