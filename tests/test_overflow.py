"""No silent garbage: data that overflows the arithmetic is an error that names the fix.

Every estimator and solver, on ``X`` or ``y`` scaled by 1e300: a ValueError that says what
overflowed and to scale the input (the MLPs: scikit-learn's sentence), no numpy
RuntimeWarning on the way, and a model fitted before is left as it was.
NormalEquationRegressor solves on rescaled data, so it fits such input exactly instead.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import skbackprop

X, Y_CLASSES = load_iris(return_X_y=True)
Y_BINARY = (Y_CLASSES > 0).astype(int)
Y_REAL = X @ [1.0, -2.0, 0.5, 3.0]
MLP_SENTENCE = (
    "Solver produced non-finite parameter weights. The input data may contain large "
    "values and need to be preprocessed."
)
SHORT = {"max_iter": 20, "random_state": 0}

CASES = [
    *(
        pytest.param(
            name, {"solver": solver, **SHORT}, data, MLP_SENTENCE, id=f"{name}-{solver}-{data}"
        )
        for name, datas in (
            ("MLPClassifier", ("X", "X_binary")),
            ("MLPRegressor", ("X", "y")),
        )
        for solver in ("sgd", "adam", "rmsprop", "lbfgs")
        for data in datas
    ),
    *(
        pytest.param(
            "LogisticBackprop",
            {"solver": solver, **SHORT},
            data,
            "Scale the input features" if solver == "lbfgs" else "scale the features",
            id=f"LogisticBackprop-{solver}-{data}",
        )
        for solver in ("lbfgs", "sgd", "adam", "rmsprop")
        for data in ("X", "X_binary")
    ),
    pytest.param(
        "GaussianMixtureEM", {"n_components": 3, **SHORT}, "X", "values overflowed", id="GMM-X"
    ),
]


def _data(name, which):
    y = {"MLPRegressor": Y_REAL, "GaussianMixtureEM": None}.get(name, Y_CLASSES)
    X_, y_ = X, y
    if which == "X_binary":
        y_ = Y_BINARY
    if which == "y":
        y_ = y * 1e300
    else:
        X_ = X * 1e300
    return (X_,) if y_ is None else (X_, y_)


def _clean(name):
    y = {"MLPRegressor": Y_REAL, "GaussianMixtureEM": None}.get(name, Y_CLASSES)
    return (X,) if y is None else (X, y)


@pytest.mark.parametrize(("name", "params", "which", "fix"), CASES)
def test_overflow_raises_naming_the_fix_and_keeps_the_model(name, params, which, fix):
    model = getattr(skbackprop, name)(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(*_clean(name))
    before = pickle.dumps(model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=fix):
            model.fit(*_data(name, which))
    leaked = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not leaked, f"RuntimeWarnings escaped: {leaked}"
    assert pickle.dumps(model) == before


@pytest.mark.parametrize("scale", [(1e300, 1.0), (1.0, 1e300), (1e300, 1e300)])
@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_normal_equation_fits_overflowing_scales_exactly(scale, alpha):
    x_scale, y_scale = scale
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = skbackprop.NormalEquationRegressor(alpha=alpha).fit(X * x_scale, Y_REAL * y_scale)
        predictions = model.predict(X * x_scale)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    reference = skbackprop.NormalEquationRegressor(alpha=alpha * x_scale**-2 if alpha else 0.0)
    expected = reference.fit(X, Y_REAL).predict(X) * y_scale
    atol = 1e-10 * y_scale * np.abs(Y_REAL).max()  # a target of 0 has round-off to it
    np.testing.assert_allclose(predictions, expected, rtol=1e-8, atol=atol)


FITTED = {
    "MLPClassifier": lambda: skbackprop.MLPClassifier(**SHORT).fit(X, Y_CLASSES),
    "MLPRegressor": lambda: skbackprop.MLPRegressor(**SHORT).fit(X, Y_REAL),
    "LogisticBackprop": lambda: skbackprop.LogisticBackprop().fit(X, Y_BINARY),
    "NormalEquationRegressor": lambda: skbackprop.NormalEquationRegressor().fit(X, Y_REAL),
    "GaussianMixtureEM": lambda: skbackprop.GaussianMixtureEM(3, random_state=0).fit(X),
}
METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function", "score_samples")


@pytest.mark.parametrize("scale", [1e300, -1e300, 1e-300])
@pytest.mark.parametrize("name", list(FITTED))
def test_predicting_on_extreme_values_lets_no_warning_escape(name, scale):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = FITTED[name]()
    Z = X * scale
    y = {"MLPRegressor": Y_REAL, "NormalEquationRegressor": Y_REAL, "MLPClassifier": Y_CLASSES}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for method in METHODS:
            if hasattr(model, method):
                getattr(model, method)(Z)
        model.score(Z) if name == "GaussianMixtureEM" else model.score(Z, y.get(name, Y_BINARY))
    leaked = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not leaked, f"RuntimeWarnings escaped: {leaked}"


def test_a_mixture_gives_far_points_a_log_density_of_minus_infinity():
    # As scikit-learn's GaussianMixture: the limit, not NaN.
    model = skbackprop.GaussianMixtureEM(3, random_state=0).fit(X)
    assert np.all(model.score_samples(X[:3] * 1e300) == -np.inf)
