"""Early stopping: a validation split, scored after every epoch, and the best parameters."""

import numpy as np
from sklearn.model_selection import train_test_split

__all__ = ["EarlyStopping", "validation_split"]


def validation_split(X, Y, sample_weight, *, fraction, random_state, stratify=None):
    """scikit-learn's early-stopping split, drawing what its MLP draws.

    Returns ``(X_train, Y_train, sw_train, X_val, Y_val, sw_val)``; raises ValueError when
    fewer than 2 samples would be held out.
    """
    arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
    split = train_test_split(
        *arrays, random_state=random_state, test_size=fraction, stratify=stratify
    )
    X_train, X_val, Y_train, Y_val = split[:4]
    sw_train, sw_val = split[4:] if sample_weight is not None else (None, None)
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size "
            "of your dataset."
        )
    return X_train, np.ascontiguousarray(Y_train), sw_train, X_val, Y_val, sw_val


class EarlyStopping:
    """Score held-out data after each epoch and keep the parameters of the best score.

    Parameters
    ----------
    score : callable
        ``score(X_val, y_val, sample_weight)``: higher is better (the estimator's own
        ``score``, without input validation).
    X_val, y_val, sw_val
        The held-out data.
    best_parameters : ndarray
        The parameters of the best score so far (a copy); training ends on them.
    ties_go_to_later : bool, default=False
        Whether an epoch that ties the best score replaces it (the later epoch is kept);
        scikit-learn's MLP keeps the earlier one.

    Attributes
    ----------
    best_iteration : int or None
        The epoch (1-based) whose parameters are ``best_parameters``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.training import EarlyStopping
    >>> def score(X, y, sample_weight):
    ...     return -float(np.abs(X.sum(axis=1) - y).mean())
    >>> stopping = EarlyStopping(score, np.ones((2, 2)), np.array([2.0, 1.0]), None, np.zeros(3))
    >>> stopping()
    -0.5
    """

    def __init__(self, score, X_val, y_val, sw_val, best_parameters, ties_go_to_later=False):
        self.score = score
        self.ties_go_to_later = ties_go_to_later
        self.best_iteration = None
        self.data = (X_val, y_val, sw_val)
        self.best_parameters = best_parameters

    def __call__(self):
        X_val, y_val, sw_val = self.data
        return self.score(X_val, y_val, sw_val)
