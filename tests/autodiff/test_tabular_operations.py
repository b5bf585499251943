"""Finite-difference checks of the operations the tabular MLP is built from."""

import numpy as np
import pytest

from skbackprop.autodiff import (
    Graph,
    Tensor,
    check_grad,
    concatenate,
    cos_embedding,
    embedding_lookup,
    feature_linear,
    mish,
    parametric_activation,
    selu,
)

rng = np.random.default_rng(0)


def _leaf(*shape, grad=True, scale=1.0):
    return Tensor(scale * rng.standard_normal(shape), requires_grad=grad)


@pytest.mark.parametrize("function", [selu, mish])
def test_smooth_activations_match_finite_differences(function):
    x = Tensor(np.linspace(-6, 6, 25).reshape(5, 5) + 0.013, requires_grad=True)
    upstream = rng.standard_normal((5, 5))
    assert check_grad(lambda x: (function(x) * upstream).sum(), x) < 1e-7


def test_selu_and_mish_values():
    x = np.array([-30.0, -1.0, 0.5, 40.0])
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    expected_selu = scale * np.where(x > 0, x, alpha * np.expm1(x))
    np.testing.assert_allclose(selu(Tensor(x)).value, expected_selu, rtol=1e-12)
    expected_mish = x * np.tanh(np.log1p(np.exp(x)))
    np.testing.assert_allclose(mish(Tensor(x)).value, expected_mish, rtol=1e-12)


def test_mish_does_not_overflow_in_float32():
    x = Tensor(np.array([-1e4, 1e4], dtype=np.float32))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = mish(x).value
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [0.0, 1e4])


@pytest.mark.parametrize("activation", ["selu", "mish"])
def test_parametric_activation_matches_finite_differences(activation):
    x = _leaf(6, 4, scale=2.0)
    alpha = Tensor(rng.uniform(-0.5, 1.5, 4), requires_grad=True)
    upstream = rng.standard_normal((6, 4))

    def f(x, alpha):
        return (parametric_activation(x, alpha, activation) * upstream).sum()

    assert check_grad(f, x, alpha) < 1e-7


def test_parametric_activation_blends_identity_and_activation():
    x = Tensor(np.array([[-2.0, -2.0, 3.0]]))
    alpha = Tensor(np.array([0.0, 1.0, 0.5]))
    out = parametric_activation(x, alpha, "selu").value
    np.testing.assert_allclose(out[0, :2], [-2.0, selu(Tensor(-2.0)).value])
    np.testing.assert_allclose(out[0, 2], 3.0 + 0.5 * (1.0507009873554805 * 3 - 3))


def test_parametric_activation_rejects_unknown_name():
    with pytest.raises(ValueError, match="Unknown activation 'gelu'"):
        parametric_activation(Tensor(np.ones((1, 1))), Tensor(np.ones(1)), "gelu")


def test_cos_embedding_matches_finite_differences():
    x, w, b = _leaf(5, 3), _leaf(3, 4, scale=0.3), _leaf(3, 4)
    upstream = rng.standard_normal((5, 3, 4))
    assert check_grad(lambda x, w, b: (cos_embedding(x, w, b) * upstream).sum(), x, w, b) < 1e-7
    expected = np.cos(2 * np.pi * x.value[:, :, None] * w.value + b.value)
    np.testing.assert_allclose(cos_embedding(x, w, b).value, expected, rtol=1e-12)


def test_feature_linear_matches_finite_differences_and_einsum():
    h, W, c = _leaf(5, 3, 4), _leaf(3, 4, 2), _leaf(3, 2)
    upstream = rng.standard_normal((5, 3, 2))
    assert check_grad(lambda h, W, c: (feature_linear(h, W, c) * upstream).sum(), h, W, c) < 1e-7
    expected = np.einsum("ijk,jkm->ijm", h.value, W.value) + c.value
    np.testing.assert_allclose(feature_linear(h, W, c).value, expected, rtol=1e-12)


def test_concatenate_matches_finite_differences():
    a, b, c = _leaf(4, 2), _leaf(4, 3), _leaf(4, 1, grad=False)
    upstream = rng.standard_normal((4, 6))

    def f(a, b, c):
        both = concatenate([a, b, c])
        return (both * both * upstream).sum()

    assert check_grad(f, a, b, c) < 1e-7


def test_concatenate_needs_an_input():
    with pytest.raises(ValueError, match="at least one"):
        concatenate([])


def test_embedding_lookup_scatter_adds_repeated_rows():
    table = _leaf(4, 3)
    idx = np.array([0, 2, 2, 3, 0, 0])
    upstream = rng.standard_normal((6, 3))
    f = lambda table: (embedding_lookup(table, idx) * upstream).sum()  # noqa: E731
    assert check_grad(f, table) < 1e-7
    f(table).backward()
    expected = np.zeros((4, 3))
    np.add.at(expected, idx, upstream)
    np.testing.assert_allclose(table.grad, expected, rtol=1e-12)


def test_embedding_lookup_reads_tensor_indices_on_replay():
    table = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    idx = Tensor(np.array([0, 1]))
    out = embedding_lookup(table, idx).sum()
    graph = Graph(out)
    idx.value = np.array([2.0, 2.0])
    assert float(graph.forward()) == 18.0
    graph.backward()
    np.testing.assert_array_equal(table.grad, [[0, 0], [0, 0], [2, 2]])


def test_embedding_lookup_rejects_float_indices():
    with pytest.raises(ValueError, match="integer indices"):
        embedding_lookup(Tensor(np.ones((2, 2))), np.array([0.5]))
