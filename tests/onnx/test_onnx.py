"""ONNX export: onnxruntime's outputs equal the estimators' predictions.

Skipped when the optional extra ``onnx`` (skl2onnx, onnxruntime) is not installed.
Float32 graphs are compared to the float32 estimators to 1e-5.
"""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, make_blobs
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import (
    GaussianMixtureEM,
    LogisticBackprop,
    MLPClassifier,
    MLPRegressor,
    NormalEquationRegressor,
)

rt = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")

from skbackprop.onnx import register_converters, to_onnx  # noqa: E402

TOL = {"rtol": 1e-5, "atol": 1e-5}
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def run(onx, X):
    """The outputs of the ONNX model on X, by name."""
    session = rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {session.get_inputs()[0].name: X})
    return dict(zip([o.name for o in session.get_outputs()], outputs))


def scaled(X):
    return StandardScaler().fit_transform(X).astype(np.float32)


def iris():
    X, y = load_iris(return_X_y=True)
    return X.astype(np.float32), y


def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return scaled(X), y


def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300].astype(np.float32) / 16, y[:300]


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X.astype(np.float32), y.astype(np.float32)


def check_classifier(model, X, onx):
    out = run(onx, X)
    np.testing.assert_array_equal(out["label"], model.predict(X))
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), **TOL)


def check_regressor(model, X, onx):
    out = run(onx, X)["variable"]
    expected = model.predict(X)
    np.testing.assert_allclose(out, expected.reshape(len(X), -1), **TOL)


CLASSIFIERS = {
    "mlp-relu": lambda: MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0),
    "mlp-tanh-2-layers": lambda: MLPClassifier(
        hidden_layer_sizes=(8, 6), activation="tanh", max_iter=30, random_state=0
    ),
    "mlp-logistic-lbfgs": lambda: MLPClassifier(
        hidden_layer_sizes=(6,),
        activation="logistic",
        solver="lbfgs",
        max_iter=30,
        random_state=0,
    ),
    "mlp-dropout": lambda: MLPClassifier(
        hidden_layer_sizes=(8,), dropout=0.3, max_iter=30, random_state=0
    ),
    "logistic": lambda: LogisticBackprop(max_iter=50),
    "logistic-no-intercept": lambda: LogisticBackprop(fit_intercept=False, max_iter=50),
}
CLASSIFICATION_DATA = {"iris": iris, "breast_cancer": breast_cancer, "digits": digits}


@pytest.mark.parametrize("data", CLASSIFICATION_DATA)
@pytest.mark.parametrize("make", CLASSIFIERS)
def test_classifier_labels_and_probabilities(make, data):
    X, y = CLASSIFICATION_DATA[data]()
    model = CLASSIFIERS[make]().fit(X, y)
    check_classifier(model, X, to_onnx(model, X[:1]))


def test_classifier_string_labels():
    X, y = iris()
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    for model in (
        MLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0),
        LogisticBackprop(max_iter=30),
    ):
        model.fit(X, names)
        check_classifier(model, X, to_onnx(model, X[:1]))


def test_multilabel_mlp():
    X, y = iris()
    Y = np.column_stack([y == 0, y == 2, X[:, 0] > 5.8]).astype(int)
    model = MLPClassifier(hidden_layer_sizes=(6,), max_iter=50, random_state=0).fit(X, Y)
    out = run(to_onnx(model, X[:1]), X)
    np.testing.assert_array_equal(out["label"], model.predict(X))
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), **TOL)


REGRESSORS = {
    "mlp-relu": lambda: MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0),
    "mlp-poisson": lambda: MLPRegressor(
        loss="poisson", hidden_layer_sizes=(8,), max_iter=30, random_state=0
    ),
    "mlp-identity-2-layers": lambda: MLPRegressor(
        hidden_layer_sizes=(8, 4),
        activation="identity",
        solver="lbfgs",
        max_iter=30,
        random_state=0,
    ),
    "mlp-dropout-l1": lambda: MLPRegressor(
        hidden_layer_sizes=(8,), dropout=0.2, l1_ratio=0.5, max_iter=30, random_state=0
    ),
    "mlp-quantile": lambda: MLPRegressor(
        loss="quantile", quantile=0.9, hidden_layer_sizes=(8,), max_iter=30, random_state=0
    ),
    "normal-equation": NormalEquationRegressor,
    "normal-equation-no-intercept": lambda: NormalEquationRegressor(fit_intercept=False),
    "ridge": lambda: NormalEquationRegressor(alpha=1.0),
}


@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("make", REGRESSORS)
def test_regressor_predictions(make, n_outputs):
    X, y = diabetes()
    y = y / 100  # the scale a network trains on
    if n_outputs == 2:
        y = np.column_stack([y, 4 - y])  # both >= 0, for the Poisson loss
    model = REGRESSORS[make]().fit(X, y)
    onx = to_onnx(model, X[:1])
    check_regressor(model, X, onx)
    assert run(onx, X)["variable"].shape == (len(X), n_outputs)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("center_box", [(-10, 10), (20, 40)])
def test_gaussian_mixture(covariance_type, center_box):
    # (20, 40): clusters away from the origin, where float32 needs the graph to centre
    # the samples on the mixture's mean, as the estimator does.
    X, _ = make_blobs(300, n_features=3, centers=3, center_box=center_box, random_state=0)
    X = X.astype(np.float32)
    model = GaussianMixtureEM(3, covariance_type=covariance_type, random_state=0).fit(X)
    out = run(to_onnx(model, X[:1]), X)
    np.testing.assert_array_equal(out["label"].ravel(), model.predict(X))
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), **TOL)
    np.testing.assert_allclose(out["score_samples"].ravel(), model.score_samples(X), **TOL)


@pytest.mark.parametrize(
    "model",
    [
        MLPClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0),
        LogisticBackprop(max_iter=50),
    ],
    ids=["mlp", "logistic"],
)
def test_classifier_in_pipeline(model):
    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    pipe = make_pipeline(StandardScaler(), model).fit(X, y)
    check_classifier(pipe, X, to_onnx(pipe, X[:1]))


@pytest.mark.parametrize(
    "model",
    [
        MLPRegressor(hidden_layer_sizes=(6,), max_iter=30, random_state=0),
        NormalEquationRegressor(),
    ],
    ids=["mlp", "normal-equation"],
)
def test_regressor_in_pipeline(model):
    X, y = diabetes()
    pipe = make_pipeline(StandardScaler(), model).fit(X, y / 100)
    check_regressor(pipe, X, to_onnx(pipe, X[:1]))


def test_gaussian_mixture_in_pipeline():
    X, _ = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    pipe = make_pipeline(StandardScaler(), GaussianMixtureEM(3, random_state=0)).fit(X)
    out = run(to_onnx(pipe, X[:1]), X)
    np.testing.assert_array_equal(out["label"].ravel(), pipe.predict(X))
    np.testing.assert_allclose(out["probabilities"], pipe.predict_proba(X), **TOL)
    # The scaler's float32 output differs from scikit-learn's by an ulp here and there (ONNX
    # multiplies by 1 / scale, scikit-learn divides by scale); the narrow components of iris
    # amplify that into log-likelihoods about 1.5e-5 apart, so score_samples gets 1e-4.
    np.testing.assert_allclose(
        out["score_samples"].ravel(), pipe.score_samples(X), rtol=1e-5, atol=1e-4
    )


def test_skl2onnx_own_to_onnx_after_registration():
    """Registered, our estimators go through skl2onnx's own entry point, with its options."""
    X, y = iris()
    clf = LogisticBackprop(max_iter=50)
    pipe = make_pipeline(StandardScaler(), clf).fit(X, y)
    register_converters()
    onx = skl2onnx.to_onnx(pipe, X[:1], options={id(clf): {"zipmap": False}})
    check_classifier(pipe, X, onx)
    # skl2onnx's default: probabilities as a list of {class: probability} maps.
    out = run(skl2onnx.to_onnx(pipe, X[:1]), X)
    assert out["output_probability"][0].keys() == {0, 1, 2}


def test_raw_scores_option_reaches_the_twin():
    X, y = iris()
    clf = LogisticBackprop(max_iter=50).fit(X, y)
    out = run(to_onnx(clf, X[:1], options={id(clf): {"raw_scores": True}}), X)
    np.testing.assert_allclose(out["probabilities"], clf.decision_function(X), **TOL)


@pytest.mark.parametrize("make", [CLASSIFIERS["mlp-relu"], CLASSIFIERS["logistic"]])
def test_nocl_option_gives_class_indices(make):
    X, y = iris()
    model = make().fit(X, np.array(["setosa", "versicolor", "virginica"])[y])
    out = run(to_onnx(model, X[:1], options={id(model): {"nocl": True}}), X)
    np.testing.assert_array_equal(model.classes_[out["label"]], model.predict(X))


def test_gaussian_mixture_without_score_samples():
    X, _ = make_blobs(100, centers=2, random_state=0)
    model = GaussianMixtureEM(2, random_state=0).fit(X)
    onx = to_onnx(
        model, X[:1].astype(np.float32), options={GaussianMixtureEM: {"score_samples": False}}
    )
    assert [o.name for o in onx.graph.output] == ["label", "probabilities"]


FLOAT64_CASES = {
    "mlp-classifier": (lambda: MLPClassifier(hidden_layer_sizes=(6,), max_iter=30), "iris"),
    "logistic": (lambda: LogisticBackprop(max_iter=50), "iris"),
    "mlp-regressor": (lambda: MLPRegressor(hidden_layer_sizes=(6,), max_iter=30), "diabetes"),
    "normal-equation-no-intercept": (
        lambda: NormalEquationRegressor(fit_intercept=False),
        "diabetes",
    ),
    "gaussian-mixture": (lambda: GaussianMixtureEM(3, random_state=0), "iris"),
}


@pytest.mark.parametrize("case", FLOAT64_CASES)
def test_float64_graph(case):
    make, data = FLOAT64_CASES[case]
    X, y = (load_iris if data == "iris" else load_diabetes)(return_X_y=True)
    model = make().set_params(random_state=0) if case.startswith("mlp") else make()
    model.fit(X, y / 100 if data == "diabetes" else y)
    out = run(to_onnx(model, X[:1]), X)
    if "variable" in out:
        assert out["variable"].dtype == np.float64
        np.testing.assert_allclose(
            out["variable"], model.predict(X).reshape(len(X), -1), rtol=1e-10
        )
    else:
        assert out["probabilities"].dtype == np.float64
        np.testing.assert_allclose(
            out["probabilities"], model.predict_proba(X), rtol=1e-10, atol=1e-12
        )


def numpy_forward(X, coefs, intercepts, activations):
    """A network's output written out in numpy, one activation per hidden layer."""
    functions = {
        "relu": lambda z: np.maximum(z, 0),
        "tanh": np.tanh,
        "logistic": lambda z: 1 / (1 + np.exp(-z)),
        "identity": lambda z: z,
    }
    a = X.astype(np.float64)
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        a = a @ W + b
        if i < len(activations):
            a = functions[activations[i]](a)
    return a


def test_per_layer_activations():
    # An MLP with one activation per hidden layer; the estimators do not accept a list
    # yet, so a fitted network is given one by setting the attribute.
    X, y = diabetes()
    model = MLPRegressor(hidden_layer_sizes=(8, 6, 4), max_iter=30, random_state=0)
    model.fit(X, y / 100)
    model.activation = ["tanh", "relu", "logistic"]
    out = run(to_onnx(model, X[:1]), X)["variable"]
    expected = numpy_forward(X, model.coefs_, model.intercepts_, model.activation)
    np.testing.assert_allclose(out, expected, **TOL)


def test_per_layer_activations_of_wrong_length():
    X, y = diabetes()
    model = MLPRegressor(hidden_layer_sizes=(4, 4), max_iter=5, random_state=0).fit(X, y)
    model.activation = ("tanh",)
    with pytest.raises(ValueError, match="one name per hidden layer"):
        to_onnx(model, X[:1])


def test_unsupported_activation_is_named():
    X, y = iris()
    model = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    model.activation = "softplus"
    with pytest.raises(NotImplementedError, match=r"hidden activation \['softplus'\]"):
        to_onnx(model, X[:1])
