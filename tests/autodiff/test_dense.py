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
    """Leaves over one flat buffer, a flat gradient buffer (NaN until written) and the
    ``gradients`` map of each leaf to its view of it."""
    rng = rng or np.random.default_rng(4)
    sizes = [int(np.prod(shape)) for shape in shapes]
    values = rng.normal(size=sum(sizes))
    flat_grad = np.full(values.size, np.nan)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    leaves, gradients = [], {}
    for a, b, shape in zip(offsets[:-1], offsets[1:], shapes):
        leaf = Tensor(values[a:b].reshape(shape), requires_grad=True)
        leaves.append(leaf)
        gradients[leaf] = flat_grad[a:b].reshape(shape)
    return flat_grad, leaves, gradients


@pytest.mark.parametrize("layer", ["dense", "affine"])
def test_layers_write_their_gradients_into_the_given_arrays(layer):
    x = Tensor(np.random.default_rng(2).normal(size=(5, 3)))
    flat_grad, (W, b), gradients = _flat((3, 4), (4,))
    op = dense if layer == "dense" else (lambda x, W, b, _: affine(x, W, b))
    out = op(x, W, b, "tanh")
    Graph((out * out).sum(), gradients=gradients).backward()
    W_plain, b_plain = (Tensor(t.value.copy(), requires_grad=True) for t in (W, b))
    out = op(x, W_plain, b_plain, "tanh")
    (out * out).sum().backward()
    # Each leaf's .grad is then its array: a view of the flat buffer.
    assert W.grad is gradients[W]
    assert b.grad is gradients[b]
    np.testing.assert_array_equal(flat_grad, np.concatenate([W_plain.grad.ravel(), b_plain.grad]))


def test_a_parameter_used_twice_gets_the_sum_of_both_paths_in_its_array():
    # W and b feed two layers: the two contributions must be summed, not written over
    # each other in one buffer.
    x = Tensor(np.random.default_rng(2).normal(size=(5, 3)))
    x2 = Tensor(np.random.default_rng(3).normal(size=(5, 3)))
    flat_grad, (W, b), gradients = _flat((3, 4), (4,))

    def cost(W, b):
        return (dense(x, W, b, "tanh") * dense(x2, W, b, "tanh")).sum()

    assert check_grad(cost, W, b) < 1e-7
    cost(W, b).backward()
    expected = np.concatenate([W.grad.ravel(), b.grad])
    Graph(cost(W, b), gradients=gradients).backward()
    np.testing.assert_allclose(flat_grad, expected, rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_arrays_hold_the_last_backward_pass_on_every_replay(dtype):
    x = Tensor(np.random.default_rng(2).normal(size=(5, 3)).astype(dtype))
    W = Tensor(np.random.default_rng(3).normal(size=(3, 4)).astype(dtype), requires_grad=True)
    b = Tensor(np.zeros(4, dtype), requires_grad=True)
    flat_grad = np.zeros(16, dtype)
    gradients = {W: flat_grad[:12].reshape(3, 4), b: flat_grad[12:]}
    graph = Graph(dense(x, W, b, "relu").sum() + l2_penalty(W, scale=0.25), gradients=gradients)
    W_plain, b_plain = (Tensor(t.value.copy(), requires_grad=True) for t in (W, b))
    for step in range(2):
        x.value[...] = np.random.default_rng(10 + step).normal(size=(5, 3))
        graph.forward()
        graph.backward()
        dense(x, W_plain, b_plain, "relu").sum().backward()
        expected = np.concatenate([W_plain.grad.ravel() + 0.25 * W.value.ravel(), b_plain.grad])
        rtol = 1e-6 if dtype == np.float32 else 1e-14
        np.testing.assert_allclose(flat_grad, expected, rtol=rtol)
        assert flat_grad.dtype == dtype


def test_a_sparse_batch_fills_the_arrays_too():
    x = np.random.default_rng(2).normal(size=(5, 3))
    x[x < 0] = 0.0
    flat_grad, (W, b), gradients = _flat((3, 4), (4,))
    Graph(dense(sparse.csr_matrix(x), W, b, "relu").sum(), gradients=gradients).backward()
    W_plain, b_plain = (Tensor(t.value.copy(), requires_grad=True) for t in (W, b))
    dense(Tensor(x), W_plain, b_plain, "relu").sum().backward()
    np.testing.assert_allclose(
        flat_grad, np.concatenate([W_plain.grad.ravel(), b_plain.grad]), rtol=1e-14
    )


def test_a_gradients_map_is_checked():
    _, (W, unused), _ = _flat((3,), (2,))
    with pytest.raises(ValueError, match="a writeable ndarray of its shape"):
        Graph(W.sum(), gradients={W: np.zeros(2)})
    with pytest.raises(ValueError, match="is not one"):
        Graph(W.sum(), gradients={unused: np.zeros(2)})
    with pytest.raises(ValueError, match="writeable"):
        Graph(W.sum(), gradients={W: np.broadcast_to(0.0, (3,))})


@pytest.mark.parametrize("n_out", [1, 3])
def test_the_input_gradient_is_the_product_with_the_weights_transposed(n_out):
    rng = np.random.default_rng(7)
    x = Tensor(rng.normal(size=(6, 4)), requires_grad=True)
    W_leaf = Tensor(rng.normal(size=(4, n_out)), requires_grad=True)
    b = Tensor(np.zeros(n_out), requires_grad=True)
    assert check_grad(lambda x: (affine(x, W_leaf, b) ** 2).sum(), x) < 1e-7
    assert check_grad(lambda x: (dense(x, W_leaf, b, "tanh") ** 2).sum(), x) < 1e-7
