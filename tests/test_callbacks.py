"""scikit-learn's callbacks (``sklearn.callback``) on every iterative estimator."""

import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import GaussianMixtureEM, LogisticBackprop, MLPClassifier, MLPRegressor
from skbackprop.utils.callbacks import CALLBACKS_AVAILABLE

pytestmark = pytest.mark.skipif(
    not CALLBACKS_AVAILABLE, reason="scikit-learn < 1.9 has no sklearn.callback"
)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)
X_DIAB, Y_DIAB = load_diabetes(return_X_y=True)
Y_DIAB = (Y_DIAB - Y_DIAB.mean()) / Y_DIAB.std()


class Recorder:
    """Records every hook call; asks to stop at the end of iteration task ``stop_at``."""

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.calls = []

    def setup(self, estimator, context):
        self.calls.append(("setup", None, None, None))

    def teardown(self, estimator, context):
        self.calls.append(("teardown", None, None, None))

    def on_fit_task_begin(self, estimator, context):
        self.calls.append(("begin", context.task_name, context.task_id, _depth(context)))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.calls.append(("end", context.task_name, context.task_id, _depth(context)))
        return (
            self.stop_at is not None
            and context.max_subtasks == 0
            and (context.task_id + 1 == self.stop_at)
        )

    def ended(self, task_name):
        return [call[2] for call in self.calls if call[:2] == ("end", task_name)]


class PropagatedRecorder(Recorder):
    """A recorder that meta-estimators pass on to their sub-estimators."""

    max_propagation_depth = None


def _depth(context):
    depth = 0
    while context.parent is not None:
        context, depth = context.parent, depth + 1
    return depth


ITERATIVE = [
    pytest.param(MLPRegressor(solver="sgd", max_iter=6, random_state=0), "epoch", id="mlp-sgd"),
    pytest.param(MLPClassifier(max_iter=6, random_state=0), "epoch", id="mlp-adam"),
    pytest.param(
        MLPClassifier(solver="lbfgs", max_iter=6, random_state=0),
        "lbfgs_iteration",
        id="mlp-lbfgs",
    ),
    pytest.param(
        LogisticBackprop(solver="sgd", max_iter=6, random_state=0), "epoch", id="logistic-sgd"
    ),
    pytest.param(
        LogisticBackprop(solver="lbfgs", max_iter=6), "lbfgs_iteration", id="logistic-lbfgs"
    ),
]


def _data(estimator):
    if isinstance(estimator, MLPRegressor):
        return X_DIAB, Y_DIAB
    return X_IRIS, Y_IRIS


def _n_iter(estimator):
    return int(np.ravel(estimator.n_iter_)[0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(("estimator", "subtask"), ITERATIVE)
def test_task_tree_has_one_task_per_iteration(estimator, subtask):
    recorder = Recorder()
    estimator = clone(estimator).set_callbacks(recorder)
    estimator.fit(*_data(estimator))

    n_iter = _n_iter(estimator)
    assert n_iter == 6  # max_iter reached: no iteration task is left over
    calls = recorder.calls
    assert calls[0][0] == "setup"
    assert calls[-1][0] == "teardown"
    assert calls[1] == ("begin", "fit", 0, 0)
    assert calls[-2] == ("end", "fit", 0, 0)
    inner = calls[2:-2]
    assert inner == [(hook, subtask, i, 1) for i in range(n_iter) for hook in ("begin", "end")]


@pytest.mark.parametrize(("estimator", "subtask"), ITERATIVE)
def test_callback_stops_training_cleanly(estimator, subtask):
    estimator = clone(estimator).set_params(max_iter=50).set_callbacks(Recorder(stop_at=3))
    X, y = _data(estimator)
    with warnings.catch_warnings():
        # A requested stop is not a failure to converge: no warning at all.
        warnings.simplefilter("error")
        estimator.fit(X, y)
    assert _n_iter(estimator) == 3
    assert np.isfinite(estimator.score(X, y))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(("estimator", "subtask"), ITERATIVE)
def test_callbacks_do_not_change_training(estimator, subtask):
    X, y = _data(estimator)
    plain = clone(estimator).fit(X, y)
    watched = clone(estimator).set_callbacks(Recorder()).fit(X, y)
    for name in ("coefs_", "intercepts_", "coef_", "intercept_"):
        if hasattr(plain, name):
            for a, b in zip(_arrays(plain, name), _arrays(watched, name)):
                np.testing.assert_array_equal(a, b)


def _arrays(estimator, name):
    value = getattr(estimator, name)
    return value if isinstance(value, list) else [value]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(("estimator", "subtask"), ITERATIVE)
def test_scoring_monitor_scores_every_iteration(estimator, subtask):
    from sklearn.callback import ScoringMonitor

    monitor = ScoringMonitor(scoring="r2" if isinstance(estimator, MLPRegressor) else "accuracy")
    estimator = clone(estimator).set_callbacks(monitor)
    X, y = _data(estimator)
    estimator.fit(X, y)

    rows = monitor.get_logs().data
    scores = [row for row in rows if row["task_name"] == subtask]
    assert [row["task_id"] for row in scores] == list(range(_n_iter(estimator)))
    name = "r2" if isinstance(estimator, MLPRegressor) else "accuracy"
    assert scores[-1][name] == pytest.approx(estimator.score(X, y), rel=1e-12)
    # The scores follow the model as it trains, not its final state only.
    assert len({row[name] for row in scores}) > 1


def test_lbfgs_converged_early_ends_the_unrun_iteration_empty():
    # As scikit-learn's LogisticRegression: the task begun after the last iteration ends
    # without data when L-BFGS has converged.
    recorder = Recorder()
    model = LogisticBackprop(max_iter=200).set_callbacks(recorder).fit(X_IRIS, Y_IRIS)
    n_iter = _n_iter(model)
    assert n_iter < 200
    assert recorder.ended("lbfgs_iteration") == list(range(n_iter + 1))


def test_stochastic_convergence_ends_the_last_epoch_with_the_fitted_model():
    from sklearn.callback import ScoringMonitor

    monitor = ScoringMonitor(scoring="accuracy")
    model = MLPClassifier(max_iter=500, tol=1e-2, random_state=0).set_callbacks(monitor)
    model.fit(X_IRIS, Y_IRIS)
    assert model.n_iter_ < 500  # stopped by the tolerance test
    epochs = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(epochs) == model.n_iter_
    assert epochs[-1]["accuracy"] == model.score(X_IRIS, Y_IRIS)


@pytest.mark.parametrize(
    "estimator",
    [MLPClassifier(random_state=0), LogisticBackprop(solver="adam")],
    ids=["mlp", "logistic"],
)
def test_each_partial_fit_call_is_one_task(estimator):
    recorder = Recorder()
    estimator = clone(estimator).set_callbacks(recorder)
    for _ in range(3):
        estimator.partial_fit(X_IRIS, Y_IRIS, classes=np.unique(Y_IRIS))
    tasks = [call for call in recorder.calls if call[0] in ("begin", "end")]
    assert tasks == [("begin", "partial_fit", 0, 0), ("end", "partial_fit", 0, 0)] * 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_nested_in_grid_search_and_pipeline():
    recorder = PropagatedRecorder()
    search = GridSearchCV(
        Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(max_iter=4))]),
        {"mlp__alpha": [1e-4, 1e-2]},
        cv=2,
    ).set_callbacks(recorder)
    search.fit(X_IRIS, Y_IRIS)

    epochs = [call for call in recorder.calls if call[:2] == ("end", "epoch")]
    # 2 candidates x 2 folds, and the refit: 5 MLP fits of 4 epochs each.
    assert len(epochs) == 5 * 4
    # Each MLP fit hangs below the pipeline's step, below GridSearchCV's tasks.
    assert min(depth for *_, depth in epochs) >= 3
    assert [call[0] for call in recorder.calls].count("setup") == 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_progress_bar_nested():
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    search = GridSearchCV(
        Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(max_iter=3))]),
        {"mlp__alpha": [1e-4, 1e-2]},
        cv=2,
    ).set_callbacks(ProgressBar(max_propagation_depth=None))
    search.fit(X_IRIS, Y_IRIS)
    assert search.best_estimator_[-1].n_iter_ == 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_progress_bar():
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    model = MLPRegressor(max_iter=3, random_state=0).set_callbacks(ProgressBar())
    model.fit(X_DIAB, Y_DIAB)
    assert model.n_iter_ == 3


class Failing(Recorder):
    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        super().on_fit_task_end(estimator, context)
        if context.task_name == "epoch" and context.task_id == 1:
            raise RuntimeError("callback failed")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_failing_callback_is_torn_down_and_the_model_is_kept():
    model = MLPClassifier(max_iter=3, random_state=0).fit(X_IRIS, Y_IRIS)
    before = [c.copy() for c in model.coefs_]
    callback = Failing()
    model.set_callbacks(callback)
    with pytest.raises(RuntimeError, match="callback failed"):
        model.fit(X_IRIS, Y_IRIS)
    assert callback.calls[-1][0] == "teardown"
    for a, b in zip(before, model.coefs_):
        np.testing.assert_array_equal(a, b)
    assert model._skl_callbacks == [callback]
    assert not hasattr(model, "_callback_fit_ctx")


@pytest.mark.parametrize(
    "estimator", [MLPClassifier(), LogisticBackprop()], ids=["mlp", "logistic"]
)
def test_clone_and_pickle_keep_callbacks_like_scikit_learn(estimator):
    callback = Recorder()
    ours = clone(estimator).set_callbacks(callback)
    reference = LogisticRegression().set_callbacks(callback)
    # clone passes the callback instances on by reference ...
    assert clone(ours)._skl_callbacks[0] is callback
    assert clone(reference)._skl_callbacks[0] is callback
    # ... and a pickle round trip carries copies of them.
    ours_back = pickle.loads(pickle.dumps(ours))
    reference_back = pickle.loads(pickle.dumps(reference))
    assert type(ours_back._skl_callbacks[0]) is type(reference_back._skl_callbacks[0])
    assert ours_back._skl_callbacks[0] is not callback


def test_set_callbacks_rejects_non_callbacks():
    with pytest.raises(TypeError, match="FitCallback protocol"):
        MLPClassifier().set_callbacks(object())


def _run(code):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "missing",
    ['types.ModuleType("sklearn.callback")', "None"],
    ids=["names-missing", "module-missing"],
)
def test_without_sklearn_callback_support_switches_itself_off(missing):
    # scikit-learn < 1.9 simulated: ``from sklearn.callback import ...`` fails (an empty
    # module, or none). scikit-learn 1.9's own modules use sklearn.callback, so they are
    # imported before it disappears.
    result = _run(
        f"""
        import sys, types
        import sklearn.linear_model, sklearn.metrics, sklearn.model_selection
        import sklearn.callback._callback_support
        sys.modules["sklearn.callback"] = {missing}
        import numpy as np
        import skbackprop
        from skbackprop import MLPClassifier
        from skbackprop.utils.callbacks import CALLBACKS_AVAILABLE
        assert not CALLBACKS_AVAILABLE
        X = np.random.RandomState(0).normal(size=(40, 3))
        y = (X[:, 0] > 0).astype(int)
        model = MLPClassifier(max_iter=300, random_state=0).fit(X, y)
        assert model.score(X, y) > 0.9
        model.partial_fit(X, y)
        try:
            model.set_callbacks()
        except NotImplementedError as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "scikit-learn >= 1.9" in result.stdout
    assert "pip install" in result.stdout


def test_import_never_fails_without_sklearn_callback():
    result = _run(
        """
        import sys
        sys.modules["sklearn.callback"] = None  # the module does not exist
        import skbackprop
        print(skbackprop.__version__)
        """
    )
    assert result.returncode == 0, result.stderr


def test_gaussian_mixture_tasks_per_start_and_em_iteration():
    recorder = Recorder()
    mixture = GaussianMixtureEM(n_components=3, n_init=2, random_state=0)
    plain = clone(mixture).fit(X_IRIS)
    mixture.set_callbacks(recorder).fit(X_IRIS)
    np.testing.assert_array_equal(plain.means_, mixture.means_)

    tasks = [call for call in recorder.calls if call[0] in ("begin", "end")]
    assert tasks[0] == ("begin", "fit", 0, 0)
    assert tasks[-1] == ("end", "fit", 0, 0)
    assert [call[2] for call in tasks if call[:2] == ("end", "init")] == [0, 1]
    assert {call[3] for call in tasks if call[1] == "init"} == {1}
    assert {call[3] for call in tasks if call[1] == "em_iteration"} == {2}
    # Each start's EM iterations, numbered from 0, between its begin and end.
    per_start = [[]]
    for hook, name, task_id, _ in tasks[1:-1]:
        if (hook, name) == ("end", "em_iteration"):
            per_start[-1].append(task_id)
        elif (hook, name) == ("end", "init"):
            per_start.append([])
    assert all(ids == list(range(len(ids))) for ids in per_start[:2])
    # The kept start is one of them; n_iter_ is its number of EM iterations.
    assert mixture.n_iter_ in {len(ids) for ids in per_start[:2]}


def test_gaussian_mixture_stop_and_scores():
    from sklearn.callback import ScoringMonitor

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a requested stop is no ConvergenceWarning
        stopped = GaussianMixtureEM(n_components=3, n_init=2, random_state=0)
        stopped.set_callbacks(Recorder(stop_at=2)).fit(X_IRIS)
    assert stopped.n_iter_ == 2
    assert not stopped.converged_

    # GaussianMixtureEM ignores y; ScoringMonitor scores only when it is given one.
    monitor = ScoringMonitor(scoring={"log_likelihood": lambda est, X, y: est.score(X)})
    mixture = GaussianMixtureEM(n_components=3, random_state=0).set_callbacks(monitor)
    mixture.fit(X_IRIS, np.zeros(len(X_IRIS)))
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "em_iteration"]
    assert len(rows) == mixture.n_iter_
    assert rows[-1]["log_likelihood"] == pytest.approx(mixture.score(X_IRIS), rel=1e-12)
