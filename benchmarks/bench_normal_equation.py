"""NormalEquationRegressor against LinearRegression and Ridge: fit time and coefficients.

Same data for all, runs alternated, median of several repeats.  Quality is printed for both
sides: the largest coefficient difference relative to the largest coefficient, and R^2.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_normal_equation.py
    (add --threads 1 for single-threaded BLAS on both sides, --shapes 200000x200 for one
    shape, --offset 1000 to add a large constant to X: the single-pass centering case,
    --condition 1e4 for singular values of X from 1 down to 1e-4: the fallback to the SVD,
    --rank 0.8 for rows of rank 0.8 min(n, d): least squares by the SVD of the rows,
    --one-hot for a CSR X of five categorical columns one-hot encoded (20, 50, 200, 5
    and 1,000 categories of equal frequency) beside five standard normal ones, as a
    ColumnTransformer gives (--shapes 50000x0 for 50,000 rows), --sparse 0.01 for a CSR X
    with that fraction of nonzeros: scikit-learn solves sparse X iteratively, lsqr for
    LinearRegression and sparse_cg for Ridge, to their tolerances, and so may ours (LSQR);
    each side's coefficient error against the exact solution of the normal equations is
    printed then; --ridge-tol 1e-6 gives Ridge that tol, ours'
    default)
"""

import argparse
import statistics
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LinearRegression, Ridge
from threadpoolctl import threadpool_limits

from skbackprop import NormalEquationRegressor


def make_data(n_samples, n_features, offset=0.0, condition=None, rank=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    if rank is not None:
        # Rank-deficient rows: a product through rank * min(n, d) dimensions.
        inner = int(rank * min(n_samples, n_features))
        X = rng.standard_normal((n_samples, inner)) @ rng.standard_normal((inner, n_features))
    if condition is not None:
        # The same random directions, with singular values spread geometrically from 1 down
        # to 1 / condition.
        U, singular, Vt = np.linalg.svd(X, full_matrices=False)
        X = (U * np.geomspace(1.0, 1.0 / condition, singular.size)) @ Vt
    X += offset
    coef = rng.standard_normal(n_features)
    y = X @ coef + 3.0 + rng.standard_normal(n_samples)
    return X, y


def timed_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start, estimator


def relative_difference(ours, theirs):
    scale = max(np.abs(theirs.coef_).max(), 1e-300)
    coef = np.abs(ours.coef_ - theirs.coef_).max() / scale
    intercept = abs(ours.intercept_ - theirs.intercept_) / max(abs(theirs.intercept_), 1e-300)
    return max(coef, intercept)


def compare(pairs, X, y, repeats):
    """Alternate every (name, ours, theirs) pair `repeats` times; medians and quality."""
    times = {name: ([], []) for name, _, _ in pairs}
    fitted = {}
    for _ in range(repeats):
        for name, make_ours, make_theirs in pairs:
            t_ours, ours = timed_fit(make_ours(), X, y)
            t_theirs, theirs = timed_fit(make_theirs(), X, y)
            times[name][0].append(t_ours)
            times[name][1].append(t_theirs)
            fitted[name] = (ours, theirs)
    rows = []
    for name, _, _ in pairs:
        ours, theirs = fitted[name]
        t_ours, t_theirs = (statistics.median(t) for t in times[name])
        rows.append(
            (
                name,
                t_ours,
                t_theirs,
                t_ours / t_theirs,
                relative_difference(ours, theirs),
                ours.score(X[:100_000], y[:100_000]),
                theirs.score(X[:100_000], y[:100_000]),
                ours.solver_,
                (ours, theirs),
            )
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (default: all)")
    parser.add_argument(
        "--shapes", nargs="+", default=["1000000x50", "200000x200"], help="n_samplesxn_features"
    )
    parser.add_argument("--offset", type=float, default=0.0, help="constant added to X")
    parser.add_argument(
        "--condition",
        type=float,
        default=None,
        help="ratio of X's largest singular value to its smallest",
    )
    parser.add_argument(
        "--rank", type=float, default=None, help="rank of X as a fraction of min(n, d)"
    )
    parser.add_argument(
        "--sparse", type=float, default=None, help="a sparse X with this density of nonzeros"
    )
    parser.add_argument(
        "--ridge-tol", type=float, default=None, help="Ridge's tol (default: Ridge's own)"
    )
    parser.add_argument(
        "--one-hot", action="store_true", help="one-hot categorical columns (sparse)"
    )
    args = parser.parse_args()
    shapes = [tuple(int(v) for v in shape.split("x")) for shape in args.shapes]
    with threadpool_limits(limits=args.threads):
        run(
            args.repeats,
            shapes,
            args.offset,
            args.condition,
            args.rank,
            "one-hot" if args.one_hot else args.sparse,
            args.ridge_tol,
        )


def sparse_data(n_samples, n_features, density, seed=0):
    """A CSR ``X`` with standard normal nonzeros at random places, and ``y`` as above."""
    rng = np.random.default_rng(seed)
    X = sp.random(n_samples, n_features, density=density, format="csr", rng=rng)
    X.data = rng.standard_normal(X.nnz)
    y = X @ rng.standard_normal(n_features) + 3.0 + rng.standard_normal(n_samples)
    return X, y


def exact_errors(X, y, alpha, fitted):
    """Each fitted model's largest coefficient error against the normal equations' exact
    solution (Cholesky on the Gram matrix; its eigendecomposition, the minimum-norm
    solution, for least squares), relative to its largest coefficient."""
    solver = "lstsq" if alpha == 0 else "cholesky"
    exact = NormalEquationRegressor(alpha=alpha, solver=solver).fit(X, y).coef_
    scale = np.abs(exact).max()
    return [np.abs(model.coef_ - exact).max() / scale for model in fitted]


def one_hot_data(n_samples, seed=0):
    """Five categorical columns one-hot encoded (20, 50, 200, 5 and 1,000 categories)
    beside five standard normal columns, CSR; ``y`` linear in a few of them."""
    rng = np.random.default_rng(seed)
    codes = [rng.integers(0, k, n_samples) for k in (20, 50, 200, 5, 1000)]
    blocks = [sp.csr_matrix(np.eye(k)[c]) for k, c in zip((20, 50, 200, 5, 1000), codes)]
    numeric = rng.standard_normal((n_samples, 5))
    X = sp.hstack([*blocks, sp.csr_matrix(numeric)], format="csr")
    y = 2 * numeric[:, 0] + 5 * (codes[0] == 3) + rng.standard_normal(n_samples)
    return X, y


def run(repeats, shapes, offset, condition=None, rank=None, sparse=None, ridge_tol=None):
    header = (
        f"{'problem':<16}{'vs':<18}{'ours s':>9}{'sklearn s':>11}{'ratio':>8}"
        f"{'max rel diff':>14}{'R2 ours':>10}{'R2 sk':>10}  solver"
    )
    print(header + ("   err ours  err sk" if sparse is not None else ""))
    ridge_options = {} if ridge_tol is None else {"tol": ridge_tol}
    for n_samples, n_features in shapes:
        if sparse is None:
            X, y = make_data(n_samples, n_features, offset, condition, rank)
        elif sparse == "one-hot":
            X, y = one_hot_data(n_samples)
        else:
            X, y = sparse_data(n_samples, n_features, sparse)
        pairs = [
            ("LinearRegression", NormalEquationRegressor, LinearRegression),
            (
                "Ridge(alpha=1)",
                lambda: NormalEquationRegressor(alpha=1.0),
                lambda: Ridge(**ridge_options),
            ),
        ]
        for row, alpha in zip(compare(pairs, X, y, repeats), (0.0, 1.0)):
            name, t_ours, t_theirs, ratio, diff, r2_ours, r2_theirs, solver, fitted = row
            errors = ""
            if sparse is not None:
                errors = "   {:8.1e}  {:6.1e}".format(*exact_errors(X, y, alpha, fitted))
            print(
                f"{f'{X.shape[0]}x{X.shape[1]}':<16}{name:<18}{t_ours:9.3f}{t_theirs:11.3f}"
                f"{ratio:8.3f}{diff:14.1e}{r2_ours:10.6f}{r2_theirs:10.6f}  {solver:<8}{errors}"
            )
        del X, y


if __name__ == "__main__":
    main()
