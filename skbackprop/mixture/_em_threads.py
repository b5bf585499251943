"""How many BLAS threads EM's products get: one for narrow feature maps on many rows."""

from ..utils._threadpool import single_blas_thread

__all__ = ["blas_threads"]

# Feature maps up to this wide are multiplied on one BLAS thread (see blas_threads)...
_MAX_SINGLE_THREAD_WIDTH = 512
# ...when they hold at least this many numbers; below it the limit costs more than it saves.
_MIN_SINGLE_THREAD_ELEMENTS = 1 << 16


def blas_threads(n_rows, width):
    """One BLAS thread for the narrow products of EM on many rows (``width`` features by K
    components).

    Such products are too thin for OpenBLAS's threads to share well: they synchronize on
    every call and, when other processes hold the cores, their spin-waits cost several
    times the product itself. Wide feature maps (many features, 'full') keep all threads,
    and so do small inputs, which BLAS runs on one thread anyway: there even the shared
    controller's limit (tens of microseconds) would cost more than the product.
    """
    return single_blas_thread(
        width <= _MAX_SINGLE_THREAD_WIDTH and n_rows * width >= _MIN_SINGLE_THREAD_ELEMENTS
    )
