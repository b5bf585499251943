"""An embedding lookup: row ``idx[i]`` of a table, with a scatter-add backward.

``out[i] = table[idx[i]]``. A row of the table picked by several samples is on several
paths, so its gradient is the sum of theirs: ``dL/dtable[c] = sum_{i: idx[i] = c}
dL/dout[i]``, computed per embedding column with one ``np.bincount``, which is much
faster than ``np.add.at`` on the small tables of categorical features.
"""

import numpy as np

from .operation import Operation, apply

__all__ = ["embedding_lookup"]


class EmbeddingLookup(Operation):
    __slots__ = ("indices", "n_rows")
    label = "embedding"

    def __init__(self, indices):
        self.indices = indices

    def forward(self, table):
        self.n_rows = table.shape[0]
        return table[self.indices]

    def backward(self, grad, needs):
        idx, n = self.indices, self.n_rows
        columns = [np.bincount(idx, weights=grad[:, j], minlength=n) for j in range(grad.shape[1])]
        return (np.stack(columns, axis=1).astype(grad.dtype, copy=False),)


def embedding_lookup(table, indices):
    """Rows ``indices`` of ``table``: a learned vector per category.

    Parameters
    ----------
    table : Tensor of shape (n_categories, embedding_size)
    indices : array-like of int of shape (n,) or a Tensor holding them
        Read when the graph is evaluated: a :class:`~skbackprop.autodiff.Graph` replayed
        on a new batch reads the Tensor's current value.

    Returns
    -------
    Tensor of shape (n, embedding_size)

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, embedding_lookup
    >>> table = Tensor(np.array([[1.0, 0.0], [0.0, 1.0]]), requires_grad=True)
    >>> out = embedding_lookup(table, np.array([1, 1, 0]))
    >>> out.sum().backward()
    >>> table.grad
    array([[1., 1.],
           [2., 2.]])
    """
    from .tensor import Tensor

    if isinstance(indices, Tensor):
        return apply(_IndexedLookup(), table, indices)
    indices = np.asarray(indices)
    if indices.ndim != 1 or indices.dtype.kind not in "iu":
        raise ValueError(
            f"embedding_lookup needs a 1-D array of integer indices; got dtype "
            f"{indices.dtype} and shape {indices.shape}."
        )
    return apply(EmbeddingLookup(indices), table)


class _IndexedLookup(EmbeddingLookup):
    """The lookup with its indices as a (constant) input, refilled per minibatch."""

    __slots__ = ()

    def __init__(self):
        self.indices = None

    def forward(self, table, indices):
        self.indices = indices.astype(np.intp, copy=False)
        return super().forward(table)

    def backward(self, grad, needs):
        return (*super().backward(grad, needs), None)
