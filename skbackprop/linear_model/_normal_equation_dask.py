"""NormalEquationRegressor.fit on a dask array: the sufficient statistics by map-reduce.

Each row block's sufficient statistics
(:class:`~skbackprop.linear_model._normal_equation_statistics.SufficientStatistics`) are
computed on the worker that holds it, the blocks' statistics are added on the workers
(their sum is exact, see :meth:`SufficientStatistics.__add__`), and only the reduced
statistics, ``O(n_features^2)`` numbers, come back to the client, where the small solve
runs.  The data is never gathered on the client.
"""

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from ..utils._dask import map_reduce, row_blocks
from ._normal_equation_statistics import sufficient_statistics

_NAME = "NormalEquationRegressor"  # for check_array's messages on the workers


def fit_dask(estimator, X, y, sample_weight=None):
    """Fit ``estimator`` (a NormalEquationRegressor) on dask arrays; see the module docstring.

    The statistics are the ones :meth:`NormalEquationRegressor.partial_fit` accumulates, so
    the coefficients equal an in-memory fit's to rounding whenever the in-memory fit solves
    the normal equations (``solver_`` 'cholesky').  Where the in-memory fit would fall back
    to the SVD of the data (rank-deficient or very ill-conditioned ``X``), this path, which
    never holds the rows, uses the eigendecomposition of the Gram matrix, as ``partial_fit``
    does.
    """
    saved = dict(vars(estimator))
    try:
        return _fit_or_fail(estimator, X, y, sample_weight)
    except BaseException:
        # A failed fit leaves the fitted state exactly as it was.
        vars(estimator).clear()
        vars(estimator).update(saved)
        raise


def _fit_or_fail(estimator, X, y, sample_weight):
    if y is None:
        raise ValueError(
            "NormalEquationRegressor requires y to be passed, but the target y is None; "
            "pass the targets as a dask or numpy array."
        )
    if not np.issubdtype(X.dtype, np.number) and X.dtype != np.bool_:
        raise ValueError(
            f"dtype='numeric' is not compatible with arrays of dtype {X.dtype}; convert X "
            "to a numeric dtype (X.astype(float))."
        )
    # Only the shape is read here (n_features_in_, and a clean start); the blocks are
    # checked for finiteness on the workers.
    validate_data(estimator, X, reset=True, skip_check_array=True)
    y_ndim = len(np.shape(y))
    if y_ndim not in (1, 2):
        raise ValueError(
            f"y must be 1D or 2D, got ndim={y_ndim}; pass y of shape (n_samples,) or "
            "(n_samples, n_targets)."
        )
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    blocks = row_blocks(X, y, sample_weight)
    statistics = map_reduce(_block_statistics, blocks)
    # The rows are never at hand here: the minimum-norm fallback uses the Gram matrix.
    return estimator._fit_statistics(statistics, None, dtype, y_ndim)


def _block_statistics(X, y, sample_weight):
    """Validate one row block on its worker and return its sufficient statistics."""
    X = check_array(
        X, dtype=[np.float64, np.float32], ensure_min_samples=0, estimator=_NAME, input_name="X"
    )
    y = check_array(y, ensure_2d=False, ensure_min_samples=0, dtype=np.float64, input_name="y")
    if sample_weight is not None:
        sample_weight = check_array(
            sample_weight,
            ensure_2d=False,
            ensure_min_samples=0,
            dtype=np.float64,
            input_name="sample_weight",
        ).reshape(-1)
        if np.any(sample_weight < 0):
            raise ValueError(
                "Negative values in data passed to `sample_weight`. Weights must be >= 0: "
                "drop those samples or give them weight 0."
            )
    return sufficient_statistics(X, y.reshape(len(y), -1), sample_weight)
