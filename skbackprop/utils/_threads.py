"""How many BLAS threads a training loop's matrix products get.

OpenBLAS splits a product over its threads and, after it, keeps them spinning for a
while in case another product follows. On small products the split gains little, and the
spinning threads compete with the element-wise numpy work between the products (the
activations, the loss, the optimizer step) for the cores: a small network trains faster
on one thread. Large products keep every thread: a (256, 256) network, about 16 million
multiply-adds per minibatch, trains markedly faster on two threads than on one. The
threshold comes from ``benchmarks/bench_mlp.py`` (see benchmarks/RESULTS.md): the (100,)
network on digits, about 1.5 million, ran at 0.50-0.68 of scikit-learn's time with this
rule and at 0.61-0.78 without it; fitted alone, back to back, the two settings are even.
"""

import functools
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
        Limits BLAS to one thread inside it, or does nothing for large products. A limit
        the caller set already (``threadpoolctl.threadpool_limits``) is restored on exit.

    Examples
    --------
    >>> from skbackprop.utils._threads import blas_threads_for
    >>> with blas_threads_for(1_000):
    ...     pass
    """
    if multiply_adds < SMALL_PRODUCT_MACS:
        return _controller().limit(limits=1, user_api="blas")
    return nullcontext()
