"""The sufficient statistics of least squares: the per-row work of a normal-equation fit.

The normal equation of ``J(theta) = (X theta - y)^T W (X theta - y) + alpha ||theta||^2``
needs only a handful of sums over the rows: the total weight, the weighted means of X and y,
and the centered scatter matrices ``sum_i w_i (x_i - mean_x)(x_i - mean_x)^T`` and
``sum_i w_i (x_i - mean_x)(y_i - mean_y)^T``. :func:`sufficient_statistics` computes them
for one block of rows, and two blocks' statistics add up (:meth:`SufficientStatistics.__add__`)
exactly, which is what makes ``partial_fit`` (and any map-reduce over chunks) give the
one-shot answer.

Squares of values beyond about 1e154 overflow float64 (and below 1e-162 underflow).  Rows
whose statistics would not be finite, or come near to it, are summed as ``X 2^-e`` and
``y 2^-f`` instead, with the exponents ``e`` and ``f``
kept beside the sums: scaling by a power of two is exact, and the least-squares solution of
the scaled problem is that of the original one times ``2^(f - e)``.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..utils.linalg import block_rows, weighted_gram

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
        return SufficientStatistics(
            self.n_samples,
            self.sum_weights,
            np.ldexp(self.mean_X, dx),
            np.ldexp(self.mean_y, dy),
            np.ldexp(self.scatter_XX, 2 * dx),
            np.ldexp(self.scatter_Xy, dx + dy),
            x_exponent,
            y_exponent,
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
            return SufficientStatistics(n_samples, *_fields(a)[1:])
        if a.sum_weights == 0:
            return SufficientStatistics(n_samples, *_fields(b)[1:])
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


def _fields(statistics):
    return (
        statistics.n_samples,
        statistics.sum_weights,
        statistics.mean_X,
        statistics.mean_y,
        statistics.scatter_XX,
        statistics.scatter_Xy,
        statistics.x_exponent,
        statistics.y_exponent,
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
        When the sums overflow even for the scaled rows (huge sample weights).
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
            *_fields(_statistics(X, y, sample_weight))[:6], x_exponent, y_exponent
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
    mean_y = y.mean(axis=0) if sample_weight is None else sample_weight @ y / W

    # One read of X: the Gram matrix of X - shift by syrk, and (X - shift)^T [w, w (y -
    # mean_y)] for the column sums and the cross product at the same time.  The shift is a
    # provisional center from the first rows, so mean - shift is small against the spread
    # and the rank-one correction below cancels no digits; data already centered enough is
    # read in place, with no shift and no copy.
    shift = None if sp.issparse(X) else _provisional_center(X, sample_weight)
    w = np.ones(n_samples) if sample_weight is None else sample_weight
    Y = np.column_stack([np.ones(n_samples), y - mean_y])
    gram, cross = weighted_gram(X, sample_weight, shift, Y=Y)
    offset = cross[:, 0] / W  # mean_X - shift
    mean_X = offset if shift is None else shift + offset
    scatter_XX = gram - W * np.outer(offset, offset)
    scatter_Xy = cross[:, 1:] - np.outer(offset, w @ (y - mean_y))
    raw, centered = gram.diagonal(), scatter_XX.diagonal()
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = np.where(raw > 0, raw / centered, 1.0)
    if np.all((loss > 0) & (loss <= _MAX_CANCELLATION)):
        return SufficientStatistics(n_samples, W, mean_X, mean_y, scatter_XX, scatter_Xy)
    # The first rows were not representative (sorted data, say): center exactly, by the
    # means first, then each row block minus the mean before syrk.
    if sp.issparse(X):
        ones = np.ones(n_samples) if sample_weight is None else sample_weight
        mean_X = np.asarray(X.T @ ones, dtype=np.float64) / W
    elif sample_weight is None:
        mean_X = X.mean(axis=0, dtype=np.float64)
    else:
        mean_X = sample_weight @ X / W
    scatter_XX, scatter_Xy = weighted_gram(X, sample_weight, mean_X, Y=y, Y_center=mean_y)
    return SufficientStatistics(n_samples, W, mean_X, mean_y, scatter_XX, scatter_Xy)


def _provisional_center(X, sample_weight):
    """A center for one-pass centering: the first row block's mean, or None if not needed.

    None (no shift: syrk reads float64 X in place) when that block's columns have means
    small against their spread, ``mean^2 <= variance``, so that the uncentered Gram matrix
    loses at most a factor 2 (under one bit) to the rank-one correction.
    """
    rows = X[: block_rows(X.shape[1])]
    weights = None if sample_weight is None else sample_weight[: rows.shape[0]]
    if weights is not None and weights.sum() == 0:
        weights = None
    mean = np.average(rows, axis=0, weights=weights).astype(np.float64)
    if sample_weight is None and X.dtype == np.float64:
        spread = np.average((rows - mean) ** 2, axis=0)
        if np.all(mean**2 <= spread):
            return None
    return mean
