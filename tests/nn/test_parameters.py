"""The flat parameter buffer: views, layout, gradient gathering."""

import numpy as np
import pytest

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


def test_gather_grad_concatenates_in_the_same_layout():
    params = FlatParameters([2, 3, 1], np.float64)
    for i, t in enumerate(params.tensors):
        t.grad = np.full(t.value.shape, float(i + 1))
    params.weights_tensor.grad = np.full(params.n_weights, 10.0)
    np.testing.assert_array_equal(params.gather_grad(), [1] * 6 + [2] * 3 + [3] * 3 + [4] * 1)
    np.testing.assert_array_equal(
        params.gather_grad(penalized=True), [11] * 6 + [12] * 3 + [3] * 3 + [4] * 1
    )


def test_an_existing_buffer_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="flat float64 array of 13"):
        FlatParameters([2, 3, 1], np.float64, values=np.zeros(12))
