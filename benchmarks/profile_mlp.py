"""Where an MLP's training step spends its time, part by part.

One minibatch of a network, taken apart: the gather of the rows, the graph's forward and
backward passes and each node's own share of them, the gradient buffer and the Adam step,
each timed alone over many repeats (microseconds per call).

With ``--compare``, the whole step instead, against scikit-learn's in one process
(its ``_backprop`` and its Adam update on the same network), beside the step's matrix
products alone (the same shapes and memory layouts, each product once): what is left
of each library's step after its products is what the two do differently.

Run as ``PYTHONPATH=. env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python
benchmarks/profile_mlp.py --units 10,32,1 --batch 32`` (``--loss log_loss`` for a
classifier's softmax loss, ``--compare`` for the side by side, ``--layouts`` for each
layer's products timed in the memory layouts and BLAS calls one could choose,
``--fast-paths`` for the step with and without each of the engine's fast paths).
"""

import argparse
import itertools
import statistics
import time

import numpy as np

from skbackprop.autodiff.dense import Dense
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
        "gather the rows": lambda: objective.load_batch(X, Y, None, rows),
        "Graph.forward": graph.forward,
        "Graph.backward": lambda: graph.backward(),
        "L2 penalty's gradient": objective._add_penalty_gradients,
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


def _sklearn_step(units, batch, loss, X, Y, values):
    """scikit-learn's minibatch step on the same network: ``_backprop`` and Adam."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer
    from sklearn.preprocessing import LabelBinarizer

    classifier = loss == "log_loss"
    model = (MLPClassifier if classifier else MLPRegressor)(
        hidden_layer_sizes=tuple(units[1:-1]), alpha=1e-4
    )
    if classifier:
        model._label_binarizer = LabelBinarizer().fit(Y.argmax(axis=1))
    model.n_outputs_ = units[-1]
    model._random_state = np.random.RandomState(0)
    model._initialize(Y, units, np.float64)
    params = FlatParameters(units, np.float64, values.copy())
    model.coefs_ = params.coef_values()
    model.intercepts_ = [b.copy() for b in params.intercepts]
    n_layers = len(units) - 1
    activations = [X] + [None] * n_layers
    deltas, coef_grads, intercept_grads = ([None] * n_layers for _ in range(3))
    optimizer = AdamOptimizer(model.coefs_ + model.intercepts_, 0.001, 0.9, 0.999, 1e-8)

    def step():
        _, coef, intercept = model._backprop(
            X, Y, None, activations, deltas, coef_grads, intercept_grads
        )
        optimizer.update_params(model.coefs_ + model.intercepts_, coef + intercept)

    return step


def _products(units, batch, rng):
    """The step's matrix products alone, in the layouts both libraries use: ``a W``,
    ``a^T delta`` into a weight-shaped buffer, and ``delta W^T`` except into the input."""
    shapes = list(itertools.pairwise(units))
    a = [rng.standard_normal((batch, n_in)) for n_in, _ in shapes]
    W = [rng.standard_normal(shape) for shape in shapes]
    delta = [rng.standard_normal((batch, n_out)) for _, n_out in shapes]
    grad_W = [np.empty(shape) for shape in shapes]

    def products():
        for layer in range(len(shapes)):
            a[layer] @ W[layer]
            np.matmul(a[layer].T, delta[layer], out=grad_W[layer])
            if layer > 0:
                delta[layer] @ W[layer].T

    return products


def _layout_variants(x, W, delta, grad_W):
    """The ways to compute one layer's three products that the layout question asks
    about: new arrays as scikit-learn writes them, ``out=`` into the flat gradient
    buffer's view as skbackprop does, scipy's ``gemm`` with transpose flags into that
    view read in Fortran order (its transpose, no copy), with ``beta=1`` adding into it,
    and the batch stored in Fortran order."""
    from scipy.linalg import blas

    x_fortran = np.asfortranarray(x)
    # Transposes of C-order arrays are Fortran-contiguous, what f2py hands to BLAS
    # without a copy: gemm writes (a^T delta)^T = delta^T a straight into the view's.
    grad_T, delta_T, x_T = grad_W.T, delta.T, x.T
    return {
        "a W, new array": lambda: x @ W,
        "a W, batch in F order": lambda: x_fortran @ W,
        "a^T delta, new array": lambda: x.T @ delta,
        "a^T delta, out= view": lambda: np.matmul(x.T, delta, out=grad_W),
        "a^T delta, F-order batch": lambda: np.matmul(x_fortran.T, delta, out=grad_W),
        "a^T delta, dgemm into view": lambda: blas.dgemm(
            1.0, delta_T, x_T, c=grad_T, trans_b=1, overwrite_c=1
        ),
        "a^T delta, dgemm beta=1": lambda: blas.dgemm(
            1.0, delta_T, x_T, beta=1.0, c=grad_T, trans_b=1, overwrite_c=1
        ),
        "delta W^T, new array": lambda: delta @ W.T,
    }


def compare_layouts(units, batch, repeats):
    """Each layer's products in each layout, median microseconds over interleaved runs."""
    rng = np.random.default_rng(0)
    params = FlatParameters(units, np.float64)
    print(f"units {units}, batch {batch}: median microseconds per product")
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(units)):
        x = rng.standard_normal((batch, n_in))
        delta = rng.standard_normal((batch, n_out))
        W = rng.standard_normal((n_in, n_out))
        grad_W = params.grad[params.weight_slices[layer]].reshape(n_in, n_out)
        variants = _layout_variants(x, W, delta, grad_W)
        expected = x.T @ delta
        variants["a^T delta, dgemm into view"]()
        if not (np.shares_memory(grad_W, params.grad) and np.allclose(grad_W, expected)):
            raise AssertionError("dgemm did not write the product into the buffer's view")
        print(f"  layer {layer + 1} ({batch}x{n_in} -> {n_out})")
        _print_alternating_medians(variants, repeats)


def _print_alternating_medians(variants, repeats):
    """Time each variant ``repeats`` times, alternating their order from one round to the
    next so no variant always runs on a warmer cache; print the medians in microseconds."""
    times = {name: [] for name in variants}
    for r in range(repeats):
        for name, function in variants.items() if r % 2 else reversed(variants.items()):
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    for name, t in times.items():
        print(f"    {name:<28s}{statistics.median(t) * 1e6:9.1f}")


def compare_step(units, batch, loss, repeats):
    rng = np.random.default_rng(0)
    params = FlatParameters(units, np.float64)
    params.values[:] = rng.uniform(-0.1, 0.1, params.values.size)
    X = rng.standard_normal((batch, units[0]))
    Y = np.zeros((batch, units[-1]))
    Y[np.arange(batch), rng.integers(0, units[-1], batch)] = 1.0
    sklearn_step = _sklearn_step(units, batch, loss, X, Y, params.values)
    objective = MinibatchObjective(params, batch, loss=loss, activation="relu", alpha=1e-4)
    objective.load_batch(X, Y, None, slice(0, batch))
    optimizer = Adam(params.values)

    def our_step():
        objective()
        optimizer.step(params.grad)

    parts = {
        "scikit-learn step": sklearn_step,
        "our step": our_step,
        "products alone": _products(units, batch, rng),
    }
    times = {name: [] for name in parts}
    for function in parts.values():
        for _ in range(5):
            function()
    for r in range(repeats):
        # Interleaved, so a shared machine's drift reaches all three alike.
        for name, function in parts.items() if r % 2 else reversed(parts.items()):
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(t) * 1e6 for name, t in times.items()}
    theirs, ours, products = (median[name] for name in parts)
    print(f"units {units}, batch {batch}, loss {loss}: median microseconds per step")
    print(
        f"  scikit-learn step   {theirs:9.1f}   rest after the products {theirs - products:8.1f}"
    )
    print(f"  our step            {ours:9.1f}   rest after the products {ours - products:8.1f}")
    print(f"  products alone      {products:9.1f}   ratio ours / scikit-learn {ours / theirs:.3f}")


class _SummedDense(Dense):
    """The fused layer with ``dL/db`` as numpy's reduction over the batch, the plain
    version of the ones-vector product that :class:`Dense` uses."""

    __slots__ = ()

    def backward(self, grad, needs, out=(None, None, None)):
        delta = grad if self.derivative is None else self.derivative(grad, self.out)
        grad_W = np.matmul(self.x.T, delta, out=out[1]) if needs[1] else None
        grad_b = np.sum(delta, axis=0, out=out[2]) if needs[2] else None
        grad_x = None
        if needs[0]:
            W = self.W
            grad_x = np.multiply(delta, W.T) if W.shape[1] == 1 else delta @ W.T
        return (grad_x, grad_W, grad_b)


class _MatmulDense(Dense):
    """The fused layer with ``dL/dx = delta W^T`` always a matrix product, the plain
    version of the broadcast product :class:`Dense` uses for a layer of one unit."""

    __slots__ = ()

    def backward(self, grad, needs, out=(None, None, None)):
        if self.W.shape[1] != 1 or not needs[0]:
            return Dense.backward(self, grad, needs, out)
        _, grad_W, grad_b = Dense.backward(self, grad, (False, *needs[1:]), out)
        delta = grad if self.derivative is None else self.derivative(grad, self.out)
        return (delta @ self.W.T, grad_W, grad_b)


def compare_fast_paths(units, batch, loss, repeats):
    """The training step (objective and Adam) with the engine's fast paths, against the
    step with one of them replaced by its plain version: the bias gradient as numpy's
    reduction instead of a product with a ones vector, and a one-unit layer's input
    gradient as a matrix product instead of a broadcast product."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, units[0]))
    Y = np.zeros((batch, units[-1]))
    Y[np.arange(batch), rng.integers(0, units[-1], batch)] = 1.0
    steps = {}
    plain = {"np.sum for dL/db": _SummedDense, "delta @ W.T for one unit": _MatmulDense}
    for name in ("as in Dense", *plain):
        params = FlatParameters(units, np.float64)
        params.values[:] = np.random.default_rng(1).uniform(-0.1, 0.1, params.values.size)
        objective = MinibatchObjective(params, batch, loss=loss, activation="relu", alpha=1e-4)
        objective.load_batch(X, Y, None, slice(0, batch))
        if name in plain:
            for node in objective.graph.order:
                if isinstance(node.op, Dense):
                    node.op.__class__ = plain[name]
        optimizer = Adam(params.values, learning_rate=1e-5)
        steps[name] = lambda objective=objective, optimizer=optimizer, params=params: (
            objective(),
            optimizer.step(params.grad),
        )
    print(f"units {units}, batch {batch}, loss {loss}: median microseconds per step")
    _print_alternating_medians(steps, repeats)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="10,32,1", help="layer units, input first")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--loss", default="squared_error")
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--compare", action="store_true", help="the step against sklearn's")
    parser.add_argument("--layouts", action="store_true", help="each product's layouts")
    parser.add_argument("--fast-paths", action="store_true", help="the step without them")
    args = parser.parse_args()
    units = [int(u) for u in args.units.split(",")]
    if args.layouts:
        compare_layouts(units, args.batch, args.repeats)
    elif args.fast_paths:
        compare_fast_paths(units, args.batch, args.loss, args.repeats)
    elif args.compare:
        compare_step(units, args.batch, args.loss, args.repeats)
    else:
        profile_step(units, args.batch, args.loss, args.repeats)
