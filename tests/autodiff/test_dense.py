"""The fused hidden layer against finite differences and against affine + activation."""

import numpy as np
import pytest
from scipy import sparse

from skbackprop.autodiff import (
    Graph,
    Tensor,
    affine,
    check_grad,
    dense,
    l2_penalty,
    relu,
    sigmoid,
    tanh,
)

COMPOSED = {"identity": lambda z: z, "relu": relu, "tanh": tanh, "logistic": sigmoid}


def _inputs(seed=0, x_grad=True):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.normal(size=(5, 3)), requires_grad=x_grad)
    W = Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    b = Tensor(rng.normal(size=4), requires_grad=True)
    return x, W, b


@pytest.mark.parametrize("activation", sorted(COMPOSED))
def test_gradient_matches_finite_differences(activation):
    x, W, b = _inputs()
    weights = np.random.default_rng(1).normal(size=(5, 4))
    # A weighted sum, so every output's derivative is checked (not only their total).
    error = check_grad(lambda x, W, b: (dense(x, W, b, activation) * weights).sum(), x, W, b)
    assert error < 1e-7


@pytest.mark.parametrize("activation", sorted(COMPOSED))
def test_equals_affine_then_activation(activation):
    weights = np.random.default_rng(1).normal(size=(5, 4))
    fused_in, composed_in = _inputs(), _inputs()
    fused = dense(*fused_in, activation)
    composed = COMPOSED[activation](affine(*composed_in))
    np.testing.assert_allclose(fused.value, composed.value, rtol=1e-14)
    (fused * weights).sum().backward()
    (composed * weights).sum().backward()
    for a, b in zip(fused_in, composed_in):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-12, atol=1e-14)


def test_data_input_gets_no_gradient_and_may_be_sparse():
    x, W, b = _inputs(x_grad=False)
    dense(x, W, b, "tanh").sum().backward()
    assert x.grad is None
    expected = W.grad.copy()
    W.grad = None
    dense(Tensor(sparse.csr_matrix(x.value)), W, b, "tanh").sum().backward()
    np.testing.assert_allclose(W.grad, expected, rtol=1e-12)


def test_float32_stays_float32():
    x, W, b = (Tensor(t.value.astype(np.float32), requires_grad=True) for t in _inputs())
    out = dense(x, W, b, "logistic")
    out.sum().backward()
    assert out.value.dtype == W.grad.dtype == b.grad.dtype == np.float32


def test_bad_shapes_and_names_are_explained():
    x, W, b = _inputs()
    with pytest.raises(ValueError, match="x has 3 columns but W has 2 rows"):
        dense(x, Tensor(np.ones((2, 4))), b)
    with pytest.raises(ValueError, match="b of shape \\(m,\\)"):
        dense(x, W, Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        dense(x, W, b, "softplus")


def _flat(*shapes, rng=None):
    """Leaves over one flat buffer, with the buffer and its gradient buffer."""
    rng = rng or np.random.default_rng(4)
    sizes = [int(np.prod(shape)) for shape in shapes]
    values = rng.normal(size=sum(sizes))
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    leaves = [
        Tensor(values[a:b].reshape(shape), requires_grad=True)
        for a, b, shape in zip(offsets[:-1], offsets[1:], shapes)
    ]
    return values, np.full(values.size, np.nan), leaves


@pytest.mark.parametrize("layer", ["dense", "affine"])
def test_a_flat_graph_has_layers_write_into_the_gradient_buffer(layer):
    x = Tensor(np.random.default_rng(2).normal(size=(5, 3)))
    values, flat_grad, (W, b) = _flat((3, 4), (4,))
    op = dense if layer == "dense" else (lambda x, W, b, _: affine(x, W, b))
    out = op(x, W, b, "tanh")
    Graph((out * out).sum(), parameters=values, gradient=flat_grad).backward()
    W_plain, b_plain = (Tensor(t.value.copy(), requires_grad=True) for t in (W, b))
    out = op(x, W_plain, b_plain, "tanh")
    (out * out).sum().backward()
    # The gradients are views of the flat buffer, written in place by the layer.
    assert np.shares_memory(W.grad, flat_grad)
    assert out.op.grad_out is None
    np.testing.assert_array_equal(flat_grad, np.concatenate([W_plain.grad.ravel(), b_plain.grad]))


def test_a_flat_parameter_used_twice_sums_both_paths():
    # W and b feed two layers: the two contributions must be summed, not written over
    # each other in one buffer.
    x = Tensor(np.random.default_rng(2).normal(size=(5, 3)))
    x2 = Tensor(np.random.default_rng(3).normal(size=(5, 3)))
    values, flat_grad, (W, b) = _flat((3, 4), (4,))

    def cost(W, b):
        return (dense(x, W, b, "tanh") * dense(x2, W, b, "tanh")).sum()

    assert check_grad(cost, W, b) < 1e-7
    cost(W, b).backward()
    expected = np.concatenate([W.grad.ravel(), b.grad])
    Graph(cost(W, b), parameters=values, gradient=flat_grad).backward()
    np.testing.assert_allclose(flat_grad, expected, rtol=1e-14)


def test_overlapping_flat_leaves_sum_and_uncovered_parameters_are_zero():
    x = Tensor(np.random.default_rng(2).normal(size=(5, 3)))
    values, flat_grad, (W, b, _unused) = _flat((3, 4), (4,), (2,))
    every = Tensor(values, requires_grad=True)  # all the parameters at once
    h = dense(x, W, b, "relu")
    cost = (h * h).sum() + l2_penalty(every, scale=0.5)
    Graph(cost, parameters=values, gradient=flat_grad).backward()
    W_plain, b_plain = (Tensor(t.value.copy(), requires_grad=True) for t in (W, b))
    h = dense(x, W_plain, b_plain, "relu")
    (h * h).sum().backward()
    expected = np.concatenate([W_plain.grad.ravel(), b_plain.grad, np.zeros(2)]) + 0.5 * values
    np.testing.assert_allclose(flat_grad, expected, rtol=1e-14)
    np.testing.assert_array_equal(every.grad, flat_grad)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_flat_penalty_adds_its_gradient_into_the_buffer_on_every_replay(dtype):
    # The penalty's leaf overlaps the layer's: the penalty adds scale * W into the
    # buffer itself after the layer wrote its part (no array for its gradient).
    x = Tensor(np.random.default_rng(2).normal(size=(5, 3)).astype(dtype))
    values, flat_grad, (W, b) = _flat((3, 4), (4,))
    values, flat_grad = values.astype(dtype), flat_grad.astype(dtype)
    W, b = (
        Tensor(values[:12].reshape(3, 4), requires_grad=True),
        Tensor(values[12:], requires_grad=True),
    )
    weights = Tensor(values[:12], requires_grad=True)
    cost = dense(x, W, b, "relu").sum() + l2_penalty(weights, scale=0.25)
    graph = Graph(cost, parameters=values, gradient=flat_grad)
    W_plain, b_plain = (Tensor(t.value.copy(), requires_grad=True) for t in (W, b))
    for _ in range(2):
        graph.forward()
        graph.backward()
        W_plain.grad = b_plain.grad = None
        dense(x, W_plain, b_plain, "relu").sum().backward()
        expected = np.concatenate([W_plain.grad.ravel() + 0.25 * values[:12], b_plain.grad])
        np.testing.assert_allclose(
            flat_grad, expected, rtol=1e-6 if dtype == np.float32 else 1e-14
        )
        assert weights.grad.base is flat_grad or np.shares_memory(weights.grad, flat_grad)


def test_a_flat_graph_fills_the_buffer_for_a_sparse_batch():
    x = np.random.default_rng(2).normal(size=(5, 3))
    x[x < 0] = 0.0
    values, flat_grad, (W, b) = _flat((3, 4), (4,))
    Graph(
        dense(sparse.csr_matrix(x), W, b, "relu").sum(), parameters=values, gradient=flat_grad
    ).backward()
    W_plain, b_plain = (Tensor(t.value.copy(), requires_grad=True) for t in (W, b))
    dense(Tensor(x), W_plain, b_plain, "relu").sum().backward()
    np.testing.assert_allclose(
        flat_grad, np.concatenate([W_plain.grad.ravel(), b_plain.grad]), rtol=1e-14
    )


def test_a_flat_graph_needs_a_matching_gradient_buffer():
    values, _, (W,) = _flat((3,))
    with pytest.raises(ValueError, match="gradient="):
        Graph(W.sum(), parameters=values, gradient=np.zeros(2))


@pytest.mark.parametrize("n_out", [1, 3])
def test_the_input_gradient_is_the_product_with_the_weights_transposed(n_out):
    # With one output unit it is computed as an outer product: the very same numbers.
    from skbackprop.autodiff.dense import input_gradient

    rng = np.random.default_rng(7)
    delta, W = rng.normal(size=(6, n_out)), rng.normal(size=(4, n_out))
    np.testing.assert_array_equal(input_gradient(delta, W), delta @ W.T)
    x = Tensor(rng.normal(size=(6, 4)), requires_grad=True)
    W_leaf = Tensor(W, requires_grad=True)
    b = Tensor(np.zeros(n_out), requires_grad=True)
    assert check_grad(lambda x: (affine(x, W_leaf, b) ** 2).sum(), x) < 1e-7
    assert check_grad(lambda x: (dense(x, W_leaf, b, "tanh") ** 2).sum(), x) < 1e-7
