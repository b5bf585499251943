"""TabularMLP against the reference implementation of RealMLP-TD, on bench_tabular's suite.

The reference is ``RealMLP_TD_Classifier`` / ``RealMLP_TD_Regressor`` of the PyPI package
pytabkit, by the authors of RealMLP (Holzmüller, Grinsztajn and Steinwart, "Better by
Default: Strong Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024), at its TD
defaults, with its own 20% validation split and best-epoch selection. This script takes
bench_tabular.py's datasets, its 3 random 80/20 splits and its error (classification error,
or RMSE / std(y)), and for every split fits ours at defaults and the reference in one
process, alternating which goes first, on the same number of threads (``--threads``: the
reference's torch threads, and the BLAS threads around our fit; ours trains on one BLAS
thread whatever the limit, see docs/performance.rst). scikit-learn's MLP pipeline of
bench_tabular.py runs on the same splits for comparison (``--no-sklearn`` skips it).
``--seeds N`` fits each split N times with other random_state values, so that a difference
can be told from the luck of one initialisation (the table gives the standard error of
the mean paired difference).

Both get the same DataFrame with the same categorical columns (category, object, string
and bool dtypes, the ``'from_dtype'`` rule; pytabkit is told them by name, since its own
dtype rule would drop bool columns). pytabkit refuses missing values in numeric columns, so
the reference gets those filled with the training median; ours imputes them itself (the
median plus a missing-indicator input).

pytabkit needs torch and lightning, which must never enter skbackprop's environment: run
this in a separate virtual environment, with skbackprop on the path::

    python -m venv /path/to/refvenv
    /path/to/refvenv/bin/pip install torch   # a CPU build: see pytorch.org
    /path/to/refvenv/bin/pip install pytabkit pandas statsmodels vega_datasets
    PYTHONPATH=. /path/to/refvenv/bin/python benchmarks/bench_tabular_reference.py
    PYTHONPATH=. /path/to/refvenv/bin/python benchmarks/bench_tabular_reference.py \\
        --datasets breast_cancer,diabetes --splits 1 --threads 2 --csv reference.csv
"""

import argparse
import importlib.metadata
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from bench_tabular import DATASETS, _categorical_columns, error, ours, sklearn_mlp, splits

try:
    import torch
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise SystemExit(
        f"bench_tabular_reference.py needs pytabkit (and so torch and lightning): {exc}.\n"
        "Never install them into skbackprop's environment or extras. Make a separate one:\n"
        "    python -m venv /path/to/refvenv\n"
        "    /path/to/refvenv/bin/pip install torch   # a CPU build: see pytorch.org\n"
        "    /path/to/refvenv/bin/pip install pytabkit pandas statsmodels vega_datasets\n"
        "and run, from the repository root:\n"
        "    PYTHONPATH=. /path/to/refvenv/bin/python benchmarks/bench_tabular_reference.py"
    ) from exc


class Reference:
    """pytabkit's RealMLP-TD at its defaults, given bench_tabular's categorical columns by
    name and numeric missing values filled with the training median (pytabkit refuses
    them)."""

    def __init__(self, task, seed, threads, **params):
        cls = RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
        self.model = cls(random_state=seed, n_threads=threads, device="cpu", **params)

    def fit(self, X, y):
        self.categorical_ = _categorical_columns(X)
        numeric = [c for c in X.columns if c not in self.categorical_]
        self.medians_ = X[numeric].median()
        self.model.fit(self._fill(X), y, cat_col_names=self.categorical_)
        return self

    def _fill(self, X):
        return X.fillna(self.medians_) if self.medians_.size else X

    def predict(self, X):
        return np.asarray(self.model.predict(self._fill(X))).reshape(-1)


def timed_fit(model, X, y, threads):
    with warnings.catch_warnings(), threadpool_limits(limits=threads, user_api="blas"):
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start


def warm_up(threads):
    """A short fit of each, so that no timed fit pays for first-call setup."""
    X, y, task = DATASETS["breast_cancer"]()
    timed_fit(ours(task, X, 0, max_iter=2), X, y, threads)
    timed_fit(Reference(task, 0, threads, n_epochs=2), X, y, threads)


def run_split(name, task, split, seed, parts, threads, with_sklearn):
    X_train, X_test, y_train, y_test = parts
    makers = {
        "ours": lambda: ours(task, X_train, seed),
        "reference": lambda: Reference(task, seed, threads),
    }
    order = ["ours", "reference"] if (split + seed) % 2 == 0 else ["reference", "ours"]
    if with_sklearn:
        makers["sklearn_mlp"] = lambda: sklearn_mlp(task, X_train, seed)
        order.append("sklearn_mlp")
    row = {"dataset": name, "task": task, "split": split, "seed": seed, "n_train": len(X_train)}
    for label in order:
        model = makers[label]()
        load = os.getloadavg()[0]
        row[f"{label}_seconds"] = timed_fit(model, X_train, y_train, threads)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row[f"{label}_error"] = error(task, model, X_test, y_test)
        row[f"{label}_load"] = max(load, os.getloadavg()[0])
    print(
        f"{name:16s} split {split} seed {seed:4d}  error ours {row['ours_error']:.4f} reference "
        f"{row['reference_error']:.4f}"
        + (f" sklearn_mlp {row['sklearn_mlp_error']:.4f}" if with_sklearn else "")
        + f"  seconds ours {row['ours_seconds']:6.1f} reference {row['reference_seconds']:6.1f}"
        f"  load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    return row


def seeds(split, n_seeds):
    """The random_state values of a split's fits: bench_tabular's (the split's number),
    or with ``--seeds N`` the N values ``1000 (split + 1) + k``, to tell a difference
    between the two implementations from the luck of one initialisation."""
    return [split] if n_seeds == 0 else [1000 * (split + 1) + k for k in range(n_seeds)]


def run(names, n_splits, threads, with_sklearn, n_seeds=0):
    torch.set_num_threads(threads)
    warm_up(threads)
    rows = []
    for name in names:
        X, y, task = DATASETS[name]()
        for split, parts in enumerate(splits(X, y, task, n_splits)):
            for seed in seeds(split, n_seeds):
                rows.append(run_split(name, task, split, seed, parts, threads, with_sklearn))
    return pd.DataFrame(rows)


def _table(frame, columns, formats):
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _, row in frame.iterrows():
        cells = [fmt.format(row[c]) for c, fmt in zip(columns, formats, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(results):
    results = results.copy()
    results["ratio"] = results["ours_seconds"] / results["reference_seconds"]
    methods = [m for m in ("ours", "reference", "sklearn_mlp") if f"{m}_error" in results]
    errors = [f"{m}_error" for m in methods]
    columns = [*errors, "ours_seconds", "reference_seconds", "ratio"]
    formats = ["{}", "{:.0f}", *["{:.4f}"] * len(errors), "{:.1f}", "{:.1f}", "{:.2f}"]
    print(
        f"\nPer split; machine: {platform.processor() or platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}; ratio = ours / reference fit seconds"
    )
    keys = ["dataset", "split", "seed"] if "seed" in results else ["dataset", "split"]
    print(
        _table(
            results, [*keys, *columns], formats[:1] + ["{:.0f}"] * (len(keys) - 1) + formats[2:]
        )
    )
    results["difference"] = results["ours_error"] - results["reference_error"]
    groups = results.groupby("dataset", sort=False)
    means = groups[columns].mean().reset_index()
    means["ratio"] = means["ours_seconds"] / means["reference_seconds"]
    # The standard error of the mean paired difference, to judge it against the noise.
    means["difference"] = groups["difference"].mean().to_numpy()
    means["difference_se"] = (groups["difference"].std() / np.sqrt(groups.size())).to_numpy()
    print("\nMean over the fits of each dataset; difference = ours - reference error")
    print(
        _table(
            means,
            ["dataset", *columns, "difference", "difference_se"],
            ["{}", *formats[2:], "{:+.4f}", "{:.4f}"],
        )
    )
    ratio = np.exp(np.mean(np.log(means["ours_error"] / means["reference_error"])))
    print(f"\ngeometric mean over datasets of ours / reference error: {ratio:.3f}")
    slower = means.loc[means["ratio"] >= 1, "dataset"].tolist()
    print(f"datasets where ours fits slower than the reference: {slower or 'none'}")
    loads = results[[f"{m}_load" for m in methods]].to_numpy()
    print(f"load average (1 min) during the fits: {loads.min():.2f} to {loads.max():.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--seeds",
        type=int,
        default=0,
        help="fits per split with random_state 1000 (split + 1) + k, k < SEEDS "
        "(default: one fit with random_state = split, as bench_tabular)",
    )
    parser.add_argument("--no-sklearn", action="store_true", help="skip scikit-learn's MLP")
    parser.add_argument("--csv", help="also write the per-split rows to this file")
    parser.add_argument("--report", help="only print the tables of a --csv file")
    args = parser.parse_args()
    if args.report:
        report(pd.read_csv(args.report))
        return
    print(
        f"pytabkit {importlib.metadata.version('pytabkit')}, torch {torch.__version__}, "
        f"{args.threads} thread(s), load average {os.getloadavg()}",
        flush=True,
    )
    results = run(
        args.datasets.split(","), args.splits, args.threads, not args.no_sklearn, args.seeds
    )
    if args.csv:
        results.to_csv(args.csv, index=False)
    report(results)


if __name__ == "__main__":
    main()
