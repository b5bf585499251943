"""GaussianMixtureEM against scikit-learn's GaussianMixture: fit time at 10 EM iterations.

Both fit the same data from the same starting point (weights_init, means_init and
precisions_init taken from the generating mixture, so no k-means runs), with ``max_iter=10``,
``tol=0`` and ``n_init=1``; runs alternate between the two libraries and the median of the
repeats is reported, with the ratio ours / scikit-learn and the final lower bound of both.

Run as::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_gmm.py
"""

import argparse
import time
import warnings
from contextlib import nullcontext

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from skbackprop import GaussianMixtureEM

CASES = [
    # (n_samples, n_features, n_components, covariance_type, target ratio)
    (100_000, 10, 16, "full", 0.2),
    (100_000, 10, 16, "tied", 0.3),
    (100_000, 10, 16, "diag", 0.5),
    (100_000, 10, 16, "spherical", 0.5),
    (200_000, 2, 64, "full", 0.1),
]


def make_data(n_samples, n_features, n_components, covariance_type, dtype, seed=0):
    """Samples of a random mixture, and that mixture's parameters as precisions_init."""
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=4.0, size=(n_components, n_features))
    weights = rng.dirichlet(np.full(n_components, 5.0))
    factors = rng.normal(size=(n_components, n_features, n_features)) / np.sqrt(n_features)
    covariances = factors @ np.swapaxes(factors, 1, 2) + 0.5 * np.eye(n_features)
    counts = rng.multinomial(n_samples, weights)
    chol = np.linalg.cholesky(covariances)
    X = np.concatenate(
        [
            mean + rng.standard_normal((count, n_features)) @ c.T
            for mean, c, count in zip(means, chol, counts)
        ]
    )
    rng.shuffle(X)
    precisions = np.linalg.inv(covariances)
    precisions_init = {
        "full": precisions,
        "tied": np.linalg.inv(covariances.mean(axis=0)),
        "diag": 1.0 / np.diagonal(covariances, axis1=1, axis2=2),
        "spherical": 1.0 / np.diagonal(covariances, axis1=1, axis2=2).mean(axis=1),
    }[covariance_type]
    init = {
        "weights_init": weights,
        "means_init": means,
        "precisions_init": precisions_init,
    }
    return X.astype(dtype), init


def time_fit(Estimator, X, params):
    model = Estimator(**params)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    return time.perf_counter() - start, model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="cap BLAS threads for both libraries (default: OpenBLAS's own count)",
    )
    args = parser.parse_args()
    dtype = np.dtype(args.dtype)
    limit = nullcontext() if args.blas_threads is None else threadpool_limits(args.blas_threads)
    with limit:
        run(args, dtype)


def run(args, dtype):
    threads = args.blas_threads or "default"
    print(
        f"10 EM iterations (max_iter=10, tol=0, n_init=1, same init), {dtype}, "
        f"BLAS threads: {threads}, median of {args.repeats}"
    )
    header = (
        f"{'n x d':>12} {'K':>3} {'covariance':>10} {'sklearn s':>10} {'ours s':>8} "
        f"{'ratio':>6} {'target':>6} {'lower bound sklearn':>20} {'lower bound ours':>18}"
    )
    print(header)
    for n_samples, n_features, n_components, covariance_type, target in CASES:
        X, init = make_data(n_samples, n_features, n_components, covariance_type, dtype)
        params = {
            "n_components": n_components,
            "covariance_type": covariance_type,
            "max_iter": 10,
            "tol": 0.0,
            "n_init": 1,
            "random_state": 0,
            **init,
        }
        theirs, ours = [], []
        for _ in range(args.repeats):
            seconds, reference = time_fit(GaussianMixture, X, params)
            theirs.append(seconds)
            seconds, model = time_fit(GaussianMixtureEM, X, params)
            ours.append(seconds)
        t_theirs, t_ours = np.median(theirs), np.median(ours)
        print(
            f"{f'{n_samples:,} x {n_features}':>12} {n_components:>3} {covariance_type:>10} "
            f"{t_theirs:>10.3f} {t_ours:>8.3f} {t_ours / t_theirs:>6.3f} {target:>6.2f} "
            f"{reference.lower_bound_:>20.10f} {model.lower_bound_:>18.10f}"
        )


if __name__ == "__main__":
    main()
