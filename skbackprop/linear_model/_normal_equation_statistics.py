"""The sufficient statistics of least squares: the per-row work of a normal-equation fit.

The normal equation of ``J(theta) = (X theta - y)^T W (X theta - y) + alpha ||theta||^2``
needs only a handful of sums over the rows: the total weight, the weighted means of X and y,
and the centered scatter matrices ``sum_i w_i (x_i - mean_x)(x_i - mean_x)^T`` and
``sum_i w_i (x_i - mean_x)(y_i - mean_y)^T``. :func:`sufficient_statistics` computes them
for one block of rows, and two blocks' statistics add up (:meth:`SufficientStatistics.__add__`)
exactly, which is what makes ``partial_fit`` (and any map-reduce over chunks) give the
one-shot answer.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..utils.linalg import weighted_gram

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
    """

    n_samples: int
    sum_weights: float
    mean_X: np.ndarray
    mean_y: np.ndarray
    scatter_XX: np.ndarray
    scatter_Xy: np.ndarray

    def __add__(self, other):
        total = self.sum_weights + other.sum_weights
        n_samples = self.n_samples + other.n_samples
        if other.sum_weights == 0:
            return SufficientStatistics(n_samples, *_fields(self)[1:])
        if self.sum_weights == 0:
            return SufficientStatistics(n_samples, *_fields(other)[1:])
        delta_X = other.mean_X - self.mean_X
        delta_y = other.mean_y - self.mean_y
        share = other.sum_weights / total
        between = self.sum_weights * share  # W_a W_b / (W_a + W_b)
        return SufficientStatistics(
            n_samples=n_samples,
            sum_weights=total,
            mean_X=self.mean_X + share * delta_X,
            mean_y=self.mean_y + share * delta_y,
            scatter_XX=self.scatter_XX + other.scatter_XX + between * np.outer(delta_X, delta_X),
            scatter_Xy=self.scatter_Xy + other.scatter_Xy + between * np.outer(delta_X, delta_y),
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
        Accumulated in float64 whatever the input precision.
    """
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

    one_pass = sp.issparse(X) or (
        X.dtype == np.float64
        and sample_weight is None
        and (X.flags.c_contiguous or X.flags.f_contiguous)
    )
    if one_pass:
        # One read of X: the uncentered Gram by syrk, and X^T [w, w (y - mean_y)] for the
        # column sums and the cross product at the same time.
        w = np.ones(n_samples) if sample_weight is None else sample_weight
        Y = np.column_stack([np.ones(n_samples), y - mean_y])
        gram, cross = weighted_gram(X, sample_weight, Y=Y)
        mean_X = cross[:, 0] / W
        scatter_XX = gram - W * np.outer(mean_X, mean_X)
        scatter_Xy = cross[:, 1:] - np.outer(mean_X, w @ (y - mean_y))
        raw, centered = gram.diagonal(), scatter_XX.diagonal()
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = np.where(raw > 0, raw / centered, 1.0)
        if np.all((loss > 0) & (loss <= _MAX_CANCELLATION)):
            return SufficientStatistics(n_samples, W, mean_X, mean_y, scatter_XX, scatter_Xy)
    # Center exactly: first the means, then each row block minus the mean before syrk.
    if sp.issparse(X):
        ones = np.ones(n_samples) if sample_weight is None else sample_weight
        mean_X = np.asarray(X.T @ ones, dtype=np.float64) / W
    elif sample_weight is None:
        mean_X = X.mean(axis=0, dtype=np.float64)
    else:
        mean_X = sample_weight @ X / W
    scatter_XX, scatter_Xy = weighted_gram(X, sample_weight, mean_X, Y=y, Y_center=mean_y)
    return SufficientStatistics(n_samples, W, mean_X, mean_y, scatter_XX, scatter_Xy)
