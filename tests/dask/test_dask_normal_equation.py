"""NormalEquationRegressor.fit on dask arrays equals the in-memory fit, without gathering X."""

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")
da = pytest.importorskip("dask.array")

from skbackprop import NormalEquationRegressor  # noqa: E402

wait = distributed.wait


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2_000, 6)) * [1, 2, 3, 4, 5, 6] + 10  # off-center: exercises centering
    coef = np.array([1.5, -2.0, 0.0, 3.0, 0.5, -1.0])
    y = X @ coef + 4.0 + rng.normal(scale=0.1, size=2_000)
    Y = np.column_stack([y, X[:, 0] - y])
    weight = rng.uniform(0.0, 3.0, size=2_000)
    return X, y, Y, weight


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [0.0, 3.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_fit_on_many_chunks_equals_in_memory_fit(
    client, regression, never_gathered, fit_intercept, alpha, weighted
):
    X, y, _, weight = regression
    sample_weight = weight if weighted else None
    params = {"alpha": alpha, "fit_intercept": fit_intercept}
    expected = NormalEquationRegressor(**params).fit(X, y, sample_weight=sample_weight)

    # 20 row blocks (and the columns split too), spread over both workers.
    X_dask = da.from_array(X, chunks=(100, 4))
    y_dask = da.from_array(y, chunks=150)
    w_dask = None if sample_weight is None else da.from_array(sample_weight, chunks=333)
    model = NormalEquationRegressor(**params).fit(X_dask, y_dask, sample_weight=w_dask)

    assert X_dask.numblocks[0] == 20
    assert model.solver_ == expected.solver_ == "cholesky"
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(model.singular_, expected.singular_, rtol=1e-8)
    assert model.rank_ == expected.rank_
    assert model.n_features_in_ == 6


def test_blocks_spread_over_both_workers(client, regression):
    X, y, _, _ = regression
    X_dask = da.from_array(X, chunks=(100, 6)).persist()  # stays on the workers
    wait(X_dask)
    placement = client.who_has(X_dask)
    workers = {worker for holders in placement.values() for worker in holders}
    assert len(workers) == 2
    model = NormalEquationRegressor().fit(X_dask, da.from_array(y, chunks=100))
    np.testing.assert_allclose(
        model.coef_, NormalEquationRegressor().fit(X, y).coef_, rtol=1e-8, atol=1e-8
    )


def test_multi_target_float32_and_numpy_targets(client, regression, never_gathered):
    X, _, Y, _ = regression
    X32 = X.astype(np.float32)
    expected = NormalEquationRegressor(alpha=1.0).fit(X32, Y)
    # numpy targets alongside a dask X are split into X's row blocks.
    model = NormalEquationRegressor(alpha=1.0).fit(da.from_array(X32, chunks=(256, 6)), Y)
    assert model.coef_.shape == (2, 6)
    assert model.coef_.dtype == np.float32
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-5)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, rtol=1e-5)


def test_partial_fit_continues_from_a_dask_fit(client, regression):
    X, y, _, _ = regression
    model = NormalEquationRegressor().fit(da.from_array(X[:1_500], chunks=(300, 6)), y[:1_500])
    model.partial_fit(X[1_500:], y[1_500:])
    np.testing.assert_allclose(
        model.coef_, NormalEquationRegressor().fit(X, y).coef_, rtol=1e-8, atol=1e-8
    )


def test_numpy_input_does_not_import_dask():
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; "
        "from skbackprop import GaussianMixtureEM, NormalEquationRegressor; "
        "NormalEquationRegressor().fit(np.eye(3), np.arange(3.0)); "
        "GaussianMixtureEM(2, random_state=0).fit(np.arange(12.0).reshape(6, 2)); "
        "assert 'dask' not in sys.modules, 'dask was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bad_blocks_raise_on_the_client_and_keep_the_fitted_state(client, regression):
    X, y, _, weight = regression
    model = NormalEquationRegressor().fit(X, y)
    coef = model.coef_.copy()

    X_nan = X.copy()
    X_nan[1_234, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.fit(da.from_array(X_nan, chunks=(100, 6)), y)
    negative = weight.copy()
    negative[5] = -1.0
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        model.fit(da.from_array(X, chunks=(100, 6)), y, sample_weight=negative)
    with pytest.raises(ValueError, match="same number of rows"):
        model.fit(da.from_array(X, chunks=(100, 6)), y[:-1])
    with pytest.raises(ValueError, match="sum to zero"):
        model.fit(da.from_array(X, chunks=(100, 6)), y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="at least one sample"):
        model.fit(da.zeros((0, 6), chunks=(10, 6)), np.zeros(0))
    X_dask = da.from_array(X, chunks=(100, 6))
    unknown_rows = X_dask[X_dask[:, 0] > 10]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        model.fit(unknown_rows, y)

    assert model.n_features_in_ == 6
    np.testing.assert_array_equal(model.coef_, coef)
