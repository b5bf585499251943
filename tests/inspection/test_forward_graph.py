"""forward_graph and export_graphviz on fitted estimators: the drawing is of the network
predict runs."""

import io
import itertools
import re
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import (
    LogisticBackprop,
    MLPClassifier,
    MLPRegressor,
    NormalEquationRegressor,
)
from skbackprop.autodiff import Tensor, to_dot
from skbackprop.inspection import export_graphviz, forward_graph

rng = np.random.default_rng(0)
X = rng.normal(size=(30, 5))
y_reg = X @ rng.normal(size=5)
y_three = np.digitize(X[:, 0], [-0.5, 0.5])  # three classes
y_two = (X[:, 1] > 0).astype(int)


def _fit(estimator, X, y):
    # A few iterations give parameters far from their initialization; convergence is not
    # what these tests are about.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _labels(dot):
    """Every node's label (inside the box) and xlabel (outside), in order."""
    return re.findall(r'label="([^"]*)"', dot)


@pytest.mark.parametrize("hidden", [(100,), (8, 6, 4)])
def test_mlp_drawing_has_every_layer_with_its_shape(hidden):
    clf = _fit(MLPClassifier(hidden_layer_sizes=hidden, max_iter=3, random_state=0), X, y_three)
    dot = export_graphviz(clf)
    labels = _labels(dot)
    units = [5, *hidden, 3]
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(units), 1):
        assert f"W{layer} ({n_in}, {n_out})" in labels
        assert f"b{layer} ({n_out},)" in labels
    dense = [label for label in labels if label.startswith("dense")]
    assert dense == [f"dense relu (1, {n})" for n in hidden]
    assert 'label="affine (1, 3)", xlabel="z"' in dot
    assert 'label="softmax (1, 3)", xlabel="y_hat"' in dot
    for layer in range(1, len(hidden) + 1):
        assert f'xlabel="a{layer}"' in dot
    # The input is a constant, the parameters are variables (drawn dashed / bold).
    assert 'label="X (1, 5)", shape=box, style="rounded,dashed"' in dot
    assert re.search(r'label="W1 \(5, \d+\)", shape=box, style="rounded,bold"', dot)
    # Edges: X, W, b into each layer, then the output activation.
    assert dot.count("->") == 3 * (len(hidden) + 1) + 1


@pytest.mark.parametrize(
    ("estimator", "X_fit", "y", "out_label", "expected"),
    [
        (
            MLPRegressor(hidden_layer_sizes=(4,), activation="tanh", max_iter=5, random_state=0),
            X,
            y_reg,
            "identity",
            lambda est, X: est.predict(X).reshape(-1, 1),
        ),
        (
            MLPRegressor(hidden_layer_sizes=(4,), loss="poisson", max_iter=5, random_state=0),
            X,
            np.exp(X[:, 0]),
            "exp",
            lambda est, X: est.predict(X).reshape(-1, 1),
        ),
        (
            MLPRegressor(hidden_layer_sizes=(4, 3), max_iter=5, random_state=0),
            X,
            np.column_stack([y_reg, -y_reg]),
            "identity",
            lambda est, X: est.predict(X),
        ),
        (
            MLPClassifier(
                hidden_layer_sizes=(4, 3), activation="logistic", max_iter=5, random_state=0
            ),
            X,
            y_three,
            "softmax",
            lambda est, X: est.predict_proba(X),
        ),
        (
            MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
            X,
            y_two,
            "sigmoid",
            lambda est, X: est.predict_proba(X)[:, 1:],
        ),
        (
            MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
            X,
            np.column_stack([y_two, 1 - y_two, y_two]),  # multilabel: one sigmoid each
            "sigmoid",
            lambda est, X: est.predict_proba(X),
        ),
        (
            LogisticBackprop(max_iter=5),
            X,
            y_two,
            "sigmoid",
            lambda est, X: est.predict_proba(X)[:, 1:],
        ),
        (
            LogisticBackprop(max_iter=5),
            X,
            y_three,
            "softmax",
            lambda est, X: est.predict_proba(X),
        ),
        (
            SklearnMLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
            X,
            y_three,
            "softmax",
            lambda est, X: est.predict_proba(X),
        ),
    ],
    ids=[
        "regressor",
        "poisson-regressor",
        "two-output-regressor",
        "multiclass",
        "binary",
        "multilabel",
        "logistic-binary",
        "logistic-multiclass",
        "sklearn-mlp",
    ],
)
def test_forward_value_is_what_the_estimator_predicts(estimator, X_fit, y, out_label, expected):
    estimator = _fit(estimator, X_fit, y)
    X_new = rng.normal(size=(7, 5))
    y_hat = forward_graph(estimator, X_new)
    assert y_hat.op.label == out_label
    np.testing.assert_allclose(y_hat.value, expected(estimator, X_new), rtol=0, atol=1e-12)
    # The same network is drawn, whatever X.
    assert f'label="{out_label} (1, ' in export_graphviz(estimator)


def test_sparse_and_float32_inputs_predict_as_the_estimator_does():
    reg = _fit(
        MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
        X.astype(np.float32),
        y_reg,
    )
    y_hat = forward_graph(reg, sparse.csr_matrix(X[:6]))
    assert y_hat.value.dtype == np.float32
    np.testing.assert_allclose(y_hat.value.ravel(), reg.predict(X[:6]), rtol=0, atol=1e-6)


def test_the_graph_backpropagates_to_the_parameters():
    clf = _fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0), X, y_three)
    y_hat = forward_graph(clf, X[:3])
    y_hat[:, 0].sum().backward()
    W1 = y_hat.parents[0].parents[0].parents[1]
    assert W1.name == "W1"
    assert W1.grad.shape == clf.coefs_[0].shape
    # Against central differences of predict_proba in one weight of each sign.
    step = 1e-6
    for index in (
        np.unravel_index(np.argmax(W1.grad), W1.grad.shape),
        np.unravel_index(np.argmin(W1.grad), W1.grad.shape),
    ):
        shifted = [clone_with(clf, index, step), clone_with(clf, index, -step)]
        up, down = (m.predict_proba(X[:3])[:, 0].sum() for m in shifted)
        assert W1.grad[index] == pytest.approx((up - down) / (2 * step), rel=1e-5, abs=1e-9)


def clone_with(model, index, delta):
    """A copy of the fitted ``model`` with ``coefs_[0][index]`` moved by ``delta``."""
    import copy

    moved = copy.deepcopy(model)
    moved.coefs_[0][index] += delta
    return moved


def test_the_graph_keeps_the_values_it_was_built_from():
    reg = _fit(
        MLPRegressor(hidden_layer_sizes=(4,), solver="adam", max_iter=5, random_state=0), X, y_reg
    )
    y_hat = forward_graph(reg, X[:3])
    before = y_hat.value.copy()
    reg.partial_fit(X, y_reg)  # updates coefs_ in place
    W1 = y_hat.parents[0].parents[0].parents[1]
    assert not np.allclose(W1.value, reg.coefs_[0])
    np.testing.assert_array_equal(y_hat.value, before)


def test_tensor_drawings_show_shapes_only_when_asked():
    reg = _fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0), X, y_reg)
    y_hat = forward_graph(reg)
    assert "dense relu" in to_dot(y_hat)
    assert "(1, 4)" not in to_dot(y_hat)
    assert to_dot(y_hat, show_shapes=True) == export_graphviz(reg)
    assert "(1, 4)" not in export_graphviz(reg, show_shapes=False)
    # Scalars have no shape to show: a graph of scalars is drawn as before.
    x = Tensor(2.0, requires_grad=True, name="x")
    assert to_dot(x * 3, show_shapes=True) == to_dot(x * 3)


@pytest.mark.parametrize(
    "estimator",
    [MLPRegressor(), MLPClassifier(), LogisticBackprop(), SklearnMLPClassifier()],
    ids=lambda est: type(est).__name__,
)
def test_unfitted_estimator_is_not_fitted_error(estimator):
    with pytest.raises(NotFittedError):
        export_graphviz(estimator)
    with pytest.raises(NotFittedError):
        forward_graph(estimator)


def test_unsupported_objects_are_a_type_error_naming_what_is_accepted():
    accepted = "MLPRegressor, MLPClassifier .* or LogisticBackprop, or of a Pipeline"
    with pytest.raises(TypeError, match=accepted + r".*got list"):
        export_graphviz([1.0, 2.0])
    with pytest.raises(TypeError, match=accepted + r".*got ndarray"):
        forward_graph(np.ones(3))
    # A fitted linear model whose link forward_graph cannot know.
    linear = NormalEquationRegressor().fit(X, y_reg)
    with pytest.raises(TypeError, match=r"got NormalEquationRegressor\.$"):
        forward_graph(linear)
    with pytest.raises(TypeError, match=r"got NormalEquationRegressor\.$"):
        export_graphviz(linear)


def test_a_tensor_and_an_estimator_are_each_sent_to_the_right_function():
    x = Tensor(2.0, requires_grad=True, name="x")
    with pytest.raises(TypeError, match=r"got Tensor\. .*use skbackprop\.autodiff\.to_dot"):
        export_graphviz(x * 3)
    reg = _fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0), X, y_reg)
    message = (
        r"to_dot draws the graph that computed a Tensor; got MLPRegressor\. To draw a "
        r"fitted estimator's forward pass, use skbackprop\.inspection\.export_graphviz"
    )
    with pytest.raises(TypeError, match=message):
        to_dot(reg)
    with pytest.raises(TypeError, match=r"got list\. .*export_graphviz"):
        to_dot([1.0, 2.0])


def test_a_search_is_told_to_pass_its_best_estimator():
    search = GridSearchCV(
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0),
        {"alpha": [1e-4, 1e-2]},
        cv=2,
    )
    search = _fit(search, X, y_reg)
    with pytest.raises(TypeError, match=r"got GridSearchCV\. .*pass its best_estimator_"):
        export_graphviz(search)
    assert 'label="W1 (5, 3)"' in export_graphviz(search.best_estimator_)


def _pipeline(*steps):
    return _fit(make_pipeline(*steps), X, y_three)


def test_a_pipeline_is_drawn_through_its_final_step():
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    pipe = _pipeline(StandardScaler(), PCA(n_components=3, random_state=0), clf)
    # The final step is drawn on what reaches it: three principal components, not five.
    dot = export_graphviz(pipe)
    assert dot == export_graphviz(pipe[-1])
    assert 'label="X (1, 3)"' in dot
    assert 'label="W1 (3, 4)"' in dot


def test_a_pipeline_graph_runs_x_through_the_steps_before_the_final_one():
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    pipe = _pipeline(StandardScaler(), PCA(n_components=3, random_state=0), clf)
    X_new = rng.normal(size=(6, 5))
    y_hat = forward_graph(pipe, X_new)
    np.testing.assert_allclose(y_hat.value, pipe.predict_proba(X_new), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        y_hat.parents[0].parents[0].parents[0].value, pipe[:-1].transform(X_new)
    )
    # A nested Pipeline, and one whose only step is the network, are drawn the same way.
    nested = _fit(
        make_pipeline(StandardScaler(), make_pipeline(PCA(3, random_state=0), clf)), X, y_three
    )
    np.testing.assert_allclose(
        forward_graph(nested, X_new).value, nested.predict_proba(X_new), rtol=0, atol=1e-12
    )
    alone = _pipeline(MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0))
    np.testing.assert_allclose(
        forward_graph(alone, X_new).value, alone.predict_proba(X_new), rtol=0, atol=1e-12
    )
    # The Pipeline's input width is checked by its first step, as predict checks it.
    with pytest.raises(ValueError, match="features"):
        forward_graph(pipe, X_new[:, :3])


def test_a_pipeline_that_does_not_end_in_a_network_says_which_step_it_ends_in():
    pipe = _fit(make_pipeline(StandardScaler(), NormalEquationRegressor()), X, y_reg)
    with pytest.raises(
        TypeError,
        match=r"or of a Pipeline that ends in one, can be drawn; got a Pipeline "
        r"whose final step is NormalEquationRegressor\.$",
    ):
        export_graphviz(pipe)
    passthrough = make_pipeline(StandardScaler(), "passthrough").fit(X)
    with pytest.raises(TypeError, match="whose final step is 'passthrough'"):
        forward_graph(passthrough, X)


def test_an_unfitted_pipeline_is_not_fitted_error_naming_its_final_step():
    pipe = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(3,)))
    with pytest.raises(NotFittedError, match="This MLPRegressor instance is not fitted"):
        export_graphviz(pipe)


def test_export_graphviz_writes_to_a_path_or_a_file_object(tmp_path):
    reg = _fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0), X, y_reg)
    dot = export_graphviz(reg, rankdir="LR")
    assert "rankdir=LR;" in dot
    path = tmp_path / "net.dot"
    assert export_graphviz(reg, path, rankdir="LR") is None
    assert path.read_text(encoding="utf-8") == dot + "\n"
    handle = io.StringIO()
    assert export_graphviz(reg, out_file=handle, rankdir="LR") is None
    assert handle.getvalue() == dot + "\n"


def test_input_of_the_wrong_width_is_rejected_as_predict_rejects_it():
    reg = _fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0), X, y_reg)
    with pytest.raises(ValueError, match="features"):
        forward_graph(reg, X[:, :3])


def test_the_user_guide_renders_the_drawing_its_doctest_prints():
    # The doctest checks the printed DOT against export_graphviz; the picture must be
    # that text.
    page = Path(__file__).parents[2] / "docs" / "user_guide" / "mlp.rst"
    text = page.read_text()
    printed = text.split(">>> print(export_graphviz(model))\n", 1)[1].split("\n\n", 1)[0]
    directive = text.split(".. graphviz::\n", 1)[1]
    body = directive.split("\n\n", 1)[1].split("\n\n", 1)[0]
    assert textwrap.dedent(body) == printed
