"""Non-negative least squares on the Gram matrix: Lawson and Hanson's active-set method.

``NormalEquationRegressor(positive=True)`` minimizes the same objective as the normal
equation under ``theta >= 0``. In terms of the Gram matrix ``A = X^T W X + alpha I`` and the
right-hand side ``b = X^T W y`` that is the quadratic program::

    minimize 0.5 theta^T A theta - b^T theta   subject to   theta >= 0,

whose optimality (KKT) conditions are, with the dual ``w = b - A theta``: ``theta >= 0``,
``w <= 0`` and ``theta_j w_j = 0``. The unconstrained solution of the normal equations is the
answer in closed form when it is already non-negative; otherwise the active-set method of
Lawson and Hanson (*Solving Least Squares Problems*, 1974, ch. 23) finds the set of
coefficients that are free (the *passive* set, solved as an unconstrained least-squares
problem on those columns) while all others are held at zero:

1. start from ``theta = 0``, all coefficients held at zero;
2. free the held coefficient whose dual ``w_j`` is largest, while some ``w_j > 0``;
3. solve the normal equations on the free set; if a free coefficient comes out <= 0, step
   from the current point toward that solution as far as feasibility allows, hold the
   coefficients that reached zero, and solve again;
4. repeat from 2 until no held coefficient's dual is positive.

scikit-learn's ``LinearRegression(positive=True)`` runs the same method on the rows
(``scipy.optimize.nnls``); here it runs on the ``n_features x n_features`` Gram matrix, so
each step costs ``O(n_features^3)`` at most, whatever the number of rows.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..utils.linalg import solve_psd

_EPS = np.finfo(np.float64).eps


def nonnegative_least_squares(A, b, *, ridge=0.0, max_iter=None):
    """``argmin 0.5 theta^T (A + ridge I) theta - b^T theta`` over ``theta >= 0``.

    Parameters
    ----------
    A : ndarray of shape (n, n)
        Symmetric positive semidefinite Gram matrix.
    b : ndarray of shape (n,)
        Right-hand side.
    ridge : float, default=0.0
        Added to the diagonal of ``A``.
    max_iter : int, default=None
        Largest number of coefficients freed; None means ``3 n`` (scipy's default).

    Returns
    -------
    theta : ndarray of shape (n,)
        The non-negative solution.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.linear_model._nnls import nonnegative_least_squares
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    >>> y = np.array([2.0, 1.0, -1.0])
    >>> nonnegative_least_squares(X.T @ X, X.T @ y)  # unconstrained: [1.67, -1.33]
    array([1.5, 0. ])
    """
    A = np.array(A, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = b.shape[0]
    A.flat[:: n + 1] += ridge
    theta = np.zeros(n)
    # A column that is zero in X (zero diagonal) cannot lower the objective: keep it at 0.
    # The others are equilibrated to a unit diagonal: theta = D theta~ with D > 0 keeps the
    # sign constraints, and the dual's tolerance is then free of the features' units.
    usable = np.flatnonzero(A.diagonal() > 0)
    if usable.size == 0:
        return theta
    scale = 1.0 / np.sqrt(A.diagonal()[usable])
    A = A[np.ix_(usable, usable)] * scale[:, None] * scale[None, :]
    b = b[usable] * scale
    solution = _active_set(A, b, max_iter=3 * n if max_iter is None else max_iter)
    theta[usable] = solution * scale
    return theta


def _active_set(A, b, max_iter):
    n = b.shape[0]
    theta = np.zeros(n)
    free = np.zeros(n, dtype=bool)
    # Coefficients whose positive dual rounding made a false promise (the solve on the free
    # set gave them no positive value); not tried again until theta moves.
    rejected = np.zeros(n, dtype=bool)
    dual = b.copy()  # b - A theta at theta = 0
    tol = 10 * n * _EPS * max(1.0, np.abs(b).max())
    for _ in range(max_iter):
        candidates = ~free & ~rejected & (dual > tol)
        if not candidates.any():
            return theta
        candidate = np.flatnonzero(candidates)[np.argmax(dual[candidates])]
        free[candidate] = True
        trial = _solve_free(A, b, free)
        if trial[candidate] <= 0:
            free[candidate] = False
            rejected[candidate] = True
            continue
        while not np.all(trial[free] > 0):
            # Step toward the trial point until the first free coefficient reaches zero,
            # hold every coefficient that did, and solve on the smaller free set.
            blocking = free & (trial <= 0)
            steps = theta[blocking] / (theta[blocking] - trial[blocking])
            theta = theta + steps.min() * (trial - theta)
            free &= theta > 0
            theta[~free] = 0.0
            trial = _solve_free(A, b, free)
        theta = trial
        rejected[:] = False
        dual = b - A @ theta
    warnings.warn(
        f"The non-negative least-squares active set did not settle in {max_iter} "
        "iterations; the coefficients may not be optimal. Standardize the features or set "
        "alpha > 0.",
        ConvergenceWarning,
        stacklevel=4,
    )
    return theta


def _solve_free(A, b, free):
    """Normal equations on the free coefficients (Cholesky, or eigh if singular); 0 elsewhere."""
    x = np.zeros(b.shape[0])
    if free.any():
        x[free], _ = solve_psd(A[np.ix_(free, free)], b[free], cutoff=_EPS * free.sum())
    return x
