"""The minibatch objective: batches, sample weights, dropout masks and its gradient."""

import numpy as np
import pytest
from scipy import sparse

from skbackprop.autodiff import Tensor, numerical_grad
from skbackprop.nn import LOSSES, FlatParameters, MinibatchObjective


def _objective(loss="squared_error", n_outputs=2, **kwargs):
    rng = np.random.default_rng(0)
    params = FlatParameters([3, 4, n_outputs], np.float64)
    params.values[:] = rng.normal(scale=0.5, size=params.values.size)
    return params, MinibatchObjective(params, 5, loss=loss, activation="tanh", **kwargs)


def _data(n_outputs=2, n=12):
    rng = np.random.default_rng(1)
    return rng.normal(size=(n, 3)), rng.uniform(0.0, 2.0, size=(n, n_outputs))


def test_index_array_slice_and_sparse_batches_agree():
    X, Y = _data()
    params, by_index = _objective()
    by_index.load_batch(X, Y, None, np.arange(2, 7))
    by_index()
    expected = params.grad.copy()
    _, by_slice = _objective()
    by_slice.load_batch(X, Y, None, slice(2, 7))
    np.testing.assert_allclose(by_slice(), by_index.cost)
    np.testing.assert_allclose(params.grad, expected)
    _, by_sparse = _objective(sparse_input=True)
    by_sparse.load_batch(sparse.csr_matrix(X), Y, None, np.arange(2, 7))
    np.testing.assert_allclose(by_sparse(), by_index.cost)
    np.testing.assert_allclose(params.grad, expected)


def test_the_whole_sparse_batch_is_the_data_itself():
    # L-BFGS's one batch is every row: scipy would copy X for X[:], so it is not indexed.
    X, Y = _data(n=5)
    X_sparse = sparse.csr_matrix(X)
    _, objective = _objective(sparse_input=True)
    objective.load_batch(X_sparse, Y, None, slice(None))
    assert objective.X.value is X_sparse
    _, dense = _objective()
    dense.load_batch(X, Y, None, slice(None))
    np.testing.assert_allclose(objective(), dense())
    objective.load_batch(X_sparse, Y, None, slice(0, 5))  # a batch of rows: indexed
    assert objective.X.value is not X_sparse


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("weighted", [False, True])
def test_flat_gradient_matches_finite_differences(loss, weighted):
    X, Y = _data()
    if loss == "log_loss":
        Y = np.eye(2)[(Y[:, 0] > 1).astype(int)]
    elif loss == "binary_log_loss":
        Y = (Y > 1).astype(float)
    params, objective = _objective(loss, alpha=0.3, l1_alpha=0.2, weighted=weighted)
    sw = np.random.default_rng(2).uniform(0.5, 2.0, size=12) if weighted else None
    objective.load_batch(X, Y, sw, np.array([0, 3, 5, 7, 11]))
    objective()
    analytic = params.grad.copy()

    def cost(flat):
        params.values[:] = flat.value
        return objective.value()

    flat = Tensor(params.values.copy(), requires_grad=True)
    (numeric,) = numerical_grad(cost, flat)
    np.testing.assert_allclose(analytic, numeric, atol=1e-7, rtol=1e-6)


def test_reported_loss_averages_squared_error_over_outputs():
    X, Y = _data()
    _, objective = _objective(alpha=0.5)
    objective.load_batch(X, Y, None, slice(0, 5))
    cost = float(objective())
    data = float(objective.data_loss.value)
    assert objective.reported_loss() == pytest.approx(data / 2 + (cost - data))


def test_dropout_masks_are_inverted_and_fresh_per_draw():
    X, Y = _data(n=5)
    _, objective = _objective(dropout=0.25)
    objective.load_batch(X, Y, None, slice(0, 5))
    rng = np.random.RandomState(0)
    objective.draw_dropout(rng)
    first = objective.dropout_masks[0].value.copy()
    assert set(np.unique(first)) <= {0.0, 1 / 0.75}
    objective.draw_dropout(rng)
    assert not np.array_equal(first, objective.dropout_masks[0].value)
    big = MinibatchObjective(
        FlatParameters([3, 400, 1], np.float64),
        500,
        loss="squared_error",
        activation="relu",
        dropout=0.25,
    )
    big.draw_dropout(rng)
    mask = big.dropout_masks[0].value
    assert abs((mask == 0).mean() - 0.25) < 0.01
    assert abs(mask.mean() - 1.0) < 0.02  # inverted scaling keeps the expected value
