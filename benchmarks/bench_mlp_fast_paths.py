"""The MLP prediction fast paths against the plain code they replace, in one process.

Each fast path kept in the MLP estimators is timed here against its plain version, on
standardized iris, alternating the two within each repeat (the median of the repeats is
reported, the least disturbed figure on a loaded machine):

- ``MLPClassifier.predict`` picks the class of the largest output (or of the output above
  0.5) itself, instead of ``LabelBinarizer.inverse_transform`` after its per-call checks;
- the output activation of ``predict_proba`` is applied to the array in place
  (``skbackprop.nn.OUTPUT_ACTIVATIONS``' array column), instead of as a graph node.

Run as ``python benchmarks/bench_mlp_fast_paths.py`` (``--repeats N``).
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from skbackprop import MLPClassifier
from skbackprop.autodiff import Tensor
from skbackprop.nn import OUTPUT_ACTIVATIONS


def _medians(calls, repeats, number):
    """Median time per call of each of ``calls``, alternating their order every repeat."""
    times = [[] for _ in calls]
    for r in range(repeats):
        for i in range(len(calls)) if r % 2 == 0 else reversed(range(len(calls))):
            start = time.perf_counter()
            for _ in range(number):
                calls[i]()
            times[i].append((time.perf_counter() - start) / number)
    return [statistics.median(t) for t in times]


def _report(case, fast, plain):
    print(
        f"{case:48s} fast path {fast * 1e6:8.1f} us  plain {plain * 1e6:8.1f} us  "
        f"saving {(1 - fast / plain) * 100:5.1f}%",
        flush=True,
    )


def main(repeats):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    for target, name in ((y, "3 classes"), ((y > 0).astype(int), "2 classes")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=5, random_state=0)
            clf.fit(X, target)

        def plain_predict(Z, clf=clf):
            output = clf._forward_pass_fast(Z)
            return clf._label_binarizer.inverse_transform(
                output.ravel() if clf.n_outputs_ == 1 else output
            )

        for rows in (1, 2000):
            Z = X[np.arange(rows) % len(X)]
            assert (plain_predict(Z) == clf.predict(Z)).all()
            number = 200 if rows == 1 else 20
            fast, plain = _medians(
                [lambda Z=Z, clf=clf: clf.predict(Z), lambda Z=Z: plain_predict(Z)],
                repeats,
                number,
            )
            _report(f"predict, iris {name}, {rows} rows", fast, plain)

    table = dict(OUTPUT_ACTIVATIONS)
    as_nodes = {
        name: (node, lambda z, node=node: node(Tensor(z)).value)
        for name, (node, _) in table.items()
    }

    def predict_proba(Z, activations):
        OUTPUT_ACTIVATIONS.update(activations)
        return clf.predict_proba(Z)

    try:
        for rows in (1, 2000):
            Z = X[np.arange(rows) % len(X)]
            number = 200 if rows == 1 else 20
            fast, plain = _medians(
                [lambda Z=Z: predict_proba(Z, table), lambda Z=Z: predict_proba(Z, as_nodes)],
                repeats,
                number,
            )
            _report(f"predict_proba, iris 2 classes, {rows} rows", fast, plain)
    finally:
        OUTPUT_ACTIVATIONS.update(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    main(parser.parse_args().repeats)
