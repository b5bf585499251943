"""The scikit-learn behaviours a user relies on: fit/partial_fit/warm_start, outputs,
dtypes, sparse input, verbose, and the fitted attributes."""

import tracemalloc
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skbackprop.neural_network import MLPClassifier, MLPRegressor
from skbackprop.nn.objective import MinibatchObjective


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=120, n_features=5, n_targets=2, random_state=0)
    return X, y / 100


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_classifier_outputs(iris):
    X, y = iris
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), max_iter=40, random_state=0, learning_rate_init=0.02
    ).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) > 0.8
    assert clf.n_layers_ == 3
    assert clf.n_outputs_ == 3
    assert clf.out_activation_ == "softmax"
    assert len(clf.loss_curve_) == clf.n_iter_ == 40
    assert clf.t_ == 40 * 150
    assert clf.gradient_norms_.shape == (40, 2)
    assert np.all(clf.gradient_norms_ > 0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_string_labels_and_binary_probabilities(iris):
    X, y = iris
    labels = np.array(["setosa", "other"])[(y > 0).astype(int)]
    clf = MLPClassifier(
        hidden_layer_sizes=(4,), max_iter=20, random_state=0, learning_rate_init=0.05
    ).fit(X, labels)
    assert list(clf.classes_) == ["other", "setosa"]
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= {"other", "setosa"}


def test_multilabel_classification():
    X, Y = make_multilabel_classification(n_samples=80, n_classes=4, random_state=0)
    clf = MLPClassifier(
        hidden_layer_sizes=(10,), max_iter=50, random_state=0, learning_rate_init=0.02
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == Y.shape
    assert clf.predict_proba(X).shape == Y.shape
    assert clf.score(X, Y) > 0.3  # subset accuracy, far above chance (1/16)


def test_multi_output_regression(regression):
    X, Y = regression
    reg = MLPRegressor(
        hidden_layer_sizes=(16,), max_iter=200, random_state=0, learning_rate_init=0.01
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, Y)
    assert reg.predict(X).shape == (120, 2)
    assert reg.score(X, Y) > 0.9


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier])
@pytest.mark.parametrize("solver", ["adam", "sgd", "rmsprop", "lbfgs"])
def test_float32_stays_float32(iris, Estimator, solver):
    X, y = iris
    X32 = X.astype(np.float32)
    est = Estimator(hidden_layer_sizes=(5,), max_iter=3, solver=solver, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X32, y)
    assert all(c.dtype == np.float32 for c in est.coefs_ + est.intercepts_)
    output = est.predict_proba(X32) if hasattr(est, "predict_proba") else est.predict(X32)
    assert output.dtype == np.float32


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier])
def test_sparse_csr_input_trains_like_dense(iris, Estimator):
    X, y = iris
    params = {"hidden_layer_sizes": (5,), "max_iter": 3, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = Estimator(**params).fit(X, y)
        csr = Estimator(**params).fit(sparse.csr_matrix(X), y)
    for a, b in zip(dense.coefs_, csr.coefs_):
        np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_allclose(dense.predict(X), csr.predict(sparse.csr_matrix(X)))


def test_partial_fit_continues_and_counts(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    coefs = [c.copy() for c in clf.coefs_]
    clf.partial_fit(X[50:], y[50:])
    assert clf.n_iter_ == 1
    assert clf.t_ == 150
    assert len(clf.loss_curve_) == 2
    assert not np.array_equal(coefs[0], clf.coefs_[0])
    assert clf.gradient_norms_.shape == (2, 2)


def test_warm_start_continues_from_the_previous_solution(iris):
    X, y = iris
    params = {"hidden_layer_sizes": (5,), "max_iter": 2, "random_state": 0, "shuffle": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm = MLPClassifier(warm_start=True, **params).fit(X, y)
        first = [c.copy() for c in warm.coefs_]
        warm.fit(X, y)
        cold = MLPClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(cold.coefs_[0], first[0])  # same start, same 2 epochs
    assert not np.array_equal(warm.coefs_[0], first[0])
    assert len(warm.loss_curve_) == 4


def test_convergence_warning_and_tol_stopping(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(2\\) reached"):
        MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)
    clf = MLPClassifier(
        hidden_layer_sizes=(3,), max_iter=100, tol=10.0, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    # The first epoch improves on best_loss_=inf; none after it improves by 10, and the
    # count must exceed n_iter_no_change: 1 + 4 epochs.
    assert clf.n_iter_ == 5


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_prints_the_loss(iris, capsys):
    X, y = iris
    MLPClassifier(
        hidden_layer_sizes=(3,),
        max_iter=100,
        tol=10.0,
        n_iter_no_change=1,
        random_state=0,
        verbose=True,
    ).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out
    assert "Stopping." in out
    MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


def test_verbose_reports_time_and_validation_score(iris, capsys):
    X, y = iris
    clf = MLPClassifier(
        hidden_layer_sizes=(5,),
        max_iter=3,
        early_stopping=True,
        random_state=0,
        verbose=True,
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    iterations = [line for line in lines if line.startswith("Iteration")]
    scores = [line for line in lines if line.startswith("Validation score: ")]
    assert len(iterations) == len(scores) == 3
    for epoch, (line, score_line) in enumerate(zip(iterations, scores)):
        loss = float(line.split("loss = ")[1].split(",")[0])
        seconds = float(line.split("time = ")[1].rstrip("s"))
        assert loss == pytest.approx(clf.loss_curve_[epoch], abs=1e-8)
        assert seconds >= 0.0
        assert float(score_line.split(": ")[1]) == pytest.approx(
            clf.validation_scores_[epoch], abs=1e-6
        )
    # Times are cumulative, so they never decrease.
    times = [float(line.split("time = ")[1].rstrip("s")) for line in iterations]
    assert times == sorted(times)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_lbfgs_verbose_reports_loss_and_time(iris, capsys):
    X, y = iris
    MLPClassifier(
        solver="lbfgs", hidden_layer_sizes=(3,), max_iter=3, random_state=0, verbose=True
    ).fit(X, y)
    out = capsys.readouterr().out
    assert "lbfgs iteration 1: loss = " in out
    assert ", time = " in out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_lbfgs_attributes_and_no_partial_fit(iris):
    X, y = iris
    clf = MLPClassifier(solver="lbfgs", hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(
        X, y
    )
    assert clf.score(X, y) > 0.9
    assert not hasattr(clf, "loss_curve_")
    assert not hasattr(clf, "partial_fit")


def test_pandas_feature_names(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(frame, y)
    assert list(clf.feature_names_in_) == ["a", "b", "c", "d"]


def _fits_and_peak_memory(params, datasets, y):
    """An MLPClassifier fitted on each of ``datasets``, and each fit's peak memory (traced
    after a first fit, so that one-time allocations are not counted)."""
    models, peaks = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(**params).fit(datasets[0], y)
        for data in datasets:
            tracemalloc.start()
            models.append(MLPClassifier(**params).fit(data, y))
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
    return models, peaks


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_column_major_X_trains_as_row_major_without_copying_it(solver):
    # A DataFrame's values come column-major: each minibatch gathers its rows from them,
    # never a row-major copy of all of X (numpy's take() makes one per call).
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4000, 30))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    params = {"hidden_layer_sizes": (8,), "max_iter": 2, "solver": solver, "random_state": 0}
    (rows, columns), peaks = _fits_and_peak_memory(params, (X, np.asfortranarray(X)), y)
    for a, b in zip(rows.coefs_ + rows.intercepts_, columns.coefs_ + columns.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert peaks[1] < peaks[0] + X.nbytes / 2


def test_csc_X_is_read_as_given(monkeypatch):
    # As scikit-learn's MLP reads it: minibatches gather CSC rows, with no CSR copy of X
    # held for the fit; the model is CSR's, to the sparse products' rounding.
    rng = np.random.default_rng(0)
    X = sparse.random(3000, 400, density=0.02, format="csr", random_state=0)
    y = (X @ rng.standard_normal(400) > 0).astype(int)
    X_csc = X.tocsc()
    params = {"hidden_layer_sizes": (8,), "max_iter": 3, "random_state": 0}
    (rows, columns), _ = _fits_and_peak_memory(params, (X, X_csc), y)
    for a, b in zip(rows.coefs_, columns.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    read = []
    load_batch = MinibatchObjective.load_batch

    def spy(self, data, *args):
        read.append(data)
        return load_batch(self, data, *args)

    monkeypatch.setattr(MinibatchObjective, "load_batch", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(**params).fit(X_csc, y)
    assert read
    assert all(data is X_csc for data in read)
