"""The optimizers' base class: a flat parameter buffer updated in place, and its rate."""

import numpy as np

from .schedules import ConstantSchedule

__all__ = ["Optimizer", "check_flat_buffer"]


def check_flat_buffer(params):
    """Return ``params`` itself after checking it is a writable 1-D float32/float64 array.

    The optimizer updates this very array in place, so it is never copied or cast: a copy
    would silently detach the optimizer from the model's views into the buffer.
    """
    if not isinstance(params, np.ndarray):
        raise TypeError(
            f"params must be a 1-D numpy array (the flat parameter buffer), got "
            f"{type(params).__name__}. Pass the model's flat float buffer itself."
        )
    if params.ndim != 1:
        raise ValueError(
            f"params must be 1-D (the flat parameter buffer), got shape {params.shape}. "
            "Pass a flat buffer, e.g. params.ravel() of a contiguous array."
        )
    if params.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"params must be float32 or float64, got {params.dtype}. Cast the buffer "
            "with params.astype(np.float64) before building the optimizer."
        )
    if not params.flags.writeable:
        raise ValueError("params is read-only; the optimizer updates it in place. Pass a copy.")
    return params


class Optimizer:
    """Base class of the stochastic optimizers.

    An optimizer owns a flat parameter buffer, which ``step(grad)`` updates in place, and
    a learning-rate ``schedule`` (constant unless the trainer sets another). The rate
    changes only through :meth:`iteration_ends` and :meth:`trigger_stopping`, the two
    moments scikit-learn's MLP changes it.

    A step may use two scratch buffers, ``_scratch`` and ``_update`` (``_scratch_names``),
    which it overwrites before reading them; a subclass names in ``_shaped_like`` a saved
    array of the parameters' shape and dtype. The scratch buffers are allocated once, so
    that a step allocates nothing, and left out of the pickle, which keeps a pickled
    estimator no larger than scikit-learn's; everything a continued ``step`` reads
    (moments, velocity, step count) is pickled.

    Parameters
    ----------
    params : ndarray of shape (n_params,), dtype float32 or float64
        The flat parameter buffer, updated in place by ``step``. It is not copied.
    learning_rate : float
        The step size (a subclass may scale it, as Adam's bias correction does).

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        The buffer being optimized (the very array passed in).
    learning_rate : float
        The current step size.
    schedule : ConstantSchedule, InverseScalingSchedule or AdaptiveSchedule
        Sets ``learning_rate`` at the end of each epoch and when training stops improving.
    t : int
        Number of steps taken.
    """

    _scratch_names = ("_scratch", "_update")
    _shaped_like: str = ""

    def __init__(self, params, learning_rate):
        self.params = check_flat_buffer(params)
        self.learning_rate = learning_rate
        self.schedule = ConstantSchedule(learning_rate)
        self.t = 0
        for name in self._scratch_names:
            setattr(self, name, np.empty_like(params))

    def iteration_ends(self, time_step):
        """End of an epoch after ``time_step`` samples seen: the schedule sets the rate."""
        self.learning_rate = self.schedule.iteration_ends(time_step)

    def trigger_stopping(self, msg, verbose):
        """Training stopped improving: the schedule lowers the rate (False) or stops (True)."""
        stop = self.schedule.trigger_stopping(msg, verbose)
        self.learning_rate = self.schedule.learning_rate
        return stop

    def state_dict(self):
        """The optimizer as numpy arrays and Python builtins: its class's and schedule's
        names, and everything a continued ``step`` reads (``params`` is the buffer itself).

        What an estimator saves in place of the optimizer, so that a saved model holds no
        private type (skops loads it trusting only the estimator's class);
        :meth:`from_state_dict` rebuilds the optimizer.

        Examples
        --------
        >>> import numpy as np
        >>> from skbackprop.optim import Adam, Optimizer
        >>> adam = Adam(np.zeros(3), learning_rate=0.01)
        >>> state = adam.state_dict()
        >>> state["optimizer"], state["schedule"]
        ('Adam', 'ConstantSchedule')
        >>> Optimizer.from_state_dict(state).state_dict().keys() == state.keys()
        True
        """
        state = self.__getstate__()
        schedule = state.pop("schedule")
        return {
            "optimizer": type(self).__name__,
            "schedule": type(schedule).__name__,
            "schedule_state": dict(vars(schedule)),
            **state,
        }

    @classmethod
    def from_state_dict(cls, state):
        """The optimizer that :meth:`state_dict` described (its scratch buffers new)."""
        state = dict(state)
        optimizer = _subclass(Optimizer, state.pop("optimizer"))
        schedule = _subclass(ConstantSchedule, state.pop("schedule"))
        rebuilt = optimizer.__new__(optimizer)
        rebuilt.schedule = schedule.__new__(schedule)
        vars(rebuilt.schedule).update(state.pop("schedule_state"))
        rebuilt.__setstate__(state)
        return rebuilt

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in self._scratch_names:
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        like = state[self._shaped_like]
        for name in self._scratch_names:
            setattr(self, name, np.empty_like(like))


def _subclass(base, name):
    """``base`` or its subclass named ``name`` (the optimizers and schedules are few)."""
    found, classes = None, [base]
    while classes:
        cls = classes.pop()
        found = cls if cls.__name__ == name else found
        classes.extend(cls.__subclasses__())
    if found is None:
        raise ValueError(f"No {base.__name__} is named {name!r}; this state is not ours.")
    return found
