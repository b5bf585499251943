"""Where an MLP's training step spends its time, part by part.

One minibatch of a network, taken apart: the gather of the rows, the graph's forward and
backward passes and each node's own share of them, the gradient buffer and the Adam step,
each timed alone over many repeats (microseconds per call).

Run as ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/profile_mlp.py
--units 10,32,1 --batch 32`` (``--loss log_loss`` for a classifier's softmax loss).
"""

import argparse
import time

import numpy as np

from skbackprop.nn import FlatParameters, MinibatchObjective
from skbackprop.optim import Adam


def _per_call(function, repeats):
    for _ in range(20):
        function()
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    return (time.perf_counter() - start) / repeats * 1e6


def profile_step(units, batch, loss, repeats):
    rng = np.random.default_rng(0)
    params = FlatParameters(units, np.float64)
    params.values[:] = rng.uniform(-0.1, 0.1, params.values.size)
    objective = MinibatchObjective(params, batch, loss=loss, activation="relu", alpha=1e-4)
    n = 5 * batch
    X = rng.standard_normal((n, units[0]))
    Y = np.zeros((n, units[-1]))
    Y[np.arange(n), rng.integers(0, units[-1], n)] = 1.0
    rows = rng.permutation(n)[:batch]
    optimizer = Adam(params.values)
    graph = objective.graph
    print(f"units {units}, batch {batch}, loss {loss}: microseconds per call")
    parts = {
        "gather the rows": lambda: objective.take(X, Y, None, rows),
        "Graph.forward": graph.forward,
        "Graph.backward": lambda: graph.backward(),
        # Part of Graph.backward since the Graph fills the flat gradient itself.
        "gradient buffer": graph._gather_flat_gradient,
        "Adam step": lambda: optimizer.step(params.grad),
    }
    start = params.values.copy()
    for name, function in parts.items():
        print(f"  {name:<20s}{_per_call(function, repeats):8.1f}")
    # Thousands of Adam steps on one gradient move every weight by about their number
    # times the learning rate: put the parameters back, or the nodes below would be
    # timed on overflowing logits (the softmax's slow path and its warnings).
    params.values[:] = start
    graph.forward()
    graph.backward()
    for node in graph._computed:
        values = [parent.value for parent in node.parents]
        us = _per_call(lambda node=node, values=values: node.op.forward(*values), repeats)
        print(f"    forward  {node.op.label:<24s}{us:8.1f}")
    for node in graph._reverse:
        grad = node.grad
        us = _per_call(lambda node=node, grad=grad: node.op.backward(grad, node.needs), repeats)
        print(f"    backward {node.op.label:<24s}{us:8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="10,32,1", help="layer units, input first")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--loss", default="squared_error")
    parser.add_argument("--repeats", type=int, default=2000)
    args = parser.parse_args()
    units = [int(u) for u in args.units.split(",")]
    profile_step(units, args.batch, args.loss, args.repeats)
