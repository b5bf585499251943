"""MLPRegressor's robust, quantile and user-written losses, through the estimator.

The fused loss operations themselves are tested in tests/autodiff; here: the fitted
objective's gradient against finite differences, a callable squared error against the
built-in one, what each loss estimates (quantile coverage, robustness to outliers), the
callable's contract, and sample weights, multi-output, early stopping and partial_fit.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_absolute_error, mean_pinball_loss, r2_score

from skbackprop.autodiff import Tensor, abs, exp, log, log_softmax, numerical_grad, relu
from skbackprop.neural_network import MLPClassifier, MLPRegressor
from skbackprop.nn import FlatParameters, MinibatchObjective

rng = np.random.default_rng(0)
X = rng.normal(size=(9, 3))
Y2 = rng.normal(size=(9, 2))
SW = rng.uniform(0.5, 2.0, size=9)


def callable_squared_error(y_true, y_pred, sample_weight):
    """Half the squared error, written with autodiff operations."""
    squares = ((y_pred - y_true) ** 2).sum(axis=1)
    if sample_weight is None:
        return 0.5 * squares.sum() / y_pred.value.shape[0]
    return 0.5 * (squares * sample_weight).sum() / sample_weight.sum()


def callable_absolute_error(y_true, y_pred, sample_weight):
    return abs(y_pred - y_true).sum() / y_pred.value.shape[0]


LOSSES = {
    "absolute_error": {"loss": "absolute_error"},
    "huber": {"loss": "huber", "huber_epsilon": 0.5},
    "quantile": {"loss": "quantile", "quantile": 0.8},
    "callable": {"loss": callable_squared_error},
}


def fit(X, y, sample_weight=None, **params):
    """Fit quietly: short fits do not converge, and L-BFGS warns on non-smooth losses."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "solver='lbfgs' with loss")
        return MLPRegressor(**params).fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_fitted_objective_gradient_matches_finite_differences(name, activation):
    est = fit(
        X,
        Y2,
        SW,
        hidden_layer_sizes=(4, 3),
        activation=activation,
        alpha=0.5,
        max_iter=2,
        random_state=0,
        **LOSSES[name],
    )
    flat = FlatParameters([3, 4, 3, 2], np.float64)
    flat.load(est.coefs_, est.intercepts_)
    options = est._objective_options()
    objective = MinibatchObjective(
        flat, 9, loss=options["loss"], activation=activation, alpha=est.alpha, weighted=True
    )
    objective.load_batch(X, Y2, SW, slice(None))
    objective()
    analytic = flat.grad.copy()

    def cost(theta):
        flat.values[:] = theta.value
        return objective.value()

    (numeric,) = numerical_grad(cost, Tensor(flat.values.copy(), requires_grad=True))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def _assert_same_parameters(a, b, tol=1e-10):
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_allclose(p, q, rtol=0, atol=tol)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_callable_squared_error_trains_like_the_built_in(solver, weighted):
    Xs, Y = rng.normal(size=(50, 3)), rng.normal(size=(50, 2))
    sw = rng.uniform(0.5, 2.0, size=50) if weighted else None
    common = {"hidden_layer_sizes": (6,), "max_iter": 25, "random_state": 1, "solver": solver}
    builtin = fit(Xs, Y, sw, **common)
    custom = fit(Xs, Y, sw, loss=callable_squared_error, **common)
    _assert_same_parameters(builtin, custom)
    assert custom.n_iter_ == builtin.n_iter_
    if solver == "lbfgs":
        # loss_ (at the solution) is the callable's value as returned: here summed over
        # the 2 outputs, where scikit-learn's squared error is averaged over them.
        penalty = builtin.alpha * _l2(builtin) / (50 if sw is None else sw.sum())
        assert custom.loss_ == pytest.approx(2 * builtin.loss_ - penalty, rel=1e-10)


def _l2(est):
    return 0.5 * sum(float((W**2).sum()) for W in est.coefs_)


def test_callable_with_early_stopping_and_partial_fit():
    Xs, y = rng.normal(size=(80, 3)), rng.normal(size=80)
    common = {"hidden_layer_sizes": (5,), "max_iter": 15, "random_state": 0}
    es = {"early_stopping": True, "n_iter_no_change": 3, **common}
    builtin = fit(Xs, y, **es)
    custom = fit(Xs, y, loss=callable_squared_error, **es)
    _assert_same_parameters(builtin, custom)
    assert custom.validation_scores_ == pytest.approx(builtin.validation_scores_, abs=1e-10)
    a = MLPRegressor(**common)
    b = MLPRegressor(loss=callable_squared_error, **common)
    for start in (0, 40):
        # Two batch lengths per call (a full batch of 32 and a short one of 8).
        batch = slice(start, start + 40)
        a.partial_fit(Xs[batch], y[batch])
        b.partial_fit(Xs[batch], y[batch])
    _assert_same_parameters(a, b)


def test_huber_with_a_huge_threshold_is_the_squared_error():
    Xs, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))
    common = {"hidden_layer_sizes": (5,), "max_iter": 20, "random_state": 0}
    _assert_same_parameters(
        fit(Xs, Y, **common), fit(Xs, Y, loss="huber", huber_epsilon=1e12, **common)
    )


def test_callable_absolute_error_trains_like_the_built_in():
    """Same sign(0) = 0 convention at the kink: the same gradients, ties included."""
    Xs, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))
    common = {"hidden_layer_sizes": (5,), "max_iter": 20, "random_state": 0}
    builtin = fit(Xs, Y, loss="absolute_error", **common)
    _assert_same_parameters(builtin, fit(Xs, Y, loss=callable_absolute_error, **common))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_integer_sample_weights_are_repeated_rows(name):
    """Full-batch L-BFGS on multi-output targets: weight 2 is the row twice."""
    Xs, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))
    sw = rng.integers(1, 3, size=20)
    common = {"hidden_layer_sizes": (4,), "max_iter": 30, "random_state": 0}
    weighted = fit(Xs, Y, sw.astype(float), solver="lbfgs", **common, **LOSSES[name])
    repeated = fit(
        np.repeat(Xs, sw, axis=0),
        np.repeat(Y, sw, axis=0),
        solver="lbfgs",
        **common,
        **LOSSES[name],
    )
    _assert_same_parameters(weighted, repeated, tol=1e-8)
    assert weighted.predict(Xs).shape == (20, 2)


def test_loss_is_reported_as_scikit_learn_metrics_average_outputs():
    Xs, Y = rng.normal(size=(30, 2)), rng.normal(size=(30, 2))
    common = {"hidden_layer_sizes": (4,), "max_iter": 1, "alpha": 0.0, "random_state": 0}
    for params, metric in [
        ({"loss": "absolute_error"}, mean_absolute_error),
        ({"loss": "quantile", "quantile": 0.3}, lambda y, p: mean_pinball_loss(y, p, alpha=0.3)),
    ]:
        # One full batch and learning_rate_init=0: the epoch's loss is at the fitted weights.
        est = fit(Xs, Y, learning_rate_init=1e-300, batch_size=30, **common, **params)
        assert est.loss_ == pytest.approx(metric(Y, est.predict(Xs)), rel=1e-12)


def _heteroscedastic(n, seed):
    r = np.random.default_rng(seed)
    x = r.uniform(0, 4, size=(n, 1))
    y = np.sin(x).ravel() + r.normal(size=n) * (0.1 + 0.3 * x.ravel())
    return x, y


def test_quantile_regression_at_10_and_90_covers_80_percent():
    X_train, y_train = _heteroscedastic(1000, 0)
    X_test, y_test = _heteroscedastic(4000, 1)
    # Full-batch Adam for a fixed number of epochs: the stochastic-gradient noise of
    # small batches would blur the fitted quantiles by a few points.
    common = {
        "hidden_layer_sizes": (16,),
        "learning_rate_init": 0.01,
        "max_iter": 300,
        "batch_size": 1000,
        "tol": 0,
        "n_iter_no_change": np.inf,
    }
    low = fit(X_train, y_train, loss="quantile", quantile=0.1, random_state=0, **common)
    high = fit(X_train, y_train, loss="quantile", quantile=0.9, random_state=0, **common)
    inside = (low.predict(X_test) <= y_test) & (y_test <= high.predict(X_test))
    assert inside.mean() == pytest.approx(0.80, abs=0.03)
    # Heteroscedastic: the interval is wider where the noise is.
    width = high.predict([[3.5]]) - low.predict([[3.5]])
    assert width > 2 * (high.predict([[0.5]]) - low.predict([[0.5]]))


def test_robust_losses_beat_squared_error_with_gross_outliers():
    r = np.random.default_rng(0)
    X_all = r.uniform(-2, 2, size=(800, 2))
    y_all = X_all[:, 0] + np.sin(2 * X_all[:, 1]) + 0.1 * r.normal(size=800)
    X_train, y_train, X_test, y_test = X_all[:500], y_all[:500].copy(), X_all[500:], y_all[500:]
    outliers = r.choice(500, size=50, replace=False)
    y_train[outliers] += r.choice([-1, 1], size=50) * r.uniform(15, 30, size=50)
    common = {
        "hidden_layer_sizes": (32,),
        "learning_rate_init": 0.01,
        "max_iter": 150,
        "random_state": 0,
    }
    scores = {
        loss: r2_score(y_test, fit(X_train, y_train, loss=loss, **common).predict(X_test))
        for loss in ("squared_error", "absolute_error", "huber")
    }
    assert scores["absolute_error"] > scores["squared_error"] + 0.05, scores
    assert scores["huber"] > scores["squared_error"] + 0.05, scores


@pytest.mark.parametrize(
    ("loss", "error", "fragment"),
    [
        (lambda y, p, w: 3.0, TypeError, "must return a scalar skbackprop Tensor"),
        (lambda y, p, w: (p - y) ** 2, ValueError, "must return a scalar Tensor"),
        (lambda y, p, w: (y * 2).sum(), ValueError, "does not depend on y_pred"),
        (
            lambda y, p, w: Tensor(np.sum((p.value - y.value) ** 2)),
            ValueError,
            "does not depend on y_pred",
        ),
    ],
)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_callable_contract_errors_leave_the_fit_as_it_was(loss, error, fragment, solver):
    Xs, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    est = fit(Xs, y, hidden_layer_sizes=(3,), max_iter=5, random_state=0, solver=solver)
    before, n_iter = [c.copy() for c in est.coefs_], est.n_iter_
    calls = []

    def counting(y_true, y_pred, sample_weight):
        calls.append(1)
        return loss(y_true, y_pred, sample_weight)

    est.set_params(loss=counting)
    with pytest.raises(error, match=fragment):
        est.fit(Xs, y)
    assert len(calls) == 1  # checked once, when the graph was built
    for c, b in zip(est.coefs_, before):
        np.testing.assert_array_equal(c, b)
    assert est.n_iter_ == n_iter


def test_size_one_result_is_accepted():
    Xs, y = rng.normal(size=(20, 3)), rng.normal(size=20)

    def shaped(y_true, y_pred, sample_weight):
        return ((y_pred - y_true) ** 2).sum(axis=0)  # shape (1,) for one output

    est = fit(Xs, y, loss=shaped, hidden_layer_sizes=(3,), max_iter=3, random_state=0)
    assert np.isfinite(est.loss_)
    assert np.ndim(est.loss_) == 0


def test_quantile_needs_its_quantile():
    with pytest.raises(ValueError, match="loss='quantile' needs the quantile"):
        MLPRegressor(loss="quantile").fit(X, Y2)
    with pytest.raises(ValueError, match="quantile"):
        MLPRegressor(loss="quantile", quantile=1.0).fit(X, Y2)
    with pytest.raises(ValueError, match="huber_epsilon"):
        MLPRegressor(loss="huber", huber_epsilon=0).fit(X, Y2)


@pytest.mark.parametrize("loss", ["absolute_error", "quantile"])
def test_lbfgs_warns_on_a_non_smooth_loss(loss):
    est = MLPRegressor(loss=loss, quantile=0.5, solver="lbfgs", max_iter=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, Y2)
    messages = [str(w.message) for w in caught if w.category is UserWarning]
    assert any("Use solver='adam'" in m for m in messages), messages


def test_huber_with_lbfgs_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPRegressor(loss="huber", solver="lbfgs", max_iter=3).fit(X, Y2)


def test_score_is_r2_whatever_the_loss():
    est = fit(X, Y2, loss="quantile", quantile=0.9, max_iter=5, random_state=0)
    assert est.score(X, Y2) == pytest.approx(r2_score(Y2, est.predict(X)))


# ---------------------------------------------------------------- MLPClassifier


def callable_cross_entropy(y_true, logits, sample_weight):
    """The softmax cross-entropy, written with autodiff operations."""
    per_row = -(y_true * log_softmax(logits, axis=1)).sum(axis=1)
    if sample_weight is None:
        return per_row.sum() / logits.value.shape[0]
    return (per_row * sample_weight).sum() / sample_weight.sum()


def callable_binary_cross_entropy(y_true, logits, sample_weight):
    """``log(1 + e^z) - y z``, written with autodiff operations."""
    per_row = (log(1 + exp(logits)) - y_true * logits).sum(axis=1)
    if sample_weight is None:
        return per_row.sum() / logits.value.shape[0]
    return (per_row * sample_weight).sum() / sample_weight.sum()


def _fit_classifier(X, y, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPClassifier(**params).fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize(
    ("labels", "loss"),
    [([0, 1, 2], callable_cross_entropy), ([0, 1], callable_binary_cross_entropy)],
)
def test_classifier_callable_cross_entropy_trains_like_the_built_in(
    labels, loss, solver, weighted
):
    Xs = rng.normal(size=(60, 3))
    y = np.array(labels * 30)[:60]
    sw = rng.uniform(0.5, 2.0, size=60) if weighted else None
    common = {"hidden_layer_sizes": (5,), "max_iter": 20, "random_state": 0, "solver": solver}
    builtin = _fit_classifier(Xs, y, sw, **common)
    custom = _fit_classifier(Xs, y, sw, loss=loss, **common)
    _assert_same_parameters(builtin, custom)
    np.testing.assert_allclose(custom.predict_proba(Xs), builtin.predict_proba(Xs), atol=1e-10)
    assert custom.loss_ == pytest.approx(builtin.loss_, rel=1e-10)


def test_classifier_callable_sees_logits_and_one_hot_targets():
    seen = {}

    def hinge(y_true, logits, sample_weight):
        seen["shapes"] = y_true.value.shape, logits.value.shape
        # Multiclass hinge: the true class's logit should beat the others by 1.
        true_logit = (y_true * logits).sum(axis=1, keepdims=True)
        return relu(1 + logits - true_logit).sum() / logits.value.shape[0]

    Xs, y = rng.normal(size=(40, 3)), np.arange(40) % 3
    clf = _fit_classifier(Xs, y, loss=hinge, hidden_layer_sizes=(5,), max_iter=5, batch_size=40)
    assert seen == {"shapes": ((40, 3), (40, 3))}  # called once, at graph-build time
    np.testing.assert_allclose(clf.predict_proba(Xs).sum(axis=1), 1.0)


def test_classifier_callable_contract_error():
    Xs, y = rng.normal(size=(20, 3)), np.arange(20) % 2
    with pytest.raises(ValueError, match="does not depend on y_pred"):
        MLPClassifier(loss=lambda y, z, w: (y * 1.0).sum(), max_iter=3).fit(Xs, y)
    assert MLPClassifier().loss == "log_loss"
