"""Per-step cost of the autodiff engine: forward + backward of a 3-layer MLP, batch 32.

Three ways to get the same gradients, timed side by side in one process:

- ``fresh graph``: build the graph with Tensor operations every step (the teaching path);
- ``Graph replay``: build it once, then replay forward and backward (what the estimators do);
- ``sklearn _backprop``: scikit-learn's hand-written backward pass on the same network and
  batch (a private method, called here only to have a reference for the budget).

Run: ``python benchmarks/bench_autodiff.py``
"""

import time
import warnings
from itertools import pairwise

import numpy as np
from sklearn.neural_network import MLPRegressor

from skbackprop import autodiff as ad

N_FEATURES, HIDDEN, BATCH, REPEATS, STEPS = 20, (64, 64), 32, 7, 2000


def _median_us(fn):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(STEPS):
            fn()
        times.append((time.perf_counter() - start) / STEPS * 1e6)
    return float(np.median(times))


def main():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(BATCH, N_FEATURES))
    y = rng.normal(size=(BATCH, 1))
    sizes = [N_FEATURES, *HIDDEN, 1]
    weights = [rng.normal(scale=0.3, size=(a, b)) for a, b in pairwise(sizes)]
    biases = [np.zeros(b) for b in sizes[1:]]
    Ws = [ad.Tensor(w, requires_grad=True) for w in weights]
    bs = [ad.Tensor(b, requires_grad=True) for b in biases]

    def build(x, target):
        h = x
        for i, (W, b) in enumerate(zip(Ws, bs)):
            h = ad.affine(h, W, b)
            if i < len(Ws) - 1:
                h = ad.relu(h)
        return ad.squared_error(h, target)

    def fresh_step():
        loss = build(ad.Tensor(X), ad.Tensor(y))
        loss.backward()

    x_leaf, y_leaf = ad.Tensor(X.copy()), ad.Tensor(y.copy())
    graph = ad.Graph(build(x_leaf, y_leaf))

    def replay_step():
        graph.forward()
        graph.backward()

    # scikit-learn's hand-written backprop on the same parameters.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one iteration only builds the network
        sk = MLPRegressor(hidden_layer_sizes=HIDDEN, max_iter=1).fit(X, y.ravel())
    sk.coefs_ = [w.copy() for w in weights]
    sk.intercepts_ = [b.copy() for b in biases]
    activations = [X] + [None] * (len(sizes) - 1)
    deltas = [None] * (len(sizes) - 1)
    coef_grads = [np.empty_like(w) for w in weights]
    intercept_grads = [np.empty_like(b) for b in biases]
    sk.alpha = 0.0

    def sklearn_step():
        sk._backprop(X, y, None, activations, deltas, coef_grads, intercept_grads)

    # Same gradients from all three (the sklearn loss is ours with alpha = 0).
    fresh_step()
    replay_step()
    sklearn_step()
    for W, g in zip(Ws, coef_grads):
        np.testing.assert_allclose(W.grad, g, rtol=1e-10, atol=1e-12)

    rows = [("fresh graph", fresh_step), ("Graph replay", replay_step)]
    rows.append(("sklearn _backprop", sklearn_step))
    # Alternate the contenders so machine noise falls on all of them alike.
    results = {name: [] for name, _ in rows}
    for _ in range(3):
        for name, fn in rows:
            results[name].append(_median_us(fn))
    reference = float(np.median(results["sklearn _backprop"]))
    print(f"3-layer MLP {sizes}, relu, squared error, batch {BATCH}, float64")
    print(f"{'method':<20}{'us/step':>10}{'vs sklearn':>12}")
    for name, _ in rows:
        us = float(np.median(results[name]))
        print(f"{name:<20}{us:>10.1f}{us / reference:>12.2f}")


if __name__ == "__main__":
    main()
