"""Least squares from sufficient statistics: the per-row sums, and the solve.

The normal equation of ``J(theta) = (X theta - y)^T W (X theta - y) + alpha ||theta||^2``
(user guide, :ref:`normal_equation`) needs only a handful of sums over the rows: the total
weight, the weighted means of X and y, and the centered scatter matrices
``sum_i w_i (x_i - mean_x)(x_i - mean_x)^T`` and ``sum_i w_i (x_i - mean_x)(y_i - mean_y)^T``.
:func:`sufficient_statistics` computes them for one block of rows, and two blocks'
statistics add up (:meth:`SufficientStatistics.__add__`) exactly, which is what makes
``partial_fit`` (and any map-reduce over chunks) give the one-shot answer.

Squares of values beyond about 1e154 overflow float64 (and below 1e-162 underflow).  Rows
whose statistics would not be finite, or come near to it, are summed as ``X 2^-e`` and
``y 2^-f`` instead, with the exponents ``e`` and ``f`` kept beside the sums: scaling by a
power of two is exact, and the least-squares solution of the scaled problem is that of the
original one times ``2^(f - e)``.

On wide data (fewer rows than features) a dense ``fit`` solves from the weighted rows
instead (:func:`solve_from_rows`, chosen by the cost model :func:`formulation`), through
their ``n x n`` kernel matrix and its Cholesky factor, refined through the rows where
that misses its error bound (for least squares, the SVD of the rows where even the
refinement cannot answer). It keeps the rows
(:class:`WeightedRows`), smaller than the Gram matrix, for ``partial_fit``
to continue from.

The normal equations square the condition number of ``X``.  :func:`solve_normal_equations`
picks the solve that keeps the digits:

- Cholesky of the Gram matrix (:class:`~skbackprop.utils.linalg.CholeskyFactor`) when
  ``X`` has full rank (or ``alpha > 0``) and the Cholesky error bound is within 1e-9;
- with the rows at hand (a dense ``fit``), the same Cholesky answer refined through the
  rows where it misses that bound (:meth:`WeightedRows.refined`), and where that does not
  converge LinearRegression's own computation, the SVD of the centered, weighted rows
  (:meth:`WeightedRows.svd_solve`);
- otherwise (sparse data, ``partial_fit``, dask) the eigendecomposition of the Gram matrix
  through :func:`~skbackprop.utils.linalg.solve_psd`, with a warning when it cannot be
  accurate.
"""

import warnings
from dataclasses import astuple, dataclass, replace

import numpy as np
import scipy.sparse as sp
from scipy import linalg

from ..utils._threadpool import scipy_blas_threads
from ..utils.linalg import (
    DEFAULT_MAX_RELATIVE_ERROR,
    CholeskyFactor,
    PseudoInverse,
    cholesky_solve,
    column_sums,
    eigh_solve,
    is_accurate,
    solve_psd,
    symmetric_eigenvalues,
    weighted_gram,
)
from ._nnls import nonnegative_least_squares

_EPS = np.finfo(np.float64).eps

# Centering through ``X^T X - W mean mean^T`` loses about log10(loss) digits, where the loss
# of column j is sum_i x_ij^2 / sum_i (x_ij - mean_j)^2 (i.e. 1 + mean^2 / variance).  Up to
# this factor the one-pass uncentered product is kept; beyond it the rows are centered
# exactly, block by block, before the product.
_MAX_CANCELLATION = 16.0


@dataclass(frozen=True)
class SufficientStatistics:
    """Weighted sums over a set of rows from which the normal equations are assembled.

    Two instances for disjoint sets of rows add up (``a + b``) to the statistics of their
    union, by the pairwise update of Chan, Golub and LeVeque: means are combined by weight and
    the scatter matrices gain the between-set term, so no centered quantity is ever formed by
    subtracting large uncentered sums.

    Attributes
    ----------
    n_samples : int
        Number of rows seen (zero-weight rows included).
    sum_weights : float
        Total sample weight ``W``.
    mean_X : ndarray of shape (n_features,)
        Weighted mean of the rows of X.
    mean_y : ndarray of shape (n_targets,)
        Weighted mean of the targets.
    scatter_XX : ndarray of shape (n_features, n_features)
        ``sum_i w_i (x_i - mean_X)(x_i - mean_X)^T``.
    scatter_Xy : ndarray of shape (n_features, n_targets)
        ``sum_i w_i (x_i - mean_X)(y_i - mean_y)^T``.
    x_exponent, y_exponent : int
        The sums are those of ``X * 2**-x_exponent`` and ``y * 2**-y_exponent`` (both 0
        unless the unscaled sums would come near to over- or underflowing).
    """

    n_samples: int
    sum_weights: float
    mean_X: np.ndarray
    mean_y: np.ndarray
    scatter_XX: np.ndarray
    scatter_Xy: np.ndarray
    x_exponent: int = 0
    y_exponent: int = 0

    def rescaled(self, x_exponent, y_exponent):
        """The same statistics for ``X * 2**-x_exponent`` and ``y * 2**-y_exponent``."""
        dx, dy = self.x_exponent - x_exponent, self.y_exponent - y_exponent
        if dx == 0 and dy == 0:
            return self
        return replace(
            self,
            mean_X=np.ldexp(self.mean_X, dx),
            mean_y=np.ldexp(self.mean_y, dy),
            scatter_XX=np.ldexp(self.scatter_XX, 2 * dx),
            scatter_Xy=np.ldexp(self.scatter_Xy, dx + dy),
            x_exponent=x_exponent,
            y_exponent=y_exponent,
        )

    def is_finite(self):
        """Whether every sum, and the uncentered Gram matrix's diagonal, is finite."""
        arrays = (self.mean_X, self.mean_y, self.scatter_XX, self.scatter_Xy)
        with np.errstate(over="ignore", invalid="ignore"):
            uncentered = self.scatter_XX.diagonal() + self.sum_weights * self.mean_X**2
        return all(np.isfinite(a).all() for a in arrays) and np.isfinite(uncentered).all()

    def __add__(self, other):
        x_exponent = max(self.x_exponent, other.x_exponent)
        y_exponent = max(self.y_exponent, other.y_exponent)
        a = self.rescaled(x_exponent, y_exponent)
        b = other.rescaled(x_exponent, y_exponent)
        total = a.sum_weights + b.sum_weights
        n_samples = a.n_samples + b.n_samples
        if b.sum_weights == 0:
            return replace(a, n_samples=n_samples)
        if a.sum_weights == 0:
            return replace(b, n_samples=n_samples)
        delta_X = b.mean_X - a.mean_X
        delta_y = b.mean_y - a.mean_y
        share = b.sum_weights / total
        between = a.sum_weights * share  # W_a W_b / (W_a + W_b)
        return SufficientStatistics(
            n_samples=n_samples,
            sum_weights=total,
            mean_X=a.mean_X + share * delta_X,
            mean_y=a.mean_y + share * delta_y,
            scatter_XX=a.scatter_XX + b.scatter_XX + between * np.outer(delta_X, delta_X),
            scatter_Xy=a.scatter_Xy + b.scatter_Xy + between * np.outer(delta_X, delta_y),
            x_exponent=x_exponent,
            y_exponent=y_exponent,
        )

    def normal_equations(self, fit_intercept):
        """The Gram matrix and right-hand side ``(X^T W X, X^T W y)``, centered if intercept."""
        if fit_intercept:
            return self.scatter_XX, self.scatter_Xy
        W, mean_X = self.sum_weights, self.mean_X
        return (
            self.scatter_XX + W * np.outer(mean_X, mean_X),
            self.scatter_Xy + W * np.outer(mean_X, self.mean_y),
        )


def sufficient_statistics(X, y, sample_weight=None):
    """The :class:`SufficientStatistics` of one block of rows.

    This is the whole per-row cost of a fit; it needs nothing but its own rows, so blocks can
    be processed anywhere (one after another in ``partial_fit``, or in parallel) and their
    results added.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Validated floating-point data; sparse input stays sparse.
    y : ndarray of shape (n_samples, n_targets)
        Targets, always two-dimensional here.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights; None means all ones.

    Returns
    -------
    statistics : SufficientStatistics
        Accumulated in float64 whatever the input precision; of ``X`` and ``y`` scaled by
        powers of two when their own sums would overflow.

    Raises
    ------
    ValueError
        When the sums overflow even for the scaled rows (huge sample weights), and when
        ``X`` holds NaN or infinity, which make them non-finite unless every weight is
        zero (the estimator then raises scikit-learn's error for such ``X`` instead).
    """
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        statistics = _statistics(X, y, sample_weight)
    if _in_safe_range(statistics):
        return statistics
    # Squares overflowed, or came near to over- or underflowing (where the eigenvalues and
    # the Cholesky factor of the Gram matrix would): sum the rows scaled by powers of two
    # to between 1/2 and 1 in magnitude.
    x_exponent = _exponent_of_largest(X)
    y_exponent = _exponent_of_largest(y)
    X = X * np.ldexp(1.0, -x_exponent)
    y = np.ldexp(np.asarray(y, dtype=np.float64), -y_exponent)
    with np.errstate(over="ignore", invalid="ignore"):
        statistics = SufficientStatistics(
            *astuple(_statistics(X, y, sample_weight))[:6], x_exponent, y_exponent
        )
    if statistics.is_finite():
        return statistics
    raise ValueError(
        "The sums of squares of X and y overflow float64 even after scaling X and y by "
        "powers of two (the sample weights are too large); divide sample_weight by a "
        "constant, which does not change the solution."
    )


# The typical size of X's largest column (its mean or its spread) is kept within
# 2^-300 .. 2^300 (about 1e-90 .. 1e90): the Gram matrix, its eigenvalues and its Cholesky
# factor then stay far from the float64 range's ends.
_SAFE_EXPONENT = 300


def _in_safe_range(statistics):
    if not statistics.is_finite():
        return False
    if statistics.sum_weights == 0:
        return True
    spread = np.sqrt(statistics.scatter_XX.diagonal() / statistics.sum_weights)
    largest = max(spread.max(initial=0.0), np.abs(statistics.mean_X).max(initial=0.0))
    return largest == 0 or abs(np.frexp(largest)[1]) <= _SAFE_EXPONENT


def _exponent_of_largest(values):
    """``e`` such that the largest of ``values * 2**-e`` is in [1/2, 1) in magnitude."""
    largest = abs(values).max() if values.size else 0.0
    return int(np.frexp(float(largest))[1])


def _statistics(X, y, sample_weight):
    n_samples, n_features = X.shape
    y = np.asarray(y, dtype=np.float64)
    n_targets = y.shape[1]
    W = float(n_samples if sample_weight is None else sample_weight.sum())
    if W == 0:
        return SufficientStatistics(
            n_samples,
            0.0,
            np.zeros(n_features),
            np.zeros(n_targets),
            np.zeros((n_features, n_features)),
            np.zeros((n_features, n_targets)),
        )

    # One read of X: the Gram matrix of X - shift by syrk, and (X - shift)^T [w, w (y -
    # mean_y)] for the column sums and the cross product at the same time.  The shift is a
    # provisional center from the first rows, so mean - shift is small against the spread
    # and the rank-one correction below cancels no digits.  One read instead of two (the
    # means, then the centered product): docs/performance.rst, "Fast paths".
    shift = None if sp.issparse(X) else _provisional_center(X, sample_weight)
    mean_y = column_sums(y, sample_weight) / W
    gram, cross, y_sums = weighted_gram(X, sample_weight, shift, Y=y, Y_center=mean_y, sums=True)
    offset = cross[:, 0] / W  # mean_X - shift
    mean_X = offset if shift is None else shift + offset
    scatter_XX = gram - W * np.outer(offset, offset)
    scatter_Xy = cross[:, 1:] - np.outer(offset, y_sums)
    raw, centered = gram.diagonal(), scatter_XX.diagonal()
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = np.where(raw > 0, raw / centered, 1.0)
    if np.all((loss > 0) & (loss <= _MAX_CANCELLATION)):
        return SufficientStatistics(n_samples, W, mean_X, mean_y, scatter_XX, scatter_Xy)
    # The first rows were not representative (sorted data, say): center exactly, on the
    # mean just found, each row block before syrk.
    scatter_XX, scatter_Xy = weighted_gram(X, sample_weight, mean_X, Y=y, Y_center=mean_y)
    return SufficientStatistics(n_samples, W, mean_X, mean_y, scatter_XX, scatter_Xy)


# The mean of a few hundred rows lies within a small fraction of the spread from the
# data's mean (a sixteenth of a standard deviation for 256 independent rows), which costs
# the one-pass product no digits; the exact second pass catches unrepresentative rows.
_CENTER_ROWS = 256


def _provisional_center(X, sample_weight):
    """The first rows' (weighted) mean: a center for one-pass centering."""
    rows = X[:_CENTER_ROWS]
    weights = None if sample_weight is None else sample_weight[: rows.shape[0]]
    if weights is not None and weights.sum() == 0:
        weights = None
    return np.average(rows, axis=0, weights=weights).astype(np.float64)


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
    options = (alpha, fit_intercept, solver, tol, copy_X)
    # The d x d factorizations on one thread of scipy's BLAS unless they are long; the SVD
    # of the rows, where it answers, decides its own threads by its own size.
    with scipy_blas_threads(A.shape[0] ** 3, product=False):
        solved, rows = _unconstrained(statistics, data, A, b, *options)
    if solved is None:
        coef, rank, singular = rows.svd_solve(alpha, tol)
        solved = coef, rank, singular, "lstsq", _centered_on(statistics, rows)
    coef, rank, singular, method, statistics = solved
    if positive:
        negative = np.flatnonzero(np.any(coef < 0, axis=0))
        with scipy_blas_threads(A.shape[0] ** 3, product=False):
            for target in negative:
                coef[:, target] = nonnegative_least_squares(A, b[:, target], ridge=alpha)
        if negative.size:
            method = "active-set"
    return coef, rank, singular, method, statistics


def _unconstrained(statistics, data, A, b, alpha, fit_intercept, solver, tol, copy_X):
    """``((coef, rank, singular, solver_, statistics), None)`` from the normal equations,
    or ``(None, rows)`` when only the SVD of the centered, weighted ``rows`` can answer."""
    n_features = A.shape[0]
    if solver == "cholesky":
        return (_cholesky_as_asked(A, b, alpha), None, None, "cholesky", statistics), None
    # Cholesky first, the eigenvalues only where its factor cannot vouch for the answer.
    # With the rows at hand (a dense fit), a Cholesky answer that misses its error bound is
    # refined through them, and the SVD of the rows answers where that fails; the rows are
    # centered and weighted once, for either.
    rows = None
    factor = _cholesky_factor(A, alpha) if solver == "auto" else None
    if factor is not None and _keeps_every_direction(factor, A, alpha, tol):
        if is_accurate(factor.rcond):
            return (factor.solve(b), None, None, "cholesky", statistics), None
        if data is not None:
            rows = _rows_of(statistics, data, fit_intercept, copy_X)
            coef = rows.refined(factor, factor.solve(b), alpha)
            if coef is None:  # no direction to drop: the SVD, without the eigenvalues
                return None, rows
            return (coef, None, None, "cholesky", _centered_on(statistics, rows)), None
    if (
        data is not None
        and factor is None
        and (
            solver == "lstsq" or (alpha == 0 and _svd_costs_less(statistics.n_samples, n_features))
        )
    ):
        # No factor: the SVD of the rows answers unless the eigenvalues show a
        # rank-deficient X that the Gram matrix's pseudo-inverse can solve for less.
        return None, _rows_of(statistics, data, fit_intercept, copy_X)
    singular, eigenvalues = singular_values(A, statistics.n_samples)
    rank = matrix_rank(singular, tol)

    # Least squares whose factor's bound was not enough (columns of very different scales)
    # but whose eigenvalues show every direction kept: the factor answers after all.
    # Cholesky cannot give LinearRegression's minimum-norm answer on rank-deficient X.
    use_cholesky = solver == "auto" and alpha == 0 and rank == n_features
    if data is not None:
        if use_cholesky and factor is not None:
            coef = factor.solve(b)
            if is_accurate(factor.rcond):
                return (coef, rank, singular, "cholesky", statistics), None
            rows = _rows_of(statistics, data, fit_intercept, copy_X)
            coef = rows.refined(factor, coef, alpha)
            if coef is not None:
                return (coef, rank, singular, "cholesky", _centered_on(statistics, rows)), None
        if solver == "auto" and alpha == 0 and rank < n_features:
            cutoff = (tol * singular[0]) ** 2
            coef = _rank_deficient_solve(A, b, rank, cutoff, eigenvalues)
            if coef is not None:
                return (coef, rank, singular, "eigh", statistics), None
        rows = _rows_of(statistics, data, fit_intercept, copy_X) if rows is None else rows
        return None, rows

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
    return (coef, rank, singular, method, statistics), None


def _cholesky_as_asked(A, b, alpha):
    """``solver='cholesky'``: the Cholesky solve whatever its accuracy, with a warning when
    it misses its error bound and an error when there is no factor."""
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
    return coef


def _svd_costs_less(n_samples, n_features):
    """Whether the SVD of ``n x d`` rows costs less than the Gram matrix's eigenvalues
    and eigendecomposition, the pseudo-inverse's way to a rank-deficient answer.

    LAPACK's ``gelsd`` costs about ``2 n d^2 + 4 d^3`` flops and the two symmetric
    eigensolvers about ``9 d^3`` together: by that count the SVD is the cheaper below
    ``n = 2.5 d``. The eigensolvers run closer to BLAS speed on few columns, so the rule
    takes ``n < 1.6 d``; its effect is measured in benchmarks/RESULTS.md,
    "bench_real_data".
    """
    return n_samples < 1.6 * n_features


def _rank_deficient_solve(A, b, rank, cutoff, eigenvalues):
    """Rank-deficient least squares from the Gram matrix's pseudo-inverse, or None.

    Over the eigenvalues above ``cutoff`` (the squares of the singular values the SVD
    keeps), the pseudo-inverse gives the minimum-norm answer for far less than the SVD of
    the rows (one-hot columns beside an intercept, say). It is trusted when the directions
    kept are well conditioned (``eps`` times the largest eigenvalue over the smallest kept
    within 1e-9: both the solve and the eigenvectors that span them are then that
    accurate) and no eigenvalue lies near the cutoff (the dropped ones at most a quarter of
    it), so that the SVD keeps the same directions. The first test reads ``eigenvalues``,
    already computed for the rank, so the eigendecomposition runs only when it can pass.
    """
    kept = eigenvalues[eigenvalues > cutoff]
    if kept.size and _EPS * kept.max() > DEFAULT_MAX_RELATIVE_ERROR * kept.min():
        return None
    inverse = PseudoInverse.of(A, cutoff=cutoff)
    kept = inverse.inverse > 0
    dropped = inverse.eigenvalues[~kept]
    clear = np.count_nonzero(kept) == rank and (dropped.size == 0 or dropped.max() <= cutoff / 4)
    return inverse.solve(b) if clear else None


def _cholesky_factor(A, alpha):
    """The Cholesky factor of the normal equations ``A + alpha I``, or None when it does not
    exist in floating point (a zero or negative pivot)."""
    try:
        return CholeskyFactor.of(A, ridge=alpha)
    except np.linalg.LinAlgError:
        return None


def _keeps_every_direction(factor, A, alpha, tol):
    """Whether the Cholesky answer of ``A + alpha I`` is the one the SVD would give: always
    for ridge, which keeps every direction; for least squares when the factor's bound
    shows every singular value above ``tol`` times the largest (:func:`_keeps_all`)."""
    if alpha > 0:
        return True
    diagonal = A.diagonal()
    return _keeps_all(factor.rcond, diagonal.min(), diagonal.max(), tol)


def _rows_of(statistics, data, fit_intercept, copy_X):
    """The centered, weighted rows of ``data = (X, y, sample_weight)``, in the units of the
    statistics (powers of two, exact; see :class:`SufficientStatistics`), centered on their
    own means as LinearRegression computes them, so that even a very ill-conditioned ``X``
    gives LinearRegression's answer to rounding."""
    exponents = statistics.x_exponent, statistics.y_exponent
    return WeightedRows.of(*data, fit_intercept, exponents, copy=copy_X)


def _centered_on(statistics, rows):
    """``statistics`` with the means the rows were centered on (the intercept comes from
    them), when they were centered."""
    if not rows.centered:
        return statistics
    return replace(statistics, mean_X=rows.mean_X, mean_y=rows.mean_y)


def formulation(n_samples, n_features, alpha, fit_intercept):
    """The cost model of a dense ``fit``: which matrix it solves from.

    Returns ``'gram'`` (the normal equations, ``d x d``) or ``'kernel'`` (the weighted
    rows' ``n x n`` kernel matrix).

    - Ridge (``alpha > 0``), in multiply-adds: the Gram matrix ``X^T W X`` and its Cholesky
      factor cost ``n d^2 / 2 + d^3 / 6``; the kernel matrix ``X W X^T``, its factor and the
      centered copy of ``X`` they need cost ``n^2 d / 2 + n^3 / 6 + n d``. The kernel wins
      when there are fewer rows than features (wide data).
    - Least squares (``alpha = 0``) on fewer rows than features (``n - 1 < d`` with an
      intercept, ``n < d`` without): the centered ``X`` is rank-deficient by its shape, so
      the Gram matrix's Cholesky cannot answer, and its eigendecomposition (``d^3``) or
      the SVD of the rows (LAPACK's ``gelsd``, about ``2 n^2 d + n^3``) costs more than
      the kernel's ``n^2 d / 2 + n^3 / 6 + n d``. Where the kernel's Cholesky error
      bound is missed, a few refinement steps through the rows (about ``2 n d + n^2``
      multiply-adds each) restore the accuracy; where even they cannot, or ``tol``
      drops directions, the SVD answers after it, and the kernel's work, then wasted, is
      at most about a quarter of the SVD's multiply-adds
      (:meth:`WeightedRows.kernel_solve`). Square data with an intercept (``d = n``)
      too: its centered rows are square less one, whose condition number grows with
      ``n`` (beyond the kernel's bound from a few hundred random rows), which the
      refinement absorbs.
    """
    n, d = n_samples, n_features
    if alpha > 0:
        kernel_cheaper = n * n * d / 2 + n**3 / 6 + n * d < n * d * d / 2 + d**3 / 6
        return "kernel" if kernel_cheaper else "gram"
    return "gram" if n - int(fit_intercept) >= d else "kernel"


@dataclass(frozen=True)
class WeightedRows:
    """The weighted rows a wide fit solved from (through their kernel matrix or SVD).

    ``rows = sqrt(w) (X - c)`` and ``targets = sqrt(w) (y - c_y)``, with ``c`` and ``c_y``
    the weighted means when ``centered`` (an intercept is fitted) and zero otherwise. On
    wide data they take less memory than the Gram matrix, which is formed only when it is
    needed (:meth:`sufficient_statistics`, for a ``partial_fit`` that continues the fit).
    """

    n_samples: int
    sum_weights: float
    mean_X: np.ndarray
    mean_y: np.ndarray
    rows: np.ndarray
    targets: np.ndarray
    root_weights: np.ndarray | None
    centered: bool
    x_exponent: int = 0
    y_exponent: int = 0

    @classmethod
    def of(cls, X, y, sample_weight, fit_intercept, exponents=(0, 0), copy=True):
        """The weighted (and, with ``fit_intercept``, centered) float64 rows of ``X 2^-e``
        and ``y 2^-f``, for ``exponents`` ``(e, f)``; ``copy=False`` lets float64 ``X`` be
        overwritten (LinearRegression's ``copy_X=False``)."""
        rows = np.array(X, dtype=np.float64, copy=copy or X.dtype != np.float64)
        targets = np.array(y, dtype=np.float64)
        if exponents[0]:
            np.ldexp(rows, -exponents[0], out=rows)
        if exponents[1]:
            np.ldexp(targets, -exponents[1], out=targets)
        mean_X = np.average(rows, axis=0, weights=sample_weight)
        mean_y = np.average(targets, axis=0, weights=sample_weight)
        if fit_intercept:
            rows -= mean_X
            targets -= mean_y
        root_weights = None
        if sample_weight is not None:
            root_weights = np.sqrt(sample_weight)
            rows *= root_weights[:, None]
            targets *= root_weights[:, None]
        W = float(len(rows) if sample_weight is None else sample_weight.sum())
        return cls(
            len(rows), W, mean_X, mean_y, rows, targets, root_weights, fit_intercept, *exponents
        )

    def sufficient_statistics(self):
        """The :class:`SufficientStatistics` of the same rows (scaled by powers of two
        where their squares would leave float64's range)."""
        rows, targets = self.rows, self.targets
        if not self.centered:
            root = np.ones(self.n_samples) if self.root_weights is None else self.root_weights
            rows = rows - np.outer(root, self.mean_X)
            targets = targets - np.outer(root, self.mean_y)
        exponents = np.array([self.x_exponent, self.y_exponent])
        means = self.mean_X, self.mean_y
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for _ in range(2):  # as they are, then scaled to at most 1 in magnitude
                statistics = SufficientStatistics(
                    *(self.n_samples, self.sum_weights, *means),
                    *(rows.T @ rows, rows.T @ targets, *exponents),
                )
                if _in_safe_range(statistics):
                    break
                shifts = _exponent_of_largest(rows), _exponent_of_largest(targets)
                exponents = exponents + shifts
                rows, targets = np.ldexp(rows, -shifts[0]), np.ldexp(targets, -shifts[1])
                means = np.ldexp(means[0], -shifts[0]), np.ldexp(means[1], -shifts[1])
        return statistics

    def singular_values(self):
        """The singular values of the rows, from the eigenvalues of their kernel matrix."""
        return singular_values(self.rows @ self.rows.T, self.rows.shape[1])[0]

    def svd_solve(self, alpha, tol):
        """The minimum-norm (ridge) solution from the SVD of the rows, with their rank (of
        singular values above ``tol`` times the largest) and singular values."""
        n, d = self.rows.shape
        # Its threads by its size: LAPACK's SVD drivers cost about 4 n d min(n, d) flops.
        with scipy_blas_threads(4 * n * d * min(n, d), product=False):
            if alpha == 0:
                coef, _, rank, singular = linalg.lstsq(self.rows, self.targets, cond=tol)
                return coef, int(rank), singular
            U, singular, Vt = linalg.svd(self.rows, full_matrices=False)
        # Ridge by the SVD: theta = V diag(s / (s^2 + alpha)) U^T y.
        shrink = singular / (singular**2 + alpha)
        coef = Vt.T @ (shrink[:, None] * (U.T @ self.targets))
        return coef, matrix_rank(singular, tol), singular

    def kernel_solve(self, alpha, tol):
        """Coefficients through the ``n x n`` kernel matrix's Cholesky factor, or None.

        With ``Xw`` the rows and ``yw`` the targets, the identity ``(Xw^T Xw + alpha I)^-1
        Xw^T = Xw^T (Xw Xw^T + alpha I)^-1`` (``alpha > 0``) gives ``theta = Xw^T a`` with
        ``(Xw Xw^T + alpha I) a = yw``: one equation per row instead of one per feature
        (user guide, :ref:`normal_equation_wide`).

        Least squares (``alpha = 0``) on independent rows: the minimum-norm solution is
        ``Xw^T K^-1 yw``, ``K = Xw Xw^T``. Centered rows are not independent: their sum
        weighted by ``sqrt(w)`` is zero, so ``K v = 0`` for ``v = sqrt(w) / ||sqrt(w)||``.
        The targets are centered alike (``v^T yw = 0``), so ``K + mu v v^T`` (``mu`` the
        mean of ``K``'s diagonal) is definite and gives the same ``a``, with ``v^T a =
        0``.

        The kernel matrix squares the rows' condition number. Where the Cholesky error
        bound misses 1e-9, the answer is refined through the rows themselves
        (:meth:`_refined`), which brings it to the accuracy of a QR or SVD of the rows.

        None when the kernel matrix is not finite or not numerically definite (dependent
        rows), when the refinement does not reach 1e-9, or, for least squares, when the
        factor cannot show that every singular value of the rows is above ``tol`` times
        the largest (the SVD drops the directions below): for ridge the normal equations,
        which scale the data and fall back further, then take over; for least squares the
        SVD of the rows.
        """
        kernel = self._kernel()
        if kernel is None:
            return None
        null = None
        if alpha == 0 and self.centered:
            null = np.ones(self.n_samples) if self.root_weights is None else self.root_weights
            null = null * np.sqrt(np.trace(kernel) / self.n_samples) / np.linalg.norm(null)
            kernel += np.outer(null, null)
        diagonal = kernel.diagonal()
        smallest, largest = diagonal.min(), diagonal.max()
        with scipy_blas_threads(self.n_samples**3 // 3, product=False):
            try:
                factor = CholeskyFactor.of(kernel, ridge=alpha, overwrite_a=True)
            except np.linalg.LinAlgError:
                return None
            if alpha == 0 and not _keeps_all(factor.rcond, smallest, largest, tol):
                return None
            dual = factor.solve(self.targets)
            if not is_accurate(factor.rcond):
                return self._refined(factor, dual, alpha, null)
        return self._coefficients(dual)

    def _refined(self, factor, dual, alpha, null):
        """``rows^T dual`` after iterative refinement of the kernel solve, or None.

        Each step solves for the correction from the residual ``yw - Xw (Xw^T a) - alpha a
        (- v (v^T a))``, formed from the rows rather than from the kernel matrix
        (:func:`_refine`; user guide, :ref:`normal_equation_wide`).
        """

        def step(coef):
            residual = self.targets - self.rows @ coef
            residual -= alpha * dual
            if null is not None:
                residual -= np.outer(null, null @ dual)
            correction = factor.solve(residual)
            np.add(dual, correction, out=dual)
            return self.rows.T @ correction

        with np.errstate(over="ignore", invalid="ignore"):  # for the steps too
            return _refine(self.rows.T @ dual, step)

    def refined(self, factor, coef, alpha):
        """The normal equations' ``coef`` after iterative refinement through the rows, or
        None.

        ``factor`` is the Cholesky factor of ``Xw^T Xw + alpha I`` (from the sufficient
        statistics); each step solves it for the correction from ``Xw^T (yw - Xw theta) -
        alpha theta``, formed from the rows rather than from the Gram matrix
        (:func:`_refine`; user guide, :ref:`normal_equation_unstable`).
        """

        def step(coef):
            with np.errstate(over="ignore", invalid="ignore"):
                residual = self.rows.T @ (self.targets - self.rows @ coef) - alpha * coef
                return factor.solve(residual)

        return _refine(coef, step)

    def _kernel(self):
        """``rows rows^T``, or None when it (or the targets) is not finite."""
        with np.errstate(over="ignore", invalid="ignore"):
            kernel = self.rows @ self.rows.T
        finite = np.isfinite(kernel).all() and np.isfinite(self.targets).all()
        return kernel if finite else None

    def _coefficients(self, dual):
        """``rows^T dual``, or None when it is not finite."""
        with np.errstate(over="ignore", invalid="ignore"):
            coef = self.rows.T @ dual
        return coef if np.isfinite(coef).all() else None


def _refine(coef, step):
    """Iterative refinement: ``coef + step(coef)`` until the step is small, or None.

    ``step`` solves the system's factor for the correction from a residual formed from
    the rows themselves, not from the product matrix (Gram or kernel) that was factored.
    That matrix squares the rows' condition number, and its solve alone stops at about
    ``cond(X)^2 eps``; the residual from the rows brings the answer to about ``cond(X)
    eps``, the accuracy of a QR or SVD of the rows, and the steps converge while
    ``cond(X)^2 eps`` is well below one. The answer is trusted once a step, which
    measures the error left before it, is within 1e-9 of the coefficients and smaller than
    half the step before; None when the steps stop shrinking or run out.
    """
    previous = np.inf
    for _ in range(_REFINEMENT_STEPS):
        change = step(coef)
        coef = coef + change
        with np.errstate(over="ignore", invalid="ignore"):
            size = np.abs(change).max() / max(np.abs(coef).max(), np.finfo(float).tiny)
        if not size <= previous / 2:  # not contracting (or not finite)
            return None
        if size <= DEFAULT_MAX_RELATIVE_ERROR:
            return coef if np.isfinite(coef).all() else None
        previous = size
    return None


def _keeps_all(rcond, smallest, largest, tol):
    """Whether a kernel or Gram matrix ``K`` has every eigenvalue above ``tol^2`` times the
    largest, by a bound from its Cholesky factor's ``rcond`` (:class:`CholeskyFactor`:
    LAPACK's estimate, which the accuracy check relies on too) and the ``smallest`` and
    ``largest`` entries of its diagonal ``D``.

    The least-squares answer through ``K`` keeps every direction of the rows; the SVD
    drops those with singular values at or below ``tol`` times the largest, so the two
    agree only when there are none. With ``Ke = D^-1/2 K D^-1/2`` the equilibrated
    matrix and ``rcond = 1 / (||Ke||_1 ||Ke^-1||_1)``: ``lambda_min(K) >= min(D) /
    ||Ke^-1||_1`` and ``lambda_max(K) <= max(D) ||Ke||_1`` (a symmetric matrix's 2-norm is
    at most its 1-norm), so ``lambda_min / lambda_max >= rcond min(D) / max(D)``. LAPACK's
    ``rcond`` is an estimate, from above, usually within a few times of the true value:
    the bound asks for ``_RCOND_SLACK`` to spare, so that a singular value within a factor
    of ten of the cutoff is left to the eigenvalues or the SVD, which are right either way.
    """
    return rcond * smallest > _RCOND_SLACK * tol**2 * largest


# The factor by which _keeps_all lets LAPACK's condition estimate (dpocon, the 1-norm
# estimator of Hager and Higham) overstate the reciprocal condition number.
_RCOND_SLACK = 100.0


# Refinement steps at most (_refine): each costs two products with the rows and a solve
# with the factor; one or two reach 1e-9 where the refinement converges at all.
_REFINEMENT_STEPS = 4


def solve_from_rows(X, y, sample_weight, *, alpha, fit_intercept, tol, kernel=True):
    """Solve a dense fit from its weighted rows, as :func:`formulation` chose.

    Through the kernel matrix's Cholesky factor (:meth:`WeightedRows.kernel_solve`). For
    least squares, where that cannot be made accurate or ``tol`` would drop directions of
    the rows, or directly when ``kernel`` is False (the estimator's ``solver='lstsq'``),
    by the SVD of the rows (LinearRegression's computation).

    Returns
    -------
    coef : ndarray of shape (n_features, n_targets), or None
        None when the ridge kernel solve cannot be trusted; the caller solves the normal
        equations then.
    rank : int or None
    singular : ndarray or None
        The SVD's rank and singular values (None after the kernel solve: computed when
        first read).
    solver_ : {'cholesky', 'lstsq'}
    rows : WeightedRows
        The rows solved from, which ``partial_fit`` continues from.
    """
    rows = WeightedRows.of(X, y, sample_weight, fit_intercept)
    if not (kernel or alpha > 0):
        return *rows.svd_solve(alpha, tol), "lstsq", rows
    coef = rows.kernel_solve(alpha, tol)
    if coef is not None or alpha > 0:
        return coef, None, None, "cholesky", rows
    return *rows.svd_solve(alpha, tol), "lstsq", rows


def singular_values(A, n_samples):
    """The singular values of the data from its Gram matrix ``A``, descending, and the
    eigenvalues of ``A``, descending."""
    eigenvalues = symmetric_eigenvalues(A)[::-1]
    singular = np.sqrt(np.clip(eigenvalues, 0, None))[: min(n_samples, A.shape[0])]
    return singular, eigenvalues


def matrix_rank(singular, tol):
    """Number of singular values above ``tol`` times the largest."""
    if singular.size == 0 or singular[0] == 0:
        return 0
    return int(np.count_nonzero(singular > tol * singular[0]))


def _warn(message):
    warnings.warn(message, linalg.LinAlgWarning, stacklevel=4)
