"""One activation per hidden layer: ``activation=['relu', 'tanh', 'logistic']``.

The network a fitted estimator trains and predicts with is checked against the same
network written out in numpy: its cost and gradient (central finite differences), its
first epoch's ``gradient_norms_``, its probabilities and its drawn graph. Initialization
follows each layer's activation; a single name behaves exactly as before.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from skbackprop import MLPClassifier, MLPRegressor
from skbackprop.inspection import export_graphviz, forward_graph
from skbackprop.nn import FlatParameters, MinibatchObjective, glorot_uniform

MIXED = ["relu", "tanh", "logistic"]
SIZES = (5, 4, 3)
FUNCTIONS = {
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
}

# Short fits: convergence is not what these tests are about.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def numpy_logits(X, coefs, intercepts, activations):
    """The output layer's pre-activation, one activation per hidden layer, in numpy."""
    a = X
    for W, b, name in zip(coefs[:-1], intercepts[:-1], activations):
        a = FUNCTIONS[name](a @ W + b)
    return a @ coefs[-1] + intercepts[-1]


def numpy_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def numpy_cost(X, Y, sw, coefs, intercepts, activations, alpha):
    """scikit-learn's MLP cost: weighted mean cross-entropy + alpha/2 ||W||^2 / sum(sw)."""
    p = numpy_softmax(numpy_logits(X, coefs, intercepts, activations))
    data = -(sw * (Y * np.log(p)).sum(axis=1)).sum() / sw.sum()
    return data + alpha / 2 * sum((W**2).sum() for W in coefs) / sw.sum()


def central_differences(cost, params, eps=1e-6):
    """d cost / d params.values, perturbing the flat buffer the views read."""
    grad = np.empty_like(params.values)
    for i in range(params.values.size):
        original = params.values[i]
        params.values[i] = original + eps
        plus = cost()
        params.values[i] = original - eps
        minus = cost()
        params.values[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def test_gradient_of_the_fitted_objective_matches_finite_differences(iris):
    X, y = iris
    X, y = X[::10], y[::10]  # 15 rows, 3 classes
    sw = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    est = MLPClassifier(hidden_layer_sizes=SIZES, activation=MIXED, alpha=0.5, max_iter=5)
    est.set_params(random_state=0).fit(X, y, sample_weight=sw)
    Y = np.eye(3)[y]
    params = FlatParameters([4, *SIZES, 3], np.float64)
    params.load(est.coefs_, est.intercepts_)
    objective = MinibatchObjective(params, len(y), weighted=True, **est._objective_options())
    objective.load_batch(X, Y, sw, slice(None))
    cost = float(objective())
    analytic = params.grad.copy()

    def reference():
        return numpy_cost(X, Y, sw, params.coefs, params.intercepts, MIXED, est.alpha)

    assert cost == pytest.approx(reference(), rel=1e-12)
    numeric = central_differences(reference, params)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    # The check can fail: the same parameters under one activation have another gradient.
    relu_everywhere = numpy_cost(X, Y, sw, params.coefs, params.intercepts, ["relu"] * 3, 0.5)
    assert relu_everywhere != pytest.approx(reference(), rel=1e-6)


def test_first_epochs_gradient_norms_are_the_mixed_networks(iris):
    # One full batch, no shuffle: the first entry of gradient_norms_ is the norm of each
    # layer's weight gradient at the initial parameters.
    X, y = iris
    est = MLPClassifier(
        hidden_layer_sizes=SIZES,
        activation=MIXED,
        solver="sgd",
        batch_size=len(y),
        shuffle=False,
        max_iter=1,
        random_state=0,
    ).fit(X, y)
    coefs, intercepts = glorot_uniform(np.random.RandomState(0), [4, *SIZES, 3], MIXED)
    params = FlatParameters([4, *SIZES, 3], np.float64)
    params.load(coefs, intercepts)
    sw, Y = np.ones(len(y)), np.eye(3)[y]
    grad = central_differences(
        lambda: numpy_cost(X, Y, sw, params.coefs, params.intercepts, MIXED, est.alpha),
        params,
    )
    expected = [np.linalg.norm(grad[s]) for s in params.weight_slices]
    np.testing.assert_allclose(est.gradient_norms_[0], expected, rtol=1e-6)


def test_predictions_and_drawing_follow_each_layer(iris):
    X, y = iris
    est = MLPClassifier(hidden_layer_sizes=SIZES, activation=MIXED, max_iter=20, random_state=0)
    est.fit(X, y)
    expected = numpy_softmax(numpy_logits(X, est.coefs_, est.intercepts_, MIXED))
    np.testing.assert_allclose(est.predict_proba(X), expected, rtol=1e-12)
    np.testing.assert_array_equal(est.predict(X), est.classes_[expected.argmax(axis=1)])
    np.testing.assert_allclose(forward_graph(est, X).value, expected, rtol=1e-12)
    dot = export_graphviz(est)
    positions = [dot.index(f'"dense {name} ') for name in MIXED]
    assert positions == sorted(positions)

    reg = MLPRegressor(hidden_layer_sizes=(4, 3), activation=("tanh", "identity"), max_iter=20)
    reg.set_params(random_state=0).fit(X, y)
    expected = numpy_logits(X, reg.coefs_, reg.intercepts_, ["tanh", "identity"]).ravel()
    np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-12)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_a_repeated_name_is_that_name(Estimator, iris):
    X, y = iris
    params = {"hidden_layer_sizes": (6, 5), "max_iter": 5, "random_state": 0}
    one = Estimator(activation="logistic", **params).fit(X, y)
    repeated = Estimator(activation=["logistic", "logistic"], **params).fit(X, y)
    for a, b in zip(one.coefs_ + one.intercepts_, repeated.coefs_ + repeated.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_initialization_bound_follows_each_layers_activation():
    units = [40, 60, 50, 30, 20]
    coefs, intercepts = glorot_uniform(np.random.RandomState(0), units, MIXED)
    # Hidden layer i uses activation i's factor; the output layer the last hidden one's.
    factors = [6.0, 6.0, 2.0, 2.0]
    for coef, intercept, factor, fan_in, fan_out in zip(
        coefs, intercepts, factors, units[:-1], units[1:]
    ):
        bound = np.sqrt(factor / (fan_in + fan_out))
        assert np.abs(coef).max() <= bound
        assert np.abs(coef).max() > 0.95 * bound  # uniform over the whole interval
        assert np.abs(intercept).max() <= bound


def test_estimator_starts_from_the_per_layer_draws(iris):
    # A vanishing step leaves the parameters at their initial values, bit for bit.
    X, y = iris
    est = MLPClassifier(
        hidden_layer_sizes=SIZES,
        activation=MIXED,
        solver="sgd",
        learning_rate_init=1e-300,
        max_iter=1,
        random_state=0,
    ).fit(X, y)
    coefs, intercepts = glorot_uniform(np.random.RandomState(0), [4, *SIZES, 3], MIXED)
    for a, b in zip(est.coefs_ + est.intercepts_, coefs + intercepts):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("activation", "error", "match"),
    [
        (["relu"], ValueError, r"gives 1 activation\(s\) but the network has 2 hidden"),
        (("relu", "tanh", "tanh"), ValueError, r"gives 3 activation\(s\)"),
        (["relu", "softplus"], ValueError, r"'softplus'.*\['identity', 'logistic', 'relu'"),
        ("softplus", ValueError, "must be a str among"),
        (3, TypeError, "an instance of 'list' or an instance of 'tuple'"),
    ],
)
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_bad_activation_is_named_and_fitted_state_kept(Estimator, activation, error, match, iris):
    X, y = iris
    est = Estimator(hidden_layer_sizes=(4, 3), max_iter=3, random_state=0).fit(X, y)
    before = [a.copy() for a in est.coefs_], est.n_iter_, est.loss_curve_[:]
    est.set_params(activation=activation)
    with pytest.raises(error, match=match):
        est.fit(X, y)
    for a, b in zip(est.coefs_, before[0]):
        np.testing.assert_array_equal(a, b)
    assert (est.n_iter_, est.loss_curve_) == before[1:]


def test_partial_fit_follows_each_layer(iris):
    X, y = iris
    params = {"hidden_layer_sizes": (4, 3), "activation": ["tanh", "relu"], "random_state": 0}
    incremental = MLPClassifier(**params).partial_fit(X, y, classes=[0, 1, 2])
    full = MLPClassifier(max_iter=1, shuffle=True, **params).fit(X, y)
    for a, b in zip(incremental.coefs_, full.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_pickle_clone_params_and_grid_search(iris):
    X, y = iris
    est = MLPClassifier(hidden_layer_sizes=(4, 3), activation=("tanh", "relu"), max_iter=10)
    est.set_params(random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))
    assert clone(est).get_params()["activation"] == ("tanh", "relu")
    assert est.set_params(activation=["logistic", "relu"]).activation == ["logistic", "relu"]

    grid = {"activation": [["tanh", "relu"], ["relu", "logistic"], "relu"]}
    search = GridSearchCV(MLPClassifier(hidden_layer_sizes=(4, 3), max_iter=10), grid, cv=2)
    search.fit(X, y)
    assert [p["activation"] for p in search.cv_results_["params"]] == grid["activation"]
    assert search.best_estimator_.activation in grid["activation"]
    assert search.best_estimator_.predict(X).shape == y.shape
