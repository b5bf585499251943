"""How long one OpenBLAS thread pool slows the other: numpy's and scipy's, one after the other.

pip's numpy and scipy each ship their own OpenBLAS, with its own worker threads. After a
call, a pool's workers spin for a while (OpenBLAS's thread timeout) before they sleep,
and while they spin they hold cores the other pool's next call needs. skbackprop's fits
run their products in numpy's pool and their factorizations in scipy's, as scikit-learn's
do, so when the two libraries alternate (bench_shapes.py), a call often starts while the
other library's last call still spins. This script measures that: a product in one pool
timed at several delays after a factorization in the other, and after a rest::

    PYTHONPATH=. env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_blas_pools.py

It prints the median time of each (milliseconds) and its ratio to the rested one.
"""

import argparse
import statistics
import time

import numpy as np
from scipy import linalg
from threadpoolctl import threadpool_info

REST = 0.5  # seconds: longer than OpenBLAS's default thread timeout


def busy_wait(seconds):
    """Wait without sleeping, as Python code between two BLAS calls does."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def timed_after(before, call, delay, repeats):
    times = []
    for _ in range(repeats):
        time.sleep(REST)
        if before is not None:
            before()
        busy_wait(delay)
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500, help="n of the n x n matrices")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    for pool in threadpool_info():
        if pool["user_api"] == "blas":
            print(
                f"# {pool['filepath'].split('/')[-1]}: {pool['internal_api']} "
                f"{pool['version']}, {pool['num_threads']} threads"
            )
    rng = np.random.default_rng(0)
    n = args.size
    A = rng.standard_normal((n, 2 * n))
    spd = A @ A.T + n * np.eye(n)
    numpy_product = (lambda: A @ A.T, "numpy's product A A^T")
    scipy_factor = (lambda: linalg.cholesky(spd), "scipy's Cholesky")
    delays = (0.0, 0.001, 0.01, 0.05, 0.1, 0.2)
    for (call, name), (before, before_name) in [
        (numpy_product, scipy_factor),
        (scipy_factor, numpy_product),
    ]:
        rested = timed_after(None, call, 0.0, args.repeats)
        print(f"\n{name} ({n}x{n}), rested: {rested * 1e3:.2f} ms")
        print(f"{'after ' + before_name:<36} {'ms':>8} {'ratio':>6}")
        for delay in delays:
            after = timed_after(before, call, delay, args.repeats)
            label = f"  then {delay * 1e3:g} ms of Python"
            print(f"{label:<36} {after * 1e3:8.2f} {after / rested:6.2f}")


if __name__ == "__main__":
    main()
