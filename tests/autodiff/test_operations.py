"""Every derivative rule against central finite differences, in float64."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skbackprop import autodiff as ad
from skbackprop.autodiff import Tensor, check_grad

TOL = 1e-7


def param(shape, seed=0, low=-2.0, high=2.0):
    rng = np.random.default_rng(seed)
    return Tensor(rng.uniform(low, high, size=shape), requires_grad=True)


UNARY = {
    "exp": (ad.exp, -2, 2),
    "log": (ad.log, 0.5, 3),
    "sin": (ad.sin, -3, 3),
    "cos": (ad.cos, -3, 3),
    "tanh": (ad.tanh, -3, 3),
    "sigmoid": (ad.sigmoid, -5, 5),
    "relu": (ad.relu, -2, 2),
    "abs": (ad.abs, -2, 2),
    "sqrt": (ad.sqrt, 0.5, 3),
    "square": (ad.square, -2, 2),
    "negative": (ad.negative, -2, 2),
    "softmax": (ad.softmax, -3, 3),
    "log_softmax": (ad.log_softmax, -3, 3),
    "logsumexp": (ad.logsumexp, -3, 3),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_rule_matches_finite_differences(name):
    fn, low, high = UNARY[name]
    x = param((3, 4), seed=1, low=low, high=high)
    # A weighted sum makes every output element matter with a different weight.
    w = Tensor(np.random.default_rng(2).normal(size=fn(x).shape))
    assert check_grad(lambda x, w: (fn(x) * w).sum(), x, w) < TOL


@pytest.mark.parametrize(
    ("fn", "shape_a", "shape_b"),
    [
        (ad.add, (3, 4), (4,)),
        (ad.subtract, (3, 1), (1, 4)),
        (ad.multiply, (2, 3, 4), (3, 1)),
        (ad.divide, (3, 4), (3, 4)),
        (ad.maximum, (3, 4), (4,)),
        (ad.minimum, (3, 4), (3, 4)),
        (ad.add, (), (3, 4)),
        (ad.multiply, (3, 4), ()),
    ],
)
def test_binary_rule_with_broadcasting(fn, shape_a, shape_b):
    a = param(shape_a, seed=3)
    b = Tensor(np.random.default_rng(4).uniform(0.5, 2.0, size=shape_b), requires_grad=True)
    out_shape = np.broadcast_shapes(shape_a, shape_b)
    w = Tensor(np.random.default_rng(5).normal(size=out_shape))
    assert check_grad(lambda a, b, w: (fn(a, b) * w).sum(), a, b, w) < TOL
    a.requires_grad = False
    assert check_grad(lambda a, b, w: (fn(a, b) * w).sum(), a, b, w) < TOL


def test_power_in_base_and_exponent():
    a = Tensor(np.random.default_rng(6).uniform(0.5, 2.0, size=(3, 2)), requires_grad=True)
    b = Tensor(np.array([1.5, -0.5]), requires_grad=True)
    assert check_grad(lambda a, b: (a**b).sum(), a, b) < TOL
    assert check_grad(lambda a: (a**3).sum(), a) < TOL
    assert check_grad(lambda b: (2.0**b).sum(), b) < TOL


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [
        ((3, 4), (4, 2)),
        ((4,), (4, 2)),
        ((3, 4), (4,)),
        ((4,), (4,)),
        ((2, 3, 4), (4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((5,), (2, 5, 3)),
    ],
)
def test_matmul(shape_a, shape_b):
    a, b = param(shape_a, seed=7), param(shape_b, seed=8)
    w = Tensor(np.random.default_rng(9).normal(size=np.matmul(a.value, b.value).shape))
    assert check_grad(lambda a, b, w: ((a @ b) * w).sum(), a, b, w) < TOL


def test_affine_equals_matmul_plus_bias_and_skips_data_gradient():
    x, W, b = Tensor(np.random.default_rng(10).normal(size=(5, 3))), param((3, 2)), param((2,))
    w = Tensor(np.random.default_rng(11).normal(size=(5, 2)))
    assert check_grad(lambda x, W, b, w: (ad.affine(x, W, b) * w).sum(), x, W, b, w) < TOL
    np.testing.assert_allclose(ad.affine(x, W, b).value, x.value @ W.value + b.value)
    out = ad.affine(x, W, b).sum()
    out.backward()
    assert x.grad is None  # the data needs no gradient: no GEMM is spent on it
    x.requires_grad = True
    assert check_grad(lambda x, W, b, w: (ad.affine(x, W, b) * w).sum(), x, W, b, w) < TOL


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min"])
def test_reductions(reduce, axis, keepdims):
    x = param((3, 4), seed=12)
    out_shape = getattr(x.value, reduce)(axis=axis, keepdims=keepdims).shape
    w = Tensor(np.random.default_rng(13).normal(size=out_shape))
    assert (
        check_grad(lambda x, w: (getattr(x, reduce)(axis=axis, keepdims=keepdims) * w).sum(), x, w)
        < TOL
    )


def test_max_min_indicator_rule_on_ties():
    # The indicator rule dz/dx_i = 1[x_i == z], split evenly among the inputs that tie.
    x = Tensor(np.array([1.0, 3.0, 3.0, 2.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0, 0.5, 0.5, 0])
    a, b = (
        Tensor(np.array([1.0, 5.0]), requires_grad=True),
        Tensor(np.array([1.0, 2.0]), requires_grad=True),
    )
    ad.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0])
    np.testing.assert_array_equal(b.grad, [0.5, 1])


def test_shape_operations():
    x = param((2, 3, 4), seed=14)
    w = Tensor(np.random.default_rng(15).normal(size=(4, 6)))
    assert check_grad(lambda x, w: (x.reshape(4, 6) * w).sum(), x, w) < TOL
    w2 = Tensor(np.random.default_rng(16).normal(size=(4, 3, 2)))
    assert check_grad(lambda x, w: (x.T * w).sum(), x, w2) < TOL
    w3 = Tensor(np.random.default_rng(17).normal(size=(3, 2, 4)))
    assert check_grad(lambda x, w: (x.transpose(1, 0, 2) * w).sum(), x, w3) < TOL


@pytest.mark.parametrize(
    "index",
    [
        1,
        (slice(None), 2),
        (Ellipsis, slice(1, 3)),
        (np.array([0, 0, 1]),),
        (0, np.array([2, 2, 1])),
    ],
)
def test_indexing_accumulates_repeated_positions(index):
    x = param((2, 3, 4), seed=18)
    w = Tensor(np.random.default_rng(19).normal(size=x.value[index].shape))
    assert check_grad(lambda x, w: (x[index] * w).sum(), x, w) < TOL


def test_shared_subexpression_gets_the_sum_of_both_paths():
    # u = x * y is used twice: J = sin(u) + u^2. dJ/dx = (cos(u) + 2u) y.
    x, y = Tensor(0.7, requires_grad=True), Tensor(-1.3, requires_grad=True)
    u = x * y
    J = ad.sin(u) + u * u
    J.backward()
    expected = (np.cos(0.7 * -1.3) + 2 * 0.7 * -1.3) * -1.3
    assert float(x.grad) == pytest.approx(expected, rel=1e-14)
    assert check_grad(lambda x, y: ad.sin(x * y) + (x * y) * (x * y), x, y) < TOL
    # A tensor used in both operands of one operation.
    z = param((3,), seed=20)
    assert check_grad(lambda z: (z * z + z / (1 + ad.exp(z))).sum(), z) < TOL


@settings(max_examples=25, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    seed=st.integers(0, 2**16),
)
def test_broadcast_gradients_sum_back_to_each_input_shape(shapes, seed):
    rng = np.random.default_rng(seed)
    a = Tensor(rng.uniform(0.5, 2, size=shapes.input_shapes[0]), requires_grad=True)
    b = Tensor(rng.uniform(0.5, 2, size=shapes.input_shapes[1]), requires_grad=True)
    w = Tensor(rng.normal(size=shapes.result_shape))

    def f(a, b, w):
        return ((a * b + a / b - b) * w).sum()

    assert check_grad(f, a, b, w) < TOL
    f(a, b, w).backward()
    assert a.grad.shape == a.value.shape
    assert b.grad.shape == b.value.shape


@pytest.mark.parametrize("weighted", [False, True])
def test_fused_losses(weighted):
    rng = np.random.default_rng(21)
    z = Tensor(rng.normal(size=(6, 3)), requires_grad=True)
    onehot = np.eye(3)[rng.integers(0, 3, size=6)]
    labels = rng.integers(0, 2, size=(6, 3)).astype(float)
    sw = rng.uniform(0.2, 2.0, size=6) if weighted else None
    kw = {"sample_weight": sw}
    assert check_grad(lambda z: ad.softmax_cross_entropy(z, onehot, **kw), z) < TOL
    assert check_grad(lambda z: ad.sigmoid_binary_cross_entropy(z, labels, **kw), z) < TOL
    target = Tensor(rng.normal(size=(6, 3)), requires_grad=True)
    assert check_grad(lambda z, t: ad.squared_error(z, t, **kw), z, target) < TOL

    # Each fused loss equals its composition from primitives.
    w = np.ones(6) if sw is None else sw
    w = w / w.sum()
    composed = -(ad.log_softmax(z) * onehot).sum(axis=1) @ w
    np.testing.assert_allclose(ad.softmax_cross_entropy(z, onehot, **kw).value, composed.value)
    p = ad.sigmoid(z)
    composed = -((labels * ad.log(p) + (1 - labels) * ad.log(1 - p)).sum(axis=1) @ w)
    np.testing.assert_allclose(
        ad.sigmoid_binary_cross_entropy(z, labels, **kw).value, composed.value
    )
    composed = (0.5 * ((z - target) ** 2).sum(axis=1)) @ w
    np.testing.assert_allclose(ad.squared_error(z, target, **kw).value, composed.value)


def test_numerically_stable_for_large_inputs():
    z = Tensor(np.array([[1000.0, -1000.0, 0.0], [-800.0, 800.0, 5.0]]), requires_grad=True)
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        for loss in (ad.softmax_cross_entropy(z, y), ad.sigmoid_binary_cross_entropy(z, y)):
            loss.backward()
            assert np.isfinite(loss.value)
            assert np.all(np.isfinite(z.grad))
        for out in (ad.softmax(z), ad.log_softmax(z), ad.logsumexp(z), ad.sigmoid(z)):
            out.sum().backward()
            assert np.all(np.isfinite(out.value))
            assert np.all(np.isfinite(z.grad))
    assert float(ad.softmax_cross_entropy(z, y).value) == pytest.approx((2000 + 1600) / 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_cross_entropy_rows_far_apart(dtype, weighted):
    # One row sits far below the batch's maximum: shifted by that maximum its exps would
    # underflow, so each row must be shifted by its own maximum.
    gap = 2000.0 if dtype == np.float64 else 200.0
    logits = np.array([[gap, 0.0, 1.0], [-gap, -gap + 2.0, -gap - 1.0]], dtype=dtype)
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=dtype)
    sw = np.array([1.0, 3.0], dtype=dtype) if weighted else None
    z = Tensor(logits, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        loss = ad.softmax_cross_entropy(z, y, sample_weight=sw)
        loss.backward()
    # The expected values, row by row in float64 with each row's own maximum.
    z64 = logits.astype(np.float64)
    log_p = z64 - z64.max(1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
    w = np.ones(2) if sw is None else sw.astype(np.float64)
    w = w / w.sum()
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(loss.value, -((y * log_p).sum(1) @ w), rtol=rtol)
    np.testing.assert_allclose(z.grad, (np.exp(log_p) - y) * w[:, None], rtol=rtol, atol=1e-7)
    assert loss.value.dtype == z.grad.dtype == dtype


def test_softmax_cross_entropy_float32_small_loss_is_accurate():
    # A well-fitted batch (loss ~1e-4) whose rows sit at different heights: shifted by the
    # batch's maximum, float32 loses about 1e-3 of the loss to cancellation; each row's own
    # shift leaves the round-off of log(1 + small) in float32, about 1e-5.
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 200)
    z = rng.normal(size=(200, 10)) + rng.normal(scale=5.0, size=(200, 1))
    z[np.arange(200), labels] += 12.0
    y = np.eye(10)[labels]
    z32 = Tensor(z.astype(np.float32), requires_grad=True)
    # The float64 loss of the very float32 logits.
    reference = float(ad.softmax_cross_entropy(Tensor(z32.value.astype(np.float64)), y).value)
    loss = ad.softmax_cross_entropy(z32, y.astype(np.float32))
    loss.backward()
    assert loss.value.dtype == z32.grad.dtype == np.float32
    assert float(loss.value) == pytest.approx(reference, rel=1e-4)


def test_float32_stays_float32():
    x = Tensor(np.ones((4, 3), dtype=np.float32))
    W = Tensor(np.full((3, 2), 0.5, dtype=np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, dtype=np.float32), requires_grad=True)
    h = ad.tanh(ad.affine(x, W, b)) * 2 + 1
    loss = ad.squared_error(h, np.zeros((4, 2), dtype=np.float32))
    loss.backward()
    for array in (h.value, loss.value, W.grad, b.grad):
        assert array.dtype == np.float32


def test_penalties_over_several_weights():
    W1, W2 = param((3, 2), seed=22), param((2,), seed=23)
    assert check_grad(lambda a, b: ad.l2_penalty(a, b, scale=0.3), W1, W2) < TOL
    assert check_grad(lambda a, b: ad.l1_penalty(a, b, scale=0.3), W1, W2) < TOL
    expected = 0.15 * (np.sum(W1.value**2) + np.sum(W2.value**2))
    assert float(ad.l2_penalty(W1, W2, scale=0.3).value) == pytest.approx(expected)


def test_affine_with_a_row_bias_and_bad_ranks():
    x, W, b = Tensor(np.random.default_rng(24).normal(size=(5, 3))), param((3, 2)), param((1, 2))
    w = Tensor(np.random.default_rng(25).normal(size=(5, 2)))
    assert check_grad(lambda x, W, b, w: (ad.affine(x, W, b) * w).sum(), x, W, b, w) < TOL
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        ad.affine(Tensor(np.ones(3)), W, b)


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (3, 1)])
def test_softmax_cross_entropy_gradient_for_targets_not_summing_to_one(shape):
    # d/dz of -sum_k y_k log softmax(z)_k is softmax(z) sum_k y_k - y; the fused p - y
    # holds only for rows of y that sum to 1 (found by the differential test: with one
    # class the loss is 0 for every z, yet p - y was 1 - y).
    z = param(shape, seed=30)
    y = param(shape, seed=31, low=0.0, high=2.0)
    w = Tensor(np.random.default_rng(32).uniform(0.5, 2, size=shape[0]))
    assert check_grad(lambda z, y: ad.softmax_cross_entropy(z, y), z, y) < TOL
    assert check_grad(lambda z, y: ad.softmax_cross_entropy(z, y, sample_weight=w), z, y) < TOL
