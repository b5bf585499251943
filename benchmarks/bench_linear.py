"""LogisticBackprop against LogisticRegression at default settings: fit time and quality.

A 100,000 x 100 float64 binary problem (make_classification). Both estimators at their
defaults (L-BFGS, C=1, tol=1e-4, max_iter=100), fitted alternately, median of the repeats.
Quality for both sides: training accuracy, the objective C * sum log_loss + ||w||^2 / 2, the
largest coefficient difference relative to the largest coefficient, iterations.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_linear.py
    (add --threads 1 for single-threaded BLAS on both sides)
"""

import argparse
import statistics
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info, threadpool_limits

from skbackprop import LogisticBackprop


def make_data(n_samples, n_features, seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features // 2,
        class_sep=0.5,
        random_state=seed,
    )
    return np.ascontiguousarray(X), y


def objective(model, X, y, C=1.0):
    z = X @ model.coef_.ravel() + model.intercept_[0]
    positive = y == model.classes_[1]
    log_loss = np.logaddexp(0.0, z) - positive * z
    return C * log_loss.sum() + 0.5 * float(model.coef_.ravel() @ model.coef_.ravel())


def timed_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start, estimator


def run(n_samples, n_features, repeats):
    X, y = make_data(n_samples, n_features)
    makers = {"LogisticBackprop": LogisticBackprop, "LogisticRegression": LogisticRegression}
    times = {name: [] for name in makers}
    fitted = {}
    timed_fit(LogisticBackprop(), X, y)  # warm-up: imports, BLAS threads, page faults
    timed_fit(LogisticRegression(), X, y)
    for repeat in range(repeats):
        # Alternate which goes first, so neither always runs on a warmer cache.
        order = list(makers) if repeat % 2 == 0 else list(makers)[::-1]
        for name in order:
            seconds, fitted[name] = timed_fit(makers[name](), X, y)
            times[name].append(seconds)
    ours, theirs = fitted["LogisticBackprop"], fitted["LogisticRegression"]
    t_ours = statistics.median(times["LogisticBackprop"])
    t_theirs = statistics.median(times["LogisticRegression"])
    coef_diff = np.abs(ours.coef_ - theirs.coef_).max() / np.abs(theirs.coef_).max()
    print(f"binary problem {n_samples} x {n_features}, float64, default settings")
    print(
        f"{'estimator':<20}{'median s':>10}{'ratio':>8}{'accuracy':>10}"
        f"{'objective':>14}{'n_iter':>8}"
    )
    for name, model, seconds in (
        ("LogisticBackprop", ours, t_ours),
        ("LogisticRegression", theirs, t_theirs),
    ):
        print(
            f"{name:<20}{seconds:>10.3f}{seconds / t_theirs:>8.3f}{model.score(X, y):>10.5f}"
            f"{objective(model, X, y):>14.6f}{int(model.n_iter_[0]):>8}"
        )
    print(f"max relative coefficient difference: {coef_diff:.2e}")
    print("all times (s):")
    for name, values in times.items():
        print(f"  {name:<20}" + " ".join(f"{v:.3f}" for v in values))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-samples", type=int, default=100_000)
    parser.add_argument("--n-features", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (default: all)")
    args = parser.parse_args()
    for info in threadpool_info():
        print(
            f"{info['internal_api']} {info.get('version')} {info.get('architecture')} "
            f"threads={args.threads or info['num_threads']}"
        )
    with threadpool_limits(limits=args.threads):
        run(args.n_samples, args.n_features, args.repeats)


if __name__ == "__main__":
    main()
