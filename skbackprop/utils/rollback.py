"""The rollback rule: a fit that raises leaves the estimator exactly as it was."""

import copy
import functools
from contextlib import contextmanager

from .callbacks import CALLBACK_STATE

__all__ = ["rollback_on_error", "rolls_back"]


@contextmanager
def rollback_on_error(estimator):
    """Restore ``estimator``'s fitted state if the block raises.

    The one rule of every skbackprop estimator: on entry, the estimator's state is
    deep-copied, that is every attribute named as scikit-learn names state: the fitted
    attributes, ending in ``_``, and the private ones, starting with ``_`` (such as an
    optimizer's moments). If the block raises, the attributes are put back as they were,
    values included, and attributes the block added are removed. Training may therefore
    update parameter buffers and optimizer state in place. Constructor parameters, whose
    names scikit-learn requires to be neither, are never copied: they are the user's
    objects; neither are the callbacks and their task contexts (``CALLBACK_STATE``), which
    must still be torn down after a failed fit.

    An estimator whose fit only ever replaces some fitted arrays, never writing into them,
    names them in a class attribute ``_replaced_by_fit``: those are kept by reference, not
    copied (a Gaussian mixture's covariances and precisions can take several times the
    data's memory, and a refit would otherwise hold a copy of each).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from skbackprop.utils import rollback_on_error
    >>> est = SimpleNamespace(coef_=[1.0])
    >>> try:
    ...     with rollback_on_error(est):
    ...         est.coef_.append(2.0)
    ...         est.n_iter_ = 3
    ...         raise ValueError("diverged")
    ... except ValueError:
    ...     pass
    >>> est.coef_, hasattr(est, "n_iter_")
    ([1.0], False)
    """
    state = vars(estimator)
    replaced = getattr(type(estimator), "_replaced_by_fit", frozenset())
    copied = copy.deepcopy({k: v for k, v in state.items() if _is_state(k) and k not in replaced})
    # In the original order: the restored estimator is the same, down to its pickle.
    saved = {k: copied.get(k, v) for k, v in state.items()}
    try:
        yield
    except BaseException:
        # The callbacks' state as it is now, each where it was: the same pickle as before.
        callbacks = {k: state[k] for k in CALLBACK_STATE if k in state}
        state.clear()
        state.update(
            {
                k: callbacks.pop(k) if k in CALLBACK_STATE else v
                for k, v in saved.items()
                if k not in CALLBACK_STATE or k in callbacks
            }
        )
        state.update(callbacks)
        raise


def rolls_back(method):
    """Decorate a fitting method: if a call raises, the estimator is left as it was.

    :func:`rollback_on_error` around the whole call. Put it outermost, above
    ``with_callbacks`` and ``_fit_context``: an exception raised anywhere in the call,
    including a KeyboardInterrupt that lands in their code after training, then finds
    the estimator as it was before the call.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from skbackprop.utils import rolls_back
    >>> class Counter(BaseEstimator):
    ...     @rolls_back
    ...     def fit(self, X, y=None):
    ...         self.n_seen_ = getattr(self, "n_seen_", 0) + len(X)
    ...         if len(X) > 2:
    ...             raise ValueError("too long")
    ...         return self
    >>> model = Counter().fit([1, 2])
    >>> try:
    ...     model.fit([1, 2, 3])
    ... except ValueError:
    ...     pass
    >>> model.n_seen_
    2
    """

    @functools.wraps(method)
    def call_rolling_back(self, *args, **kwargs):
        with rollback_on_error(self):
            return method(self, *args, **kwargs)

    return call_rolling_back


def _is_state(name):
    """Whether attribute ``name`` is state that a failed fit must restore: a fitted
    (``name_``) or private (``_name``) attribute, not a callback's."""
    return (name.endswith("_") or name.startswith("_")) and name not in CALLBACK_STATE
