"""Least squares and ridge on sparse ``X`` by LSQR: LinearRegression's computation there.

On a sparse ``X`` the normal equations cost a product ``X^T W X`` that fills in (its
output is usually dense, and scipy builds it entry by entry) and a ``d^3 / 3``
factorization of it. LSQR (Paige and Saunders, 1982; :func:`scipy.sparse.linalg.lsqr`)
minimizes ``||A theta - b||^2 + damp^2 ||theta||^2`` with one product by ``A`` and one by
``A^T`` per iteration, never forming ``A^T A``: it is the conjugate-gradient method on
the normal equations, in a form that does not square the condition number. With ``A`` the
centered, weighted rows (an operator: ``X`` itself is not copied) and ``b`` the centered,
weighted targets, its answer is the normal equation's (user guide,
:ref:`normal_equation_sparse`).

For least squares LinearRegression solves sparse ``X`` exactly so, stopping at ``atol =
btol = tol``, hence its answer, bit for bit. For ridge the columns are first scaled to unit
norm in the penalized normal equations (Jacobi's preconditioner, on an augmented operator
that carries the penalty) where there are at least as many rows as features: the same
solution, in fewer iterations where the columns' scales differ, to LSQR's tolerance rather
than ``Ridge(solver='lsqr')``'s last bits. On wide ``X`` it is ``Ridge(solver='lsqr')``'s
computation.

:func:`lsqr_iterations` is the cost model: LSQR runs when the exact solve would cost as
much as a well-conditioned problem's iterations, for at most as many iterations as it
would cost (the normal equations answer where LSQR stops there) and at most
LinearRegression's own limit of ``2 n_features`` (where it warns and keeps LSQR's answer,
as LinearRegression keeps it).
"""

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, lsqr
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.sparsefuncs import mean_variance_axis

__all__ = ["LsqrFit", "lsqr_iterations", "lsqr_solve"]


@dataclass(frozen=True)
class LsqrFit:
    """What a fit by LSQR keeps: the means its intercept comes from, in the units of ``X
    2^-e`` and ``y 2^-f`` for the exponents ``(e, f)``. It keeps no sums of the rows, so
    ``partial_fit`` cannot continue it and the singular values are not known."""

    n_samples: int
    sum_weights: float
    mean_X: np.ndarray
    mean_y: np.ndarray
    x_exponent: int = 0
    y_exponent: int = 0


# The cost model's unit costs, in nanoseconds on the benchmark machine (only their ratios
# matter): one entry of scipy's sparse product X^T X, one multiply-add of the Cholesky
# factorization (BLAS), one stored entry of X in a sparse product with a vector, one row
# and one feature in an LSQR iteration's vector updates, and an iteration's fixed cost.
_NS_PER_PRODUCT_ENTRY = 15.0
_NS_PER_FACTOR_FLOP = 0.03
_NS_PER_NONZERO = 0.8
_NS_PER_ROW = 8.0
_NS_PER_FEATURE = 2.0
_NS_PER_ITERATION = 30_000.0

# LSQR's iterations to tol=1e-6 on well-conditioned rows (its error shrinks by about
# (k - 1) / (k + 1) an iteration for condition number k: ten iterations for k near 3):
# where the exact solve costs fewer, it is taken directly.
_FEWEST_ITERATIONS = 10

# Least squares on fewer rows than features (less one with an intercept) has a singular
# Gram matrix: its exact solve is a failed Cholesky factorization, the eigenvalues and the
# eigendecomposition, counted as 20 factorizations (the eigensolvers take some 9 d^3 flops
# against d^3 / 3, at a lower speed per flop).
_SINGULAR_SOLVE_FACTOR = 20.0


def lsqr_iterations(X, n_targets, alpha, fit_intercept):
    """The cost model of a sparse fit: LSQR's iterations per target, or 0 for none.

    The normal equations cost the product ``X^T X``, one entry per pair of nonzeros in a
    row (``sum_i k_i^2`` for ``k_i`` nonzeros in row ``i``), and the ``d^3 / 3``
    multiply-adds of its factorization (about 20 times that where the Gram matrix is
    singular by its shape). An LSQR iteration costs two products with ``X`` (``2 nnz``)
    and a few vector updates of the rows' and the features' lengths.

    Parameters
    ----------
    X : scipy sparse matrix in CSR or CSC format of shape (n_samples, n_features)
    n_targets : int
        LSQR solves one target at a time; the normal equations all at once.
    alpha : float
    fit_intercept : bool

    Returns
    -------
    iterations : int
        The iterations the exact solve's cost would buy, capped at scipy's own limit of
        ``2 n_features`` (LinearRegression's); 0 when they are fewer than a
        well-conditioned problem needs.
    """
    n_samples, n_features = X.shape
    per_row = _nonzeros_per_row(X).astype(np.float64)
    factor = _NS_PER_FACTOR_FLOP * float(n_features) ** 3 / 3
    if alpha == 0 and n_samples - int(fit_intercept) < n_features:
        factor *= _SINGULAR_SOLVE_FACTOR
    exact = _NS_PER_PRODUCT_ENTRY * float(per_row @ per_row) + factor
    iteration = (
        2 * _NS_PER_NONZERO * X.nnz
        + _NS_PER_ROW * n_samples
        + _NS_PER_FEATURE * n_features
        + _NS_PER_ITERATION
    )
    iterations = int(exact / (n_targets * iteration))
    return min(iterations, 2 * n_features) if iterations >= _FEWEST_ITERATIONS else 0


def _nonzeros_per_row(X):
    """Stored entries per row of a CSR or CSC matrix. Of CSC, counted a slice of its row
    indices at a time, each as long as the counts (numpy's bincount would copy all the
    indices to 64-bit integers first)."""
    if X.format == "csr":
        return np.diff(X.indptr)
    counts = np.zeros(X.shape[0], dtype=np.intp)
    step = max(1 << 12, X.shape[0])
    for start in range(0, X.nnz, step):
        counts += np.bincount(X.indices[start : start + step], minlength=X.shape[0])
    return counts


# LSQR's norms square the entries of X and y, and so does the centering check
# (_column_moments):
# beyond 2^100 (about 1e30), or below 2^-100, they are scaled by a power of two first
# (exact), as the normal equations' sums are.
_SAFE_EXPONENT = 100


def lsqr_solve(X, y, sample_weight, *, alpha, fit_intercept, tol):
    """Solve a sparse fit by LSQR, one target at a time, as LinearRegression does, where
    the cost model (:func:`lsqr_iterations`) prefers it.

    Parameters
    ----------
    X : scipy sparse matrix in CSR or CSC format of shape (n_samples, n_features)
        Finite values.
    y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
        Non-negative, of positive sum.
    alpha : float
        The ridge penalty: carried by the scaled operator's last rows on tall ``X``
        (:func:`_scaled_ridge_rows`), by LSQR's ``damp = sqrt(alpha)`` on wide ``X``.
    fit_intercept : bool
        Whether the rows and targets are centered (on their weighted means).
    tol : float
        LSQR's ``atol`` and ``btol``.

    Returns
    -------
    coef : ndarray of shape (n_features, n_targets), or None
        None when the cost model prefers the normal equations, or a target did not
        converge within the iterations it allows; the caller then solves the normal
        equations.
    fit : LsqrFit or None
    """
    iterations = lsqr_iterations(X, y.shape[1], alpha, fit_intercept)
    if not iterations:
        return None, None
    # Out of the safe range, solve for X 2^-e and y 2^-f (exact scalings; a copy of X).
    x_exponent, y_exponent = _exponent_if_unsafe(X.data), _exponent_if_unsafe(y)
    if x_exponent:
        X = X * X.dtype.type(np.ldexp(1.0, -x_exponent))
    # LinearRegression computes in X's precision (its targets, means and weights too):
    # float32 products with float64 vectors would convert X's values on every product.
    dtype = X.dtype
    y = np.asarray(y, dtype=dtype)
    if y_exponent:
        y = np.ldexp(y, -y_exponent).astype(dtype, copy=False)
    weights = None if sample_weight is None else sample_weight.astype(dtype)
    moments = _column_moments(X, y, weights, fit_intercept)
    if moments is None:
        return None, None
    mean_X, mean_y, spread = moments
    targets = y - mean_y.astype(dtype)
    root_weights = None if weights is None else np.sqrt(weights)
    if root_weights is not None:
        targets *= root_weights[:, None]
    offset = mean_X.astype(dtype) if fit_intercept else None
    rows = _centered_rows(X, offset, root_weights)
    scale, damp = None, np.ldexp(np.sqrt(alpha), -x_exponent)
    if alpha > 0 and X.shape[0] >= X.shape[1]:
        # Tall ridge on the columns scaled to unit norm of the penalized normal equations.
        # With fewer rows than features, d - n directions are the penalty's alone, one
        # eigenvalue alpha that the scaling would spread into many: LSQR's damp instead.
        scale = 1.0 / np.sqrt(_sum_of_weights(X, sample_weight) * spread + damp**2)
        scale = scale.astype(dtype)
        rows, damp = _scaled_ridge_rows(rows, scale, damp), 0.0
    coef = np.empty((X.shape[1], y.shape[1]))
    for target in range(y.shape[1]):
        b = targets[:, target]
        if scale is not None:  # the penalty's rows of the augmented system
            b = np.concatenate([b, np.zeros(X.shape[1], dtype=dtype)])
        solution, stop = lsqr(rows, b, damp=damp, atol=tol, btol=tol, iter_lim=iterations)[:2]
        coef[:, target] = solution if scale is None else solution * scale
        if stop == 7 and iterations < 2 * X.shape[1]:
            return None, None  # the cost model's limit: the normal equations cost less
        if stop == 7:
            warnings.warn(
                f"LSQR did not converge in {iterations} iterations (2 n_features, "
                "LinearRegression's limit on sparse X), so the coefficients, "
                "LinearRegression's, may be inaccurate. Fit with solver='cholesky' for the "
                "normal equations' solution, or increase alpha.",
                ConvergenceWarning,
                stacklevel=4,
            )
    sum_weights = _sum_of_weights(X, sample_weight)
    return coef, LsqrFit(X.shape[0], sum_weights, mean_X, mean_y, x_exponent, y_exponent)


def _sum_of_weights(X, sample_weight):
    return float(X.shape[0] if sample_weight is None else sample_weight.sum())


def _column_moments(X, y, sample_weight, fit_intercept):
    """``(mean_X, mean_y, spread)``: the weighted means of the columns of ``X`` and ``y``
    (LinearRegression's), zero without an intercept, and each column's weighted mean
    square about them; None where the operator's centering would cancel digits.
    ``sample_weight`` is in ``X``'s precision, as LinearRegression computes the means.

    The operator subtracts ``mean_X . b`` from ``X b``, which loses about
    ``eps sqrt(raw / centered)`` of the result for a column of raw and centered second
    moments ``raw`` and ``centered``, ``eps`` being ``X``'s. Where that passes
    ``sqrt(eps)`` (half the digits: in float64 a mean some 10^8 standard deviations from
    zero) the normal equations, which center exactly, answer instead. A constant column
    (one category of a one-hot encoding present in every row) centers to zero, and loses
    nothing that matters.
    """
    # LinearRegression computes the means in X's precision, with the weights in it too.
    mean_X, var_X = mean_variance_axis(X, 0, sample_weight)
    mean_X, var_X = mean_X.astype(np.float64), var_X.astype(np.float64)
    raw = var_X + mean_X**2
    if not fit_intercept:
        return np.zeros(X.shape[1]), np.zeros(y.shape[1]), raw
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = np.where(var_X > 0, raw / var_X, 1.0)
    if not np.all(loss <= 1.0 / np.finfo(X.dtype).eps):
        return None
    mean_y = np.average(y, axis=0, weights=sample_weight).astype(np.float64)
    return mean_X, mean_y, var_X


def _scaled_ridge_rows(rows, scale, root_alpha):
    """``[A D; sqrt(alpha) D]``, with ``D = diag(scale)``, as an operator on ``z``.

    LSQR on it minimizes ``||A D z - b||^2 + alpha ||D z||^2``, ridge for ``theta = D z``:
    the columns of the penalized normal equations ``A^T A + alpha I`` scaled to unit
    diagonal (Jacobi's preconditioner), on which it converges in fewer iterations where
    the columns' scales differ (one-hot or tf-idf columns of unequal frequency).
    """
    n_rows, n_features = rows.shape

    def matvec(z):
        theta = z * scale
        return np.concatenate([rows.matvec(theta), root_alpha * theta])

    def rmatvec(r):
        return (rows.rmatvec(r[:n_rows]) + root_alpha * r[n_rows:]) * scale

    shape = (n_rows + n_features, n_features)
    return LinearOperator(shape, matvec=matvec, rmatvec=rmatvec, dtype=np.float64)


def _exponent_if_unsafe(values):
    """``e`` such that the largest of ``values * 2**-e`` is in [1/2, 1), or 0 when it
    already lies within ``2^-100 .. 2^100``."""
    # The extremes, not np.abs(values).max(): no temporary the size of X's values.
    largest = max(float(values.max()), -float(values.min())) if values.size else 0.0
    exponent = int(np.frexp(largest)[1])
    return exponent if largest > 0 and abs(exponent) > _SAFE_EXPONENT else 0


def _centered_rows(X, mean_X, root_weights):
    """``A = diag(sqrt(w)) (X - 1 mean_X^T)`` as an operator: LinearRegression's.

    ``A b = W^1/2 X b - sqrt(w) (mean_X . b)`` and
    ``A^T r = (W^1/2 X)^T r - mean_X (sqrt(w) . r)``. ``X`` is not copied, but weighted
    rows are, scaled by ``sqrt(w)`` as LinearRegression scales them, so that each product
    rounds as its does.
    """
    if root_weights is not None:
        X = sp.dia_array((root_weights, 0), shape=(X.shape[0],) * 2) @ X
    X_T = X.T  # once: scipy builds a new transposed view on every `.T`

    def matvec(b):
        product = X @ b
        if mean_X is not None:
            offset = b @ mean_X
            product -= offset if root_weights is None else root_weights * offset
        return product

    def rmatvec(r):
        product = X_T @ r
        if mean_X is not None:
            product -= mean_X * (r.sum() if root_weights is None else r @ root_weights)
        return product

    return LinearOperator(X.shape, matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
