"""Solving the normal equations: Cholesky when it is accurate, a minimum-norm solve otherwise.

The normal equations ``(X_c^T W X_c + alpha I) theta = X_c^T W y_c`` square the condition
number of ``X``.  :func:`solve_normal_equations` picks the solve that keeps the digits:

- Cholesky of the Gram matrix (:func:`~skbackprop.utils.linalg.accurate_cholesky_solve`) when
  ``X`` has full rank (or ``alpha > 0``) and the Cholesky error bound is within 1e-9;
- otherwise, with the rows at hand (a dense ``fit``), LinearRegression's own computation: the
  SVD of the centered, weighted data (:func:`svd_solve`);
- otherwise (sparse data, ``partial_fit``, dask) the eigendecomposition of the Gram matrix
  through :func:`~skbackprop.utils.linalg.solve_psd`, with a warning when it cannot be
  accurate.
"""

import warnings
from dataclasses import replace

import numpy as np
from scipy import linalg

from ..utils.linalg import (
    DEFAULT_MAX_RELATIVE_ERROR,
    accurate_cholesky_solve,
    cholesky_solve,
    eigh_solve,
    is_accurate,
    solve_psd,
    symmetric_eigenvalues,
)
from ._normal_equation_nnls import nonnegative_least_squares

_EPS = np.finfo(np.float64).eps


def solve_normal_equations(
    statistics, data, *, alpha, fit_intercept, solver, tol, copy_X, positive=False
):
    """Coefficients of the least-squares (or ridge) problem the statistics describe.

    With ``positive``, the unconstrained solution is kept for every target where it is
    non-negative (it then solves the constrained problem too); the other targets are solved
    by the active-set method (:func:`nonnegative_least_squares`), and ``solver_`` is
    ``'active-set'``.

    Parameters
    ----------
    statistics : SufficientStatistics
        Of every row seen.
    data : tuple of (X, y_2d, sample_weight) or None
        The rows themselves, when at hand, for the SVD fallback.
    alpha, fit_intercept, solver, tol, copy_X, positive
        The estimator's parameters of those names.

    Returns
    -------
    coef : ndarray of shape (n_features, n_targets)
    rank : int
        Rank of the centered, weighted ``X`` (singular values above ``tol`` times the largest).
    singular : ndarray of shape (min(n_samples, n_features),)
        Its singular values, descending.
    solver_ : {'cholesky', 'lstsq', 'eigh', 'active-set'}
        The solve that produced ``coef``.
    statistics : SufficientStatistics
        ``statistics``, with the means the SVD of the data centered on when it ran (the
        data's own, LinearRegression's); the intercept is computed from these.
    """
    A, b = statistics.normal_equations(fit_intercept)
    coef, rank, singular, method, statistics = _unconstrained(
        statistics,
        data,
        A,
        b,
        alpha=alpha,
        fit_intercept=fit_intercept,
        solver=solver,
        tol=tol,
        copy_X=copy_X,
    )
    if positive:
        negative = np.flatnonzero(np.any(coef < 0, axis=0))
        for target in negative:
            coef[:, target] = nonnegative_least_squares(A, b[:, target], ridge=alpha)
        if negative.size:
            method = "active-set"
    return coef, rank, singular, method, statistics


def _unconstrained(statistics, data, A, b, *, alpha, fit_intercept, solver, tol, copy_X):
    n_features = A.shape[0]
    n_singular = min(statistics.n_samples, n_features)
    eigenvalues = symmetric_eigenvalues(A)[::-1]
    singular = np.sqrt(np.clip(eigenvalues, 0, None))[:n_singular]
    rank = matrix_rank(singular, tol)

    if solver == "cholesky":
        try:
            coef, rcond = cholesky_solve(A, b, ridge=alpha)
        except np.linalg.LinAlgError as error:
            raise ValueError(
                "solver='cholesky' failed: X^T W X + alpha * I is not positive definite "
                f"({error}); the features are collinear or fewer than the samples. Use "
                "solver='auto' or 'lstsq' for the minimum-norm solution, or set alpha > 0."
            ) from None
        if not is_accurate(rcond):
            _warn(
                f"solver='cholesky': the normal equations are ill-conditioned (reciprocal "
                f"condition number {rcond:.1e}), the coefficients may be inaccurate; use "
                "solver='auto' or 'lstsq', standardize the features, or increase alpha."
            )
        return coef, rank, singular, "cholesky", statistics

    # Cholesky cannot give LinearRegression's minimum-norm answer on rank-deficient X.
    use_cholesky = solver == "auto" and (alpha > 0 or rank == n_features)
    if data is not None:
        coef = accurate_cholesky_solve(A, b, ridge=alpha) if use_cholesky else None
        if coef is not None:
            return coef, rank, singular, "cholesky", statistics
        coef, rank, singular, statistics = svd_solve(
            statistics, *data, alpha=alpha, fit_intercept=fit_intercept, tol=tol, copy_X=copy_X
        )
        return coef, rank, singular, "lstsq", statistics

    # Only the Gram matrix is available: its eigenvalues are exact to about eps times the
    # largest, so say so when the directions kept are smaller than that allows.
    cutoff = (tol * singular[0]) ** 2 if alpha == 0 and singular.size else 0.0
    if use_cholesky:
        coef, method = solve_psd(A, b, ridge=alpha, cutoff=cutoff)
    else:
        coef, method = eigh_solve(A, b, ridge=alpha, cutoff=cutoff)[0], "eigh"
    if method == "eigh":
        largest = eigenvalues[0] if eigenvalues.size else 0.0
        kept = eigenvalues[eigenvalues + alpha > cutoff] + alpha
        if kept.size and _EPS * largest > DEFAULT_MAX_RELATIVE_ERROR * kept.min():
            _warn(
                "The normal equations are too ill-conditioned for the accumulated statistics "
                f"to give accurate coefficients (condition number {largest / kept.min():.1e}); "
                "call fit on dense data (it falls back to the SVD of X), standardize the "
                "features, or increase alpha."
            )
    return coef, rank, singular, method, statistics


def svd_solve(statistics, X, y, sample_weight, *, alpha, fit_intercept, tol, copy_X):
    """Minimum-norm solve from the SVD of the centered, weighted data (LinearRegression's).

    The data is centered on its own means, computed as LinearRegression computes them, so
    that even a very ill-conditioned ``X`` gives LinearRegression's answer to rounding.

    Returns the coefficients (n_features, n_targets), the rank, the singular values and the
    statistics with those means.
    """
    Xc = np.array(X, dtype=np.float64, copy=copy_X or X.dtype != np.float64)
    yc = np.array(y, dtype=np.float64)
    # In the units of the statistics (powers of two, exact; see SufficientStatistics).
    np.ldexp(Xc, -statistics.x_exponent, out=Xc)
    np.ldexp(yc, -statistics.y_exponent, out=yc)
    if fit_intercept:
        mean_X = np.average(Xc, axis=0, weights=sample_weight)
        mean_y = np.average(yc, axis=0, weights=sample_weight)
        statistics = replace(statistics, mean_X=mean_X, mean_y=mean_y)
        Xc -= mean_X
        yc -= mean_y
    if sample_weight is not None:
        root = np.sqrt(sample_weight)[:, None]
        Xc *= root
        yc *= root
    if alpha == 0:
        coef, _, rank, singular = linalg.lstsq(Xc, yc, cond=tol)
        return coef, int(rank), singular, statistics
    # Ridge by the SVD: theta = V diag(s / (s^2 + alpha)) U^T y.
    U, singular, Vt = linalg.svd(Xc, full_matrices=False)
    shrink = singular / (singular**2 + alpha)
    coef = Vt.T @ (shrink[:, None] * (U.T @ yc))
    return coef, matrix_rank(singular, tol), singular, statistics


def matrix_rank(singular, tol):
    """Number of singular values above ``tol`` times the largest."""
    if singular.size == 0 or singular[0] == 0:
        return 0
    return int(np.count_nonzero(singular > tol * singular[0]))


def _warn(message):
    warnings.warn(message, linalg.LinAlgWarning, stacklevel=4)
