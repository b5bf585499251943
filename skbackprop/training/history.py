"""What training has done so far: the record the trainer keeps and its observers read."""

from dataclasses import dataclass, field

from ..optim import Plateau

__all__ = ["TrainingHistory", "notify"]


@dataclass
class TrainingHistory:
    """The running record of a fit, epoch by epoch (or L-BFGS iteration by iteration).

    An estimator that continues training (``warm_start``, ``partial_fit``) starts the
    next call's history from its fitted attributes; one that starts over starts a new one.

    Attributes
    ----------
    n_iter : int
        Epochs (or L-BFGS iterations) completed.
    t : int
        Training samples seen (the 'invscaling' schedule's clock).
    loss : float or None
        The last epoch's loss.
    loss_curve : list of float
        Every epoch's loss.
    gradient_norms : list
        Every epoch's gradient summary (see :mod:`~skbackprop.training.gradient_norms`).
    plateau : Plateau
        The tolerance test, over the training loss or the validation score.
    validation_scores : list of float or None
        Every epoch's validation score, with early stopping.
    n_nonfinite : int
        L-BFGS evaluations whose loss was not finite (the line search backs off from them).

    Examples
    --------
    >>> from skbackprop.optim import Plateau
    >>> from skbackprop.training import TrainingHistory
    >>> history = TrainingHistory(plateau=Plateau(tol=1e-4))
    >>> history.n_iter, history.loss_curve, history.plateau.best
    (0, [], inf)
    """

    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    loss_curve: list = field(default_factory=list)
    gradient_norms: list = field(default_factory=list)
    plateau: Plateau = field(default_factory=lambda: Plateau(0.0))
    validation_scores: list | None = None
    n_nonfinite: int = 0


def notify(observers, history):
    """Call every observer with ``history`` (all of them, even after one asked to stop);
    return True if any asked to stop."""
    stop = False
    for observer in observers:
        stop = bool(observer(history)) or stop
    return stop
