"""The fused hidden layer against finite differences and against affine + activation."""

import numpy as np
import pytest
from scipy import sparse

from skbackprop.autodiff import (
    Tensor,
    affine,
    check_grad,
    dense,
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


@pytest.mark.parametrize("layer", ["dense", "affine"])
def test_grad_out_receives_the_parameter_gradients(layer):
    def build(grad_out):
        x, W, b = _inputs(x_grad=False)
        if layer == "dense":
            out = dense(x, W, b, "tanh", grad_out=grad_out)
        else:
            out = affine(x, W, b, grad_out=grad_out)
        (out * out).sum().backward()
        return W, b

    buffers = (np.full((3, 4), np.nan), np.full(4, np.nan))
    W, b = build(buffers)
    W_plain, b_plain = build(None)
    # The gradients are the buffers themselves, filled with the same values.
    assert W.grad is buffers[0]
    assert b.grad is buffers[1]
    np.testing.assert_array_equal(W.grad, W_plain.grad)
    np.testing.assert_array_equal(b.grad, b_plain.grad)


def test_grad_out_of_a_parameter_used_twice_sums_both_paths():
    # W and b feed two layers: the two contributions must be summed, not written over
    # each other in one buffer.
    x, W, b = _inputs(x_grad=False)
    x2 = Tensor(np.random.default_rng(3).normal(size=(5, 3)))

    def cost(W, b, grad_out=None):
        first = dense(x, W, b, "tanh", grad_out=grad_out)
        return (first * dense(x2, W, b, "tanh", grad_out=grad_out)).sum()

    assert check_grad(cost, W, b) < 1e-7
    cost(W, b).backward()
    expected_W, expected_b = W.grad, b.grad
    cost(W, b, grad_out=(np.zeros((3, 4)), np.zeros(4))).backward()
    np.testing.assert_allclose(W.grad, expected_W, rtol=1e-14)
    np.testing.assert_allclose(b.grad, expected_b, rtol=1e-14)


def test_grad_out_shapes_are_checked():
    x, W, b = _inputs()
    with pytest.raises(ValueError, match="grad_out must hold arrays of W's shape"):
        dense(x, W, b, grad_out=(np.zeros((4, 3)), np.zeros(4)))
    with pytest.raises(ValueError, match="grad_out must hold arrays of W's shape"):
        affine(x, W, b, grad_out=(np.zeros((3, 4)), np.zeros(3)))


def test_grad_out_shared_by_two_layers_keeps_each_gradient():
    # One buffer pair handed to two layers with different parameters: they must not
    # overwrite each other's gradients.
    x, W, b = _inputs(x_grad=False)
    W2 = Tensor(np.random.default_rng(5).normal(size=(4, 4)), requires_grad=True)
    b2 = Tensor(np.zeros(4), requires_grad=True)

    def cost(grad_out=None, grad_out2=None):
        h = dense(x, W, b, "tanh", grad_out=grad_out)
        return (dense(h, W2, b2, "tanh", grad_out=grad_out2) ** 2).sum()

    cost().backward()
    expected = [t.grad for t in (W, b, W2, b2)]
    shared = (np.zeros((4, 4)), np.zeros(4))
    cost(grad_out=(shared[0][:3], shared[1]), grad_out2=shared).backward()
    for tensor, grad in zip((W, b, W2, b2), expected):
        np.testing.assert_allclose(tensor.grad, grad, rtol=1e-14)


def test_grad_out_is_filled_for_a_sparse_batch():
    x, W, b = _inputs(x_grad=False)
    buffers = (np.full((3, 4), np.nan), np.full(4, np.nan))
    dense(sparse.csr_matrix(x.value), W, b, "relu", grad_out=buffers).sum().backward()
    W_plain, b_plain = Tensor(W.value, requires_grad=True), Tensor(b.value, requires_grad=True)
    dense(x, W_plain, b_plain, "relu").sum().backward()
    assert W.grad is buffers[0]
    np.testing.assert_allclose(buffers[0], W_plain.grad, rtol=1e-14)
    np.testing.assert_allclose(buffers[1], b_plain.grad, rtol=1e-14)


def test_grad_out_dtype_and_bias_shape_are_checked():
    x, W, b = _inputs()
    with pytest.raises(ValueError, match="W's dtype float64"):
        dense(x, W, b, grad_out=(np.zeros((3, 4), np.float32), np.zeros(4, np.float32)))
    b_row = Tensor(np.zeros((1, 4)), requires_grad=True)
    with pytest.raises(ValueError, match="needs a bias vector"):
        affine(x, W, b_row, grad_out=(np.zeros((3, 4)), np.zeros((1, 4))))
