"""Indexing ``x[index]``: the gradient flows back to the selected positions.

With an integer-array index a position may be selected more than once; each selection is
a path, so the contributions are added (``np.add.at``), not overwritten.
"""

import numpy as np

from .operation import Operation, apply

__all__ = ["getitem"]


class GetItem(Operation):
    __slots__ = ("dtype", "index", "shape")
    label = "[]"

    def __init__(self, index):
        self.index = index

    def forward(self, a):
        self.shape, self.dtype = a.shape, a.dtype
        return a[self.index]

    def backward(self, grad, needs):
        full = np.zeros(self.shape, dtype=self.dtype)
        np.add.at(full, self.index, grad)  # adds, for a position selected twice
        return (full,)


def getitem(a, index):
    """``a[index]`` for any numpy index; Tensors used as indices are read as arrays."""
    from .tensor import Tensor

    if isinstance(index, Tensor):
        index = index.value
    elif isinstance(index, tuple):
        index = tuple(i.value if isinstance(i, Tensor) else i for i in index)
    return apply(GetItem(index), a)
