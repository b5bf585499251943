"""scikit-learn's callbacks (``sklearn.callback``) on the iterations of a fit.

scikit-learn 1.9 describes a fit as a tree of tasks: the root task is the whole ``fit``,
its subtasks are its iterations, and callbacks such as ``ProgressBar`` and
``ScoringMonitor`` are told when each task begins and ends. Every iterative estimator of
skbackprop describes its fit the same way through :class:`FitTasks`: the root task at the
start and end of ``fit``, and one subtask per epoch, L-BFGS iteration or EM iteration,
driven by the trainer's observers (``observer(history) -> stop``).

With no callbacks set, :class:`FitTasks` hands the trainer no observer, so training runs
exactly as it does without this module. On scikit-learn versions without
``sklearn.callback`` (before 1.9), :class:`CallbackSupportMixin` is a stand-in whose
``set_callbacks`` says which version is needed, and :class:`FitTasks` does nothing.
"""

import sklearn

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # scikit-learn < 1.9: no callback API
    CALLBACKS_AVAILABLE = False

    class CallbackSupportMixin:
        """Stand-in for ``sklearn.callback.CallbackSupportMixin`` (scikit-learn < 1.9)."""

        def set_callbacks(self, *callbacks):
            """Callbacks need ``sklearn.callback``, new in scikit-learn 1.9."""
            raise NotImplementedError(
                f"Callbacks need scikit-learn >= 1.9 (the sklearn.callback module); this "
                f"is scikit-learn {sklearn.__version__}. Upgrade it with "
                "`pip install 'scikit-learn>=1.9'` to use set_callbacks."
            )

    def with_callbacks(method):
        """Stand-in for ``sklearn.callback.with_callbacks``: ``method`` unchanged."""
        return method

else:
    CALLBACKS_AVAILABLE = True

__all__ = ["CALLBACKS_AVAILABLE", "CALLBACK_STATE", "CallbackSupportMixin", "FitTasks"]

# What scikit-learn's callback machinery stores on an estimator during a fit: the
# registered callbacks and the task contexts. They belong to the caller, not to the fitted
# state, so a failed fit's rollback leaves them alone.
CALLBACK_STATE = frozenset(
    {
        "_skl_callbacks",
        "_skl_callbacks_to_teardown",
        "_callback_fit_ctx",
        "_parent_callback_ctx",
    }
)


class FitTasks:
    """The callback tasks of one fit: the root task and one subtask per iteration.

    Created at the start of ``fit`` (after input validation), it initializes the
    estimator's callback context and begins the root task. :meth:`observers` gives the
    trainer the observer that ends each iteration's task and begins the next one;
    :meth:`finish` ends what is still open and then the root task, once the fitted
    attributes are set. An observer returns True when a callback asks to stop.

    Parameters
    ----------
    estimator : CallbackSupportMixin
        The estimator being fitted (decorate its ``fit`` with ``with_callbacks``).
    X, y : array-like
        The data passed to ``fit``, as the callbacks receive it (``ScoringMonitor`` scores
        the model on it).
    sample_weight : array-like, optional
        Passed to the callbacks as ``metadata={"sample_weight": ...}``.
    task_name : str, default='fit'
        The root task's name ('partial_fit' for one incremental call).
    max_subtasks : int, default=0
        The most iterations this fit may run; 0 makes the root task a leaf.
    subtask_name : str, default='iteration'
        The name of each iteration's task ('epoch', 'lbfgs_iteration', ...).
    parent : FitTasks, optional
        Make the tasks subtasks of ``parent``'s current iteration instead of a new root
        (the EM iterations of one ``n_init`` start).

    Attributes
    ----------
    state : callable or None
        ``state() -> dict`` of fitted attributes as they stand (copies): the
        ``fitted_estimator`` the callbacks see at the end of an iteration is the estimator
        with these set. Called only when a callback asks for ``fitted_estimator``. The
        fit sets it before :meth:`observers`.

    Examples
    --------
    What a fit built on it reports: ``ScoringMonitor`` scores the model after every L-BFGS
    iteration of a :class:`~skbackprop.LogisticBackprop`, and once more at the end of
    ``fit``.

    >>> from sklearn.callback import ScoringMonitor
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from skbackprop import LogisticBackprop
    >>> X, y = load_iris(return_X_y=True)
    >>> monitor = ScoringMonitor(scoring="accuracy")
    >>> model = LogisticBackprop().set_callbacks(monitor).fit(scale(X), y)
    >>> rows = monitor.get_logs().data
    >>> scores = [row["accuracy"] for row in rows if row["task_name"] == "lbfgs_iteration"]
    >>> len(scores) == model.n_iter_.item(), scores[-1] == model.score(scale(X), y)
    (True, True)
    """

    def __init__(
        self,
        estimator,
        X=None,
        y=None,
        sample_weight=None,
        *,
        task_name="fit",
        max_subtasks=0,
        subtask_name="iteration",
        parent=None,
    ):
        self._estimator = estimator
        self._hook_data = {
            "X": X,
            "y": y,
            "metadata": None if sample_weight is None else {"sample_weight": sample_weight},
        }
        self._max_subtasks = max_subtasks
        self._subtask_name = subtask_name
        self.state = None
        self._task = None
        self._n_begun = 0
        self.n_ended = 0
        if parent is not None:
            # A nested level: the parent's open iteration task is this level's root, and
            # the data is the parent's.
            self._root = parent._task
            self._hook_data = parent._hook_data
            self._owns_root = False
        elif CALLBACKS_AVAILABLE and _has_listeners(estimator):
            self._root = estimator._init_callback_context(
                task_name=task_name, max_subtasks=max_subtasks
            )
            self._root.call_on_fit_task_begin(estimator=estimator, **self._hook_data)
            self._owns_root = True
        else:
            self._root = None
            self._owns_root = False

    @property
    def active(self):
        """Whether iterations are reported: callbacks are set and there are subtasks."""
        return (
            self._root is not None
            and self._max_subtasks != 0
            and bool(getattr(self._estimator, "_skl_callbacks", None))
        )

    def deactivate(self):
        """Report no more iterations (a fit that starts over, e.g. in float64): end the
        open tasks empty; the root task still ends with the fitted estimator."""
        if self._task is not None:
            self._end_task(ran=False)
        self._max_subtasks = 0

    def observers(self):
        """The trainer's observers: ``[]`` without callbacks, so training is unchanged.

        With callbacks, the first iteration's task begins now (before training starts).
        """
        if not self.active:
            return []
        self.begin()
        return [self.iteration_ends]

    def begin(self, max_subtasks=0):
        """Begin the next iteration's task (``max_subtasks`` for nested tasks)."""
        self._task = self._root.subcontext(task_name=self._subtask_name, max_subtasks=max_subtasks)
        self._n_begun += 1
        self._task.call_on_fit_task_begin(
            estimator=self._estimator,
            **self._hook_data,
            reconstruction_attributes=self.state,
        )

    def iteration_ends(self, history=None, *, begin_next=True):
        """End the current iteration's task; begin the next unless told to stop.

        The trainer's observer: returns True when a callback asks to stop.
        """
        stop = self._end_task(ran=True)
        if begin_next and not stop and self._n_begun < self._max_subtasks:
            self.begin()
        return stop

    def _end_task(self, ran):
        stop = self._task.call_on_fit_task_end(
            estimator=self._estimator,
            **(self._hook_data if ran else {}),
            reconstruction_attributes=self.state if ran else None,
        )
        self._task = None
        self.n_ended += 1
        return stop

    def finish(self, n_iter=None):
        """End the open iteration task, then the root task (the fitted estimator).

        ``n_iter`` is the number of iterations that ran. The open task ends with the
        model's state if its iteration ran without reaching an observer (training
        converged in it), and empty if it never ran (L-BFGS stopped after the previous
        iteration), as scikit-learn's ``LogisticRegression`` does.
        """
        if self._task is not None:
            self._end_task(ran=n_iter is not None and n_iter > self.n_ended)
        if self._owns_root:
            self._root.call_on_fit_task_end(
                estimator=self._estimator, **self._hook_data, reconstruction_attributes={}
            )


def _has_listeners(estimator):
    """Whether a fit of ``estimator`` reports to anyone: its own callbacks, or the context
    of a meta-estimator that fits it. Without either, no task is created: nothing would
    observe it, and scikit-learn's context (a random identifier and a timestamp per fit)
    costs a small fit a few percent (docs/performance.rst, "Fast paths")."""
    return bool(getattr(estimator, "_skl_callbacks", None)) or hasattr(
        estimator, "_parent_callback_ctx"
    )
