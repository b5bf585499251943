"""The engine against an independent reverse-mode library, on random programs.

hypothesis draws programs over every public operation of ``skbackprop.autodiff``
(:mod:`differential_programs`); each is run by skbackprop and by ``autograd``, whose rules
were written by other people. Every node's value and every leaf's gradient must agree to
1e-9 in float64, first with ``Tensor.backward`` and again after the leaves are given new
values and a :class:`~skbackprop.autodiff.Graph` replays the program. The references below
are the operations' defining formulas, written with autograd's numpy; where a rule is a
convention (relu'(0) = 0, |x|'(0) = 0, the absolute error's and pinball loss's slope 0
where a prediction equals its target, ties of max/min split evenly) they state the
convention skbackprop documents.
"""

import numpy as np
import pytest
from differential_programs import LOSSES, OPERATIONS, Leaf, programs
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from scipy import sparse

from skbackprop import autodiff as ad

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")
special = pytest.importorskip("autograd.scipy.special")

RTOL = ATOL = 1e-9
BOUND = 1e4  # programs whose values leave [-BOUND, BOUND] are rejected: no overflow


# --------------------------------------------------------------------------- skbackprop
def _scalar(form, x, c):
    """A Python number on one side of an operator: the same code for both engines."""
    return {
        "radd": lambda: c + x,
        "rsub": lambda: c - x,
        "mul": lambda: x * c,
        "rdiv": lambda: c / x,
        "pow_int": lambda: x**c,
        "pow_half": lambda: x**c,
        "rpow": lambda: c**x,
    }[form]()


def _reduce_ours(op, x, axis, keepdims, method):
    if method:
        return getattr(x, op)(axis=axis, keepdims=keepdims)
    return getattr(ad, op)(x, axis=axis, keepdims=keepdims)


OURS = {
    "exp": ad.exp,
    "log": ad.log,
    "sin": ad.sin,
    "cos": ad.cos,
    "tanh": ad.tanh,
    "sigmoid": ad.sigmoid,
    "relu": ad.relu,
    "abs": ad.abs,
    "sqrt": ad.sqrt,
    "square": ad.square,
    "negative": ad.negative,
    "neg_op": lambda x: -x,
    "add": ad.add,
    "subtract": ad.subtract,
    "multiply": ad.multiply,
    "divide": ad.divide,
    "power": ad.power,
    "maximum": ad.maximum,
    "minimum": ad.minimum,
    "add_op": lambda x, y: x + y,
    "sub_op": lambda x, y: x - y,
    "mul_op": lambda x, y: x * y,
    "div_op": lambda x, y: x / y,
    "pow_op": lambda x, y: x**y,
    "matmul": ad.matmul,
    "matmul_op": lambda x, y: x @ y,
    "softmax": ad.softmax,
    "log_softmax": ad.log_softmax,
    "logsumexp": ad.logsumexp,
    "squared_error": ad.squared_error,
    "softmax_cross_entropy": ad.softmax_cross_entropy,
    "sigmoid_binary_cross_entropy": ad.sigmoid_binary_cross_entropy,
    "poisson_deviance_exp": ad.poisson_deviance_exp,
    "absolute_error": ad.absolute_error,
    "huber": ad.huber,
    "pinball": ad.pinball,
    "identity": ad.identity,
    "selu": ad.selu,
    "mish": ad.mish,
    "cos_embedding": ad.cos_embedding,
    "feature_linear": ad.feature_linear,
    "embedding_lookup": ad.embedding_lookup,
}


def run_ours(step, args):
    op, params = step.op, step.params
    if op.startswith("scalar_"):
        return _scalar(op.removeprefix("scalar_"), *args)
    if op in ("sum", "mean", "max", "min"):
        return _reduce_ours(op, *args, params["axis"], params["keepdims"], params["method"])
    if op == "transpose":
        (x,) = args
        if params["form"] == "T":
            return x.T
        if params["form"] == "method":
            return x.transpose(*(params["axes"] or ()))
        return ad.transpose(x, params["axes"])
    if op == "reshape":
        (x,) = args
        shape = params["shape"]
        return x.reshape(*shape) if params["method"] and shape else ad.reshape(x, shape)
    if op == "getitem":
        return args[0][params["index"]]
    if op in ("affine", "dense"):
        x, W, b = args
        if params["sparse"]:
            x = sparse.csr_matrix(x)
        if op == "affine":
            return ad.affine(x, W, b)
        return ad.dense(x, W, b, params["activation"])
    if op in ("l1_penalty", "l2_penalty"):
        return getattr(ad, op)(*args, scale=params["scale"])
    if op == "parametric_activation":
        return ad.parametric_activation(*args, params["activation"])
    if op == "concatenate":
        return ad.concatenate(list(args))
    if op in ("softmax", "log_softmax", "logsumexp", "huber", "pinball"):
        return OURS[op](*args, **params)
    return OURS[op](*args)


# --------------------------------------------------------------------------- autograd
def _logsumexp(z, axis, keepdims=True):
    return special.logsumexp(z, axis=axis, keepdims=keepdims)


def _rows(per_element, weight):
    """The losses' convention: sum each row over its columns, average the rows."""
    if per_element.ndim == 0:
        return per_element
    n = per_element.shape[0]
    rows = anp.sum(anp.reshape(per_element, (n, -1)), axis=1)
    if weight is None:
        return anp.sum(rows) / n
    return anp.sum(rows * weight) / np.sum(weight)


def _relu(x):
    # The kinks take skbackprop's documented conventions: relu'(0) = 0 (scikit-learn's).
    return anp.where(x > 0, x, 0.0)


def _loss_reference(op, params, prediction, target, weight=None):
    z, y = prediction, target
    r = z - y
    if op == "absolute_error":
        per = anp.abs(r)  # slope sign(0) = 0 at a tie
    elif op == "pinball":
        q = params["quantile"]
        per = (1 - q) * _relu(r) + q * _relu(-r)  # slope 0 at a tie
    elif op == "huber":
        eps = params["epsilon"]
        per = anp.where(anp.abs(r) <= eps, 0.5 * r * r, eps * (anp.abs(r) - eps / 2))
    elif op == "squared_error":
        per = 0.5 * (z - y) ** 2
    elif op == "softmax_cross_entropy":
        per = -y * (z - _logsumexp(z, axis=-1))
    elif op == "sigmoid_binary_cross_entropy":
        per = anp.logaddexp(0.0, z) - y * z
    else:  # half the Poisson deviance of mu = exp(z)
        per = y * anp.log(y) - y * z - y + anp.exp(z)
    return _rows(per, weight)


REFERENCE = {
    "exp": anp.exp,
    "log": anp.log,
    "sin": anp.sin,
    "cos": anp.cos,
    "tanh": anp.tanh,
    "sigmoid": lambda x: 0.5 * (anp.tanh(x / 2) + 1),
    "relu": _relu,
    "abs": anp.abs,
    "sqrt": anp.sqrt,
    "square": lambda x: x * x,
    "negative": anp.negative,
    "neg_op": anp.negative,
    "add": anp.add,
    "subtract": anp.subtract,
    "multiply": anp.multiply,
    "divide": anp.divide,
    "power": anp.power,
    "maximum": anp.maximum,
    "minimum": anp.minimum,
    "add_op": anp.add,
    "sub_op": anp.subtract,
    "mul_op": anp.multiply,
    "div_op": anp.divide,
    "pow_op": anp.power,
    "matmul": anp.matmul,
    "matmul_op": anp.matmul,
    "identity": lambda x: x,
}


def _selu(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * anp.where(x > 0, x, alpha * (anp.exp(x) - 1))


def _mish(x):
    return x * anp.tanh(anp.logaddexp(0.0, x))


REFERENCE |= {
    "selu": _selu,
    "mish": _mish,
    "parametric_activation": None,  # in run_reference: it has a parameter
    "cos_embedding": lambda x, w, c: anp.cos(2 * np.pi * x[:, :, None] * w + c),
    "feature_linear": lambda h, W, c: anp.einsum("ndk,dkm->ndm", h, W) + c,
    "embedding_lookup": lambda table, indices: table[indices],
}

ACTIVATIONS = {
    "identity": lambda z: z,
    "relu": REFERENCE["relu"],
    "tanh": anp.tanh,
    "logistic": REFERENCE["sigmoid"],
}


def run_reference(step, args):
    op, params = step.op, step.params
    if op.startswith("scalar_"):
        return _scalar(op.removeprefix("scalar_"), *args)
    if op in ("sum", "mean", "max", "min"):
        return getattr(anp, op)(args[0], axis=params["axis"], keepdims=params["keepdims"])
    if op == "transpose":
        return anp.transpose(args[0], params["axes"])
    if op == "reshape":
        return anp.reshape(args[0], params["shape"])
    if op == "getitem":
        return args[0][params["index"]]
    if op in ("affine", "dense"):
        x, W, b = args
        z = anp.matmul(x, W) + b
        return z if op == "affine" else ACTIVATIONS[params["activation"]](z)
    if op == "l2_penalty":
        return params["scale"] / 2 * sum(anp.sum(w * w) for w in args)
    if op == "l1_penalty":
        return params["scale"] * sum(anp.sum(anp.abs(w)) for w in args)
    if op == "softmax":
        z = args[0]
        return anp.exp(z - _logsumexp(z, params["axis"]))
    if op == "log_softmax":
        z = args[0]
        return z - _logsumexp(z, params["axis"])
    if op == "logsumexp":
        return _logsumexp(args[0], params["axis"], params["keepdims"])
    if op in LOSSES:
        return _loss_reference(op, params, *args)
    if op == "parametric_activation":
        x, alpha = args
        f = {"selu": _selu, "mish": _mish}[params["activation"]]
        return x + alpha * (f(x) - x)
    if op == "concatenate":
        return anp.concatenate(args, axis=-1)
    return REFERENCE[op](*args)


# --------------------------------------------------------------------------- interpreting
def evaluate(program, leaf_values, run, leaf=lambda value: value):
    """Every node's value, the program run by ``run`` on ``leaf``-wrapped leaf values."""
    values = iter(leaf_values)
    nodes = []
    for node in program.nodes:
        if isinstance(node, Leaf):
            nodes.append(leaf(next(values)))
            continue
        args = [nodes[a[1]] if _is_ref(a) else a for a in node.args]
        nodes.append(run(node, args))
    return nodes


def _is_ref(arg):
    return isinstance(arg, tuple) and len(arg) == 2 and arg[0] == "node"


def output_weight(program):
    """A fixed random weighting that turns the last node into a scalar objective."""
    shape = program.shapes[-1]
    return np.random.default_rng(program.seed + 1).normal(size=shape)


def reference_objective(program, weight):
    def objective(leaf_values):
        return anp.sum(evaluate(program, leaf_values, run_reference)[-1] * weight)

    return objective


def assert_close(ours, theirs, what):
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=what)


def check_against_reference(program, nodes, leaves, leaf_values, weight, computed=None):
    """Compare every node's value (only those in ``computed``, if given) and every leaf's
    gradient with autograd's, at ``leaf_values``."""
    objective = reference_objective(program, weight)
    expected_nodes = evaluate(program, leaf_values, run_reference)
    for i, (node, expected) in enumerate(zip(nodes, expected_nodes)):
        if computed is not None and node not in computed:
            continue  # a dead branch: a Graph replays only what the output depends on
        assert node.value.shape == np.shape(expected), f"node {i}: shape"
        assert_close(node.value, expected, f"node {i} ({program.nodes[i]}): value")
    expected_grads = autograd.grad(objective)(leaf_values)
    for i, (tensor, expected) in enumerate(zip(leaves, expected_grads)):
        got = np.zeros_like(expected) if tensor.grad is None else tensor.grad
        assert got.shape == expected.shape, f"leaf {i}: gradient shape"
        assert_close(got, expected, f"leaf {i}: gradient")


def bounded(program, leaf_values):
    with np.errstate(all="ignore"):
        values = evaluate(program, leaf_values, run_reference)
    return all(np.all(np.abs(v) < BOUND) for v in values)


@pytest.mark.parametrize("last", OPERATIONS)
@settings(
    max_examples=8,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_engine_agrees_with_autograd(last, data):
    program = data.draw(programs(last), label="program")
    for node in program.nodes:  # shown by pytest --hypothesis-show-statistics
        event(node.op if not isinstance(node, Leaf) else "leaf")
    rng = np.random.default_rng(program.seed)
    first, second = program.leaf_values(rng), program.leaf_values(rng)
    assume(bounded(program, first) and bounded(program, second))
    weight = output_weight(program)

    leaves = []

    def make_leaf(value):
        leaves.append(ad.Tensor(value.copy(), requires_grad=True))
        return leaves[-1]

    nodes = evaluate(program, first, run_ours, make_leaf)
    objective = (nodes[-1] * weight).sum()
    objective.backward()
    check_against_reference(program, nodes, leaves, first, weight)

    # The same graph replayed on new leaf values, written into the leaves' buffers.
    graph = ad.Graph(objective)
    in_graph = set(graph.order)
    if any(node not in in_graph for node in nodes):
        event("has a dead branch")
    uses = [p for node in graph.order for p in node.parents if p.requires_grad]
    if len(uses) != len(set(uses)):
        event("has a shared sub-expression")
    for tensor, value in zip(leaves, second):
        tensor.value[...] = value
    graph.forward()
    graph.backward()
    check_against_reference(program, nodes, leaves, second, weight, in_graph)


# Not operations: the graph machinery (Graph is exercised above by the replay) and tools
# (l1_min_norm_subgradient is a numpy convergence measure, with its own finite-difference
# tests, not a node of a graph).
NOT_OPERATIONS = {
    "l1_min_norm_subgradient",
    "Graph",
    "Operation",
    "Tensor",
    "apply",
    "as_tensor",
    "check_grad",
    "numerical_grad",
    "to_dot",
    "topological_order",
    "unbroadcast",
}


def test_every_public_operation_is_drawn():
    missing = set(ad.__all__) - NOT_OPERATIONS - set(OPERATIONS)
    assert not missing, (
        f"skbackprop.autodiff exports {sorted(missing)} but the differential test never "
        "draws them: give each a step builder in differential_programs.py and a reference "
        "formula in test_differential.py."
    )
