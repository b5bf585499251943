"""The tabular network: its whole gradient against finite differences, its parameter
groups, and its data-driven initialisation."""

import numpy as np
import pytest

from skbackprop.nn import TabularNetwork, TabularObjective


def _data(rng, n=12):
    X_num = rng.standard_normal((n, 3))
    X_dense = rng.standard_normal((n, 2))
    codes = rng.integers(0, 5, (n, 1))
    return X_num, X_dense, codes


@pytest.mark.parametrize("activation", ["selu", "mish"])
@pytest.mark.parametrize("loss", ["softmax_cross_entropy", "squared_error"])
def test_network_gradient_matches_finite_differences(activation, loss):
    rng = np.random.default_rng(0)
    net = TabularNetwork(
        n_numeric=3,
        n_dense=2,
        category_sizes=[5],
        n_outputs=3,
        hidden_layer_sizes=(6, 5),
        activation=activation,
        n_frequencies=4,
        embedding_dims=2,
        category_embedding_size=2,
        dtype=np.float64,
    )
    X_num, X_dense, codes = _data(rng)
    net.initialize(rng, X_num, X_dense, codes)
    net.values += 0.1 * rng.standard_normal(net.values.size)  # off the special init values
    Y = (
        rng.dirichlet(np.ones(3), size=12)
        if loss == "softmax_cross_entropy"
        else rng.standard_normal((12, 3))
    )
    weights = rng.uniform(0.5, 2, 12)
    objective = TabularObjective(net, 12, loss, weighted=True, dropout=0.3)
    objective.load_batch(net.pack(X_num, X_dense, codes), Y, weights, np.arange(12))
    objective.draw_dropout(rng)
    objective()
    analytic = net.grad.copy()
    numeric = np.empty_like(analytic)
    eps = 1e-6
    for i in range(net.values.size):
        original = net.values[i]
        net.values[i] = original + eps
        plus = float(objective.graph.forward())
        net.values[i] = original - eps
        minus = float(objective.graph.forward())
        net.values[i] = original
        numeric[i] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_data_driven_initialisation_standardises_pre_activations():
    rng = np.random.default_rng(1)
    net = TabularNetwork(
        n_numeric=3,
        n_dense=2,
        category_sizes=[5],
        n_outputs=2,
        hidden_layer_sizes=(16,),
        dtype=np.float64,
    )
    X_num, X_dense, codes = _data(rng, n=200)
    net.initialize(rng, X_num, X_dense, codes)
    h = net.inputs(*net._leaves(X_num, X_dense, codes)).value
    z = h @ net.arrays["W1"]
    np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-10)
    # each bias puts the unit's zero inside the range of its pre-activations
    zero = -net.arrays["b1"]
    assert np.all((zero >= z.min(axis=0)) & (zero <= z.max(axis=0)))


def test_parameter_groups_and_ntk_learning_rates():
    net = TabularNetwork(
        n_numeric=2,
        n_dense=0,
        category_sizes=[],
        n_outputs=1,
        hidden_layer_sizes=(4,),
        lr_factors={"biases": 0.1, "scale": 6.0},
        wd_factors={"biases": 0.0},
    )
    for name, array in net.arrays.items():
        offset = (
            array.__array_interface__["data"][0] - net.values.__array_interface__["data"][0]
        ) // net.values.itemsize
        lr = net.lr_factors[offset : offset + array.size]
        wd = net.wd_factors[offset : offset + array.size]
        if name == "W1":
            np.testing.assert_allclose(
                lr, 1 / np.sqrt(2 * 4), rtol=1e-6
            )  # 2 features x (3 + 1) inputs
        elif name == "b1":
            np.testing.assert_allclose(lr, 0.1, rtol=1e-6)
            np.testing.assert_array_equal(wd, 0.0)
        elif name == "scale":
            np.testing.assert_allclose(lr, 6.0)
    assert net.lr_factors.size == net.values.size
