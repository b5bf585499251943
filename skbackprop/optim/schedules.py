"""Learning-rate schedules: the rule by which an optimizer's ``learning_rate`` changes.

Each schedule holds the current ``learning_rate`` and changes it at the end of an epoch
(``iteration_ends``) or when training stops improving (``trigger_stopping``), the two
moments scikit-learn's MLP uses. An optimizer owns its schedule (``optimizer.schedule``)
and takes its rate from it at those two moments; schedules know nothing of models.
"""

__all__ = ["AdaptiveSchedule", "ConstantSchedule", "InverseScalingSchedule"]


class ConstantSchedule:
    """A learning rate that never changes.

    Parameters
    ----------
    learning_rate_init : float, default=0.001
        The learning rate.

    Attributes
    ----------
    learning_rate : float
        The current learning rate (always ``learning_rate_init``).

    See Also
    --------
    InverseScalingSchedule : Decay with the number of samples seen.
    AdaptiveSchedule : Divide by 5 when training stops improving.

    Examples
    --------
    >>> from skbackprop.optim import ConstantSchedule
    >>> schedule = ConstantSchedule(0.01)
    >>> schedule.iteration_ends(1000)
    0.01
    >>> schedule.trigger_stopping()
    True
    """

    def __init__(self, learning_rate_init=0.001):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)

    def iteration_ends(self, time_step):
        """End of an epoch after ``time_step`` samples seen; return the learning rate."""
        return self.learning_rate

    def trigger_stopping(self, msg="", verbose=False):
        """Training stopped improving: a constant rate can do nothing but stop (True)."""
        if verbose:
            print(msg + " Stopping.")
        return True


class InverseScalingSchedule(ConstantSchedule):
    """``learning_rate_init / (t + 1) ** power_t`` with ``t`` the number of samples seen.

    This is scikit-learn's MLP 'invscaling' rate, recomputed at the end of each epoch.

    Parameters
    ----------
    learning_rate_init : float, default=0.001
        The rate before any sample is seen.
    power_t : float, default=0.5
        The exponent of the decay.

    Attributes
    ----------
    learning_rate : float
        The current learning rate.

    Examples
    --------
    >>> from skbackprop.optim import InverseScalingSchedule
    >>> schedule = InverseScalingSchedule(0.1, power_t=0.5)
    >>> schedule.iteration_ends(99)
    0.01
    """

    def __init__(self, learning_rate_init=0.001, power_t=0.5):
        super().__init__(learning_rate_init)
        self.power_t = power_t

    def iteration_ends(self, time_step):
        """End of an epoch after ``time_step`` samples seen; return the new rate."""
        self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t
        return self.learning_rate


class AdaptiveSchedule(ConstantSchedule):
    """Divide the rate by 5 each time training stops improving, until it is too small.

    scikit-learn's MLP 'adaptive' rate: when the tolerance test fails (``n_iter_no_change``
    epochs without an improvement by ``tol``), the trainer calls :meth:`trigger_stopping`,
    which divides the rate by 5, or stops training once it is at or below 1e-6.

    Parameters
    ----------
    learning_rate_init : float, default=0.001
        The initial learning rate.

    Attributes
    ----------
    learning_rate : float
        The current learning rate.

    Examples
    --------
    >>> from skbackprop.optim import AdaptiveSchedule
    >>> schedule = AdaptiveSchedule(0.1)
    >>> schedule.trigger_stopping(), round(schedule.learning_rate, 12)
    (False, 0.02)
    """

    def trigger_stopping(self, msg="", verbose=False):
        """Lower the rate and continue (False), or stop (True) once it is too small."""
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False
