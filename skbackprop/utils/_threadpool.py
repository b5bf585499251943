"""One BLAS thread-pool controller for the whole package, made once, on first use.

``threadpoolctl.threadpool_limits`` scans every loaded shared library each time it is
built (about a millisecond, far more than a small prediction). A
``ThreadpoolController`` scans once; its ``limit`` then only sets the thread counts.
"""

from contextlib import nullcontext

from threadpoolctl import ThreadpoolController

_controller = None


def blas_controller():
    """The package's shared ``ThreadpoolController``, created on the first call."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


def single_blas_thread(enabled=True):
    """A context that runs BLAS on one thread, or does nothing when not ``enabled``.

    Callers enable it only where one thread was measured to pay (thin products on large
    inputs, whose threads spin-wait on every call); for small inputs BLAS works on one
    thread anyway, and even the cheap limit costs more than the product.
    """
    if not enabled:
        return nullcontext()
    return blas_controller().limit(limits=1, user_api="blas")
