"""Random programs over skbackprop.autodiff's operations, for the differential test.

A program is a list of nodes: leaves (the inputs, each with a shape and a domain) and
steps, each applying one public operation to earlier nodes, to constants or to new leaves
made for it. The hypothesis strategy :func:`programs` draws them; the test interprets each
program twice, once with skbackprop's Tensors and once with an independent engine.

Steps pick their inputs among the earlier nodes whenever one fits, so a node is often used
twice (a shared sub-expression), and the output is the last step, so earlier steps are
often left out of it (dead branches). The test chooses the last step's operation, so each
operation is the output of some programs. Operations with a restricted domain (log, sqrt,
division, a power's base, Poisson counts) take only inputs known to be positive.
"""

from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIDE = 4


@dataclass
class Leaf:
    shape: tuple
    positive: bool


@dataclass
class Step:
    """``op`` applied to ``args``: ("node", i) refers to node i, anything else is a constant."""

    op: str
    args: tuple
    params: dict = field(default_factory=dict)


@dataclass
class Program:
    nodes: list
    shapes: list
    seed: int
    grid: bool  # leaves hold small integers: ties everywhere, kinks at 0

    @property
    def leaves(self):
        return [i for i, node in enumerate(self.nodes) if isinstance(node, Leaf)]

    def leaf_values(self, rng):
        """One value per leaf, drawn from ``rng`` within the leaf's domain."""
        values = []
        for i in self.leaves:
            leaf = self.nodes[i]
            if self.grid:
                low = 1 if leaf.positive else -2
                value = rng.integers(low, 3, size=leaf.shape).astype(float)
            else:
                low = 0.25 if leaf.positive else -2.0
                value = rng.uniform(low, 2.0, size=leaf.shape)
            values.append(np.asarray(value, dtype=np.float64))
        return values


class _Builder:
    """The program being drawn: its nodes, their shapes and which are positive."""

    def __init__(self, draw):
        self.draw = draw
        self.nodes, self.shapes, self.positive = [], [], []

    def add(self, node, shape, positive):
        self.nodes.append(node)
        self.shapes.append(tuple(shape))
        self.positive.append(positive)
        return ("node", len(self.nodes) - 1)

    def leaf(self, shape, positive=False):
        return self.add(Leaf(tuple(shape), positive), shape, positive)

    def node(self, fits=lambda shape: True, shape=None, positive=False):
        """An earlier node that ``fits`` (and is positive if asked), or a new leaf."""
        candidates = [
            i for i, s in enumerate(self.shapes) if fits(s) and (self.positive[i] or not positive)
        ]
        if candidates and self.draw(st.integers(0, 3)) > 0:
            return ("node", self.draw(st.sampled_from(candidates)))
        if shape is None:
            shape = self.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=MAX_SIDE))
        return self.leaf(shape, positive)

    def shape_of(self, ref):
        return self.shapes[ref[1]]

    def is_positive(self, ref):
        return self.positive[ref[1]]

    def constant(self, shape, low=-2.0, high=2.0):
        seed = self.draw(st.integers(0, 2**16))
        return np.random.default_rng(seed).uniform(low, high, size=shape)


# --------------------------------------------------------------------------- the steps
# Each step builder appends one node applying ``op`` (drawing its inputs and parameters).
UNARY = [
    "exp",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "abs",
    "square",
    "negative",
    "neg_op",
    "identity",
    "selu",
    "mish",
]
POSITIVE_UNARY = ["log", "sqrt"]
BINARY = ["add", "subtract", "multiply", "maximum", "minimum", "add_op", "sub_op", "mul_op"]
POSITIVE_BINARY = ["divide", "div_op", "power", "pow_op"]
SCALAR = ["scalar_" + f for f in ("radd", "rsub", "mul", "rdiv", "pow_int", "pow_half", "rpow")]
LOSSES = [
    "squared_error",
    "softmax_cross_entropy",
    "sigmoid_binary_cross_entropy",
    "poisson_deviance_exp",
    "absolute_error",
    "huber",
    "pinball",
]


def _unary(b, op):
    x = b.node(positive=op in POSITIVE_UNARY)
    positive = op in ("exp", "sigmoid") or (
        op in ("abs", "square", "sqrt", "identity") and b.is_positive(x)
    )
    b.add(Step(op, (x,)), b.shape_of(x), positive)


def _broadcast_partner(b, shape):
    """A shape that broadcasts against ``shape``."""
    return b.draw(hnp.broadcastable_shapes(shape, min_dims=0, max_dims=3, max_side=MAX_SIDE))


def _compatible(shape):
    def fits(other):
        try:
            np.broadcast_shapes(shape, other)
        except ValueError:
            return False
        return True

    return fits


def _binary(b, op):
    x = b.node(positive=op in ("power", "pow_op"))
    shape = b.shape_of(x)
    y = b.node(
        _compatible(shape),
        shape=_broadcast_partner(b, shape),
        positive=op in ("divide", "div_op"),
    )
    args = (
        (x, y)
        if b.draw(st.booleans()) or op in ("divide", "div_op", "power", "pow_op")
        else (y, x)
    )
    out = np.broadcast_shapes(b.shape_of(args[0]), b.shape_of(args[1]))
    pos_x, pos_y = b.is_positive(args[0]), b.is_positive(args[1])
    base = {"add_op": "add", "sub_op": "subtract", "mul_op": "multiply", "div_op": "divide"}
    positive = {
        "add": pos_x and pos_y,
        "multiply": pos_x and pos_y,
        "maximum": pos_x or pos_y,
        "minimum": pos_x and pos_y,
        "divide": pos_x,
        "power": True,
        "pow_op": True,
    }.get(base.get(op, op), False)
    b.add(Step(op, args), out, positive)


def _scalar_arithmetic(b, op):
    """A Python number on either side of an operator (x * 2.0, 2.0 - x, x ** 3, 2.0 ** x)."""
    form = op.removeprefix("scalar_")
    x = b.node(positive=form in ("rdiv", "pow_half"))
    if form == "pow_int":
        c = b.draw(st.sampled_from([2, 3]))  # any base
    elif form == "pow_half":
        c = 0.5  # a positive base
    else:
        c = b.draw(st.sampled_from([0.5, 2.0, 3.0]))
    positive = form in ("rpow", "pow_half", "rdiv") or (
        form in ("radd", "mul") and b.is_positive(x)
    )
    b.add(Step("scalar_" + form, (x, c)), b.shape_of(x), positive)


def _axis(b, ndim, allow_tuple=True):
    """None, one axis (possibly negative) or, for two axes or more, a tuple of them."""
    choices = [None]
    if ndim:
        choices += list(range(-ndim, ndim))
    if allow_tuple and ndim >= 2:
        choices.append("tuple")
    axis = b.draw(st.sampled_from(choices))
    if axis == "tuple":
        axes = b.draw(st.lists(st.integers(0, ndim - 1), min_size=2, max_size=ndim, unique=True))
        axis = tuple(a - ndim if b.draw(st.booleans()) else a for a in axes)
    return axis


def _reduction(b, op):
    x = b.node()
    shape = b.shape_of(x)
    axis = _axis(b, len(shape))
    keepdims = b.draw(st.booleans())
    method = b.draw(st.booleans())
    out = np.zeros(shape).sum(axis=axis, keepdims=keepdims).shape
    b.add(
        Step(op, (x,), {"axis": axis, "keepdims": keepdims, "method": method}),
        out,
        b.is_positive(x),
    )


def _softmax_family(b, op):
    x = b.node(
        lambda s: len(s) >= 1, shape=b.draw(hnp.array_shapes(max_dims=3, max_side=MAX_SIDE))
    )
    shape = b.shape_of(x)
    axis = b.draw(st.integers(-len(shape), len(shape) - 1))
    params = {"axis": axis}
    out = shape
    if op == "logsumexp":
        params["keepdims"] = b.draw(st.booleans())
        out = np.zeros(shape).sum(axis=axis, keepdims=params["keepdims"]).shape
    b.add(Step(op, (x,), params), out, op == "softmax")


def _matmul(b, op):
    x = b.node(
        lambda s: len(s) >= 1, shape=b.draw(hnp.array_shapes(max_dims=3, max_side=MAX_SIDE))
    )
    shape = b.shape_of(x)
    k = shape[-1]
    n = b.draw(st.integers(1, MAX_SIDE))
    options = [(k,), (k, n)]
    if len(shape) == 3:
        options.append((shape[0], k, n))
    elif len(shape) <= 2:
        options.append((b.draw(st.integers(1, 3)), k, n))
    other = b.draw(st.sampled_from(options))
    y = b.node(
        lambda s: (
            len(s) >= 1
            and (s[0] if len(s) == 1 else s[-2]) == k
            and _matmul_shape(shape, s) is not None
        ),
        shape=other,
    )
    out = _matmul_shape(shape, b.shape_of(y))
    b.add(Step(op, (x, y)), out, b.is_positive(x) and b.is_positive(y))


def _matmul_shape(a, c):
    try:
        return np.matmul(np.zeros(a), np.zeros(c)).shape
    except ValueError:
        return None


def _transpose(b, op):
    x = b.node()
    shape = b.shape_of(x)
    form = b.draw(st.sampled_from(["function", "T", "method"]))
    axes = None
    if form != "T" and len(shape) >= 2 and b.draw(st.booleans()):
        axes = tuple(b.draw(st.permutations(range(len(shape)))))
    out = np.zeros(shape).transpose(axes).shape
    b.add(Step("transpose", (x,), {"axes": axes, "form": form}), out, b.is_positive(x))


def _reshape(b, op):
    x = b.node()
    size = int(np.prod(b.shape_of(x)))
    shapes = [s for s in _factorizations(size) if len(s) <= 3]
    shape = b.draw(st.sampled_from(shapes))
    written = shape
    if shape and b.draw(st.booleans()):
        written = tuple(-1 if i == 0 else s for i, s in enumerate(shape))
    method = b.draw(st.booleans())
    b.add(Step("reshape", (x,), {"shape": written, "method": method}), shape, b.is_positive(x))


def _factorizations(n, max_dims=3):
    out = [()] if n == 1 else []
    if max_dims == 0:
        return out
    for first in range(1, n + 1):
        if n % first == 0:
            out += [(first, *rest) for rest in _factorizations(n // first, max_dims - 1)]
    return out


def _index(b, op):
    x = b.node(
        lambda s: len(s) >= 1, shape=b.draw(hnp.array_shapes(max_dims=3, max_side=MAX_SIDE))
    )
    shape = b.shape_of(x)
    n = shape[0]
    kinds = ["int", "slice", "newaxis", "repeats", "mask"]
    if len(shape) >= 2:
        kinds += ["slice_int", "pairs"]
    kind = b.draw(st.sampled_from(kinds))
    if kind == "int":
        index = b.draw(st.integers(-n, n - 1))
    elif kind == "slice":
        start = b.draw(st.integers(0, n - 1))
        step = b.draw(st.sampled_from([1, 2, -1]))
        index = slice(start, None, step)
    elif kind == "newaxis":
        index = (None, Ellipsis, b.draw(st.integers(-shape[-1], shape[-1] - 1)))
    elif kind == "repeats":
        picks = b.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5))
        index = np.array(picks)
    elif kind == "mask":
        flat = b.draw(
            st.lists(st.booleans(), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
        )
        flat[b.draw(st.integers(0, len(flat) - 1))] = True  # never empty
        index = np.array(flat).reshape(shape)
    elif kind == "slice_int":
        index = (slice(None), b.draw(st.integers(-shape[1], shape[1] - 1)))
    else:
        m = b.draw(st.integers(1, 4))
        rows = b.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
        cols = b.draw(st.lists(st.integers(0, shape[1] - 1), min_size=m, max_size=m))
        index = (np.array(rows), np.array(cols))
    out = np.zeros(shape)[index].shape
    b.add(Step("getitem", (x,), {"index": index}), out, b.is_positive(x))


def _layer(b, op):
    """affine or dense: x @ W + b, with W and b nodes and x a node or constant data."""
    n, k, m = (b.draw(st.integers(1, MAX_SIDE)) for _ in range(3))
    if b.draw(st.booleans()):
        x = b.node(lambda s: len(s) == 2, shape=(n, k))
        n, k = b.shape_of(x)
        sparse = False
    else:
        x, sparse = b.constant((n, k)), b.draw(st.booleans())
    W = b.node(lambda s: len(s) == 2 and s[0] == k, shape=(k, m))
    m = b.shape_of(W)[1]
    bias_shapes = [(m,), (1, m)] if op == "affine" else [(m,)]
    bias = b.node(lambda s: s in bias_shapes, shape=b.draw(st.sampled_from(bias_shapes)))
    params = {"sparse": sparse}
    if op == "dense":
        params["activation"] = b.draw(st.sampled_from(["identity", "relu", "tanh", "logistic"]))
    b.add(Step(op, (x, W, bias), params), (n, m), params.get("activation") == "logistic")


def _loss(b, op):
    min_dims = 2 if op == "softmax_cross_entropy" else 0
    shape = b.draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, max_side=MAX_SIDE))
    prediction = b.node(lambda s: len(s) >= min_dims, shape=shape)
    shape = b.shape_of(prediction)
    positive_target = op == "poisson_deviance_exp"
    if b.draw(st.booleans()):
        target = b.node(lambda s: s == shape, shape=shape, positive=positive_target)
    elif op == "softmax_cross_entropy":
        labels = b.constant(shape[:-1], 0, shape[-1]).astype(int)
        target = np.eye(shape[-1])[labels]
    elif op == "sigmoid_binary_cross_entropy":
        target = (b.constant(shape) > 0).astype(float)
    else:
        target = b.constant(shape, 0.25 if positive_target else -2.0)
    args = (prediction, target)
    if shape and b.draw(st.booleans()):
        args += (b.constant(shape[:1], 0.1, 3.0),)
    params = {}
    if op == "huber":
        params["epsilon"] = b.draw(st.sampled_from([0.1, 1.0, 1.5]))
    elif op == "pinball":
        params["quantile"] = b.draw(st.sampled_from([0.1, 0.5, 0.9]))
    # A loss can be 0, or negative for a general target: never known positive.
    b.add(Step(op, args, params), (), False)


def _penalty(b, op):
    weights = tuple(b.node() for _ in range(b.draw(st.integers(1, 3))))
    scale = b.draw(st.sampled_from([0.1, 1.0, 2.5]))
    b.add(Step(op, weights, {"scale": scale}), (), False)  # 0 for zero weights


def _parametric_activation(b, op):
    """x + alpha (f(x) - x) with one alpha per column of a 2-D x."""
    x = b.node(lambda s: len(s) == 2, shape=tuple(b.draw(st.integers(1, MAX_SIDE)) for _ in "nm"))
    m = b.shape_of(x)[1]
    alpha = b.node(lambda s: s == (m,), shape=(m,))
    activation = b.draw(st.sampled_from(["selu", "mish"]))
    b.add(Step(op, (x, alpha), {"activation": activation}), b.shape_of(x), False)


def _cos_embedding(b, op):
    """cos(2 pi x[:, j] w[j, l] + c[j, l]) of a 2-D x."""
    n, d, k = (b.draw(st.integers(1, MAX_SIDE)) for _ in range(3))
    x = b.node(lambda s: len(s) == 2, shape=(n, d))
    n, d = b.shape_of(x)
    w = b.node(lambda s: len(s) == 2 and s[0] == d, shape=(d, k))
    k = b.shape_of(w)[1]
    c = b.node(lambda s: s == (d, k), shape=(d, k))
    b.add(Step(op, (x, w, c)), (n, d, k), False)


def _feature_linear(b, op):
    """h[:, j, :] @ W[j] + c[j] of a 3-D h."""
    n, d, k, m = (b.draw(st.integers(1, MAX_SIDE)) for _ in range(4))
    h = b.node(lambda s: len(s) == 3, shape=(n, d, k))
    n, d, k = b.shape_of(h)
    W = b.node(lambda s: len(s) == 3 and s[:2] == (d, k), shape=(d, k, m))
    m = b.shape_of(W)[2]
    c = b.node(lambda s: s == (d, m), shape=(d, m))
    b.add(Step(op, (h, W, c)), (n, d, m), False)


def _concatenate(b, op):
    """One to three nodes side by side along their last axis."""
    first = b.node(lambda s: len(s) >= 1, shape=(b.draw(st.integers(1, MAX_SIDE)),) * 2)
    shape = b.shape_of(first)
    parts = [first]
    for _ in range(b.draw(st.integers(0, 2))):
        width = b.draw(st.integers(1, MAX_SIDE))
        parts.append(
            b.node(
                lambda s, lead=shape[:-1]: s[:-1] == lead and len(s) >= 1,
                shape=(*shape[:-1], width),
            )
        )
    total = sum(b.shape_of(p)[-1] for p in parts)
    b.add(Step(op, tuple(parts)), (*shape[:-1], total), False)


def _embedding_lookup(b, op):
    """Rows of a 2-D table picked by constant indices, some picked twice."""
    table = b.node(lambda s: len(s) == 2, shape=(b.draw(st.integers(1, MAX_SIDE)), 2))
    rows, width = b.shape_of(table)
    n = b.draw(st.integers(1, 2 * MAX_SIDE))
    indices = np.floor(b.constant((n,), 0, rows)).astype(int).clip(0, rows - 1)
    b.add(Step(op, (table, indices)), (n, width), False)


def _builders():
    builders = dict.fromkeys(UNARY + POSITIVE_UNARY, _unary)
    builders |= dict.fromkeys(BINARY + POSITIVE_BINARY, _binary)
    builders |= dict.fromkeys(SCALAR, _scalar_arithmetic)
    builders |= dict.fromkeys(("sum", "mean", "max", "min"), _reduction)
    builders |= dict.fromkeys(("softmax", "log_softmax", "logsumexp"), _softmax_family)
    builders |= {"matmul": _matmul, "matmul_op": _matmul, "transpose": _transpose}
    builders |= {"reshape": _reshape, "getitem": _index, "affine": _layer, "dense": _layer}
    builders |= dict.fromkeys(LOSSES, _loss)
    builders |= {"l1_penalty": _penalty, "l2_penalty": _penalty}
    builders |= {
        "parametric_activation": _parametric_activation,
        "cos_embedding": _cos_embedding,
        "feature_linear": _feature_linear,
        "concatenate": _concatenate,
        "embedding_lookup": _embedding_lookup,
    }
    return builders


BUILDERS = _builders()
OPERATIONS = sorted(BUILDERS)


@st.composite
def programs(draw, last, max_steps=5):
    """Up to ``max_steps`` random steps over every operation, then a step applying
    ``last``: the program's output."""
    b = _Builder(draw)
    for _ in range(draw(st.integers(0, max_steps))):
        op = draw(st.sampled_from(OPERATIONS))
        BUILDERS[op](b, op)
    BUILDERS[last](b, last)
    return Program(b.nodes, b.shapes, seed=draw(st.integers(0, 2**16)), grid=draw(st.booleans()))
