"""Ours against scikit-learn over a grid of data shapes: every fit and inference method.

A speed claim holds over a grid of shapes, not one point. For each case the two libraries
run alternately in one process on the same data; the script prints the ratio of the
medians (ours / scikit-learn's, below 1 is faster), for fits the peak memory of one fit
of each as tracemalloc sees it (ours / theirs), and the ratio of the fastest calls
("best"), then the worst ratios. On a shared machine a call's time can jump by a factor
of two between repeats (another job, or a BLAS library's idle thread, on its core): a
median above 1 with a best below it is such a jump, both above 1 is a slower call. Each
call's timings start after a short rest (``SETTLE``), so that the previous phase's BLAS
threads do not slow the first calls of the next::

    PYTHONPATH=. python benchmarks/bench_shapes.py            # the grid, a few minutes
    PYTHONPATH=. python benchmarks/bench_shapes.py --quick    # a smaller grid
    PYTHONPATH=. python benchmarks/bench_shapes.py --only GaussianMixture
    PYTHONPATH=. python benchmarks/bench_shapes.py --named    # the calls the issue named
"""

import argparse
import statistics
import time
import tracemalloc
import warnings

import numpy as np
import scipy.sparse as sp
from bench_normal_equation import one_hot_data
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.mixture import GaussianMixture
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from skbackprop import (
    GaussianMixtureEM,
    LogisticBackprop,
    MLPClassifier,
    MLPRegressor,
    NormalEquationRegressor,
)

# Seconds of timing per case: a case whose first call is slow is repeated fewer times.
BUDGET = 2.0
# Seconds of rest before each call's timings. A BLAS library's worker threads spin for a
# while after its last call, and numpy and scipy ship two OpenBLAS libraries: after the
# previous phase (a fit that ran scipy's BLAS, as LinearRegression's lstsq does) the other
# pool's products stall for milliseconds on both sides alike, for the whole next phase.
SETTLE = 0.25


def regression(n, d, targets=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal((d, targets)) + rng.standard_normal((n, targets))
    return X, y.ravel() if targets == 1 else y


def sparse_regression(n, d, density=0.01, seed=0):
    """A CSR ``X`` with standard normal nonzeros at random places (as
    bench_normal_equation.py --sparse), and regression's targets."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", rng=rng)
    X.data = rng.standard_normal(X.nnz)
    return X, X @ rng.standard_normal(d) + rng.standard_normal(n)


def sparse_classification(n, d, classes, density=0.01, seed=0):
    """A CSR ``X`` as sparse_regression's, and labels of a linear model of all its columns
    with Gumbel noise (a multinomial logit)."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", rng=rng)
    X.data = rng.standard_normal(X.nnz)
    scores = X @ rng.standard_normal((d, classes)) + rng.gumbel(size=(n, classes))
    return X, np.argmax(scores, axis=1)


def ill_conditioned(n, d, condition=1e4, seed=0):
    """regression's rows with their singular values spread from 1 down to 1 / condition
    (as bench_normal_equation.py --condition): the Gram or kernel matrix's Cholesky misses
    its error bound, and the fit refines its answer or takes the SVD."""
    X, y = regression(n, d, seed=seed)
    U, singular, Vt = np.linalg.svd(X, full_matrices=False)
    return (U * np.geomspace(1.0, 1.0 / condition, singular.size)) @ Vt, y


def one_hot(n, d, categories=10, seed=0):
    """d - categories standard normal columns beside a one-hot encoding of every category:
    with the intercept, rank-deficient by one, as such an encoding is."""
    rng = np.random.default_rng(seed)
    X = np.hstack(
        [
            rng.standard_normal((n, d - categories)),
            np.eye(categories)[rng.integers(0, categories, n)],
        ]
    )
    return X, X @ rng.standard_normal(d) + rng.standard_normal(n)


def classification(n, d, classes, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.argmax(X[:, :classes] + rng.standard_normal((n, classes)), axis=1)
    return X, y


def blobs(n, d, k, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=4.0, size=(k, d))
    return centers[rng.integers(0, k, n)] + rng.standard_normal((n, d)), None


def linear_cases(quick):
    # 500 x 1,000 and 1,000 x 2,000 are wide (fewer rows than features): fit solves them
    # from the rows, through their kernel matrix.
    shapes = [(2_000, 2), (20_000, 50), (2_000, 1_000), (500, 1_000)]
    if not quick:
        shapes += [(200_000, 10), (50_000, 5), (20_000, 200), (5_000, 50), (1_000, 2_000)]
    for n, d in shapes:
        targets_grid = (1,)
        if d == 50:
            # Many targets too (an embedding's dimensions, say), on the full grid.
            targets_grid = (1, 20, 500) if n == 20_000 and not quick else (1, 20)
        for alpha in (0.0, 1.0):
            for targets in targets_grid:
                theirs = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
                label = f"NormalEquation alpha={alpha:g} {n}x{d} t={targets}"
                data = (regression, n, d, targets)
                yield label, data, NormalEquationRegressor(alpha=alpha), theirs, ("fit", "predict")
    # Least squares on one-hot columns beside the intercept (rank-deficient by one).
    for n, d in [(20_000, 50)] + ([] if quick else [(200_000, 30)]):
        label = f"NormalEquation alpha=0 {n}x{d} one-hot"
        data = (one_hot, n, d)
        yield label, data, NormalEquationRegressor(), LinearRegression(), ("fit",)
    # Sparse rows (1% nonzeros), which scikit-learn solves iteratively (lsqr, sparse_cg).
    for n, d in [] if quick else [(20_000, 1_000)]:
        for alpha in (0.0, 1.0):
            theirs = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
            label = f"NormalEquation alpha={alpha:g} {n}x{d} sparse 1%"
            data = (sparse_regression, n, d)
            yield label, data, NormalEquationRegressor(alpha=alpha), theirs, ("fit", "predict")
    # Five categorical columns one-hot beside five numeric ones (a ColumnTransformer's
    # output, sparse): one-hot columns of unequal frequency.
    for alpha in () if quick else (0.0, 1.0):
        theirs = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
        label = f"NormalEquation alpha={alpha:g} 50000x1280 one-hot sparse"
        data = (one_hot_data, 50_000)
        yield label, data, NormalEquationRegressor(alpha=alpha), theirs, ("fit",)
    # Least squares on ill-conditioned rows (condition number 1e4): tall, wide and square.
    for n, d in [(20_000, 200)] + ([] if quick else [(500, 1_000), (500, 500)]):
        label = f"NormalEquation alpha=0 {n}x{d} cond 1e4"
        data = (ill_conditioned, n, d)
        yield label, data, NormalEquationRegressor(), LinearRegression(), ("fit",)


def mixture_cases(quick):
    grid = [(2_000, 20, 4), (20_000, 20, 2), (20_000, 60, 2), (20_000, 60, 8), (10_000, 150, 3)]
    if not quick:
        # 300 x 200 with 8 components: fewer rows per component than features, where the
        # K covariances of d x d outweigh the data.
        grid += [(200_000, 2, 8), (20_000, 2, 16), (2_000, 300, 2), (20_000, 10, 3), (300, 200, 8)]
        # One component (the start of a sweep over their number, by BIC say).
        grid += [(20_000, 20, 1)]
    for n, d, k in grid:
        for covariance_type in ("full", "tied", "diag", "spherical"):
            if quick and covariance_type in ("tied", "spherical") and d > 20:
                continue
            params = {
                "n_components": k,
                "covariance_type": covariance_type,
                "init_params": "random_from_data",  # the same draws: the same start
                "max_iter": 5,
                "tol": 0.0,
                "random_state": 0,
            }
            methods = ("fit", "predict", "score_samples", "predict_proba")
            label = f"GaussianMixture({k}, {covariance_type}) {n}x{d}"
            yield (
                label,
                (blobs, n, d, k),
                GaussianMixtureEM(**params),
                GaussianMixture(**params),
                methods,
            )


def neural_cases(quick):
    shapes = [(2_000, 20, 2), (20_000, 20, 3)] + ([] if quick else [(20_000, 100, 10)])
    for n, d, classes in shapes:
        data = (classification, n, d, classes)
        label = f"LogisticBackprop {classes} classes {n}x{d}"
        yield label, data, LogisticBackprop(), LogisticRegression(), ("fit", "predict_proba")
        params = {"hidden_layer_sizes": (32,), "max_iter": 5, "random_state": 0}
        yield (
            f"MLPClassifier (32,) {n}x{d}",
            data,
            MLPClassifier(**params),
            SkMLPClassifier(**params),
            ("fit", "predict_proba"),
        )
    # Sparse rows (1% nonzeros), as text features are.
    for classes in [] if quick else [2, 5]:
        data = (sparse_classification, 20_000, 1_000, classes)
        label = f"LogisticBackprop {classes} classes 20000x1000 sparse 1%"
        yield label, data, LogisticBackprop(), LogisticRegression(), ("fit", "predict_proba")
    if not quick:
        params = {"hidden_layer_sizes": (32,), "max_iter": 5, "random_state": 0}
        yield (
            "MLPClassifier (32,) 20000x1000 sparse 1%",
            (sparse_classification, 20_000, 1_000, 2),
            MLPClassifier(**params),
            SkMLPClassifier(**params),
            ("fit", "predict_proba"),
        )
    for n, d in [(2_000, 20)] + ([] if quick else [(20_000, 50)]):
        params = {"hidden_layer_sizes": (32,), "max_iter": 5, "random_state": 0}
        yield (
            f"MLPRegressor (32,) {n}x{d}",
            (regression, n, d, 1),
            MLPRegressor(**params),
            SkMLPRegressor(**params),
            ("fit", "predict"),
        )


def single_precision(make, *shape):
    """``make(*shape)`` with ``X`` in float32, as data from images, embeddings or a
    float32 DataFrame comes."""
    X, y = make(*shape)
    return X.astype(np.float32), y


def float32_cases(quick):
    """float32 ``X``: scikit-learn keeps it in float32 (Ridge's Gram matrix, the mixture's
    statistics, LogisticRegression's loss), which changes both its time and its memory."""
    if quick:
        return
    for alpha in (0.0, 1.0):
        theirs = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
        data = (single_precision, regression, 20_000, 200, 1)
        label = f"NormalEquation alpha={alpha:g} 20000x200 float32"
        yield label, data, NormalEquationRegressor(alpha=alpha), theirs, ("fit", "predict")
    data = (single_precision, sparse_regression, 20_000, 1_000)
    label = "NormalEquation alpha=0 20000x1000 sparse 1% float32"
    yield label, data, NormalEquationRegressor(), LinearRegression(), ("fit", "predict")
    data = (single_precision, classification, 20_000, 50, 3)
    label = "LogisticBackprop 3 classes 20000x50 float32"
    yield label, data, LogisticBackprop(), LogisticRegression(), ("fit", "predict_proba")
    params = {"hidden_layer_sizes": (32,), "max_iter": 5, "random_state": 0}
    yield (
        "MLPClassifier (32,) 20000x50 float32",
        data,
        MLPClassifier(**params),
        SkMLPClassifier(**params),
        ("fit", "predict_proba"),
    )
    # Starts of one row per component (random_from_data, k-means++) and k-means' start.
    starts = [("full", "random_from_data"), ("diag", "random_from_data"), ("diag", "k-means++")]
    starts += [("diag", "kmeans")]
    for covariance_type, start in starts:
        params = {
            "n_components": 4,
            "covariance_type": covariance_type,
            "init_params": start,
            "max_iter": 5,
            "tol": 0.0,
            "random_state": 0,
        }
        suffix = "" if start == "random_from_data" else f" {start}"
        yield (
            f"GaussianMixture(4, {covariance_type}) 20000x20 float32{suffix}",
            (single_precision, blobs, 20_000, 20, 4),
            GaussianMixtureEM(**params),
            GaussianMixture(**params),
            ("fit", "predict"),
        )


def column_major(make, *shape):
    """``make(*shape)`` with ``X`` in column-major (Fortran) order, as the values of a
    float DataFrame come, or CSC for sparse ``X``."""
    X, y = make(*shape)
    return (X.tocsc() if sp.issparse(X) else np.asfortranarray(X)), y


def column_major_cases(quick):
    """Column-major ``X``: a row block of it is strided in memory; sparse, CSC."""
    if quick:
        return
    for alpha in (0.0, 1.0):
        theirs = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
        data = (column_major, sparse_regression, 20_000, 1_000)
        label = f"NormalEquation alpha={alpha:g} 20000x1000 sparse 1% CSC"
        yield label, data, NormalEquationRegressor(alpha=alpha), theirs, ("fit", "predict")
    for alpha in (0.0, 1.0):
        theirs = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
        data = (column_major, regression, 20_000, 50, 1)
        label = f"NormalEquation alpha={alpha:g} 20000x50 column-major"
        yield label, data, NormalEquationRegressor(alpha=alpha), theirs, ("fit", "predict")
    params = {"hidden_layer_sizes": (32,), "max_iter": 5, "random_state": 0}
    yield (
        "MLPClassifier (32,) 20000x1000 sparse 1% CSC",
        (column_major, sparse_classification, 20_000, 1_000, 2),
        MLPClassifier(**params),
        SkMLPClassifier(**params),
        ("fit", "predict_proba"),
    )
    data = (column_major, classification, 20_000, 50, 3)
    label = "LogisticBackprop 3 classes 20000x50 column-major"
    yield label, data, LogisticBackprop(), LogisticRegression(), ("fit", "predict_proba")
    params = {"hidden_layer_sizes": (32,), "max_iter": 5, "random_state": 0}
    yield (
        "MLPClassifier (32,) 20000x50 column-major",
        data,
        MLPClassifier(**params),
        SkMLPClassifier(**params),
        ("fit", "predict_proba"),
    )
    params = {"n_components": 4, "covariance_type": "diag", "init_params": "random_from_data"}
    params.update({"max_iter": 5, "tol": 0.0, "random_state": 0})
    yield (
        "GaussianMixture(4, diag) 20000x20 column-major",
        (column_major, blobs, 20_000, 20, 4),
        GaussianMixtureEM(**params),
        GaussianMixture(**params),
        ("fit", "predict"),
    )


def iris(*_):
    return load_iris(return_X_y=True)[0], None


def named_cases(quick):
    """The calls the issue on shapes named (``--named``): 20,000 rows unless stated,
    scikit-learn's default start (k-means), iterations as named."""
    del quick

    def mixture(k, covariance_type, n, d, max_iter=5, data=blobs):
        label = f"GaussianMixture({k}, {covariance_type}) {n}x{d} {max_iter} it"
        params = {
            "n_components": k,
            "covariance_type": covariance_type,
            "max_iter": max_iter,
            "tol": 0.0,
            "random_state": 0,
        }
        made = (data, n, d, k)
        return label, made, GaussianMixtureEM(**params), GaussianMixture(**params)

    inference = ("predict", "score_samples")
    yield (*mixture(3, "full", 10_000, 150), ("fit", "predict"))
    yield (*mixture(2, "full", 20_000, 60), inference)
    yield (*mixture(2, "full", 20_000, 60, max_iter=10), ("fit",))
    yield (*mixture(2, "full", 20_000, 20), ("predict",))
    yield (*mixture(8, "full", 20_000, 60), ("predict",))
    yield (*mixture(2, "diag", 20_000, 60), ("predict",))
    yield (*mixture(4, "full", 2_000, 20), ("predict",))
    label, data, ours, theirs = mixture(3, "diag", 150, 4, max_iter=100, data=iris)
    ours.set_params(tol=1e-3)
    theirs.set_params(tol=1e-3)
    yield f"{label} (iris)", data, ours, theirs, ("fit",)
    for n, d, targets in [(2_000, 1_000, 1), (50_000, 5, 1), (5_000, 50, 20)]:
        label = f"NormalEquation alpha=1 {n}x{d} t={targets}"
        data = (regression, n, d, targets)
        yield label, data, NormalEquationRegressor(alpha=1.0), Ridge(alpha=1.0), ("fit",)
    data = (classification, 20_000, 10, 2)
    label = "LogisticBackprop 2 classes 20000x10"
    yield label, data, LogisticBackprop(), LogisticRegression(), ("fit",)


def timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def compare(ours, theirs, repeats):
    """Medians and minima of alternating calls, ``(ours, theirs, best ours, best theirs)``;
    fewer repeats for slow calls."""
    first = timed(ours) + timed(theirs)
    repeats = max(1, min(repeats, int(BUDGET / max(first, 1e-9))))
    times = ([], [])
    for repeat in range(repeats):
        order = (0, 1) if repeat % 2 == 0 else (1, 0)
        for side in order:
            times[side].append(timed((ours, theirs)[side]))
    return (*map(statistics.median, times), *map(min, times))


def peak_memory(call):
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_case(label, data, ours, theirs, methods, repeats, rows):
    make, *shape = data
    X, y = make(*shape)
    fit_args = (X,) if y is None else (X, y)
    ours.fit(*fit_args)
    theirs.fit(*fit_args)
    for method in methods:
        time.sleep(SETTLE)
        if method == "fit":
            t_ours, t_theirs, best_ours, best_theirs = compare(
                lambda: ours.fit(*fit_args), lambda: theirs.fit(*fit_args), repeats
            )
            memory = peak_memory(lambda: ours.fit(*fit_args)) / max(
                peak_memory(lambda: theirs.fit(*fit_args)), 1
            )
        else:
            t_ours, t_theirs, best_ours, best_theirs = compare(
                lambda m=method: getattr(ours, m)(X),
                lambda m=method: getattr(theirs, m)(X),
                repeats,
            )
            memory = None
        ratio, best = t_ours / t_theirs, best_ours / best_theirs
        memory_text = "" if memory is None else f"{memory:.2f}"
        print(
            f"{label:<44} {method:<14} {t_theirs * 1e3:10.2f} {t_ours * 1e3:10.2f} "
            f"{ratio:6.2f} {memory_text:>8} {best:6.2f}",
            flush=True,
        )
        rows.append((ratio, memory, label, method, best))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grid")
    # Nine calls a side: with five, most runs of the grid had one call whose median read
    # above 1 while its best ratio was below it, three of its five calls having met another
    # job or the other library's spinning BLAS threads (bench_blas_pools.py). Nine make
    # that rarer, not impossible (benchmarks/RESULTS.md, "bench_shapes").
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--only", default="", help="run the cases whose label contains this")
    parser.add_argument(
        "--named", action="store_true", help="the calls the issue on shapes named, not the grid"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        f"{'case':<44} {'call':<14} {'sklearn ms':>10} {'ours ms':>10} {'ratio':>6} "
        f"{'memory':>8} {'best':>6}"
    )
    rows = []
    groups = (
        (named_cases,)
        if args.named
        else (linear_cases, mixture_cases, neural_cases, float32_cases, column_major_cases)
    )
    for cases in groups:
        for label, data, ours, theirs, methods in cases(args.quick):
            if args.only in label:
                run_case(label, data, ours, theirs, methods, args.repeats, rows)
    print("\nworst time ratios:")
    for ratio, _, label, method, best in sorted(rows, key=lambda row: row[0], reverse=True)[:8]:
        print(f"  {ratio:6.2f}  {label} {method}  (best {best:.2f})")
    memories = [row for row in rows if row[1] is not None]
    print("worst fit memory ratios:")
    for _, memory, label, method, _ in sorted(memories, key=lambda row: row[1], reverse=True)[:5]:
        print(f"  {memory:6.2f}  {label} {method}")


if __name__ == "__main__":
    main()
