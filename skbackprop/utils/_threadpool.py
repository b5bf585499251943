"""BLAS thread-pool limits, in one place for the package.

The one limit that was measured to pay (docs/performance.rst, "Fast paths"): scipy's
L-BFGS-B on one thread of scipy's own BLAS, where scipy ships a BLAS library separate from
numpy's (pip wheels do).  L-BFGS-B's vectors are short while the objective's products run
in numpy's BLAS, and two OpenBLAS thread pools taking turns on the same cores cost
milliseconds per iteration.  The optimizer knows nothing of thread pools: an estimator
passes this context to :func:`~skbackprop.optim.minimize_lbfgs` (``blas_limit``).
"""

import functools
import os
from contextlib import nullcontext

from threadpoolctl import ThreadpoolController


def scipy_blas_single_thread():
    """A context that runs scipy's vendored BLAS on one thread (nothing when it is numpy's)."""
    pool = _scipy_only_blas()
    return nullcontext() if pool is None else pool.limit(limits=1)


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
