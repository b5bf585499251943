"""How many BLAS threads a training loop's matrix products get.

OpenBLAS splits a product over its threads and, after it, keeps them spinning for a
while in case another product follows. On small products the split gains little, and the
spinning threads compete with the element-wise numpy work between the products (the
activations, the loss, the optimizer step) for the cores: a small network trains faster
on one thread. Large products keep every thread: a (256, 256) network, about 16 million
multiply-adds per minibatch, trains markedly faster on two threads than on one.

The evidence for the threshold is ``benchmarks/bench_mlp.py`` (see benchmarks/RESULTS.md),
where each of our fits alternates with scikit-learn's: the (100,) network on digits, about
1.5 million multiply-adds, ran at 0.50-0.68 of scikit-learn's time in 10 runs with this
rule and at 0.61-0.73 in the 3 comparable runs without it. Fitted alone, back to back, the
two settings are even: the gain shows when other BLAS work runs around the fit.

A thread limit is process-wide, so it is applied only from the main thread: fits running
concurrently in worker threads (joblib's threading backend, dask's threaded scheduler)
would otherwise save and restore each other's limits out of order.
"""

import functools
import threading
from contextlib import nullcontext

from threadpoolctl import ThreadpoolController

__all__ = ["SMALL_PRODUCT_MACS", "blas_threads_for"]

# Multiply-adds per minibatch's forward pass below which training runs on one BLAS thread.
SMALL_PRODUCT_MACS = 4_000_000


@functools.cache
def _controller():
    # Built once: scanning the loaded libraries costs about half a millisecond, limiting
    # through a kept controller some microseconds.
    return ThreadpoolController()


def blas_threads_for(multiply_adds):
    """A context that runs BLAS on one thread when ``multiply_adds`` is small.

    Parameters
    ----------
    multiply_adds : int
        Multiply-adds of the products between two synchronization points (for a
        network, its forward pass over one minibatch).

    Returns
    -------
    context : context manager
        Limits BLAS to one thread inside it, or does nothing for large products and
        outside the main thread. A limit the caller set already
        (``threadpoolctl.threadpool_limits``) is restored on exit.

    Examples
    --------
    >>> from skbackprop.utils._threads import blas_threads_for
    >>> with blas_threads_for(1_000):
    ...     pass
    """
    main_thread = threading.current_thread() is threading.main_thread()
    if multiply_adds < SMALL_PRODUCT_MACS and main_thread:
        return _controller().limit(limits=1, user_api="blas")
    return nullcontext()
