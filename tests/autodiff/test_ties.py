"""max, min, maximum and minimum at ties: the upstream gradient is split evenly.

Away from ties the rules are the indicator 1[x_i == z] and match finite differences; at a
tie the k tied inputs each receive 1/k of the flow, so the flow is conserved: the
gradients of an extreme add up to the upstream gradient.
"""

import numpy as np
import pytest

from skbackprop import autodiff as ad
from skbackprop.autodiff import Tensor, check_grad

TOL = 1e-7
EXTREMES = {"max": (ad.max, np.max), "min": (ad.min, np.min)}
PAIRWISE = {"maximum": (ad.maximum, np.maximum), "minimum": (ad.minimum, np.minimum)}


def leaf(value):
    return Tensor(np.asarray(value, dtype=float), requires_grad=True)


def distinct(shape, seed):
    """Values at least 1e-3 apart: finite differences with step 1e-6 never cross a tie."""
    rng = np.random.default_rng(seed)
    values = rng.permutation(np.prod(shape, dtype=int)) * 1e-2 + rng.uniform(0, 1e-3)
    return leaf(values.reshape(shape))


# --------------------------------------------------------------------------- away from ties
@pytest.mark.parametrize("name", sorted(EXTREMES))
@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, (0, 2), (1, 2), (0, 1, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_matches_finite_differences_away_from_ties(name, axis, keepdims):
    reduce, reference = EXTREMES[name]
    x = distinct((2, 3, 4), seed=0)
    w = Tensor(
        np.random.default_rng(1).normal(size=reference(x.value, axis, keepdims=keepdims).shape)
    )
    assert check_grad(lambda x, w: (reduce(x, axis, keepdims) * w).sum(), x, w) < TOL


@pytest.mark.parametrize("name", sorted(PAIRWISE))
@pytest.mark.parametrize(
    ("shape_a", "shape_b"), [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3))]
)
def test_pairwise_matches_finite_differences_away_from_ties(name, shape_a, shape_b):
    fn, _ = PAIRWISE[name]
    a, b = distinct(shape_a, seed=2), distinct(shape_b, seed=3)
    b.value += 5e-4  # no element of a equals one of b
    w = Tensor(np.random.default_rng(4).normal(size=np.broadcast_shapes(shape_a, shape_b)))
    assert check_grad(lambda a, b, w: (fn(a, b) * w).sum(), a, b, w) < TOL


# --------------------------------------------------------------------------- at ties
def test_max_of_a_vector_with_a_tie():
    x = leaf([1.0, 1.0, 0.5])
    ad.max(x).backward()
    np.testing.assert_array_equal(x.grad, [0.5, 0.5, 0.0])


def test_min_of_a_vector_with_three_tied():
    x = leaf([2.0, -1.0, -1.0, 3.0, -1.0])
    (ad.min(x) * 6.0).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 2.0, 0.0, 2.0])


@pytest.mark.parametrize("keepdims", [False, True])
def test_max_along_each_axis_with_ties(keepdims):
    x = leaf([[1.0, 1.0, 0.0], [2.0, 1.0, 2.0]])
    ad.max(x, axis=1, keepdims=keepdims).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.5, 0.5, 0.0], [0.5, 0.0, 0.5]])
    x = leaf([[1.0, 1.0, 0.0], [2.0, 1.0, 2.0]])
    out = ad.max(x, axis=0, keepdims=keepdims)
    (out * np.array([1.0, 2.0, 3.0]).reshape(out.shape)).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0, 0.0], [1.0, 1.0, 3.0]])


def test_min_over_a_tuple_of_axes_with_ties():
    x = leaf(np.zeros((2, 3, 2)))
    x.value[0, 1, 0] = -1.0  # the minimum over axes (0, 2) of column 1 is unique
    ad.min(x, axis=(0, 2), keepdims=True).sum().backward()
    expected = np.full((2, 3, 2), 0.25)
    expected[:, 1, :] = 0.0
    expected[0, 1, 0] = 1.0
    np.testing.assert_array_equal(x.grad, expected)


def test_maximum_of_a_value_with_itself():
    # d/dx sum(maximum(x, x)) = d/dx sum(x) = 1, not 2.
    x = leaf([-1.0, 0.0, 2.5])
    ad.maximum(x, x).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])
    y = leaf(3.0)
    ad.minimum(y, y).backward()
    assert float(y.grad) == 1.0


def test_maximum_with_a_broadcast_input_sums_its_shares():
    a = leaf([[1.0, 2.0, 3.0], [2.0, 2.0, 0.0]])
    b = leaf([2.0, 2.0, 2.0])  # broadcast along the rows of a
    ad.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [[0.0, 0.5, 1.0], [0.5, 0.5, 0.0]])
    # b[j] collects, over the rows, 1 where it wins and 1/2 where it ties.
    np.testing.assert_array_equal(b.grad, [1.5, 1.0, 1.0])


def test_minimum_with_a_scalar_constant():
    x = leaf([0.0, 1.0, 2.0])
    ad.minimum(x, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.5, 0.0])


def test_ties_keep_float32():
    x = Tensor(np.array([1.0, 1.0], dtype=np.float32), requires_grad=True)
    ad.max(x).backward()
    assert x.grad.dtype == np.float32
    y = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    ad.maximum(y, y).sum().backward()
    assert y.grad.dtype == np.float32


def test_max_of_a_slice_holding_nan_sends_no_flow():
    x = leaf([[np.nan, 1.0], [0.0, 1.0]])
    with np.errstate(all="raise"):  # no 0/0 on the way
        ad.max(x, axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [0.0, 1.0]])


# --------------------------------------------------------------------------- conservation
@pytest.mark.parametrize("name", sorted(EXTREMES))
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_conserve_the_flow(name, axis, keepdims):
    # Small integers: most slices hold several tied extremes.
    reduce, _ = EXTREMES[name]
    x = leaf(np.random.default_rng(5).integers(0, 3, size=(4, 5)))
    out = reduce(x, axis, keepdims)
    upstream = np.random.default_rng(6).normal(size=out.shape)
    out.backward(upstream)
    totals = x.grad.sum(axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(totals, upstream, rtol=1e-12)
    # And only the extremes receive any flow.
    extreme = getattr(x.value, name)(axis=axis, keepdims=True)
    assert np.all(x.grad[x.value != extreme] == 0)


@pytest.mark.parametrize("name", sorted(PAIRWISE))
@pytest.mark.parametrize(
    ("shape_a", "shape_b"), [((4, 5), (4, 5)), ((4, 5), (5,)), ((4, 1), (5,))]
)
def test_pairwise_conserves_the_flow(name, shape_a, shape_b):
    fn, _ = PAIRWISE[name]
    rng = np.random.default_rng(7)
    a, b = leaf(rng.integers(0, 3, size=shape_a)), leaf(rng.integers(0, 3, size=shape_b))
    out = fn(a, b)
    upstream = rng.normal(size=out.shape)
    out.backward(upstream)
    # Every output element's flow is shared between a and b, so the totals agree.
    np.testing.assert_allclose(a.grad.sum() + b.grad.sum(), upstream.sum(), rtol=1e-12)
    tie = np.broadcast_to(a.value == b.value, out.shape)
    assert tie.any()  # the check exercises ties


def test_max_inside_a_network_conserves_the_flow():
    # max pooling over pairs of hidden units, then a sum: every unit's share is 1 or 1/2.
    h = leaf([[3.0, 3.0, 1.0, 2.0]])
    pooled = ad.max(h.reshape(1, 2, 2), axis=2)
    pooled.sum().backward()
    np.testing.assert_array_equal(h.grad, [[0.5, 0.5, 0.0, 1.0]])


def test_relu_derivative_at_zero_is_scikit_learns():
    # relu is not a tie rule: its derivative at 0 is 0, as scikit-learn's MLP takes it.
    from sklearn.neural_network._base import inplace_relu_derivative

    z = np.array([[-1.0, 0.0, 2.0]])
    x = leaf(z)
    ad.relu(x).sum().backward()
    delta = np.ones_like(z)
    inplace_relu_derivative(np.maximum(z, 0), delta)
    np.testing.assert_array_equal(x.grad, delta)
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0, 1.0]])
