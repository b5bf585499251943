"""The flat parameter buffer: views, layout, gradient gathering."""

import numpy as np
import pytest

from skbackprop.autodiff import Graph, Tensor, l2_penalty
from skbackprop.nn import FlatParameters


def test_views_share_memory_with_the_flat_buffer():
    params = FlatParameters([3, 4, 2], np.float32)
    assert params.values.dtype == np.float32
    for view in params.coefs + params.intercepts:
        assert np.shares_memory(view, params.values)
    params.values += 1.0
    assert all((c == 1.0).all() for c in params.coefs)
    params.coefs[1][0, 0] = 5.0
    assert params.values[12] == 5.0  # after W1's 12 entries


def test_layout_is_scikit_learns_packing():
    from sklearn.neural_network._multilayer_perceptron import _pack

    rng = np.random.default_rng(0)
    params = FlatParameters([3, 4, 2], np.float64)
    coefs = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    intercepts = [rng.normal(size=4), rng.normal(size=2)]
    params.load(coefs, intercepts)
    np.testing.assert_array_equal(params.values, _pack(coefs, intercepts))
    np.testing.assert_array_equal(params.weights, _pack(coefs, [])[: params.n_weights])
    assert params.weight_slices == [slice(0, 12), slice(12, 20)]


def test_the_graph_fills_the_flat_gradient_in_the_same_layout():
    # Each layer's leaves have their view of the flat gradient; a leaf used on two paths
    # (the layer and the penalty) gets the sum of both there.
    params = FlatParameters([2, 3, 1], np.float64)
    params.values[:] = np.linspace(-1.0, 1.0, params.values.size)
    x = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]]))
    hidden = x @ params.coef_tensors[0] + params.intercept_tensors[0]
    out = hidden @ params.coef_tensors[1] + params.intercept_tensors[1]
    cost = out.sum() + l2_penalty(*params.coef_tensors, scale=0.3)
    Graph(cost, gradients=params.gradients).backward()
    W1, W2, b1, _ = (t.value for t in params.coef_tensors + params.intercept_tensors)
    expected_W1 = x.value.sum(axis=0)[:, None] * W2.ravel()[None, :] + 0.3 * W1
    expected_W2 = (x.value @ W1 + b1).sum(axis=0)[:, None] + 0.3 * W2
    expected = np.concatenate([expected_W1.ravel(), expected_W2.ravel(), 2 * W2.ravel(), [2.0]])
    np.testing.assert_allclose(params.grad, expected, rtol=1e-14)
    # Each leaf's .grad is its view of the flat gradient: the sum over both paths.
    np.testing.assert_array_equal(params.coef_tensors[0].grad.ravel(), params.grad[:6])


def test_split_weights_and_no_intercept():
    params = FlatParameters([2, 2], np.float64, fit_intercept=False, split_weights=True)
    assert params.values.shape == (8,)
    params.load([np.array([[1.0, -2.0], [0.0, 3.0]])], [np.array([5.0, 5.0])])
    np.testing.assert_array_equal(params.values, [1, 0, 0, 3, 0, 2, 0, 0])
    np.testing.assert_array_equal(params.coef_values()[0], [[1.0, -2.0], [0.0, 3.0]])
    np.testing.assert_array_equal(params.intercepts[0], [0.0, 0.0])
    assert params.bounds() == [(0.0, None)] * 8
    # The graph computes with W = W_pos - W_neg, refreshed after the parts move.
    params.values[:4] += 1.0
    params.update_weights()
    np.testing.assert_array_equal(params.coefs[0], [[2.0, -1.0], [1.0, 4.0]])
    assert list(params.gradients) == params.coef_tensors


def test_an_existing_buffer_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="flat float64 array of 13"):
        FlatParameters([2, 3, 1], np.float64, values=np.zeros(12))
