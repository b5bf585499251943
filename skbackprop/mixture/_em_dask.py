"""GaussianMixtureEM.fit on a dask array: every EM iteration's statistics by map-reduce.

Each iteration sends the current natural parameters (a few small arrays) to the workers;
every row block's E-step runs where the block lives and is reduced there to its
:class:`~skbackprop.mixture._em_steps.SufficientStatistics`, the blocks' statistics are
added on the workers, and only their sum (``n_components x width`` numbers) comes back to
the client, which runs the M-step.  The rows are never gathered on the client.

The data is persisted on the workers for the duration of the fit, since EM reads it once
per iteration.  Initialization must not need the rows in one place either: each block
builds its own initial responsibilities and reduces them to sufficient statistics, whose
sum gives the first M-step, as in memory.  Given ``weights_init``, ``means_init`` and
``precisions_init`` the fit starts from them; otherwise ``init_params`` decides:

- 'random_from_data': one-hot of ``n_components`` random rows, picked by the same draws
  as the in-memory fit (so the same start).
- 'k-means++': one-hot of the k-means++ seed rows, as in memory, but the seeds are chosen
  among a uniform sample of ``max(10_000, 50 n_components)`` rows (see
  :mod:`._kmeans_dask`); only the sample comes to the client.
- 'kmeans': one-hot of the nearest center of a distributed k-means (Lloyd's iterations
  over every row, from k-means++ seeds on the sample), as in memory the KMeans labels.
- 'random': uniform responsibilities normalized per row, drawn on each block from a
  generator seeded by a draw from ``random_state`` and the block's first row.  The same
  ``random_state`` and chunks give the same fit, but not the in-memory draws, which come
  from one sequential stream over every row.

A data set of at most that many rows is seeded on every row, in order: 'kmeans' and
'k-means++' then start where the in-memory fit starts, to rounding.  On more rows the
seeds differ from the in-memory fit's, and so may the local optimum EM reaches.
"""

import numpy as np
from sklearn.cluster import kmeans_plusplus
from sklearn.utils.validation import check_array, validate_data

from ..utils import rollback_on_error
from ..utils._dask import check_numeric_dtype, indexed_row_blocks, map_reduce, row_blocks
from ._em_driver import fit_with_float64_retry, run_em, store_result
from ._em_steps import (
    NaturalParameters,
    centred_block_moments,
    e_step_statistics,
    feature_map,
    responsibilities,
    statistics_from_responsibilities,
    weighted_log_prob,
)
from ._kmeans_dask import draw_sample, kmeans, nearest_center

_NAME = "GaussianMixtureEM"  # for check_array's messages on the workers


def fit_dask(estimator, X, predict):
    """Fit ``estimator`` (a GaussianMixtureEM) on the dask array ``X``.

    Follows the in-memory fit step for step (the same E-steps, M-steps, stopping rule,
    ``n_init`` and ``warm_start`` handling: both run :func:`~._em_driver.run_em`), so from
    the same starting point the fitted parameters equal the in-memory fit's to rounding.
    The starting point is the same for given initial parameters and 'random_from_data';
    the module's docstring says how the other initializations differ.

    Returns
    -------
    labels : dask.array.Array of shape (n_samples,) or None
        With ``predict``, the component of each row, computed lazily on the workers.
    """
    with rollback_on_error(estimator):
        _check_shape_and_dtype(estimator, X)
        # As in memory, float32 data whose sums cannot resolve a covariance is fitted
        # again in float64 (cast block by block on the workers).
        result = fit_with_float64_retry(
            X,
            lambda data, dtype: run_em(
                estimator, DaskSource(estimator, data if dtype is None else data.astype(dtype))
            ),
            estimator.random_state,
            estimator.verbose,
        )
    store_result(estimator, result)
    if predict:  # the lazy labels read the stored parameters
        return X.map_blocks(
            _predict_block, estimator, drop_axis=1, dtype=np.int64, meta=np.empty(0, np.int64)
        )
    return None


def _check_shape_and_dtype(estimator, X):
    check_numeric_dtype(X)
    row_blocks(X)  # checks the shape; the rows are checked on the workers
    n_samples = X.shape[0]
    if n_samples < max(2, estimator.n_components):
        raise ValueError(
            f"Expected n_samples >= max(2, n_components) but got n_components = "
            f"{estimator.n_components}, n_samples = {n_samples}; pass more samples or "
            "reduce n_components."
        )


class DaskSource:
    """The EM driver's statistics of a dask array, reduced on the workers.

    Construction persists the rows on the workers (EM reads them once per iteration),
    checks every block and computes the data's mean, the features' shift, in one pass.
    """

    def __init__(self, estimator, X):
        import dask

        self.covariance_type = estimator.covariance_type
        self.n_samples, self.n_features = X.shape
        self.dtype = np.dtype(np.float32 if X.dtype == np.float32 else np.float64)
        # Held for the source's lifetime: dropping the persisted collection would release
        # the rows on the workers while the blocks still point at them.
        (self.X,) = dask.persist(X.rechunk({1: -1}))
        self.blocks = indexed_row_blocks(self.X)
        count_and_sums = map_reduce(_checked_sum, self.blocks, self.dtype)
        validate_data(estimator, self.X, reset=True, skip_check_array=True)
        self.shift = (count_and_sums[1:] / count_and_sums[0]).astype(self.dtype)
        self._sample = None

    def initial_statistics(self, n_components, init_params, random_state):
        """Statistics of the initial responsibilities that ``init_params`` names.

        The responsibilities are never formed whole: each block builds its own and reduces
        them to sufficient statistics, which add up to those the in-memory fit computes.
        """
        if init_params == "kmeans":
            # One-hot of the nearest k-means center, as the in-memory fit's KMeans labels.
            centers, _ = kmeans(
                self.blocks,
                self._seeding_sample(n_components, random_state),
                n_components,
                self.shift,
                self.dtype,
                random_state,
                self.n_samples,
            )
            rule = (_nearest_center_resp, (centers, self.shift))
        elif init_params == "random":
            # Each block draws its own responsibilities from a generator seeded by this
            # initialization's seed and the block's first row: reproducible, but not the
            # in-memory fit's draws, which come from one sequential stream over all rows.
            seed = random_state.randint(np.iinfo(np.int32).max)
            rule = (_random_resp, (seed, n_components))
        else:
            if init_params == "k-means++":
                # One-hot of the seed rows, as in memory; the seeds come from the sample.
                sample = self._seeding_sample(n_components, random_state)
                _, seeds = kmeans_plusplus(sample.rows, n_components, random_state=random_state)
                picked = sample.indices[seeds]  # their positions in the data
            else:  # 'random_from_data': the same draw picks the same rows as in memory
                picked = random_state.choice(self.n_samples, size=n_components, replace=False)
            rule = (_picked_rows_resp, (picked,))
        stats = map_reduce(
            _initial_statistics_block,
            self.blocks,
            rule,
            self.covariance_type,
            self.shift,
            self.dtype,
        )
        return stats, rule

    def e_step(self, theta):
        return map_reduce(
            _e_step_block, self.blocks, theta, self.covariance_type, self.shift, self.dtype
        )

    def centred_second_moments(self, rule, means, components):
        return map_reduce(
            _centred_block,
            self.blocks,
            rule,
            means,
            components,
            self.covariance_type,
            self.shift,
            self.dtype,
        )

    def _seeding_sample(self, n_components, random_state):
        # One sample serves every initialization; their k-means++ draws differ.
        if self._sample is None:
            self._sample = draw_sample(
                self.blocks, self.n_samples, n_components, self.shift, self.dtype, random_state
            )
        return self._sample


# ------------------------------------------------------- per-block tasks, on the workers


def _checked_sum(X, offset, dtype):
    """Check one block (finite, numeric) and return its row count, then its column sums, in
    one float64 array (so that blocks add)."""
    X = check_array(X, dtype=dtype, ensure_min_samples=0, estimator=_NAME, input_name="X")
    return np.concatenate([[X.shape[0]], X.sum(axis=0, dtype=np.float64)])


def _picked_rows_resp(X, offset, picked):
    resp = np.zeros((len(picked), X.shape[0]), dtype=X.dtype)  # component-major
    here = (picked >= offset) & (picked < offset + X.shape[0])
    resp[np.flatnonzero(here), picked[here] - offset] = 1
    return resp


def _nearest_center_resp(X, offset, centers, shift):
    labels = nearest_center(X - shift, centers.astype(X.dtype))
    resp = np.zeros((centers.shape[0], X.shape[0]), dtype=X.dtype)  # component-major
    resp[labels, np.arange(X.shape[0])] = 1
    return resp


def _random_resp(X, offset, seed, n_components):
    rng = np.random.default_rng([seed, offset])
    # Drawn in float64 and normalized per row in the data's dtype, as in memory.
    resp = rng.uniform(size=(X.shape[0], n_components)).astype(X.dtype)
    resp /= resp.sum(axis=1)[:, None]
    return resp.T


def _initial_statistics_block(X, offset, rule, covariance_type, shift, dtype):
    if X.shape[0] == 0:
        return None  # no rows, no statistics (skipped by the reduction)
    X = np.asarray(X, dtype=dtype)
    block_resp, args = rule
    phi = feature_map(X, covariance_type, shift)
    resp = block_resp(X, offset, *args)
    return statistics_from_responsibilities(phi, resp, covariance_type, X.shape[1])


def _e_step_block(X, offset, theta, covariance_type, shift, dtype):
    if X.shape[0] == 0:
        return None
    phi = feature_map(np.asarray(X, dtype=dtype), covariance_type, shift)
    return e_step_statistics(phi, theta, covariance_type)


def _centred_block(X, offset, rule, means, components, covariance_type, shift, dtype):
    if X.shape[0] == 0:
        return None
    X = np.asarray(X, dtype=dtype)
    phi = feature_map(X, covariance_type, shift)
    if isinstance(rule, NaturalParameters):  # the E-step's responsibilities
        resp = weighted_log_prob(phi, rule)
        responsibilities(resp)
    else:  # the initial responsibilities
        block_resp, args = rule
        resp = block_resp(X, offset, *args)
    centered = phi[:, 1 : 1 + X.shape[1]]
    return centred_block_moments(centered, resp, means, components, covariance_type)


def _predict_block(X, estimator):
    return estimator.predict(X)
