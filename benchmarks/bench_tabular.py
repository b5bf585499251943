"""TabularMLP at its defaults against scikit-learn's MLP and HistGradientBoosting.

Real tabular datasets that load offline from installed packages (scikit-learn,
statsmodels, vega_datasets: ``pip install ".[bench]"``), each split 3 times 80/20 at
random (stratified for classifiers). Reported: the test error (classification error, or
RMSE / std(y) for regression) averaged over the splits, the fit seconds per 1,000
training rows, and the geometric mean over datasets of ours / HistGradientBoosting.

    PYTHONPATH=. python benchmarks/bench_tabular.py
    PYTHONPATH=. python benchmarks/bench_tabular.py --datasets fair,cars --splits 1
    PYTHONPATH=. python benchmarks/bench_tabular.py --ablation --methods ours

``--ablation`` adds one run of ours per ingredient switched off (see ABLATIONS).
``--default-fit`` only times one default ``TabularMLPClassifier`` fit on 10,000 x 20
synthetic rows (the issue's budget is 60 s on the 2-core machine), wall and CPU seconds.
``--seeds N`` fits each split N times with the random_state values
``1000 (split + 1) + k`` (those of bench_tabular_reference.py) in place of the split's
number, and reports the mean paired difference of ours against each other method with
its standard error: a difference of the size of one fit's luck shows as such.
"""

import argparse
import platform
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skbackprop import TabularMLPClassifier, TabularMLPRegressor

# ----------------------------------------------------------------------------- datasets


def _fair():
    import statsmodels.api as sm

    data = sm.datasets.fair.load_pandas().data
    y = (data.pop("affairs") > 0).astype(int)
    for column in ("occupation", "occupation_husb"):
        data[column] = data[column].astype(int).astype("category")
    return data, y, "classification"


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y, "classification"


def _digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True, as_frame=True)
    return X, y, "classification"


def _seattle_weather():
    from vega_datasets import data

    frame = data.seattle_weather()
    y = frame.pop("weather")
    frame["day_of_year"] = pd.to_datetime(frame.pop("date")).dt.day_of_year
    return frame, y, "classification"


def _anes96():
    import statsmodels.api as sm

    data = sm.datasets.anes96.load_pandas().data.drop(columns="logpopul")
    y = data.pop("vote").astype(int)
    for column in ("PID", "educ", "income"):
        data[column] = data[column].astype(int).astype("category")
    return data, y, "classification"


def _cars():
    from vega_datasets import data

    frame = data.cars().dropna(subset=["Miles_per_Gallon"])
    y = frame.pop("Miles_per_Gallon")
    frame["Year"] = pd.to_datetime(frame["Year"]).dt.year
    frame["Origin"] = frame["Origin"].astype("category")
    return frame.drop(columns="Name"), y, "regression"  # Horsepower has missing values


def _diabetes():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return X, y, "regression"


def _randhie():
    import statsmodels.api as sm

    data = sm.datasets.randhie.load_pandas().data
    data = data.sample(n=6000, random_state=0).reset_index(drop=True)  # bounds the run time
    y = np.log1p(data.pop("mdvis").astype(float))
    for column in ("idp", "hlthg", "hlthf", "hlthp"):
        data[column] = data[column].astype(bool)
    return data, y, "regression"


def _star98():
    import statsmodels.api as sm

    data = sm.datasets.star98.load_pandas().data
    above, below = data.pop("NABOVE"), data.pop("NBELOW")
    return data, above / (above + below), "regression"


DATASETS = {
    "fair": _fair,
    "breast_cancer": _breast_cancer,
    "digits": _digits,
    "seattle_weather": _seattle_weather,
    "anes96": _anes96,
    "cars": _cars,
    "diabetes": _diabetes,
    "randhie": _randhie,
    "star98": _star98,
}

# ----------------------------------------------------------------------------- models


def _categorical_columns(X):
    return [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) or X[c].dtype == bool]


def sklearn_mlp(task, X, seed):
    categorical = _categorical_columns(X)
    numeric = [c for c in X.columns if c not in categorical]
    columns = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore"), categorical),
            (
                "numbers",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            ),
        ]
    )
    if task == "classification":
        return make_pipeline(columns, MLPClassifier(random_state=seed))
    model = make_pipeline(columns, MLPRegressor(random_state=seed))
    return TransformedTargetRegressor(model, transformer=StandardScaler())


def hgb(task, X, seed):
    cls = (
        HistGradientBoostingClassifier
        if task == "classification"
        else HistGradientBoostingRegressor
    )
    return cls(categorical_features="from_dtype", random_state=seed)


def ours(task, X, seed, **params):
    cls = TabularMLPClassifier if task == "classification" else TabularMLPRegressor
    return cls(random_state=seed, **params)


METHODS = {"ours": ours, "sklearn_mlp": sklearn_mlp, "hgb": hgb}

# Each ingredient switched off, one at a time.
ABLATIONS = {
    "no_numeric_embedding": {"numeric_embedding": False},
    "no_scaling_layer": {"scaling_layer": False},
    "no_parametric_activation": {"parametric_activation": False},
    "no_data_init": {"data_init": False},
    "no_robust_scale_clip": {"robust_scale": False, "smooth_clip": False},
    "no_dropout": {"dropout": 0.0},
    "no_weight_decay": {"weight_decay": 0.0},
    "constant_lr": {"learning_rate_schedule": "constant"},
    "no_label_smoothing": {"label_smoothing": 0.0},
    "no_best_epoch": {"validation_fraction": 0.0},
}


def error(task, model, X, y):
    prediction = model.predict(X)
    if task == "classification":
        return float(np.mean(prediction != np.asarray(y)))
    return float(np.sqrt(np.mean((prediction - np.asarray(y)) ** 2)) / np.std(y))


def splits(X, y, task, n_splits):
    """The benchmark's random 80/20 splits, ``(X_train, X_test, y_train, y_test)`` each:
    split ``i`` with ``random_state=i``, stratified for classifiers."""
    stratify = y if task == "classification" else None
    for split in range(n_splits):
        yield train_test_split(X, y, test_size=0.2, random_state=split, stratify=stratify)


def seeds(split, n_seeds):
    """The random_state values of a split's fits: the split's number, or with
    ``--seeds N`` the N values ``1000 (split + 1) + k``."""
    return [split] if n_seeds == 0 else [1000 * (split + 1) + k for k in range(n_seeds)]


def run(names, methods, n_splits, ablation, n_seeds=0):
    rows = []
    for name in names:
        X, y, task = DATASETS[name]()
        candidates = {m: (METHODS[m], {}) for m in methods}
        if ablation:
            for label, params in ABLATIONS.items():
                if label == "no_label_smoothing" and task != "classification":
                    continue
                candidates[label] = (ours, params)
        for split, parts in enumerate(splits(X, y, task, n_splits)):
            for seed in seeds(split, n_seeds):
                rows.extend(fit_all(name, task, split, seed, parts, candidates))
    return pd.DataFrame(rows)


def fit_all(name, task, split, seed, parts, candidates):
    """One row per candidate fitted on one split with ``random_state=seed``."""
    X_train, X_test, y_train, y_test = parts
    rows = []
    for label, (make, params) in candidates.items():
        model = make(task, X_train, seed, **params)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "dataset": name,
                "task": task,
                "n_rows": len(X_train) + len(X_test),
                "method": label,
                "split": split,
                "seed": seed,
                "error": error(task, model, X_test, y_test),
                "s_per_1k_rows": 1000 * seconds / len(X_train),
            }
        )
        print(
            f"{name:16s} split {split} seed {seed:4d} {label:26s} "
            f"error {rows[-1]['error']:.4f} {seconds:7.1f} s",
            flush=True,
        )
    return rows


def markdown(frame, digits):
    """A DataFrame as a Markdown table (without the optional tabulate package)."""
    header = ["dataset", *map(str, frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, row in frame.iterrows():
        cells = [f"{v:.{digits}f}" if np.isfinite(v) else "" for v in row]
        lines.append("| " + " | ".join([str(index), *cells]) + " |")
    return "\n".join(lines)


def report(results):
    table = results.pivot_table(index="dataset", columns="method", values="error", aggfunc="mean")
    speed = results.pivot_table(
        index="dataset", columns="method", values="s_per_1k_rows", aggfunc="mean"
    )
    order = [d for d in DATASETS if d in table.index]
    table, speed = table.loc[order], speed.loc[order]
    print(
        f"\nError (mean of splits); machine: {platform.processor() or platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}"
    )
    print(markdown(table, 4))
    print("\nFit seconds per 1,000 training rows")
    print(markdown(speed, 2))
    if "seed" in results and results.groupby(["dataset", "split"])["seed"].nunique().max() > 1:
        paired_differences(results)
    for reference in ("hgb", "ours"):
        if reference not in table:
            continue
        for method in table.columns:
            if method == reference or (reference == "ours" and method in METHODS):
                continue
            ratio = np.exp(np.mean(np.log(table[method] / table[reference])))
            print(f"geometric mean of {method} / {reference} error: {ratio:.3f}")


def paired_differences(results):
    """Ours minus each other method, fit by fit (same split and seed): the mean and its
    standard error."""
    errors = results.pivot_table(
        index=["dataset", "split", "seed"], columns="method", values="error"
    )
    if "ours" not in errors:
        return
    for method in errors.columns.drop("ours"):
        difference = (errors["ours"] - errors[method]).groupby("dataset")
        table = pd.DataFrame(
            {
                "mean": difference.mean(),
                "standard error": difference.std(ddof=1) / np.sqrt(difference.count()),
            }
        )
        fits = int(difference.count().max())
        print(f"\nPaired difference of the error, ours - {method} ({fits} fits a dataset)")
        print(markdown(table.loc[[d for d in DATASETS if d in table.index]], 4))


def default_fit():
    """Wall and CPU seconds of one default fit on 10,000 x 20 standard normal rows."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10_000, 20))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.standard_normal(10_000) > 0).astype(int)
    wall, cpu = time.perf_counter(), time.process_time()
    TabularMLPClassifier(random_state=0).fit(X, y)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"TabularMLPClassifier default fit, 10,000 x 20: {wall:.1f} s wall, {cpu:.1f} s CPU")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--ablation", action="store_true")
    parser.add_argument(
        "--seeds", type=int, default=0, help="fits per split, random_state 1000 (split+1)+k"
    )
    parser.add_argument("--csv", help="also write the per-split rows to this file")
    parser.add_argument("--report", help="only print the tables of a --csv file")
    parser.add_argument("--default-fit", action="store_true", help="only time a default fit")
    args = parser.parse_args()
    if args.default_fit:
        default_fit()
        return
    if args.report:
        report(pd.read_csv(args.report))
        return
    results = run(
        args.datasets.split(","), args.methods.split(","), args.splits, args.ablation, args.seeds
    )
    if args.csv:
        results.to_csv(args.csv, index=False)
    report(results)


if __name__ == "__main__":
    main()
