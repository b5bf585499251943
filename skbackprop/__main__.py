"""``python -m skbackprop``: every estimator beside its scikit-learn counterpart.

Each row fits one skbackprop estimator and its scikit-learn counterpart, with the same
parameters, in the same pipeline, on a dataset bundled with scikit-learn, and prints the
held-out score and the fit times of both: the median of several timed runs after one untimed
warm-up run, so that a first run's imports and caches do not count, and the fastest and the
slowest run beside it, so that a busy machine shows as a wide spread rather than hiding
behind a best time (``--quick``: one cold run).
Rows whose setup differs from a plain ``fit`` (a standardized target, silenced convergence
warnings) say so in a note under the table. ``python -m skbackprop --help`` lists the
options; scikit-learn is imported only after the options are read.
"""

import argparse

from skbackprop import __version__

# (our estimator, its scikit-learn counterpart, shared parameters, dataset, score name)
ROWS = [
    (
        "MLPRegressor",
        "sklearn.neural_network.MLPRegressor",
        {"hidden_layer_sizes": (64,), "early_stopping": True, "max_iter": 500, "random_state": 0},
        "diabetes",
        "R^2",
    ),
    (
        "MLPClassifier",
        "sklearn.neural_network.MLPClassifier",
        {"hidden_layer_sizes": (100,), "max_iter": 100, "random_state": 0},
        "digits",
        "accuracy",
    ),
    (
        "LogisticBackprop",
        "sklearn.linear_model.LogisticRegression",
        {},
        "breast_cancer",
        "accuracy",
    ),
    ("NormalEquationRegressor", "sklearn.linear_model.LinearRegression", {}, "diabetes", "R^2"),
    (
        "GaussianMixtureEM",
        "sklearn.mixture.GaussianMixture",
        {"n_components": 3, "covariance_type": "full", "random_state": 0},
        "iris",
        "log-lik.",
    ),
]
NAMES = [row[0] for row in ROWS]

# diabetes targets run in the hundreds; an MLP at its default learning rate fits them
# poorly unscaled (both libraries score R^2 near 0), so its target is standardized too,
# and early stopping keeps 331 training rows from being overfit.
SCALED_TARGET = {
    "MLPRegressor": (
        "target standardized for both libraries (TransformedTargetRegressor with "
        "StandardScaler): diabetes targets run in the hundreds, which an MLP at its default "
        "learning rate fits poorly unscaled"
    )
}
DEFAULT_REPEAT = 3


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m skbackprop",
        description=(
            "Fit each skbackprop estimator beside its scikit-learn counterpart (same\n"
            "parameters, same pipeline, same split of a dataset bundled with scikit-learn)\n"
            "and print the held-out scores and the fit times."
        ),
        epilog=(
            "examples:\n"
            "  python -m skbackprop\n"
            "  python -m skbackprop --quick\n"
            "  python -m skbackprop --estimators MLPClassifier LogisticBackprop --repeat 5"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--estimators",
        nargs="+",
        choices=NAMES,
        default=NAMES,
        metavar="NAME",
        help=f"the rows to run, among {', '.join(NAMES)} (default: all)",
    )
    parser.add_argument(
        "--repeat",
        type=_positive_int,
        metavar="N",
        help=(
            f"timed runs of each fit after one untimed warm-up run; their median is shown, "
            f"with the fastest and the slowest (default: {DEFAULT_REPEAT})"
        ),
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one cold timed run per fit and no warm-up: same scores, rougher times",
    )
    parser.add_argument("--version", action="version", version=f"skbackprop {__version__}")
    return parser


def _load(dataset):
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    X, y = getattr(datasets, f"load_{dataset}")(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0)


def _timed_fits(estimator, X_train, X_test, y_train, y_test, warmups, repeat):
    """Fit ``StandardScaler`` then ``estimator`` ``warmups + repeat`` times, each time a
    fresh clone; return the held-out score, the times of the last ``repeat`` fits in
    seconds, and how many fits raised a ConvergenceWarning, which is silenced (and
    counted)."""
    import time
    import warnings

    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    times, not_converged = [], 0
    for run in range(warmups + repeat):
        model = make_pipeline(StandardScaler(), clone(estimator))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X_train, y_train)  # GaussianMixtureEM takes y and ignores it
            seconds = time.perf_counter() - start
        others = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
        not_converged += len(caught) > len(others)
        for w in others:  # only the convergence warnings are silenced
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if run >= warmups:
            times.append(seconds)
    return model.score(X_test, y_test), times, not_converged


def _spread(times):
    """``median (fastest-slowest)`` in seconds, or the one time of a single run."""
    import statistics

    if len(times) == 1:
        return f"{times[0]:.3f}"
    return f"{statistics.median(times):.3f} ({min(times):.3f}-{max(times):.3f})"


def _introduction(quick, repeat):
    print(f"skbackprop {__version__}: each estimator beside scikit-learn's")
    print("Held-out score; same parameters, same pipeline (StandardScaler, then the")
    print("estimator), same 75/25 split of a dataset bundled with scikit-learn.")
    if quick:
        print("Fit time in seconds: one cold run per library (--quick), so rough.\n")
        return
    print(
        f"Fit time in seconds, per library: the median of {repeat} run{'s' * (repeat > 1)} "
        "after one untimed warm-up run,\nthen (fastest-slowest); a busy machine shows as a "
        "wide spread.\n"
    )


def _compared(name, counterpart, params):
    """Our estimator and scikit-learn's, and the notes on how they are set up."""
    import importlib

    import skbackprop

    module, _, class_name = counterpart.rpartition(".")
    ours = getattr(skbackprop, name)(**params)
    theirs = getattr(importlib.import_module(module), class_name)(**params)
    if name not in SCALED_TARGET:
        return ours, theirs, []
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    ours, theirs = (
        TransformedTargetRegressor(model, transformer=StandardScaler()) for model in (ours, theirs)
    )
    return ours, theirs, [SCALED_TARGET[name]]


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.quick and args.repeat is not None:
        _parser().error("--quick times one cold run; give --quick or --repeat, not both")
    warmups, repeat = (0, 1) if args.quick else (1, args.repeat or DEFAULT_REPEAT)
    runs = warmups + repeat

    import textwrap

    width = 24 if repeat > 1 else 11
    header = f"{'estimator':<28}{'dataset':<15}{'score':<10}{'ours':>9}{'sklearn':>9}"
    header += f"{'fit ours':>{width}}{'fit sklearn':>{width}}"
    _introduction(args.quick, repeat)
    print(header)
    print("-" * len(header), flush=True)
    notes = []
    for name, counterpart, params, dataset, score_name in ROWS:
        if name not in args.estimators:
            continue
        ours, theirs, row_notes = _compared(name, counterpart, params)
        split = _load(dataset)
        our_score, our_times, ours_stopped = _timed_fits(ours, *split, warmups, repeat)
        their_score, their_times, theirs_stopped = _timed_fits(theirs, *split, warmups, repeat)
        if ours_stopped or theirs_stopped:
            limit = f" at max_iter={params['max_iter']}" if "max_iter" in params else ""
            row_notes.append(
                f"ConvergenceWarning silenced: {ours_stopped} of our {runs} fits and "
                f"{theirs_stopped} of scikit-learn's {runs} stopped{limit} before converging"
            )
        marks = "".join(f"[{len(notes) + i + 1}]" for i in range(len(row_notes)))
        notes.extend(row_notes)
        label = f"{name} {marks}".strip()
        print(
            f"{label:<28}{dataset:<15}{score_name:<10}{our_score:>9.4f}{their_score:>9.4f}"
            f"{_spread(our_times):>{width}}{_spread(their_times):>{width}}",
            flush=True,
        )
    if notes:
        print()
    for number, note in enumerate(notes, start=1):
        print(textwrap.fill(f"[{number}] {note}.", width=len(header), subsequent_indent="    "))


if __name__ == "__main__":
    main()
