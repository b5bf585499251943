"""Saving with skops: each estimator loads back trusting only the types listed here.

A model trained by ``fit``, and one trained by ``partial_fit``, is dumped with
``skops.io``; the types skops does not trust by default (``get_untrusted_types``) must be
exactly the estimator's own class, and loading with ``trusted=`` that list must give back a
model that predicts the same and, where it can continue training, continues exactly as
the original does. docs/deploying.rst, "Saving and loading models", tells users which
types to trust.
"""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import skbackprop

sio = pytest.importorskip("skops.io")

RNG = np.random.RandomState(0)
X = RNG.standard_normal((40, 3))
TARGETS = {
    "MLPClassifier": np.tile([0, 1, 2, 3], 10),
    "LogisticBackprop": np.tile([0, 1, 2, 3], 10),
    "MLPRegressor": X @ [1.0, -2.0, 0.5],
    "NormalEquationRegressor": X @ [1.0, -2.0, 0.5],
    "GaussianMixtureEM": None,
    "TabularMLPClassifier": np.tile([0, 1, 2, 3], 10),
    "TabularMLPRegressor": X @ [1.0, -2.0, 0.5],
}
TABULAR = ("TabularMLPClassifier", "TabularMLPRegressor")
SHORT = {"max_iter": 3, "random_state": 0}
MODELS = [
    *(
        (name, {"solver": solver, "hidden_layer_sizes": (4,), **SHORT})
        for name in ("MLPClassifier", "MLPRegressor")
        for solver in ("adam", "sgd", "rmsprop", "lbfgs")
    ),
    *(
        ("LogisticBackprop", {"solver": solver, **SHORT})
        for solver in ("lbfgs", "sgd", "adam", "rmsprop")
    ),
    ("NormalEquationRegressor", {}),
    ("GaussianMixtureEM", {"n_components": 2, **SHORT}),
    # No partial_fit: saved after fit only; the network and encoder are saved as arrays.
    *((name, {"hidden_layer_sizes": (4,), **SHORT}) for name in TABULAR),
]


def _ours(name):
    cls = getattr(skbackprop, name)
    return f"{cls.__module__}.{cls.__qualname__}"


def _untrusted(name):
    """The types to trust: the estimator's own class only (skops trusts scikit-learn's,
    not ours), for every solver, after fit as after partial_fit."""
    return [_ours(name)]


def _cases():
    cases = []
    for name, params in MODELS:
        hows = ["fit"]
        if hasattr(getattr(skbackprop, name), "partial_fit") and not (
            name.startswith("MLP") and params["solver"] == "lbfgs"
        ):
            hows.append("partial_fit")
        solver = params.get("solver", "")
        cases += [pytest.param(name, params, how, id=f"{name}-{solver}-{how}") for how in hows]
    return cases


def _train(model, name, how, rows=slice(None)):
    y = TARGETS[name]
    args = (X[rows],) if y is None else (X[rows], y[rows])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if how == "fit":
            return model.fit(*args)
        if not hasattr(model, "classes_") and name in ("MLPClassifier", "LogisticBackprop"):
            return model.partial_fit(*args, classes=np.unique(y))
        return model.partial_fit(*args)


def _outputs(model):
    methods = ("predict", "predict_proba", "score_samples")
    return [getattr(model, m)(X) for m in methods if hasattr(model, m)]


@pytest.mark.parametrize(("name", "params", "how"), _cases())
def test_skops_round_trip_trusts_only_the_listed_types(name, params, how):
    model = getattr(skbackprop, name)(**params)
    if how == "fit":
        _train(model, name, "fit")
    else:
        _train(_train(model, name, how, slice(0, 20)), name, how, slice(20, None))
    data = sio.dumps(model)
    untrusted = _untrusted(name)
    assert sio.get_untrusted_types(data=data) == untrusted
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(data)
    loaded = sio.loads(data, trusted=untrusted)
    assert type(loaded) is type(model)
    for got, expected in zip(_outputs(loaded), _outputs(model), strict=True):
        np.testing.assert_array_equal(got, expected)
    if how == "partial_fit":  # the saved model continues as the original does
        _train(loaded, name, how)
        _train(model, name, how)
        for got, expected in zip(_outputs(loaded), _outputs(model), strict=True):
            np.testing.assert_array_equal(got, expected)


def test_the_saving_page_names_the_class_to_trust_of_each_estimator():
    page = (Path(__file__).resolve().parents[1] / "docs" / "saving.rst").read_text()
    rows = dict(re.findall(r":class:`~skbackprop\.(\w+)`\n     - ``([\w.]+)``", page))
    assert rows == {name: _ours(name) for name in TARGETS}
