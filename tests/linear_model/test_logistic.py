"""LogisticBackprop: agreement with LogisticRegression, L1 zeros, solvers, bad input."""

import tracemalloc
import warnings

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import approx_fprime
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skbackprop import LogisticBackprop
from skbackprop.nn import FlatParameters, MinibatchObjective


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # Small problems: threads only add contention on a shared machine.
    with threadpool_limits(limits=1):
        yield


def _standardized(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def cancer():
    return _standardized(load_breast_cancer)


@pytest.fixture(scope="module")
def digits():
    return _standardized(load_digits)


def _relative(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


def _objective(model, X, y, C, l1_ratio=0.0, sample_weight=None):
    """scikit-learn's C * sum_i s_i log_loss_i + penalty, computed independently."""
    proba = np.clip(model.predict_proba(X), 1e-300, None)
    rows = np.searchsorted(model.classes_, y)
    weights = np.ones(len(y)) if sample_weight is None else sample_weight
    loss = -np.sum(weights * np.log(proba[np.arange(len(y)), rows]))
    W = model.coef_
    penalty = (1 - l1_ratio) / 2 * np.sum(W * W) + l1_ratio * np.abs(W).sum()
    return C * loss + penalty


def _logistic_objective(X, Y, sample_weight, *, l2_scale, l1_scale=0.0, split_l1=False):
    """LogisticBackprop's objective J: a network with no hidden layer, penalties already
    divided by C times the total sample weight."""
    params = FlatParameters([X.shape[1], Y.shape[1]], np.float64, split_weights=split_l1)
    objective = MinibatchObjective(
        params,
        X.shape[0],
        loss="binary_log_loss" if Y.shape[1] == 1 else "log_loss",
        activation="identity",
        alpha=l2_scale,
        l1_alpha=l1_scale if split_l1 else 0.0,
        weighted=sample_weight is not None,
        penalty_scale=1.0,
    )
    objective.load_batch(X, Y, sample_weight, slice(None))
    return objective


# ---------------------------------------------------------------- agreement with sklearn
@pytest.mark.parametrize("dataset", ["cancer", "digits"])
def test_matches_logistic_regression_at_c_1(dataset, request):
    X, y = request.getfixturevalue(dataset)
    theirs = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000).fit(X, y)
    ours = LogisticBackprop(C=1.0, tol=1e-10, max_iter=1000).fit(X, y)
    assert ours.coef_.shape == theirs.coef_.shape
    assert _relative(ours.coef_, theirs.coef_) < 1e-3
    assert _relative(ours.intercept_, theirs.intercept_) < 1e-3
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-3)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_default_settings_are_as_accurate_as_logistic_regressions(cancer):
    # Same objective and stopping rule (tol on the largest gradient component); our
    # L-BFGS keeps a longer memory, so the iterates differ but stop as close to the optimum.
    X, y = cancer
    exact = LogisticRegression(tol=1e-10, max_iter=1000).fit(X, y)
    ours, theirs = LogisticBackprop().fit(X, y), LogisticRegression().fit(X, y)
    assert _relative(ours.coef_, exact.coef_) < 1.5 * _relative(theirs.coef_, exact.coef_)
    assert ours.score(X, y) == theirs.score(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"C": 0.05},
        {"fit_intercept": False},
        {"class_weight": "balanced"},
        {"class_weight": {0: 2.0, 1: 0.5}},
        {"C": np.inf},
    ],
    ids=["C=0.05", "no-intercept", "balanced", "class-dict", "no-penalty"],
)
def test_matches_logistic_regression_options(params):
    X, y = _standardized(load_iris)
    if isinstance(params.get("class_weight"), dict) or params.get("C") == np.inf:
        # Versicolor against virginica on two features: binary and not separable, so the
        # unpenalized problem has a finite solution.
        X, y = X[y > 0, :2], y[y > 0] - 1
    rng = np.random.default_rng(0)
    sample_weight = rng.uniform(0.5, 2.0, size=len(y))
    theirs = LogisticRegression(tol=1e-10, max_iter=2000, **params).fit(X, y, sample_weight)
    ours = LogisticBackprop(tol=1e-10, max_iter=2000, **params).fit(X, y, sample_weight)
    assert _relative(ours.coef_, theirs.coef_) < 1e-4
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-4, atol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_objective_is_logistic_regressions_divided_by_c_times_weight_sum(cancer):
    X, y = cancer
    X = X[:100]
    y = y[:100]
    w = np.linspace(0.5, 1.5, 100)
    model = LogisticBackprop(C=0.7, max_iter=3).fit(X, y, sample_weight=w)
    J = _logistic_objective(X, y.reshape(-1, 1).astype(float), w, l2_scale=1 / (0.7 * w.sum()))
    J.params.load([model.coef_.T], [model.intercept_])
    assert float(J()) * 0.7 * w.sum() == pytest.approx(
        _objective(model, X, y, 0.7, sample_weight=w)
    )


# ---------------------------------------------------------------- L1 and elastic net
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_exact_zeros_match_saga(cancer, l1_ratio):
    X, y = cancer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        saga = LogisticRegression(
            C=0.1, l1_ratio=l1_ratio, solver="saga", tol=1e-8, max_iter=20000
        ).fit(X, y)
    ours = LogisticBackprop(C=0.1, l1_ratio=l1_ratio, tol=1e-8, max_iter=1000).fit(X, y)
    zeros = ours.coef_ == 0.0
    assert zeros.sum() > 5
    np.testing.assert_array_equal(zeros, saga.coef_ == 0.0)
    assert _relative(ours.coef_, saga.coef_) < 1e-3
    # ... and at least as low an objective as saga's.
    assert _objective(ours, X, y, 0.1, l1_ratio) <= _objective(saga, X, y, 0.1, l1_ratio) + 1e-6


def test_l1_multinomial_has_exact_zeros_and_a_zero_subgradient(digits):
    X, y = digits
    model = LogisticBackprop(C=0.1, l1_ratio=1.0, tol=1e-8, max_iter=1000).fit(X, y)
    assert (model.coef_ == 0).sum() > 100
    assert model.gradient_norms_[-1] < 1e-5


# ---------------------------------------------------------------- engine gradient
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("split_l1", [False, True])
def test_objective_gradient_matches_finite_differences(n_outputs, split_l1):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 4))
    labels = rng.integers(0, max(n_outputs, 2), size=30)
    Y = labels.reshape(-1, 1).astype(float) if n_outputs == 1 else np.eye(n_outputs)[labels]
    objective = _logistic_objective(
        X, Y, rng.uniform(0.5, 2, 30), l2_scale=0.1, l1_scale=0.05, split_l1=split_l1
    )
    values = objective.params.values

    def cost(x):
        values[...] = x
        return float(objective())

    x = rng.uniform(0.1, 1.0, size=values.size)
    cost(x)
    grad = objective.params.grad.copy()
    numeric = approx_fprime(x, cost, 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)


def test_sparse_input_equals_dense(digits):
    X, y = digits
    X, y = X[:400], y[:400]
    dense = LogisticBackprop(tol=1e-8, max_iter=500).fit(X, y)
    csr = LogisticBackprop(tol=1e-8, max_iter=500).fit(sparse.csr_matrix(X), y)
    np.testing.assert_allclose(csr.coef_, dense.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        csr.predict_proba(sparse.csr_matrix(X)), dense.predict_proba(X), atol=1e-10
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_is_trained_in_float32_without_a_float64_copy(digits):
    X, y = digits
    X32 = X.astype(np.float32)
    rows = np.tile(X32, (8, 1))  # enough rows for X to outweigh the model's own arrays
    tracemalloc.start()
    try:
        LogisticBackprop(max_iter=5, tol=0.0).fit(rows, np.tile(y, 8))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # A float64 copy of X alone would take twice its size.
    assert peak < 1.5 * rows.nbytes
    ours = LogisticBackprop().fit(X32, y)
    assert ours.coef_.dtype == ours.intercept_.dtype == np.float32
    # The float64 fit's coefficients to float32's precision.
    reference = LogisticBackprop().fit(X, y)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=1e-4, atol=1e-4)
    # partial_fit keeps its first chunk's precision.
    chunked = LogisticBackprop().partial_fit(X32[:500], y[:500], classes=np.unique(y))
    chunked.partial_fit(X[500:1000], y[500:1000])
    assert chunked.coef_.dtype == np.float32


# ---------------------------------------------------------------- predictions
def test_prediction_methods_are_consistent(digits):
    X, y = digits
    model = LogisticBackprop(max_iter=50).fit(X[:500], y[:500])
    proba = model.predict_proba(X[:50])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(model.predict_log_proba(X[:50]), np.log(proba), atol=1e-10)
    assert model.decision_function(X[:50]).shape == (50, 10)
    np.testing.assert_array_equal(model.predict(X[:50]), model.classes_[proba.argmax(axis=1)])


def test_binary_labels_and_decision_function(cancer):
    X, y = cancer
    labels = np.array(["benign", "malignant"])[y]
    model = LogisticBackprop().fit(X, labels)
    scores = model.decision_function(X)
    assert scores.shape == (len(y),)
    assert set(model.predict(X)) == {"benign", "malignant"}
    np.testing.assert_array_equal(model.predict(X) == "malignant", scores > 0)
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], 1 / (1 + np.exp(-scores)))


# ---------------------------------------------------------------- fitted diagnostics
def test_loss_curve_and_gradient_norms(cancer):
    X, y = cancer
    model = LogisticBackprop(tol=1e-8, max_iter=500).fit(X, y)
    n_iter = int(model.n_iter_[0])
    assert len(model.loss_curve_) == n_iter
    assert len(model.gradient_norms_) == n_iter
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert model.gradient_norms_[-1] < 1e-6 < model.gradient_norms_[0]


def test_max_iter_warns_and_counts(cancer):
    X, y = cancer
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        model = LogisticBackprop(max_iter=3).fit(X, y)
    assert model.n_iter_.tolist() == [3]


def test_warm_start_continues(cancer):
    X, y = cancer
    model = LogisticBackprop(tol=1e-8, max_iter=500, warm_start=True).fit(X, y)
    first = model.coef_.copy()
    model.fit(X, y)
    np.testing.assert_allclose(model.coef_, first, rtol=1e-5, atol=1e-7)
    assert model.n_iter_[0] <= 2


def test_verbose_prints_only_when_asked(cancer, capsys):
    X, y = cancer
    LogisticBackprop(tol=1e-2).fit(X, y)
    assert capsys.readouterr().out == ""
    LogisticBackprop(tol=1e-2, verbose=1).fit(X, y)
    assert "loss" in capsys.readouterr().out


# ---------------------------------------------------------------- minibatch solvers
@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_minibatch_solvers_approach_the_optimum(cancer, solver):
    X, y = cancer
    exact = LogisticBackprop(tol=1e-10, max_iter=1000).fit(X, y)
    model = LogisticBackprop(
        solver=solver, learning_rate_init=0.1, batch_size=32, max_iter=100, random_state=0
    ).fit(X, y)
    best = _objective(exact, X, y, 1.0)
    assert _objective(model, X, y, 1.0) < 1.03 * best
    assert model.score(X, y) > 0.97
    assert len(model.loss_curve_) == model.n_iter_[0] == len(model.gradient_norms_)


def test_minibatch_l1_gives_exact_zeros(cancer):
    X, y = cancer
    exact = LogisticBackprop(C=0.1, l1_ratio=1.0, tol=1e-8, max_iter=500).fit(X, y)
    for solver in ["sgd", "rmsprop", "adam"]:
        model = LogisticBackprop(
            solver=solver,
            C=0.1,
            l1_ratio=1.0,
            learning_rate_init=0.1 if solver == "sgd" else 0.01,
            batch_size=32,
            max_iter=100,
            random_state=0,
        ).fit(X, y)
        assert (model.coef_ == 0).sum() > 5, solver
        objective = _objective(model, X, y, 0.1, 1.0)
        assert objective < 1.05 * _objective(exact, X, y, 0.1, 1.0), solver


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_minibatch_is_reproducible(cancer):
    X, y = cancer
    a = LogisticBackprop(solver="sgd", max_iter=5, random_state=3).fit(X, y)
    b = LogisticBackprop(solver="sgd", max_iter=5, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_partial_fit_learns_over_chunks(cancer):
    X, y = cancer
    model = LogisticBackprop(solver="sgd", random_state=0)
    for _ in range(20):
        for chunk in np.array_split(np.arange(len(y)), 4):
            model.partial_fit(X[chunk], y[chunk], classes=[0, 1])
    assert model.score(X, y) > 0.97
    assert model.n_iter_.tolist() == [1]


def test_partial_fit_with_lbfgs_uses_adam_and_accepts_sparse(digits):
    X, y = digits
    model = LogisticBackprop()
    model.partial_fit(sparse.csr_matrix(X[:300]), y[:300], classes=np.arange(10))
    model.partial_fit(sparse.csr_matrix(X[300:600]), y[300:600])
    assert model.coef_.shape == (10, 64)
    assert model._optimizer.t > 0


# ---------------------------------------------------------------- bad input
def test_bad_input_errors(cancer):
    X, y = cancer
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticBackprop().fit(X_nan, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        LogisticBackprop().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticBackprop().fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticBackprop().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Negative values"):
        LogisticBackprop().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="non-zero"):
        LogisticBackprop().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="sum to 0"):
        LogisticBackprop(class_weight={0: 0.0, 1: 0.0}).fit(X, y)
    with pytest.raises(ValueError, match="C"):
        LogisticBackprop(C=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="solver"):
        LogisticBackprop(solver="newton").fit(X, y)
    model = LogisticBackprop().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :5])


def test_partial_fit_errors_leave_the_model_as_it_was(cancer):
    X, y = cancer
    model = LogisticBackprop(solver="sgd", random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X, y)
    model.partial_fit(X, y, classes=[0, 1])
    coef, t = model.coef_.copy(), model._optimizer.t
    with pytest.raises(ValueError, match=r"not in classes"):
        model.partial_fit(X[:10], np.full(10, 7))
    with pytest.raises(ValueError, match="differs from the classes of the first"):
        model.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="balanced"):
        model.set_params(class_weight="balanced").partial_fit(X, y)
    model.set_params(class_weight=None, learning_rate_init=1e300)
    with pytest.raises(ValueError, match="diverged"):
        model.partial_fit(X * 1e300, y)
    np.testing.assert_array_equal(model.coef_, coef)
    assert model._optimizer.t == t


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_failed_fit_keeps_the_previous_model(cancer):
    X, y = cancer
    model = LogisticBackprop(solver="sgd", random_state=0, max_iter=3).fit(X, y)
    coef = model.coef_.copy()
    with pytest.raises(ValueError, match="diverged"):
        model.set_params(learning_rate_init=1e300).fit(X * 1e300, y)
    np.testing.assert_array_equal(model.coef_, coef)
