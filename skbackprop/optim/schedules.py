"""Learning-rate schedules: small objects that set an optimizer's ``learning_rate``.

Each schedule holds the current ``learning_rate`` and changes it at the end of an epoch
(``iteration_ends``) or when training stops improving (``trigger_stopping``), the two
moments scikit-learn's MLP uses; ``apply`` copies it onto an optimizer. Optimizers know
nothing of schedules, and schedules know nothing of models.
"""

from .plateau import Plateau

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

    def apply(self, optimizer):
        """Set ``optimizer.learning_rate`` to the current rate and return the optimizer."""
        optimizer.learning_rate = self.learning_rate
        return optimizer


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
    """Divide the rate by ``factor`` after ``patience`` epochs without improvement.

    scikit-learn's MLP 'adaptive' rate: an epoch improves when its loss is below the best
    loss so far minus ``tol``. After ``patience`` epochs in a row without improvement the
    rate is divided by ``factor`` (5); once it is at or below ``min_learning_rate`` (1e-6),
    training stops.

    Parameters
    ----------
    learning_rate_init : float, default=0.001
        The initial learning rate.
    patience : int, default=2
        Epochs without improvement before the rate is lowered.
    tol : float, default=1e-4
        Minimum decrease of the loss that counts as an improvement.
    factor : float, default=5.0
        The rate is divided by this.
    min_learning_rate : float, default=1e-6
        At or below this rate, no further lowering: training stops.

    Attributes
    ----------
    learning_rate : float
        The current learning rate.
    best_loss : float
        The lowest loss observed.
    n_bad_epochs : int
        Consecutive epochs without improvement.

    Examples
    --------
    >>> from skbackprop.optim import AdaptiveSchedule
    >>> schedule = AdaptiveSchedule(0.1, patience=2)
    >>> [schedule.observe(loss) for loss in [1.0, 0.5, 0.5, 0.5]]
    [False, False, False, False]
    >>> schedule.learning_rate
    0.02
    """

    def __init__(
        self, learning_rate_init=0.001, patience=2, tol=1e-4, factor=5.0, min_learning_rate=1e-6
    ):
        super().__init__(learning_rate_init)
        self.patience = patience
        self.tol = tol
        self.factor = factor
        self.min_learning_rate = min_learning_rate
        self.plateau = Plateau(tol)

    @property
    def best_loss(self):
        return self.plateau.best

    @property
    def n_bad_epochs(self):
        return self.plateau.n_bad

    def trigger_stopping(self, msg="", verbose=False):
        """Lower the rate and continue (False), or stop (True) once it is too small."""
        if self.learning_rate <= self.min_learning_rate:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= self.factor
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False

    def observe(self, loss):
        """Record an epoch's loss; return True when training should stop."""
        self.plateau.update(loss)
        if self.plateau.n_bad >= self.patience:
            self.plateau.n_bad = 0
            return self.trigger_stopping()
        return False
