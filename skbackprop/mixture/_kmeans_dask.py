"""k-means on a dask array, for GaussianMixtureEM's 'kmeans' and 'k-means++' initializations.

The in-memory fit seeds with :func:`sklearn.cluster.kmeans_plusplus` and runs
:class:`sklearn.cluster.KMeans` on every row.  On a dask array the rows are never gathered,
so the two steps split:

- **Seeding on a sample.**  :func:`draw_sample` brings back ``min(n_samples, max(10_000,
  50 n_clusters))`` rows drawn uniformly without replacement (the row numbers are drawn on
  the client from the estimator's ``random_state``, each block sends back the drawn rows it
  holds), and k-means++ runs on those.  When the data has no more rows than that, the
  sample is every row in order and the seeds are the in-memory fit's.
- **Lloyd's iterations over all rows.**  :func:`lloyd` sends the centers to the workers;
  each block assigns its rows to the nearest center and returns per-cluster sums and counts,
  its inertia, and its rows farthest from their centers (to relocate empty clusters as
  scikit-learn does); the client divides the sums by the counts.  It stops, as KMeans
  does, when the squared center shift is at most ``tol`` times the mean variance of the
  features, or after ``max_iter`` iterations.

All arithmetic is in coordinates shifted by the data's mean, as KMeans centers the data
first.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.cluster import kmeans_plusplus

from ..utils._dask import map_reduce

# sklearn.cluster.KMeans' defaults, which the in-memory initialization uses.
KMEANS_TOL = 1e-4
KMEANS_MAX_ITER = 300
# The seeding sample: enough rows for k-means++ to see every well-populated cluster, few
# enough to travel to the client and be seeded there in well under a second.
MIN_SAMPLE_ROWS = 10_000
SAMPLE_ROWS_PER_CLUSTER = 50
# Up to this many rows the sample's row numbers come from a permutation of all of them
# (a few megabytes on the client); beyond it, from draws with rejection, O(sample) memory.
_MAX_PERMUTED_ROWS = 1 << 20


def sample_size(n_samples, n_clusters):
    """How many rows k-means++ is seeded on."""
    return min(n_samples, max(MIN_SAMPLE_ROWS, SAMPLE_ROWS_PER_CLUSTER * n_clusters))


@dataclass
class RowSample:
    """Rows drawn without replacement, and a pass over every row for the features' spread.

    Samples of disjoint row blocks add (``a + b``) to the sample of their union.

    Attributes
    ----------
    indices : ndarray of shape (n_drawn,)
        The drawn rows' positions in the data, increasing.
    rows : ndarray of shape (n_drawn, n_features)
        The drawn rows.
    squared_deviations : ndarray of shape (n_features,)
        ``sum_i (x_i - shift) ** 2`` over *all* rows of the blocks (float64): with the
        data's mean as shift, ``n_samples`` times the variance of each feature.
    """

    indices: np.ndarray
    rows: np.ndarray
    squared_deviations: np.ndarray

    def __add__(self, other):
        return RowSample(
            np.concatenate([self.indices, other.indices]),
            np.concatenate([self.rows, other.rows]),
            self.squared_deviations + other.squared_deviations,
        )


def draw_sample(blocks, n_samples, n_clusters, shift, dtype, random_state):
    """A uniform sample of :func:`sample_size` rows, drawn from ``random_state``.

    Parameters
    ----------
    blocks : list of tuple
        ``(X_block, offset)`` per row block, ``offset`` being the block's first row.
    n_samples, n_clusters : int
    shift : ndarray of shape (n_features,)
        The data's mean.
    dtype : numpy dtype
    random_state : RandomState
        Consumed only when the sample is smaller than the data.

    Returns
    -------
    RowSample
    """
    size = sample_size(n_samples, n_clusters)
    if size == n_samples:
        picked = np.arange(n_samples)
    elif n_samples <= max(_MAX_PERMUTED_ROWS, 2 * size):
        picked = np.sort(random_state.choice(n_samples, size=size, replace=False))
    else:
        # At most half the rows are wanted, so each round at least halves what is missing.
        picked = np.unique(random_state.randint(n_samples, size=size, dtype=np.int64))
        while picked.size < size:
            more = random_state.randint(n_samples, size=size - picked.size, dtype=np.int64)
            picked = np.union1d(picked, more)
    sample = map_reduce(_sample_block, blocks, picked, shift, dtype)
    order = np.argsort(sample.indices, kind="stable")  # the reduction keeps block order
    return RowSample(sample.indices[order], sample.rows[order], sample.squared_deviations)


def kmeans(blocks, sample, n_clusters, shift, dtype, random_state, n_samples):
    """k-means++ seeds from ``sample``, then :func:`lloyd` over every row.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
        Float64 centers in the shifted coordinates (add ``shift`` for the data's).
    n_iter : int
        Lloyd's iterations run.
    """
    # KMeans seeds on the centered data; centering changes the distances only by rounding.
    seeds, _ = kmeans_plusplus(sample.rows - shift, n_clusters, random_state=random_state)
    tol = KMEANS_TOL * float(np.mean(sample.squared_deviations / n_samples))
    return lloyd(blocks, seeds.astype(np.float64), shift, dtype, tol)


def lloyd(blocks, centers, shift, dtype, tol, max_iter=KMEANS_MAX_ITER):
    """Lloyd's iterations, each one map-reduce of per-cluster sums over the blocks.

    Parameters
    ----------
    blocks : list of tuple
        ``(X_block, offset)`` per row block.
    centers : ndarray of shape (n_clusters, n_features)
        Initial centers, in coordinates shifted by ``shift``.
    shift : ndarray of shape (n_features,)
    dtype : numpy dtype
        The precision of the distances, as KMeans computes them in the data's dtype.
    tol : float
        Stop when the sum of the squared center shifts is at most this.
    max_iter : int, default=KMEANS_MAX_ITER

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    n_iter : int
    """
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        stats = map_reduce(_lloyd_block, blocks, centers, shift, dtype)
        new_centers = _updated_centers(stats, centers)
        center_shift = float(np.square(new_centers - centers).sum())
        centers = new_centers
        # Unchanged labels give exactly the same sums, so a zero shift, and stop here too.
        if center_shift <= tol:
            break
    return centers, n_iter


def nearest_center(X_shifted, centers):
    """Index of each row's nearest center (rows and centers in the same coordinates)."""
    # |x - c|^2 without the |x|^2 every center shares: one product, as KMeans computes it.
    scores = X_shifted @ centers.T
    scores *= -2
    scores += np.einsum("ij,ij->i", centers, centers)
    return scores.argmin(axis=1)


@dataclass
class ClusterStatistics:
    """What one Lloyd iteration needs from a set of rows; those of disjoint sets add.

    Attributes
    ----------
    sums : ndarray of shape (n_clusters, n_features)
        Float64 sums of the shifted rows assigned to each cluster.
    counts : ndarray of shape (n_clusters,)
        Rows assigned to each cluster.
    inertia : float
        Sum of the squared distances of the rows to their centers.
    far_distances, far_rows, far_labels : ndarray
        The (at most ``n_clusters``) rows farthest from their centers, their squared
        distances and clusters: an empty cluster takes the farthest of them, as in KMeans.
    """

    sums: np.ndarray
    counts: np.ndarray
    inertia: float
    far_distances: np.ndarray
    far_rows: np.ndarray
    far_labels: np.ndarray

    def __add__(self, other):
        distances = np.concatenate([self.far_distances, other.far_distances])
        keep = np.argsort(-distances, kind="stable")[: self.sums.shape[0]]
        return ClusterStatistics(
            self.sums + other.sums,
            self.counts + other.counts,
            self.inertia + other.inertia,
            distances[keep],
            np.concatenate([self.far_rows, other.far_rows])[keep],
            np.concatenate([self.far_labels, other.far_labels])[keep],
        )


def _updated_centers(stats, centers):
    """Means of the clusters, after moving the farthest rows into the empty ones."""
    sums = stats.sums.copy()
    counts = stats.counts.astype(np.float64)
    empty = np.flatnonzero(counts == 0)
    # The farthest rows first, each taken from its cluster into one empty cluster.
    for new, far in zip(empty, np.argsort(-stats.far_distances, kind="stable")):
        old = stats.far_labels[far]
        sums[old] -= stats.far_rows[far]
        counts[old] -= 1
        sums[new] = stats.far_rows[far]
        counts[new] = 1
    # A cluster left with no row (its only row moved away) keeps its center rather than
    # dividing by zero.
    filled = counts > 0
    new_centers = centers.copy()
    new_centers[filled] = sums[filled] / counts[filled, None]
    return new_centers


# ------------------------------------------------------- per-block tasks, on the workers


def _sample_block(X, offset, picked, shift, dtype):
    X = np.asarray(X, dtype=dtype)
    start, stop = np.searchsorted(picked, [offset, offset + X.shape[0]])
    here = picked[start:stop]
    deviations = np.square(X - shift).sum(axis=0, dtype=np.float64)
    return RowSample(here, X[here - offset], deviations)


def _lloyd_block(X, offset, centers, shift, dtype):
    n_rows = X.shape[0]
    if n_rows == 0:
        return None  # no rows, no statistics (skipped by the reduction)
    n_clusters = centers.shape[0]
    X_shifted = np.asarray(X, dtype=dtype) - shift
    centers = centers.astype(dtype)
    labels = nearest_center(X_shifted, centers)
    distances = np.square(X_shifted - centers[labels]).sum(axis=1, dtype=np.float64)
    # The one-hot assignment as a sparse matrix: per-cluster sums in O(rows x features).
    one_hot = sparse.csr_matrix(
        (np.ones(n_rows), (labels, np.arange(n_rows))), shape=(n_clusters, n_rows)
    )
    sums = np.asarray(one_hot @ X_shifted.astype(np.float64))
    counts = np.bincount(labels, minlength=n_clusters)
    far = np.arange(n_rows)
    if n_rows > n_clusters:  # a partition, not a sort: the order is settled on the client
        far = np.argpartition(distances, n_rows - n_clusters)[n_rows - n_clusters :]
    return ClusterStatistics(
        sums, counts, float(distances.sum()), distances[far], X_shifted[far], labels[far]
    )
