"""Map a per-block function over the row blocks of a dask array and reduce on the workers.

The closed-form and EM estimators need only sums over the rows (sufficient statistics) whose
per-block values add up exactly.  On a dask array each row block's statistics are computed
where the block lives, a tree of additions reduces them on the workers, and only the reduced
statistics (a few small matrices) travel to the client; the rows themselves are never
gathered.

Nothing here imports dask until a dask array has actually arrived, so that numpy users of
skbackprop never pay for it (and need not have it installed).
"""

import functools
import operator
import sys

import numpy as np

# How many partial results one task adds together in the tree reduction: a few levels of
# small additions rather than one task receiving every block's statistics.
SPLIT_EVERY = 8


def is_dask_array(X):
    """Whether ``X`` is a dask array, without importing dask.

    If ``dask.array`` was never imported, nothing can be a dask array.
    """
    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(X, dask_array.Array)


def check_numeric_dtype(X):
    """Refuse a dask array whose dtype is not numeric, with check_array's message and the
    fix (its blocks are checked on the workers, later)."""
    if not np.issubdtype(X.dtype, np.number) and X.dtype != np.bool_:
        raise ValueError(
            f"dtype='numeric' is not compatible with arrays of dtype {X.dtype}; convert X "
            "to a numeric dtype (X.astype(float))."
        )


def row_blocks(X, *columns):
    """The row blocks of ``X``, and of each of ``columns`` aligned with them, as delayed objects.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        The data; its columns are brought into one chunk (lazily, on the workers) so that
        each block holds whole rows.
    *columns : dask array, array-like or None
        Per-row companions (targets, sample weights) of length ``n_samples``; numpy input
        is wrapped into a dask array with the row chunks of ``X``, None stays None.

    Returns
    -------
    blocks : list of tuple
        One ``(X_block, *column_blocks)`` tuple of delayed objects (or None) per row block.
    """
    import dask.array as da

    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D dask array, got one with ndim={X.ndim}; reshape it to "
            "(n_samples, n_features), e.g. X.reshape(-1, 1) for a single feature."
        )
    if any(np.isnan(size) for size in X.shape):
        raise ValueError(
            "The dask array has unknown chunk sizes (e.g. it comes from a dask DataFrame); "
            "call X.compute_chunk_sizes() or use DataFrame.to_dask_array(lengths=True) first."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"Found array with shape {X.shape} while at least one sample and one feature "
            "are required; pass a non-empty dask array."
        )
    X = X.rechunk({1: -1})
    row_chunks = X.chunks[0]
    aligned = []
    for column in columns:
        if column is None:
            aligned.append(None)
            continue
        if not is_dask_array(column):
            column = np.asarray(column)
        if column.ndim == 0 or column.shape[0] != X.shape[0]:
            raise ValueError(
                f"X has {X.shape[0]} rows but a per-row array (y or sample_weight) has shape "
                f"{column.shape}; pass arrays with the same number of rows."
            )
        if not is_dask_array(column):
            column = da.from_array(column, chunks=(row_chunks, *column.shape[1:]))
        column = column.rechunk({0: row_chunks, **dict.fromkeys(range(1, column.ndim), -1)})
        aligned.append(column.to_delayed().reshape(len(row_chunks)))
    X_blocks = X.to_delayed().reshape(len(row_chunks))
    return [
        (X_blocks[i], *(None if column is None else column[i] for column in aligned))
        for i in range(len(row_chunks))
    ]


def indexed_row_blocks(X):
    """``(X_block, offset)`` per row block of ``X``, ``offset`` being the block's first row.

    Per-block tasks that must know which rows they hold (to pick drawn rows, or to seed a
    block's random numbers) receive the offset alongside the block.
    """
    offsets = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]])
    return [(X_block, int(offset)) for (X_block,), offset in zip(row_blocks(X), offsets)]


def tree_reduce(parts):
    """Add delayed ``parts`` in a tree of tasks on the workers, ``SPLIT_EVERY`` per task.

    Parameters
    ----------
    parts : list of dask.delayed.Delayed
        Per-block results that ``+`` adds associatively; None stands for an empty block.

    Returns
    -------
    total : dask.delayed.Delayed
        The sum of all parts, still lazy.
    """
    from dask import delayed

    merge = delayed(_add_all, pure=True)
    while len(parts) > 1:
        parts = [
            merge(parts[start : start + SPLIT_EVERY])
            for start in range(0, len(parts), SPLIT_EVERY)
        ]
    return parts[0]


def _add_all(parts):
    # None stands for "no rows" (an empty block), the identity of every reduction here.
    parts = [part for part in parts if part is not None]
    return functools.reduce(operator.add, parts) if parts else None


def map_reduce(block_function, blocks, *args):
    """``block_function(*block, *args)`` on every block, reduced on the workers, then computed.

    Only the reduced result is transferred to the client.  Under a
    :class:`dask.distributed.Client` the tasks run on its cluster; otherwise on dask's
    default scheduler.  ``args`` (small arrays, e.g. the current parameters of an EM
    iteration) are shipped once and shared by every block's task.
    """
    import dask
    from dask import delayed

    apply = delayed(block_function, pure=True)
    shared = [delayed(arg) if isinstance(arg, np.ndarray) else arg for arg in args]
    parts = [apply(*block, *shared) for block in blocks]
    (total,) = dask.compute(tree_reduce(parts))
    return total
