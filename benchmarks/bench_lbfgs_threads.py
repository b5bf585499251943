"""Does L-BFGS pay for running scipy's BLAS on one thread? An A/B at a few sizes.

``skbackprop.utils._threadpool.scipy_blas_single_thread`` limits scipy's vendored BLAS (a
second OpenBLAS next to numpy's in pip wheels) to one thread, through one
``ThreadpoolController`` made once per process; estimators pass it to
``skbackprop.optim.minimize_lbfgs`` as ``blas_limit``. This script times
``MLPClassifier(solver='lbfgs').fit`` inside the limit and without it, alternating, on
three sizes, and prints the cost of entering and leaving the limit once (paid once per fit).

Run as::

    python benchmarks/bench_lbfgs_threads.py
"""

import time
import warnings
from contextlib import nullcontext

import numpy as np
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.preprocessing import StandardScaler

from skbackprop import MLPClassifier
from skbackprop.utils._threadpool import _scipy_only_blas, scipy_blas_single_thread

CASES = [
    ("iris (32,)", lambda: load_iris(return_X_y=True), (32,), 100),
    ("digits (64,)", lambda: load_digits(return_X_y=True), (64,), 50),
    (
        "5000x50 (256,)",
        lambda: make_classification(5000, 50, n_informative=20, n_classes=3, random_state=0),
        (256,),
        30,
    ),
]


def main(repeats=5):
    warnings.simplefilter("ignore")
    pool = _scipy_only_blas()
    if pool is None:
        print("scipy uses numpy's BLAS here: there is nothing to limit.")
        return
    print("scipy's own BLAS:", [lib.filepath.rsplit("/", 1)[-1] for lib in pool.lib_controllers])
    start = time.perf_counter()
    for _ in range(1000):
        with pool.limit(limits=1):
            pass
    print(f"entering and leaving the limit: {(time.perf_counter() - start) * 1e3:.1f} us")
    for label, load, hidden, max_iter in CASES:
        X, y = load()
        X = StandardScaler().fit_transform(X)
        times = {"limit": [], "none": []}
        for _ in range(repeats):
            for mode in times:
                model = MLPClassifier(hidden, solver="lbfgs", max_iter=max_iter, random_state=0)
                start = time.perf_counter()
                with scipy_blas_single_thread() if mode == "limit" else nullcontext():
                    model.fit(X, y)
                times[mode].append(time.perf_counter() - start)
        summary = {
            mode: f"median {np.median(t) * 1e3:.1f} ms [{min(t) * 1e3:.1f}-{max(t) * 1e3:.1f}]"
            for mode, t in times.items()
        }
        print(f"{label}: limit {summary['limit']}, no limit {summary['none']}")


if __name__ == "__main__":
    main()
