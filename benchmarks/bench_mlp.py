"""skbackprop's MLPs against scikit-learn's, side by side in one process.

Same data, same hyperparameters, a fixed number of epochs (tol=0 and n_iter_no_change
larger than max_iter, so neither stops early), runs alternating between the two libraries.
Prints the median fit time of each, the median of the repeats' ratios ours/scikit-learn
and the held-out score of both; for the largest network also the achieved GFLOP/s of
training against a plain ``a @ b`` of the training's own GEMM shape, measured in the same
run.

Run as ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_mlp.py``
(``--quick`` for fewer repeats, ``--repeats N`` to set them, ``--only TEXT`` for the cases
whose name contains TEXT, ``--blas-threads 1`` to pin BLAS to one thread for both
libraries).
"""

import argparse
import itertools
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn import neural_network as sk
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import skbackprop

CASES = [
    # name, estimator, n_samples, n_features, hidden, batch, epochs, target ratio
    ("5000x10 (32,) b32", "reg", 5000, 10, (32,), 32, 3, 0.35),
    ("20000x20 (100,) b200", "reg", 20000, 20, (100,), 200, 3, 0.5),
    ("20000x50 (256,256) b200", "reg", 20000, 50, (256, 256), 200, 3, 0.7),
    ("50000x100 (512,512) b256", "reg", 50000, 100, (512, 512), 256, 3, 0.8),
    ("digits (100,) 40 epochs", "clf", None, None, (100,), "auto", 40, 0.5),
]


def _data(kind, n_samples, n_features):
    if kind == "clf":
        X, y = load_digits(return_X_y=True)
    else:
        X, y = make_regression(
            n_samples=n_samples,
            n_features=n_features,
            n_informative=n_features // 2,
            noise=10.0,
            random_state=0,
        )
        y = (y - y.mean()) / y.std()
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def _fit_time(Estimator, params, X, y):
    model = Estimator(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start, model


def _training_flops(n_samples, layer_units, epochs):
    """Multiply-adds x 2 of the GEMMs of training: forward, dL/dW, and dL/dx except into
    the input layer."""
    per_sample = sum(2 * a * b for a, b in itertools.pairwise(layer_units))
    backward_x = per_sample - 2 * layer_units[0] * layer_units[1]
    return epochs * n_samples * (2 * per_sample + backward_x)


def _gemm_gflops(m, k, n, repeats):
    rng = np.random.default_rng(0)
    a, b = rng.random((m, k)), rng.random((k, n))
    out = np.empty((m, n))
    best = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(20):
            np.matmul(a, b, out=out)
        best.append((time.perf_counter() - start) / 20)
    return 2 * m * k * n / statistics.median(best) / 1e9


def main(quick=False, only=None, repeats=None):
    rows = []
    for name, kind, n, d, hidden, batch, epochs, target in CASES:
        if only is not None and only not in name:
            continue
        X_train, X_test, y_train, y_test = _data(kind, n, d)
        params = {
            "hidden_layer_sizes": hidden,
            "batch_size": batch,
            "max_iter": epochs,
            "tol": 0.0,
            "n_iter_no_change": epochs + 1,
            "solver": "adam",
            "activation": "relu",
            "random_state": 0,
        }
        pair = (
            (skbackprop.MLPClassifier, sk.MLPClassifier)
            if kind == "clf"
            else (skbackprop.MLPRegressor, sk.MLPRegressor)
        )
        big = X_train.shape[0] * sum(hidden) > 5e6
        n_repeats = repeats or (3 if quick else 5 if big else 11)
        times = {0: [], 1: []}
        models = {}
        for r in range(n_repeats):
            # alternate which library goes first
            for i in (0, 1) if r % 2 == 0 else (1, 0):
                elapsed, models[i] = _fit_time(pair[i], params, X_train, y_train)
                times[i].append(elapsed)
        ours, theirs = (statistics.median(times[i]) for i in (0, 1))
        scores = [models[i].score(X_test, y_test) for i in (0, 1)]
        row = {
            "name": name,
            "ours": ours,
            "theirs": theirs,
            # The median of each repeat's own ratio: the two runs of a repeat are seconds
            # apart, so a slow drift of a shared machine's speed cancels out of it.
            "ratio": statistics.median(a / b for a, b in zip(times[0], times[1])),
            "target": target,
            "score_ours": scores[0],
            "score_theirs": scores[1],
            "metric": "accuracy" if kind == "clf" else "R^2",
        }
        if hidden == (512, 512):
            units = [X_train.shape[1], *hidden, 1]
            flops = _training_flops(X_train.shape[0], units, epochs)
            row["gflops_ours"] = flops / ours / 1e9
            row["gflops_theirs"] = flops / theirs / 1e9
            row["gflops_gemm"] = _gemm_gflops(batch, hidden[0], hidden[1], repeats=5)
            row["gflops_square"] = _gemm_gflops(2048, 2048, 2048, repeats=3)
        rows.append(row)
        print(_format(row), flush=True)
    return rows


def _format(row):
    text = (
        f"{row['name']:28s} ours {row['ours']:8.3f}s  sklearn {row['theirs']:8.3f}s  "
        f"ratio {row['ratio']:.2f} (target <= {row['target']})  "
        f"{row['metric']} ours {row['score_ours']:.4f} sklearn {row['score_theirs']:.4f}"
    )
    if "gflops_ours" in row:
        text += (
            f"\n{'':28s} training GFLOP/s: ours {row['gflops_ours']:.1f}, sklearn "
            f"{row['gflops_theirs']:.1f}; plain a @ b (256x512 @ 512x512) "
            f"{row['gflops_gemm']:.1f} -> ours at {row['gflops_ours'] / row['gflops_gemm']:.0%}"
            f"; a @ b 2048^3 {row['gflops_square']:.1f}"
        )
    return text


def _machine():
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    blas = [
        f"{i['internal_api']} {i['version']} ({i.get('architecture')}, {i['num_threads']} threads)"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    return (
        f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, BLAS: {'; '.join(blas)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--blas-threads", type=int, default=None, help="limit BLAS threads")
    parser.add_argument("--only", default=None, help="run the cases whose name has this")
    parser.add_argument("--repeats", type=int, default=None, help="runs per library and case")
    args = parser.parse_args()
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    print(_machine(), f"| BLAS threads: {args.blas_threads or 'default'}")
    with nullcontext() if args.blas_threads is None else threadpool_limits(args.blas_threads):
        main(quick=args.quick, only=args.only, repeats=args.repeats)
