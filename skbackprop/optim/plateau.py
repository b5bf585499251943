"""Plateau detection: epochs in a row in which a monitored value stopped improving."""

__all__ = ["Plateau"]


class Plateau:
    """Count the epochs in a row that did not improve the best value by more than ``tol``.

    This is scikit-learn's MLP tolerance test, the one rule behind its early stopping,
    its ``n_iter_no_change`` and its 'adaptive' learning rate: a loss improves when it is
    below the best loss minus ``tol``, a score when it is above the best score plus
    ``tol``. The best value itself is updated by any improvement, however small.

    Parameters
    ----------
    tol : float
        The improvement that counts.
    mode : {'min', 'max'}, default='min'
        Whether lower ('min', a loss) or higher ('max', a score) is better.
    best : float, optional
        The best value so far (continuing a fit); infinitely bad by default.
    n_bad : int, default=0
        Epochs without improvement so far.

    Attributes
    ----------
    best : float
        The best value observed.
    n_bad : int
        Consecutive epochs without an improvement by more than ``tol``.

    Examples
    --------
    >>> from skbackprop.optim import Plateau
    >>> plateau = Plateau(tol=0.1)
    >>> [plateau.update(loss) for loss in [1.0, 0.95, 0.5]]
    [True, True, True]
    >>> plateau.n_bad, plateau.best
    (0, 0.5)
    >>> plateau.update(0.45), plateau.n_bad
    (True, 1)
    """

    def __init__(self, tol, mode="min", best=None, n_bad=0):
        self.tol = tol
        self.sign = 1.0 if mode == "min" else -1.0
        self.best = (self.sign * float("inf")) if best is None else best
        self.n_bad = n_bad

    def update(self, value):
        """Record one epoch's value; return whether it is the best so far."""
        sign = self.sign
        # Negation is exact, so the 'max' test is scikit-learn's score < best + tol.
        if sign * value > sign * self.best - self.tol:
            self.n_bad += 1
        else:
            self.n_bad = 0
        if sign * value < sign * self.best:
            self.best = value
            return True
        return False
