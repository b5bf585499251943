"""Non-finite parameters: scikit-learn's error, word for word, and nothing lost.

Where scikit-learn raises, we raise the same error. Where its training overflowed (numpy
warned, or a loss was not finite) and it still returned a model, we raise that error too:
those weights are meaningless (docs/compatibility.rst, "Errors and messages").
"""

import pickle
import re
import warnings

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.datasets import load_iris

import skbackprop.neural_network as ours

MESSAGE = (
    "Solver produced non-finite parameter weights. The input data may contain large "
    "values and need to be preprocessed."
)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def _outcome(action):
    """The exception type and message an action raises, or 'fitted'."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # overflow and convergence warnings of both
        try:
            action()
        except ValueError as error:
            return type(error), str(error)
    return "fitted"


# Where only our loss overflows: scikit-learn's MLPClassifier clips its probabilities
# before the log, and on X * 1e200 fits meaningless weights from a finite loss without a
# warning; ours computes the log-loss from the logits, which overflow.
OVERFLOWS_IN_OURS_ONLY = {
    ("MLPClassifier", "lbfgs", "fit"),
    ("MLPClassifier", "sgd", "partial_fit"),
}


def _expected(action, case=None):
    """scikit-learn's outcome, or its error where it fitted through an overflow."""
    if case in OVERFLOWS_IN_OURS_ONLY:
        return ValueError, MESSAGE
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            action()
            outcome = "fitted"
        except ValueError as error:
            outcome = type(error), str(error)
    overflowed = any(issubclass(w.category, RuntimeWarning) for w in caught)
    return (ValueError, MESSAGE) if outcome == "fitted" and overflowed else outcome


CASES = [
    # (estimator, solver, early_stopping, input scale, learning_rate_init)
    (name, solver, early, scale, rate)
    for name in ("MLPRegressor", "MLPClassifier")
    for solver in ("sgd", "adam", "lbfgs")
    for early in ((False, True) if solver != "lbfgs" else (False,))
    for scale, rate in ((1e200, 1e-3), (1.0, 1e6))
]


@pytest.mark.parametrize(("name", "solver", "early_stopping", "scale", "rate"), CASES)
def test_fit_on_huge_values_raises_where_scikit_learn_raises_or_overflows(
    iris, name, solver, early_stopping, scale, rate
):
    X, y = iris
    kwargs = {
        "solver": solver,
        "early_stopping": early_stopping,
        "learning_rate_init": rate,
        "max_iter": 30,
        "random_state": 0,
    }
    case = (name, solver, "fit") if scale > 1 else None
    expected = _expected(lambda: getattr(sk, name)(**kwargs).fit(X * scale, y), case)
    got = _outcome(lambda: getattr(ours, name)(**kwargs).fit(X * scale, y))
    assert got == expected


@pytest.mark.parametrize("name", ["MLPRegressor", "MLPClassifier"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_on_huge_values_raises_where_scikit_learn_raises_or_overflows(
    iris, name, solver
):
    X, y = iris
    kwargs = {"classes": [0, 1, 2]} if name == "MLPClassifier" else {}
    expected = _expected(
        lambda: getattr(sk, name)(solver=solver, random_state=0).partial_fit(
            X * 1e200, y, **kwargs
        ),
        (name, solver, "partial_fit"),
    )
    got = _outcome(
        lambda: getattr(ours, name)(solver=solver, random_state=0).partial_fit(
            X * 1e200, y, **kwargs
        )
    )
    assert got == expected


def test_the_regressor_raises_and_keeps_its_fitted_state(iris):
    X, y = iris
    reg = ours.MLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X, y)
    before = pickle.dumps(reg)
    with pytest.raises(ValueError, match=re.escape(MESSAGE)):
        reg.fit(X * 1e200, y)
    assert pickle.dumps(reg) == before
    with pytest.raises(ValueError, match=re.escape(MESSAGE)):
        reg.partial_fit(X * 1e200, y)
    assert pickle.dumps(reg) == before
    assert np.isfinite(reg.predict(X)).all()
