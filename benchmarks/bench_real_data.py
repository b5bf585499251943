"""NormalEquationRegressor against LinearRegression and Ridge on real data, as users bring it.

scikit-learn's bundled datasets (no download), as they are and expanded by
``PolynomialFeatures``, the textbook way to fit a curve with a linear model: products of
correlated columns make the rows ill-conditioned or rank-deficient, which random data in
the other benchmarks rarely is. The classification datasets' labels serve as numeric
targets. For each case the two libraries fit alternately in one process on the same data;
the script prints the ratio of the median fit times (ours / scikit-learn's, below 1 is
faster), the ratio of the fastest fits ("best"), the largest coefficient difference
relative to the largest coefficient, both R^2 on the training rows, and ``solver_``::

    PYTHONPATH=. python benchmarks/bench_real_data.py
    PYTHONPATH=. python benchmarks/bench_real_data.py --only digits --repeats 5
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

from skbackprop import NormalEquationRegressor

# Seconds of timing per case: slow fits are repeated fewer times.
BUDGET = 3.0


def datasets():
    """``(name, X, y)``: each bundled dataset as it is, then expanded."""
    loaders = {
        "diabetes": load_diabetes,
        "breast_cancer": load_breast_cancer,
        "wine": load_wine,
        "digits": load_digits,
    }
    for name, load in loaders.items():
        X, y = load(return_X_y=True)
        y = y.astype(np.float64)
        yield name, X, y
        yield f"{name} poly2", PolynomialFeatures(2).fit_transform(X), y
        scaled = StandardScaler().fit_transform(X)
        yield f"{name} scaled poly2", PolynomialFeatures(2).fit_transform(scaled), y
        if name == "diabetes":
            yield f"{name} poly3", PolynomialFeatures(3).fit_transform(X), y
        if name == "digits":
            # Every pixel's gray level as a category: sparse one-hot columns of unequal
            # frequency, as OneHotEncoder gives for categorical data (scikit-learn solves
            # sparse X iteratively, and so may ours).
            yield f"{name} one-hot", OneHotEncoder(handle_unknown="ignore").fit_transform(X), y


def timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def compare(ours, theirs, X, y, repeats):
    """Medians and minima of alternating fits, ``(ours, theirs, best ours, best theirs)``."""
    first = timed(lambda: ours.fit(X, y)) + timed(lambda: theirs.fit(X, y))
    repeats = max(1, min(repeats, int(BUDGET / max(first, 1e-9))))
    times = ([], [])
    for repeat in range(repeats):
        order = (0, 1) if repeat % 2 == 0 else (1, 0)
        for side in order:
            estimator = (ours, theirs)[side]
            times[side].append(timed(lambda e=estimator: e.fit(X, y)))
    return (*map(statistics.median, times), *map(min, times))


def relative_difference(ours, theirs):
    scale = max(np.abs(theirs.coef_).max(), 1e-300)
    return float(np.abs(ours.coef_ - theirs.coef_).max() / scale)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--only", default="", help="run the datasets whose name contains this")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        f"{'data':<28}{'shape':>12} {'vs':<16}{'sklearn ms':>11}{'ours ms':>10}{'ratio':>7}"
        f"{'best':>7}{'coef diff':>11}{'R2 ours':>10}{'R2 sk':>10}  solver"
    )
    rows = []
    for name, X, y in datasets():
        if args.only not in name:
            continue
        shape = f"{X.shape[0]}x{X.shape[1]}"
        for alpha in (0.0, 1.0):
            theirs = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
            ours = NormalEquationRegressor(alpha=alpha)
            t_ours, t_theirs, best_ours, best_theirs = compare(ours, theirs, X, y, args.repeats)
            ratio, best = t_ours / t_theirs, best_ours / best_theirs
            vs = type(theirs).__name__ if alpha == 0 else f"Ridge(alpha={alpha:g})"
            print(
                f"{name:<28}{shape:>12} {vs:<16}{t_theirs * 1e3:11.2f}{t_ours * 1e3:10.2f}"
                f"{ratio:7.2f}{best:7.2f}{relative_difference(ours, theirs):11.1e}"
                f"{ours.score(X, y):10.6f}{theirs.score(X, y):10.6f}  {ours.solver_}",
                flush=True,
            )
            rows.append((ratio, best, f"{name} {vs}"))
    print("\nworst time ratios:")
    for ratio, best, label in sorted(rows, reverse=True)[:8]:
        print(f"  {ratio:6.2f}  {label}  (best {best:.2f})")


if __name__ == "__main__":
    main()
