"""Per-call cost at small sizes: every prediction method on 1 and 2,000 rows, and small fits.

The large-data benchmarks measure arithmetic; this one measures what a user pays per call
when the arithmetic is small: validation, dispatch, thread pools, Python. For every public
estimator it times each public prediction method (``predict``, ``predict_proba``,
``predict_log_proba``, ``decision_function``, ``score_samples``) on a single row and on
2,000 rows, and ``fit`` on small bundled data for every solver, next to the scikit-learn
counterpart fitted with the same parameters on the same data (LogisticBackprop's minibatch
solvers: ``MLPClassifier(hidden_layer_sizes=())``, the same model trained by scikit-learn's
minibatch optimizers, with the settings mapped in ``minibatch_logistic_counterpart``).

Timing: ours and scikit-learn's alternate within each repeat, each repeat times a loop of
calls (200 or 20 for a prediction; for a fit, as many as last about 20 ms, at least one),
and the best repeat per call is reported (the minimum is the least disturbed by
other work on the machine). The ratio is ours / scikit-learn: below 1 means skbackprop is
faster. Quality columns show the two models agree (the same predictions, or the score and
the number of iterations or epochs of each fit).

Run as::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_latency.py
    python benchmarks/bench_latency.py --only predict --repeats 5    # quicker
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.mixture import GaussianMixture
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.preprocessing import StandardScaler

from skbackprop import (
    GaussianMixtureEM,
    LogisticBackprop,
    MLPClassifier,
    MLPRegressor,
    NormalEquationRegressor,
)

PREDICT_METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score_samples",
    "transform",
)


def datasets():
    """Standardized bundled data, and 2,000 rows drawn from each for the batch case."""
    rng = np.random.default_rng(0)
    iris_X, iris_y = load_iris(return_X_y=True)
    cancer_X, cancer_y = load_breast_cancer(return_X_y=True)
    diabetes_X, diabetes_y = load_diabetes(return_X_y=True)
    blobs_X, _ = make_blobs(n_samples=500, centers=3, n_features=2, random_state=0)
    data = {
        "iris": (StandardScaler().fit_transform(iris_X), iris_y),
        "breast_cancer": (StandardScaler().fit_transform(cancer_X), cancer_y),
        "diabetes": (StandardScaler().fit_transform(diabetes_X), diabetes_y),
        "blobs500": (blobs_X, None),
    }
    rows = {name: X[rng.integers(0, len(X), 2000)] for name, (X, _) in data.items()}
    return data, rows


# (label, dataset, ours, scikit-learn's, parameters both take)
PREDICT_CASES = [
    ("MLPRegressor (64,)", "diabetes", MLPRegressor, SkMLPRegressor,
     {"hidden_layer_sizes": (64,), "max_iter": 50, "random_state": 0}),
    ("MLPClassifier (64,)", "iris", MLPClassifier, SkMLPClassifier,
     {"hidden_layer_sizes": (64,), "max_iter": 50, "random_state": 0}),
    ("LogisticBackprop binary", "breast_cancer", LogisticBackprop, LogisticRegression, {}),
    ("LogisticBackprop multinomial", "iris", LogisticBackprop, LogisticRegression, {}),
    ("NormalEquationRegressor", "diabetes", NormalEquationRegressor, LinearRegression, {}),
    ("NormalEquationRegressor ridge", "diabetes", NormalEquationRegressor, Ridge,
     {"alpha": 1.0}),
    ("GaussianMixtureEM(4)", "blobs500", GaussianMixtureEM, GaussianMixture,
     {"n_components": 4, "random_state": 0}),
]  # fmt: skip

# (label, dataset, ours, scikit-learn's, parameters both take[, scikit-learn's parameters
# as a function of the training data, where they differ])
FIT_CASES = [
    *[
        (f"MLPClassifier {solver}", "iris", MLPClassifier, SkMLPClassifier,
         {"solver": solver, "hidden_layer_sizes": (32,), "max_iter": 100, "random_state": 0})
        for solver in ("lbfgs", "sgd", "adam")
    ],
    *[
        (f"MLPRegressor {solver}", "diabetes", MLPRegressor, SkMLPRegressor,
         {"solver": solver, "hidden_layer_sizes": (32,), "max_iter": 100, "random_state": 0})
        for solver in ("lbfgs", "sgd", "adam")
    ],
    ("LogisticBackprop lbfgs", "iris", LogisticBackprop, LogisticRegression, {}),
    ("LogisticBackprop lbfgs binary", "breast_cancer", LogisticBackprop,
     LogisticRegression, {}),
    ("NormalEquationRegressor", "diabetes", NormalEquationRegressor, LinearRegression, {}),
    ("NormalEquationRegressor ridge", "diabetes", NormalEquationRegressor, Ridge,
     {"alpha": 1.0}),
    ("GaussianMixtureEM(3)", "blobs500", GaussianMixtureEM, GaussianMixture,
     {"n_components": 3, "random_state": 0}),
]  # fmt: skip


def minibatch_logistic_counterpart(solver, C=1.0, batch_size="auto", **shared):
    """scikit-learn's minibatch multinomial logistic regression matching LogisticBackprop's.

    ``MLPClassifier(hidden_layer_sizes=())`` is logistic regression (one weight matrix of
    shape (n_features, n_classes), a single logistic output for two classes) trained by
    scikit-learn's own minibatch optimizers. The settings that match LogisticBackprop's:

    - solver 'sgd' and 'adam' (both sides: Nesterov momentum 0.9; Adam's betas 0.9 and
      0.999, epsilon 1e-8). scikit-learn has no RMSProp: 'rmsprop' is matched by its Adam
      with beta_1=0 and beta_2=0.9, which is RMSProp (decay 0.9) with the running average
      of squared gradients bias-corrected, a smaller step over the first few dozen steps;
    - learning_rate='adaptive' and n_iter_no_change=1: LogisticBackprop divides the rate by
      5 after two epochs whose loss improved by less than ``tol``, and stops at 1e-6.
      scikit-learn does the same for 'sgd' only; its Adam stops at that point instead;
    - alpha: LogisticBackprop's L2 term is ``||W||^2 / (2 C n)`` beside each minibatch's
      mean loss, the MLP's is ``alpha ||W||^2 / (2 b)`` for a minibatch of ``b`` rows: the
      same for every full minibatch with ``alpha = b / (C n)`` (1/C when one minibatch
      holds all the data, as on iris). Neither penalizes the intercepts;
    - the same max_iter, batch_size, learning_rate_init, tol, shuffle and random_state.
      The starting points differ (zeros here, Glorot-uniform weights there) and so do the
      shuffles' random streams: compare the scores and the numbers of epochs.
    """
    optimizer = {"solver": solver}
    if solver == "rmsprop":
        optimizer = {"solver": "adam", "beta_1": 0.0, "beta_2": 0.9}

    def params(X):
        n_samples = X.shape[0]
        batch = min(200, n_samples) if batch_size == "auto" else min(batch_size, n_samples)
        return {
            "hidden_layer_sizes": (),
            **optimizer,
            "alpha": batch / (C * n_samples),
            "learning_rate": "adaptive",
            "n_iter_no_change": 1,
            "batch_size": batch_size,
            "shuffle": True,
            **shared,
        }

    return params


# LogisticBackprop's minibatch solvers against the same model trained by scikit-learn's
# own minibatch optimizers (see minibatch_logistic_counterpart).
MINIBATCH_SHARED = {"learning_rate_init": 0.01, "max_iter": 100, "tol": 1e-4, "random_state": 0}
FIT_CASES += [
    (f"LogisticBackprop {solver}", "iris", LogisticBackprop, SkMLPClassifier,
     {"solver": solver, **MINIBATCH_SHARED},
     minibatch_logistic_counterpart(solver, **MINIBATCH_SHARED))
    for solver in ("sgd", "adam", "rmsprop")
]  # fmt: skip


# The time a repeat of a fit takes at least (unless one call takes longer).
REPEAT_SECONDS = 0.02


def best_per_call(call, number, repeats_out, index):
    """Time ``number`` calls of ``call``; keep the per-call time in ``repeats_out[index]``."""
    start = time.perf_counter()
    for _ in range(number):
        call()
    repeats_out[index].append((time.perf_counter() - start) / number)


def compare(ours, theirs, repeats, number):
    """Best per-call seconds of two callables, alternating them within each repeat.

    ``number`` calls per repeat; None chooses it from the slower warm-up call, so that a
    repeat lasts about ``REPEAT_SECONDS`` (one call for the long fits; tens of calls for
    the millisecond ones, whose best single call would be at the mercy of a single
    interruption)."""
    times = ([], [])
    # Warm-up: first-call imports and caches count for neither.
    start = time.perf_counter()
    ours()
    middle = time.perf_counter()
    theirs()
    slowest = max(middle - start, time.perf_counter() - middle)
    if number is None:
        number = max(1, int(REPEAT_SECONDS / slowest))
    for _ in range(repeats):
        best_per_call(ours, number, times, 0)
        best_per_call(theirs, number, times, 1)
    return min(times[0]), min(times[1])


def fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X) if y is None else model.fit(X, y)


def n_iter(model):
    """Iterations or epochs of a fit ('-' for the closed-form estimators)."""
    n = getattr(model, "n_iter_", None)
    return "-" if n is None else str(int(np.max(n)))


def agreement(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "fc":
        return f"{np.max(np.abs(a - b)):.1e}"
    return f"{np.mean(a == b):.3f}"


def run_predict(data, rows, repeats, results):
    print("\nPrediction, best per call over the repeats (microseconds)")
    print(
        f"{'estimator':<31} {'method':<18} {'rows':>5} {'sklearn':>9} {'ours':>9} "
        f"{'ratio':>6}  {'agreement':>9}"
    )
    for label, name, Ours, Theirs, params in PREDICT_CASES:
        X, y = data[name]
        ours = fit_quietly(Ours(**params), X, y)
        theirs = fit_quietly(Theirs(**params), X, y)
        for method in PREDICT_METHODS:
            if not (hasattr(ours, method) and hasattr(theirs, method)):
                continue
            for X_rows in (X[:1], rows[name]):
                ours_call = getattr(ours, method)
                theirs_call = getattr(theirs, method)
                number = 200 if len(X_rows) == 1 else 20
                t_ours, t_theirs = compare(
                    lambda f=ours_call, Z=X_rows: f(Z),
                    lambda f=theirs_call, Z=X_rows: f(Z),
                    repeats,
                    number,
                )
                ratio = t_ours / t_theirs
                results.append((label, method, len(X_rows), ratio))
                print(
                    f"{label:<31} {method:<18} {len(X_rows):>5} {t_theirs * 1e6:>9.1f} "
                    f"{t_ours * 1e6:>9.1f} {ratio:>6.2f}  "
                    f"{agreement(ours_call(X_rows), theirs_call(X_rows)):>9}"
                )


def run_fit(data, repeats, results):
    print(
        "\nfit on small data, best over the repeats (milliseconds); score and iterations "
        "(or epochs) of each model"
    )
    print(
        f"{'estimator':<40} {'data':<14} {'sklearn':>9} {'ours':>9} {'ratio':>6}  "
        f"{'score sk':>9} {'score ours':>10} {'iter sk':>7} {'iter ours':>9}"
    )
    for label, name, Ours, Theirs, params, *counterpart in FIT_CASES:
        X, y = data[name]
        theirs_params = counterpart[0](X) if counterpart else params
        t_ours, t_theirs = compare(
            lambda E=Ours, p=params, X=X, y=y: fit_quietly(E(**p), X, y),
            lambda E=Theirs, p=theirs_params, X=X, y=y: fit_quietly(E(**p), X, y),
            repeats,
            None,
        )
        ours = fit_quietly(Ours(**params), X, y)
        theirs = fit_quietly(Theirs(**theirs_params), X, y)
        score_ours = ours.score(X) if y is None else ours.score(X, y)
        score_theirs = theirs.score(X) if y is None else theirs.score(X, y)
        ratio = t_ours / t_theirs
        results.append((label, "fit", name, ratio))
        print(
            f"{label:<40} {name:<14} {t_theirs * 1e3:>9.2f} {t_ours * 1e3:>9.2f} "
            f"{ratio:>6.2f}  {score_theirs:>9.4f} {score_ours:>10.4f} {n_iter(theirs):>7} "
            f"{n_iter(ours):>9}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--only", choices=["predict", "fit"], default=None, help="run one half only"
    )
    args = parser.parse_args()
    data, rows = datasets()
    results = []
    if args.only in (None, "predict"):
        run_predict(data, rows, args.repeats, results)
    if args.only in (None, "fit"):
        run_fit(data, args.repeats, results)
    over = [r for r in results if r[-1] > 1.0]
    single = [r for r in results if r[2] == 1 and r[-1] > 0.9]
    print(f"\n{len(results)} timings; {len(over)} with ratio > 1.0", end="")
    print(f"; {len(single)} single-row predictions with ratio > 0.9")
    for row in over + [r for r in single if r not in over]:
        print("  ", " | ".join(str(v) for v in row[:-1]), f"ratio {row[-1]:.2f}")


if __name__ == "__main__":
    main()
