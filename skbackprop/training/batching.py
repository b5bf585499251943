"""Minibatches: the batch size, and the training rows in each epoch's shuffled order."""

import warnings

import numpy as np
from scipy import sparse

__all__ = ["EPOCH_GATHER_BYTES", "EpochOrder", "batch_spans", "resolve_batch_size"]

# Dense training data up to this size is gathered in its epoch's shuffled order once per
# epoch, so that each minibatch is a view of consecutive rows; larger data, and sparse data
# (where indexing a minibatch costs about what slicing it does), is gathered minibatch by
# minibatch instead, which needs no second copy of it.
EPOCH_GATHER_BYTES = 512 * 2**20


def resolve_batch_size(batch_size, n_samples):
    """The rows of a minibatch: ``batch_size`` clipped to [1, n_samples], 'auto' 200.

    Warns, as scikit-learn's MLP does, when an explicit size is clipped.
    """
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"
        )
    return int(np.clip(batch_size, 1, n_samples))


def batch_spans(n_samples, batch_size):
    """``(start, stop)`` of each minibatch of an epoch; the last one may be shorter."""
    return [
        (start, min(start + batch_size, n_samples)) for start in range(0, n_samples, batch_size)
    ]


class EpochOrder:
    """The training rows in the order of the current epoch.

    scikit-learn shuffles the sample indices once per epoch and indexes every minibatch
    out of the data with its slice of them. Gathering the whole epoch at once instead,
    into buffers allocated once per fit, costs one ``take`` per array per epoch, after
    which a minibatch is a slice: a view, with no copy and one numpy call less per array
    and minibatch. The rows and their order are the same, so the trajectory is too.

    Parameters
    ----------
    X : ndarray or scipy CSR matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    gather : bool
        Whether to gather each epoch (dense X only); if not, :meth:`rows` returns index
        arrays into the original data.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.training import EpochOrder
    >>> X, Y = np.arange(8.0).reshape(4, 2), np.arange(4.0).reshape(4, 1)
    >>> order = EpochOrder(X, Y, None, gather=True)
    >>> order.shuffle(np.random.RandomState(0))
    >>> X_epoch, Y_epoch, _ = order.epoch_data
    >>> Y_epoch[order.rows(0, 2)].ravel()   # the epoch's first minibatch, a view
    array([2., 3.])
    """

    def __init__(self, X, Y, sample_weight, gather):
        self.data = (X, Y, sample_weight)
        self.gather = gather and not sparse.issparse(X)
        self.sample_idx = np.arange(X.shape[0], dtype=int)
        self.shuffled = False
        self._buffers = None
        if self.gather:
            self._buffers = tuple(
                None if a is None else np.empty(a.shape, a.dtype) for a in self.data
            )
        self.epoch_data = self.data

    def shuffle(self, random_state):
        """Draw the next epoch's order as ``sklearn.utils.shuffle`` does (one Fisher-Yates
        shuffle of the index array by ``random_state``), and gather the data in it."""
        random_state.shuffle(self.sample_idx)
        self.shuffled = True
        if self.gather:
            self.epoch_data = tuple(
                self._gather(array, out) for array, out in zip(self.data, self._buffers)
            )

    def _gather(self, array, out):
        if array is None:
            return None
        # mode="clip": the indices are a permutation, always in range, and numpy then
        # writes straight into `out` instead of through a temporary copy (2.6 times
        # faster on the digits data).
        return array.take(self.sample_idx, axis=0, out=out, mode="clip")

    def rows(self, start, stop):
        """Minibatch ``start:stop`` of the epoch, as rows of :attr:`epoch_data`: a slice,
        or indices into the original data when it is not gathered."""
        if self.gather or not self.shuffled:
            return slice(start, stop)
        return self.sample_idx[start:stop]
