"""BLAS thread-pool limits, in one place for the package.

Where scipy ships a BLAS library separate from numpy's (pip wheels do), two OpenBLAS thread
pools take turns on the same cores, and each one's threads spin while the other works.
Small calls into scipy's BLAS then cost many times their arithmetic, the more so when other
processes hold the cores (docs/performance.rst, "Fast paths"). Three limits pay:

- L-BFGS-B on one thread of scipy's BLAS: its vectors are short while the objective's
  products run in numpy's BLAS. The optimizer knows nothing of thread pools: an estimator
  passes :func:`scipy_blas_single_thread` to :func:`~skbackprop.optim.minimize_lbfgs`
  (``blas_limit``).
- The normal equations' products and factorizations (:func:`scipy_blas_threads`): one
  thread for work too small to share, all threads for large products and for
  factorizations long enough to outlast the other pool's spinning.
- numpy's BLAS on one thread while the tabular MLPs train on minibatches of a few hundred
  rows (:func:`numpy_blas_single_thread`; benchmarks/RESULTS.md, "bench_tabular"), and
  while LogisticBackprop's L-BFGS fits sparse data, whose products are scipy's, not BLAS.
"""

import functools
import os
from contextlib import nullcontext

from threadpoolctl import ThreadpoolController


def numpy_blas_single_thread():
    """A context that runs numpy's BLAS on one thread.

    For training on minibatches of a few hundred rows: the products are too small to
    share, and the second thread's spin-waiting costs more than it brings, most of all on
    a loaded machine (benchmarks/RESULTS.md, "bench_tabular").
    """
    return _controller().limit(limits=1, user_api="blas")


@functools.cache
def _controller():
    return ThreadpoolController()


def scipy_blas_single_thread():
    """A context that runs scipy's vendored BLAS on one thread (nothing when it is numpy's)."""
    pool = _scipy_only_blas()
    return nullcontext() if pool is None else pool.limit(limits=1)


# Below this many flops OpenBLAS runs on one thread by itself, and even the limit (a few
# microseconds to enter and leave) costs more than it saves.
_TINY_FLOPS = 1 << 20
# Products of at least this many flops are worth sharing between the threads.
_SHARED_FLOPS = 1 << 27
# Factorizations (LAPACK's Cholesky, eigenvalue and SVD drivers) share the threads from
# this many flops: a few tenths of a second of work on one thread, several times as long
# as the other pool's threads spin after its last call. Below it the second thread's gain
# is lost to that spinning, or to the drivers' unblocked steps; above it, the SVD of
# wide rank-deficient rows takes about two thirds of its one-thread time
# (benchmarks/RESULTS.md, "bench_real_data").
_SHARED_FACTORIZATION_FLOPS = 1 << 33


def scipy_blas_threads(flops, product=True):
    """The context for scipy BLAS work of ``flops``: one thread of scipy's BLAS unless the
    work is tiny, or large enough to share (``_SHARED_FLOPS`` for a ``product``,
    ``_SHARED_FACTORIZATION_FLOPS`` otherwise); otherwise nothing (the threads as the
    caller set them)."""
    shared = _SHARED_FLOPS if product else _SHARED_FACTORIZATION_FLOPS
    if _TINY_FLOPS <= flops < shared:
        return scipy_blas_single_thread()
    return nullcontext()


@functools.cache
def _scipy_only_blas():
    """scipy's vendored BLAS when numpy has another one, else None (nothing to limit).

    A ``ThreadpoolController`` scans the loaded libraries once (about a millisecond); its
    ``limit`` then only sets the thread counts.
    """
    controller = ThreadpoolController()
    blas = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
    vendored = [lib.filepath for lib in blas if f"{os.sep}scipy.libs{os.sep}" in lib.filepath]
    if not vendored or len(vendored) == len(blas):
        return None
    return controller.select(filepath=vendored)
