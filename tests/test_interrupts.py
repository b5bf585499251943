"""Ctrl-C stops training, and leaves the estimator exactly as it was before the call.

A KeyboardInterrupt raised in the middle of ``fit``, of a warm-started ``fit`` or of a
loop of ``partial_fit`` calls must propagate (the loop stops) and leave the estimator as
it was before the interrupted call, down to its pickle: the rollback rule of every failed
fit (``skbackprop.utils.rollback_on_error``). The interrupt is a real signal: SIGALRM,
from a timer, whose handler raises KeyboardInterrupt in the main thread, as Ctrl-C's
SIGINT does. Each fit would run for far longer than the timer, so the signal always lands
inside it. (scikit-learn's MLP instead swallows the interrupt with a warning; see
docs/compatibility.rst.)

One interrupt can be lost, by CPython and not by the fit: when the handler runs inside a
finalizer (a ``__del__`` that the garbage collector calls in the middle of the fit, of any
object left by earlier tests), the KeyboardInterrupt is printed as "Exception ignored" and
dropped, as a user's Ctrl-C would be, and the fit goes on. The timer therefore fires again
every ``RETRY`` seconds until an interrupt lands: a lost one costs a second, not the run.
"""

import pickle
import signal
import threading
import time
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import skbackprop

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX interval timers"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # An interrupt dropped in a finalizer (see above), and only that, is expected here.
    pytest.mark.filterwarnings(
        r"ignore:(?s).*\bKeyboardInterrupt\b:pytest.PytestUnraisableExceptionWarning"
    ),
]

RNG = np.random.RandomState(0)
X = RNG.standard_normal((200, 10))
Y_CLASSES = RNG.randint(0, 3, 200)  # random labels: nothing to converge to quickly
Y_REAL = RNG.standard_normal(200)
DELAY = 0.15  # seconds until the interrupt; every fit below runs far longer
RETRY = 1.0  # seconds between further interrupts, should one be lost

# Settings under which a fit runs until interrupted: no convergence test can end it.
ENDLESS = {"max_iter": 10**7, "tol": 0.0}
ENDLESS_MLP = {**ENDLESS, "n_iter_no_change": 10**7, "hidden_layer_sizes": (20,)}
MODELS = [
    *(
        (name, {"solver": solver, **ENDLESS_MLP, "random_state": 0})
        for name in ("MLPClassifier", "MLPRegressor")
        for solver in ("sgd", "adam", "rmsprop", "lbfgs")
    ),
    *(
        ("LogisticBackprop", {"solver": solver, **ENDLESS, "random_state": 0})
        for solver in ("lbfgs", "sgd", "adam", "rmsprop")
    ),
    ("GaussianMixtureEM", {"n_components": 3, **ENDLESS, "random_state": 0}),
]
# The tabular MLPs have no warm start and no partial_fit: a refit of a fitted model is
# what an interrupt must not spoil. Every epoch runs, and there are ten million.
TABULAR = [
    (name, {"hidden_layer_sizes": (8,), "max_iter": 10**7, "random_state": 0})
    for name in ("TabularMLPClassifier", "TabularMLPRegressor")
]
TARGETS = {
    "MLPClassifier": Y_CLASSES,
    "LogisticBackprop": Y_CLASSES,
    "MLPRegressor": Y_REAL,
    "TabularMLPClassifier": Y_CLASSES,
    "TabularMLPRegressor": Y_REAL,
}


class _SlowIterations:
    """A callback that makes each iteration last ``seconds`` longer.

    LogisticBackprop's L-BFGS reaches the optimum to machine precision in a dozen
    iterations, and its minibatch solvers stop when their adaptive rate has dropped below
    1e-6: too soon for the timer. Slowed down, they are still running when the interrupt
    comes (which then lands in an iteration, or in this callback: both are inside
    ``fit``)."""

    def __init__(self, seconds):
        self.seconds = seconds

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        time.sleep(self.seconds)


def _model(name, params):
    model = getattr(skbackprop, name)(**params)
    if name == "LogisticBackprop":
        model.set_callbacks(_SlowIterations(DELAY))
    return model


def _ids(models):
    default = {"GaussianMixtureEM": "em"}
    return [f"{name}-{params.get('solver', default.get(name, 'adam'))}" for name, params in models]


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


@contextmanager
def _interrupt_after(seconds):
    """A KeyboardInterrupt in the main thread after ``seconds``, then every ``RETRY``
    seconds until the block ends."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    previous = signal.signal(signal.SIGALRM, _raise_interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _no_interrupt():
    """Hold the timer's signal back: it is delivered when the block ends."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})


def _data(name):
    y = TARGETS.get(name)
    return (X,) if y is None else (X, y)


def _short_fit(name, params):
    model = _model(name, {**params, "max_iter": 2})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(*_data(name))


@pytest.mark.parametrize(("name", "params"), MODELS + TABULAR, ids=_ids(MODELS + TABULAR))
def test_interrupted_fit_propagates_and_leaves_the_estimator_unfitted(name, params):
    model = _model(name, params)
    before = pickle.dumps(model)
    with _interrupt_after(DELAY), pytest.raises(KeyboardInterrupt):
        model.fit(*_data(name))
    assert pickle.dumps(model) == before
    assert not hasattr(model, "n_iter_")


@pytest.mark.parametrize(("name", "params"), MODELS, ids=_ids(MODELS))
def test_interrupted_warm_start_fit_keeps_the_previous_fit(name, params):
    model = _short_fit(name, params).set_params(warm_start=True, max_iter=params["max_iter"])
    before = pickle.dumps(model)
    with _interrupt_after(DELAY), pytest.raises(KeyboardInterrupt):
        model.fit(*_data(name))
    assert pickle.dumps(model) == before


@pytest.mark.parametrize(("name", "params"), TABULAR, ids=_ids(TABULAR))
def test_interrupted_refit_keeps_the_previous_fit(name, params):
    model = _short_fit(name, params).set_params(max_iter=params["max_iter"])
    before = pickle.dumps(model)
    predictions = model.predict(X)
    with _interrupt_after(DELAY), pytest.raises(KeyboardInterrupt):
        model.fit(*_data(name))
    assert pickle.dumps(model) == before
    np.testing.assert_array_equal(model.predict(X), predictions)


PARTIAL_FIT = [
    (name, params)
    for name, params in MODELS
    if hasattr(getattr(skbackprop, name), "partial_fit")
    and not (name.startswith("MLP") and params["solver"] == "lbfgs")
]


def _partial_fit_until_interrupted(model, data, seconds):
    """Call ``partial_fit`` in a loop until interrupted after ``seconds``, or give up at
    a deadline; return whether the interrupt came and the model's pickle before the last
    call (taken with the signal held back)."""
    deadline = time.monotonic() + 50 * seconds
    try:
        with _interrupt_after(seconds):
            while time.monotonic() < deadline:
                with _no_interrupt():
                    before_call = pickle.dumps(model)
                model.partial_fit(*data)
    except KeyboardInterrupt:
        return True, before_call
    return False, before_call


@pytest.mark.parametrize(("name", "params"), PARTIAL_FIT, ids=_ids(PARTIAL_FIT))
def test_interrupt_stops_a_partial_fit_loop_leaving_no_half_trained_model(name, params):
    model = _model(name, params)
    extra = {"classes": [0, 1, 2]} if name != "MLPRegressor" else {}
    model.partial_fit(*_data(name), **extra)
    interrupted, before_call = _partial_fit_until_interrupted(model, _data(name), DELAY)
    assert interrupted, "the loop ran on: partial_fit swallowed the interrupt"
    # The model is as before the interrupted call; or, if the signal came just after the
    # call returned, as after it: never half-trained.
    if pickle.dumps(model) != before_call:
        completed = pickle.loads(before_call).partial_fit(*_data(name))
        assert _same(model.__getstate__(), completed.__getstate__())


def _same(a, b):
    """Equal saved states, compared by value (pickles of equal states may differ in which
    objects they share)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, np.random.RandomState):
        return isinstance(b, np.random.RandomState) and _same(a.get_state(), b.get_state())
    if hasattr(a, "__dict__") and not isinstance(a, type):
        return type(a) is type(b) and _same(vars(a), vars(b))
    return type(a) is type(b) and (a == b or (a != a and b != b))  # NaN equals NaN here
