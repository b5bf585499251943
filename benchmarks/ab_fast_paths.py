"""Each fast path of the closed-form, EM and logistic estimators against its plain version.

A fast path stays only while it saves at least 3% on a benchmark case (docs/performance.rst,
"Fast paths"). This script swaps each one for its plain version in one process and times
the two alternately on that case, reporting the medians of the interleaved repeats::

    PYTHONPATH=. python benchmarks/ab_fast_paths.py [--repeats 9] [--only gram ...]
"""

import argparse
import importlib
import statistics
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from scipy import linalg
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, make_blobs
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

import skbackprop.linear_model._least_squares as least_squares
import skbackprop.mixture._em_steps as em_steps
import skbackprop.mixture._precisions as precisions_module
import skbackprop.utils.linalg as shared_linalg
from skbackprop import GaussianMixtureEM, LogisticBackprop, NormalEquationRegressor
from skbackprop.mixture._em_driver import InMemorySource
from skbackprop.utils import check_fit_input, check_predict_input

sys.path.insert(0, str(Path(__file__).parent))
from bench_gmm import CASES as GMM_CASES
from bench_gmm import make_data
from bench_shapes import blobs, classification, regression

# The module, not the function of the same name that skbackprop.autodiff exports.
softmax_module = importlib.import_module("skbackprop.autodiff.softmax")
callbacks_module = importlib.import_module("skbackprop.utils.callbacks")
em_driver_module = importlib.import_module("skbackprop.mixture._em_driver")
gaussian_mixture_module = importlib.import_module("skbackprop.mixture._gaussian_mixture")
normal_equation_module = importlib.import_module("skbackprop.linear_model._normal_equation")
dense_module = importlib.import_module("skbackprop.autodiff.dense")


def numpy_gram(X, weights=None, center=None, *, Y=None, Y_center=None, sums=False):
    """weighted_gram with numpy's products in place of scipy's dsyrk and dgemm."""
    n_samples, n_features = X.shape
    Y = (
        None
        if Y is None
        else np.asarray(Y, dtype=np.float64) - (Y_center if Y_center is not None else 0)
    )
    if sums:
        Y_sums = Y.sum(axis=0) if weights is None else weights @ Y
        gram, cross = numpy_gram(X, weights, center, Y=np.column_stack([np.ones(n_samples), Y]))
        return gram, cross, Y_sums
    root = None if weights is None else np.sqrt(weights)
    gram, cross = np.zeros((n_features, n_features)), None
    rows = shared_linalg.block_rows(n_features)
    for start in range(0, n_samples, rows):
        block = np.asarray(X[start : start + rows], dtype=np.float64)
        block = block if center is None else block - center
        Y_block = None if Y is None else Y[start : start + rows]
        if root is not None:
            block = block * root[start : start + rows, None]
            Y_block = None if Y is None else Y_block * root[start : start + rows, None]
        gram += block.T @ block
        if Y is not None:
            cross = block.T @ Y_block if cross is None else cross + block.T @ Y_block
    return gram, cross


def two_pass_statistics(X, y, sample_weight):
    """The statistics from the exact means first, then the centered product (two reads)."""
    W = float(X.shape[0] if sample_weight is None else sample_weight.sum())
    mean_X = np.average(X, axis=0, weights=sample_weight)
    mean_y = np.average(y, axis=0, weights=sample_weight)
    XX, Xy = shared_linalg.weighted_gram(X, sample_weight, mean_X, Y=y, Y_center=mean_y)
    return least_squares.SufficientStatistics(X.shape[0], W, mean_X, mean_y, XX, Xy)


def scipy_cholesky_solve(A, B, *, ridge=0.0, overwrite_a=False):
    """cholesky_solve through scipy's cho_factor/cho_solve wrappers (which copy A anyway)."""
    A = np.array(A, dtype=np.float64)
    A.flat[:: A.shape[0] + 1] += ridge
    scale = 1.0 / np.sqrt(A.diagonal())
    equilibrated = A * scale[:, None] * scale[None, :]
    anorm = np.abs(equilibrated).sum(axis=0).max()
    factor = linalg.cho_factor(equilibrated, check_finite=False)
    rcond, _ = linalg.lapack.dpocon(factor[0], anorm, uplo="L" if factor[1] else "U")
    s = scale if np.ndim(B) == 1 else scale[:, None]
    return linalg.cho_solve(factor, B * s, check_finite=False) * s, float(rcond)


def swap(module, name, plain):
    fast = getattr(module, name)
    return lambda: setattr(module, name, fast), lambda: setattr(module, name, plain)


def ab(label, use_fast, use_plain, run, repeats, number=1):
    times = {"fast": [], "plain": []}
    for repeat in range(repeats):
        for mode in ("fast", "plain") if repeat % 2 == 0 else ("plain", "fast"):
            (use_fast if mode == "fast" else use_plain)()
            start = time.perf_counter()
            for _ in range(number):
                run()
            times[mode].append((time.perf_counter() - start) / number)
    use_fast()
    fast, plain = statistics.median(times["fast"]), statistics.median(times["plain"])
    print(
        f"{label:<58} fast {fast * 1e3:9.3f} ms  plain {plain * 1e3:9.3f} ms  "
        f"saving {100 * (1 - fast / plain):+5.1f}%",
        flush=True,
    )


def gram(repeats):
    rng = np.random.default_rng(0)
    for n_samples, n_features in [(200_000, 50), (50_000, 200)]:
        X = rng.standard_normal((n_samples, n_features))
        y = X @ rng.standard_normal(n_features) + 3.0
        label = f"dsyrk/dgemm vs numpy, NormalEquationRegressor {n_samples}x{n_features}"
        ab(
            label,
            *swap(least_squares, "weighted_gram", numpy_gram),
            lambda X=X, y=y: NormalEquationRegressor().fit(X, y),
            repeats,
        )
        shifted = X + 1000.0  # bench_normal_equation.py --offset 1000
        label = f"one-pass centering, --offset 1000, {n_samples}x{n_features}"
        ab(
            label,
            *swap(least_squares, "_statistics", two_pass_statistics),
            lambda X=shifted, y=y: NormalEquationRegressor().fit(X, y),
            repeats,
        )


def lapack(repeats):
    X, y = load_diabetes(return_X_y=True)  # bench_latency.py's fit cases
    plain = lambda A: linalg.eigvalsh(A, check_finite=False)  # noqa: E731
    ab(
        "dsyevr vs scipy eigvalsh, diabetes fit",
        *swap(least_squares, "symmetric_eigenvalues", plain),
        lambda X=X, y=y: NormalEquationRegressor().fit(X, y),
        repeats,
        200,
    )
    for alpha in (0.0, 1.0):
        label = f"dpotrs vs scipy cho_solve, diabetes fit alpha={alpha}"
        ab(
            label,
            *swap(shared_linalg, "cholesky_solve", scipy_cholesky_solve),
            lambda a=alpha: NormalEquationRegressor(alpha=a).fit(X, y),
            repeats,
            200,
        )


def em_blocks(repeats):
    for n_samples, n_features, n_components, covariance_type, _ in GMM_CASES:
        X, init = make_data(n_samples, n_features, n_components, covariance_type, np.float64)
        params = {
            "n_components": n_components,
            "covariance_type": covariance_type,
            "max_iter": 10,
            "tol": 0.0,
            **init,
        }
        shape = f"{n_samples}x{n_features}, {n_components} {covariance_type}"
        label = f"E-step in cache-size blocks, bench_gmm {shape}"
        ab(
            label,
            *swap(em_steps, "block_rows", lambda width, k: 1 << 40),
            lambda X=X, p=params: GaussianMixtureEM(**p).fit(X),
            repeats,
        )


def inference_cache(repeats):
    # bench_latency's data; 'diag' scores by the expansion, whose natural parameters the
    # cache keeps ('full' with few components scores by distances, from the fitted arrays).
    X, _ = make_blobs(n_samples=500, centers=3, n_features=2, random_state=0)
    model = GaussianMixtureEM(4, covariance_type="diag", random_state=0).fit(X)
    cache = model._inference_cache
    for rows in (X[:1], X):
        for method in ("predict", "score_samples"):
            model_call = f"GaussianMixtureEM(4, 'diag').{method}"
            label = f"natural parameters cached, {model_call} {len(rows)} rows"
            ab(
                label,
                lambda: setattr(model, "_inference_cache", cache),
                lambda: setattr(model, "_inference_cache", None),
                lambda m=method, Z=rows: getattr(model, m)(Z),
                repeats,
                200,
            )


def row_reductions(repeats):
    X, y = classification(20_000, 20, 3)  # bench_shapes.py's 3-class case
    model = LogisticBackprop().fit(X, y)
    plain = swap(softmax_module, "FEW_COLUMNS", 0)  # numpy's reduction at any width
    label = "row reductions by column, LogisticBackprop"
    ab(f"{label} fit, 3 classes, 20000x20", *plain, lambda: model.fit(X, y), repeats)
    ab(f"{label} predict_proba, same", *plain, lambda: model.predict_proba(X), repeats, 10)
    X, y = load_breast_cancer(return_X_y=True)  # bench_latency.py's binary case
    X = StandardScaler().fit_transform(X)
    model, rows = LogisticBackprop().fit(X, y), X[np.arange(2000) % len(X)]
    ab(
        f"{label} predict_log_proba, binary, 2000 rows",
        *plain,
        lambda: model.predict_log_proba(rows),
        repeats,
        50,
    )


def mixture_case(n_samples, n_features, n_components, covariance_type):
    """A bench_shapes.py mixture case: its data and a fit of its parameters."""
    X, _ = blobs(n_samples, n_features, n_components)
    params = {
        "n_components": n_components,
        "covariance_type": covariance_type,
        "init_params": "random_from_data",
        "max_iter": 5,
        "tol": 0.0,
        "random_state": 0,
    }
    return X, params


# bench_shapes.py's 'full' and 'tied' mixtures scored by distances.
_DISTANCE_CASES = [
    (2_000, 20, 4, "full"),
    (20_000, 60, 8, "full"),
    (20_000, 60, 8, "tied"),
    (10_000, 150, 3, "full"),
    (10_000, 150, 3, "tied"),
    (2_000, 300, 2, "full"),
]


def mixture_ab(name, fast_and_plain, cases, methods, repeats):
    """:func:`ab` on bench_shapes.py mixtures: ``score_samples`` of a fitted model and
    ``fit`` of a fresh one, as ``methods`` lists."""
    for case in cases:
        X, params = mixture_case(*case)
        model = GaussianMixtureEM(**params).fit(X)
        calls = {
            "score_samples": lambda m=model, X=X: m.score_samples(X),
            "fit": lambda X=X, p=params: GaussianMixtureEM(**p).fit(X),
        }
        shape = f"{X.shape[0]}x{X.shape[1]}, {case[2]} {case[3]}"
        for method in methods:
            ab(f"{name}, bench_shapes {shape} {method}", *fast_and_plain, calls[method], repeats)


def mixture_images(repeats):
    # plain: every component from its own differences (x - mu_k) U_k, one product each.
    plain = lambda self, out, centered: range(len(self.indices))  # noqa: E731
    fast_and_plain = swap(em_steps.DirectComponents, "_overwrite_from_images", plain)
    methods = ("score_samples", "fit")
    mixture_ab("distances from images", fast_and_plain, _DISTANCE_CASES, methods, repeats)


def column_panels(repeats):
    fast_and_plain = swap(em_steps, "_PANEL_WIDTH", 1 << 30)  # plain: one panel
    cases = [(10_000, 150, 3, "full"), (2_000, 300, 2, "full"), (2_000, 300, 2, "tied")]
    mixture_ab("column panels", fast_and_plain, cases, ("score_samples",), repeats)


def tied_moments(repeats):
    plain = lambda self, block: None  # noqa: E731  (recomputed in every iteration)
    fast_and_plain = swap(InMemorySource, "_tied_moments", plain)
    cases = [(20_000, 60, 8, "tied"), (10_000, 150, 3, "tied"), (2_000, 300, 2, "tied")]
    mixture_ab("'tied' second moments once per fit", fast_and_plain, cases, ("fit",), repeats)


def predict_copying(self, X):
    """NormalEquationRegressor.predict with a new array for the intercept's sum and the
    finiteness test by numpy.isfinite over the predictions."""
    dtype = (np.float64, np.float32, np.float16)
    X = check_predict_input(self, X, accept_sparse="csr", dtype=dtype, check_finite=False)
    with np.errstate(invalid="ignore"):
        prediction = X @ self.coef_.T + self.intercept_
    if not np.isfinite(prediction).all():
        check_predict_input(self, X, accept_sparse="csr", dtype=dtype)
    return prediction


def predict_in_place(repeats):
    fast_and_plain = swap(NormalEquationRegressor, "predict", predict_copying)
    for n_samples, n_features, targets in [(20_000, 50, 20), (5_000, 50, 20), (20_000, 200, 1)]:
        X, y = regression(n_samples, n_features, targets)
        model = NormalEquationRegressor().fit(X, y)
        label = f"predict's sum in place, bench_shapes {n_samples}x{n_features} t={targets}"
        ab(label, *fast_and_plain, lambda m=model, X=X: m.predict(X), repeats, 20)


def numpy_argmax(log_prob):
    """most_probable as numpy's argmax along the components."""
    return log_prob.argmax(axis=0)


def most_probable(repeats):
    fast_and_plain = swap(gaussian_mixture_module, "most_probable", numpy_argmax)
    # bench_shapes.py's mixture predictions with the most components, and two with few.
    for n_samples, n_features, n_components, covariance_type in [
        (20_000, 60, 8, "diag"),
        (200_000, 2, 8, "diag"),
        (20_000, 20, 2, "diag"),
        (20_000, 60, 8, "full"),
    ]:
        X, params = mixture_case(n_samples, n_features, n_components, covariance_type)
        model = GaussianMixtureEM(**params).fit(X)
        label = f"predict's labels by column maxima, {n_components} {covariance_type}"
        label += f" {n_samples}x{n_features}"
        ab(label, *fast_and_plain, lambda m=model, X=X: m.predict(X), repeats, 10)


def add_broadcast(out, b):
    """add_to_rows as numpy's broadcast addition, one inner loop per row."""
    out += b


def bias_columns(repeats):
    fast_and_plain = swap(dense_module, "add_to_rows", add_broadcast)
    # bench_shapes.py's LogisticBackprop fits with 3 classes (full batch), and a network's.
    for n_samples, n_features, classes in [(20_000, 20, 3), (2_000, 20, 2)]:
        X, y = classification(n_samples, n_features, classes)
        label = f"the bias by columns, LogisticBackprop {classes} classes {n_samples}x{n_features}"
        fit = lambda X=X, y=y: LogisticBackprop().fit(X, y)  # noqa: E731
        ab(label, *fast_and_plain, fit, repeats)


def broadcast_rows(vector, n_rows):
    """tiled_rows as a broadcast view: numpy's subtraction then loops row by row."""
    return np.broadcast_to(vector, (n_rows, len(vector)))


def tiled_shift(repeats):
    fast_and_plain = swap(gaussian_mixture_module, "tiled_rows", broadcast_rows)
    # bench_shapes.py's one-component mixtures: their rows are centred on the mean first.
    for covariance_type in ("diag", "spherical"):
        X, params = mixture_case(20_000, 20, 1, covariance_type)
        model = GaussianMixtureEM(**params).fit(X)
        label = f"the shift as tiled rows, bench_shapes 20000x20, 1 {covariance_type}"
        ab(label, *fast_and_plain, lambda m=model, X=X: m.score_samples(X), repeats, 20)


def check_finite_first(estimator, X, y, **params):
    """check_fit_input that tests X for NaN and infinity itself, before the sums."""
    return check_fit_input(estimator, X, y, **{**params, "check_finite": True})


def finite_from_sums(repeats):
    fast_and_plain = swap(normal_equation_module, "check_fit_input", check_finite_first)
    # bench_normal_equation.py's two shapes, and two of bench_shapes.py's ridge fits.
    for n_samples, n_features, alpha in [
        (1_000_000, 50, 0.0),
        (200_000, 200, 0.0),
        (20_000, 200, 1.0),
        (50_000, 5, 1.0),
    ]:
        X, y = regression(n_samples, n_features, 1)
        model = NormalEquationRegressor(alpha=alpha)
        label = f"X's finiteness from its sums, fit {n_samples}x{n_features} alpha={alpha:g}"
        ab(label, *fast_and_plain, lambda m=model, X=X, y=y: m.fit(X, y), repeats)


def mirror_at_once(matrix):
    """_mirror_upper as numpy's whole-triangle copies."""
    upper = np.triu(matrix)
    return np.ascontiguousarray(upper + np.triu(upper, 1).T)


def mirror_blocks(repeats):
    fast_and_plain = swap(shared_linalg, "_mirror_upper", mirror_at_once)
    # bench_shapes.py's ridge fits with the most features, and one with few.
    for n_samples, n_features in [(2_000, 1_000), (20_000, 200), (50_000, 5)]:
        X, y = regression(n_samples, n_features, 1)
        model = NormalEquationRegressor(alpha=1.0)
        label = f"Gram matrix mirrored by blocks, ridge fit {n_samples}x{n_features}"
        ab(label, *fast_and_plain, lambda m=model, X=X, y=y: m.fit(X, y), repeats)


def numpy_column_sums(A, weights=None):
    """column_sums by numpy's reduction (the weighted sums were products already)."""
    return A.sum(axis=0) if weights is None else weights @ A


def column_sums(repeats):
    fast_and_plain = swap(least_squares, "column_sums", numpy_column_sums)
    cases = [(5_000, 50, 20), (20_000, 50, 20), (20_000, 50, 500), (50_000, 5, 1)]
    for n_samples, n_features, targets in cases:
        X, y = regression(n_samples, n_features, targets)
        model = NormalEquationRegressor(alpha=1.0)
        label = f"column sums by gemv, ridge fit {n_samples}x{n_features} t={targets}"
        ab(label, *fast_and_plain, lambda m=model, X=X, y=y: m.fit(X, y), repeats, 10)


def validate_mixture_data(estimator, X, **params):
    """check_fit_input as scikit-learn's validate_data alone."""
    return validate_data(estimator, X, **params)


@contextmanager
def new_random_state(seed):
    """seeded_random_state as scikit-learn's check_random_state alone."""
    yield check_random_state(seed)


def small_mixture_fit(repeats):
    # The iris mixture of bench_shapes.py --named, and bench_latency.py's mixture fit.
    iris = load_iris(return_X_y=True)[0]
    blobs500, _ = make_blobs(n_samples=500, centers=3, n_features=2, random_state=0)
    cases = [
        ("GaussianMixtureEM(3, 'diag') iris fit", iris, {"covariance_type": "diag", "tol": 1e-3}),
        ("GaussianMixtureEM(3) blobs500 fit", blobs500, {}),
    ]
    swaps = [
        ("fast input check", gaussian_mixture_module, "check_fit_input", validate_mixture_data),
        ("seeded generator reused", em_driver_module, "seeded_random_state", new_random_state),
    ]
    for name, module, attribute, plain in swaps:
        for case, X, params in cases:
            model = GaussianMixtureEM(3, random_state=0, **params).fit(X)
            ab(
                f"{name}, {case}",
                *swap(module, attribute, plain),
                lambda m=model, X=X: m.fit(X),
                repeats,
                20,
            )


def callback_context(repeats):
    # The iris mixture of bench_shapes.py --named, and a small fit of bench_latency.py.
    X, y = load_iris(return_X_y=True)
    params = {"covariance_type": "diag", "tol": 1e-3, "random_state": 0}
    mixture = GaussianMixtureEM(3, **params).fit(X)
    logistic = LogisticBackprop().fit(X, y)
    fast_and_plain = swap(callbacks_module, "_has_listeners", lambda estimator: True)
    label = "no callback context without callbacks"
    ab(
        f"{label}, GaussianMixtureEM(3, 'diag') iris fit",
        *fast_and_plain,
        lambda: mixture.fit(X),
        repeats,
        20,
    )
    ab(
        f"{label}, LogisticBackprop iris fit",
        *fast_and_plain,
        lambda: logistic.fit(X, y),
        repeats,
        20,
    )


def one_row_start_fits(label, fast_and_plain, covariance_types, repeats):
    """bench_shapes.py's fits from one-row starts (random_from_data, its mixtures' start),
    where every component starts tight: ``fast_and_plain`` swapped on each."""
    for n, d, k in [(300, 200, 8), (20_000, 20, 4), (20_000, 60, 8), (2_000, 300, 2)]:
        X, _ = blobs(n, d, k)
        for covariance_type in covariance_types:
            params = {
                "covariance_type": covariance_type,
                "init_params": "random_from_data",
                "max_iter": 5,
                "tol": 0.0,
                "random_state": 0,
            }
            model = GaussianMixtureEM(k, **params)
            slow = covariance_type == "full" and d > 20
            ab(
                f"{label}, GaussianMixture({k}, {covariance_type}) {n}x{d} fit",
                *fast_and_plain,
                lambda m=model, X=X: m.fit(X),
                max(3, repeats // 3) if slow else repeats,
                5 if n * d < 100_000 else 1,
            )


def counting_entries(repeats):
    # The first E-step lists every component for distances.
    fast_and_plain = swap(em_steps, "use_entry_selection", lambda *_: False)
    one_row_start_fits("counting entries only", fast_and_plain, ("diag", "spherical"), repeats)


def weighted_rows(repeats):
    # The first M-step sums every component's covariance again from centred rows.
    fast_and_plain = swap(em_steps, "_weighted_rows", lambda weights: slice(None))
    label = "centred sums over weighted rows only"
    one_row_start_fits(label, fast_and_plain, ("diag", "full"), repeats)


def solved_lower_inverse(lower, eye):
    """_lower_inverse as one LAPACK solve with the identity (its plain version)."""
    return np.tril(np.linalg.solve(lower, np.broadcast_to(eye, lower.shape)))


def lower_inverse(repeats):
    # bench_shapes.py's 'full' fits with the most features per component.
    fast_and_plain = swap(precisions_module, "_lower_inverse", solved_lower_inverse)
    for n, d, k in [(300, 200, 8), (2_000, 300, 2), (10_000, 150, 3), (20_000, 60, 8)]:
        X, _ = blobs(n, d, k)
        params = {"init_params": "random_from_data", "max_iter": 5, "tol": 0.0}
        model = GaussianMixtureEM(k, random_state=0, **params)
        ab(
            f"triangular inverse by halves, GaussianMixture({k}, full) {n}x{d} fit",
            *fast_and_plain,
            lambda m=model, X=X: m.fit(X),
            max(3, repeats // 3),
        )


CHECKS = {
    "lower_inverse": lower_inverse,
    "counting_entries": counting_entries,
    "weighted_rows": weighted_rows,
    "callback_context": callback_context,
    "column_sums": column_sums,
    "finite_from_sums": finite_from_sums,
    "small_mixture_fit": small_mixture_fit,
    "gram": gram,
    "lapack": lapack,
    "mirror_blocks": mirror_blocks,
    "em_blocks": em_blocks,
    "inference_cache": inference_cache,
    "row_reductions": row_reductions,
    "mixture_images": mixture_images,
    "column_panels": column_panels,
    "tied_moments": tied_moments,
    "predict_in_place": predict_in_place,
    "most_probable": most_probable,
    "tiled_shift": tiled_shift,
    "bias_columns": bias_columns,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--only", nargs="+", choices=sorted(CHECKS), default=sorted(CHECKS))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for name in args.only:
        CHECKS[name](args.repeats)


if __name__ == "__main__":
    main()
