"""Hyperparameters that follow a schedule over the steps of a fit.

A schedule is a function of the fit's progress ``t = step / n_steps`` in [0, 1) that
multiplies a base value: the learning rate, the dropout probability or the weight decay
at every step. The shapes (Holzmueller et al., 2024, "Better by Default"):

- ``'constant'``: 1.
- ``'coslog4'``: ``(1 - cos(2 pi log2(1 + 15 t))) / 2``, four cosine cycles that grow
  longer in geometric progression (each twice the last), from 0 up to 1 and back; the
  learning rate both warms up and anneals, four times.
- ``'flat_cos'``: 1 over the first half, then ``(1 + cos(pi (2 t - 1))) / 2``, a half
  cosine down to 0 at the end.
- ``'cos'``: ``(1 + cos(pi t)) / 2``, from 1 down to 0.
"""

import math

__all__ = ["STEP_SCHEDULES", "StepSchedule"]


def _constant(t):
    return 1.0


def _coslog4(t):
    return 0.5 * (1.0 - math.cos(2.0 * math.pi * math.log2(1.0 + 15.0 * t)))


def _flat_cos(t):
    if t < 0.5:
        return 1.0
    return 0.5 * (1.0 + math.cos(math.pi * (2.0 * t - 1.0)))


def _cos(t):
    return 0.5 * (1.0 + math.cos(math.pi * t))


#: The schedules by name: each maps the fit's progress ``t`` in [0, 1) to a factor of a
#: hyperparameter's base value ('coslog4', 'flat_cos' and 'cos' as in RealMLP).
STEP_SCHEDULES = {
    "constant": _constant,
    "coslog4": _coslog4,
    "flat_cos": _flat_cos,
    "cos": _cos,
}


class StepSchedule:
    """A base value times a schedule's factor at the fit's progress.

    Parameters
    ----------
    base_value : float
        The value the schedule's factor multiplies.
    schedule : str or callable, default='constant'
        A key of :data:`STEP_SCHEDULES` or a function of the progress ``t`` in [0, 1).
    n_steps : int, default=1
        The steps of the whole fit: step ``s`` is at progress ``s / n_steps``.

    Examples
    --------
    >>> from skbackprop.optim import StepSchedule
    >>> schedule = StepSchedule(0.02, "flat_cos", n_steps=4)
    >>> [round(schedule(step), 4) for step in range(4)]
    [0.02, 0.02, 0.02, 0.01]
    """

    def __init__(self, base_value, schedule="constant", n_steps=1):
        if isinstance(schedule, str):
            if schedule not in STEP_SCHEDULES:
                raise ValueError(
                    f"Unknown schedule {schedule!r}; use one of {sorted(STEP_SCHEDULES)} or "
                    "a function of the progress t in [0, 1)."
                )
            schedule = STEP_SCHEDULES[schedule]
        self.base_value = base_value
        self.schedule = schedule
        self.n_steps = max(int(n_steps), 1)

    def __call__(self, step):
        """The value at step ``step`` (0-based) of the fit."""
        return float(self.base_value) * float(self.schedule(step / self.n_steps))
