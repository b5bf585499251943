"""GaussianMixtureEM.fit on dask arrays equals the in-memory fit from the same start."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

pytest.importorskip("dask.distributed")
da = pytest.importorskip("dask.array")

from sklearn.cluster import KMeans  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402

from skbackprop import GaussianMixtureEM  # noqa: E402
from skbackprop.mixture import _kmeans_dask  # noqa: E402
from skbackprop.utils._dask import indexed_row_blocks  # noqa: E402

FITTED = ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_")


@pytest.fixture(scope="module")
def blobs():
    X, _ = make_blobs(
        n_samples=1_500, centers=3, n_features=3, cluster_std=[1.0, 2.0, 0.5], random_state=0
    )
    return X + 10.0  # off-center: exercises the features' shift


@pytest.fixture(scope="module")
def separated_blobs():
    """Well-separated clusters, with more rows than k-means++ is seeded on in a dask fit."""
    n_samples = 2 * _kmeans_dask.MIN_SAMPLE_ROWS + 4_000
    X, _ = make_blobs(n_samples=n_samples, centers=3, n_features=3, random_state=0)
    return X + 10.0


def assert_same_fit(model, expected):
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(model, name), getattr(expected, name), rtol=1e-8, atol=1e-8, err_msg=name
        )
    assert model.n_iter_ == expected.n_iter_
    assert model.converged_ == expected.converged_
    np.testing.assert_allclose(model.lower_bounds_, expected.lower_bounds_, rtol=1e-8)
    assert model.n_features_in_ == expected.n_features_in_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    ("covariance_type", "dtype"),
    [("full", np.float64), ("tied", np.float64), ("diag", np.float32), ("spherical", np.float64)],
)
def test_fit_from_the_same_initial_parameters(
    client, blobs, never_gathered, covariance_type, dtype
):
    X = blobs.astype(dtype)
    start = GaussianMixtureEM(3, covariance_type=covariance_type, max_iter=1, random_state=0)
    start.fit(X[::7])  # an initial model from a sample of the rows
    params = {
        "n_components": 3,
        "covariance_type": covariance_type,
        "means_init": start.means_,
        "weights_init": start.weights_,
        "precisions_init": start.precisions_,
        "tol": 1e-6,
    }
    expected = GaussianMixtureEM(**params).fit(X)
    model = GaussianMixtureEM(**params).fit(da.from_array(X, chunks=(100, 2)))
    assert expected.n_iter_ > 2
    assert model.means_.dtype == dtype
    if dtype == np.float32:  # the same steps, rounded to float32 in different orders
        for name in FITTED:
            np.testing.assert_allclose(getattr(model, name), getattr(expected, name), rtol=1e-3)
    else:
        assert_same_fit(model, expected)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_random_from_data_picks_the_same_rows(client, blobs, never_gathered, covariance_type):
    X = blobs
    params = {
        "n_components": 3,
        "covariance_type": covariance_type,
        "init_params": "random_from_data",
        "n_init": 2,
        "random_state": 3,
        "means_init": blobs[:3],  # the weights and precisions still come from the rows
    }
    expected = GaussianMixtureEM(**params).fit(X)
    model = GaussianMixtureEM(**params).fit(da.from_array(X, chunks=(250, 3)))
    assert_same_fit(model, expected)


def test_warm_start_and_fit_predict(client, blobs):
    X = blobs
    X_dask = da.from_array(X, chunks=(250, 3))
    params = {"n_components": 3, "init_params": "random_from_data", "random_state": 0}
    with pytest.warns(Warning, match="did not converge"):
        labels = GaussianMixtureEM(**params, max_iter=3).fit_predict(X_dask)
    assert isinstance(labels, da.Array)

    expected = GaussianMixtureEM(**params, max_iter=3, warm_start=True)
    model = GaussianMixtureEM(**params, max_iter=3, warm_start=True)
    with pytest.warns(Warning, match="did not converge"):
        expected.fit(X)
    with pytest.warns(Warning, match="did not converge"):
        model.fit(X_dask)
    np.testing.assert_array_equal(labels.compute(), model.predict(X))
    expected.set_params(max_iter=100).fit(X)  # continues from the previous solution
    model.set_params(max_iter=100).fit(X_dask)
    assert_same_fit(model, expected)


def test_default_kmeans_init_reaches_the_in_memory_optimum(
    client, separated_blobs, never_gathered
):
    # Seeded on a sample of the rows, so not from the in-memory seeds; on separated
    # clusters k-means still finds the same partition, and EM the same optimum.
    X = separated_blobs
    expected = GaussianMixtureEM(3, random_state=0).fit(X)
    model = GaussianMixtureEM(3, random_state=0).fit(da.from_array(X, chunks=(3_000, 3)))
    np.testing.assert_allclose(
        np.sort(model.means_, axis=0), np.sort(expected.means_, axis=0), rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(model.lower_bound_, expected.lower_bound_, rtol=0, atol=1e-8)


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++"])
def test_kmeans_inits_on_few_rows_equal_the_in_memory_fit(
    client, blobs, never_gathered, init_params
):
    # With no more rows than the seeding sample, the sample is every row, in order: the
    # same k-means++ draws as in memory, so the same fit.
    assert len(blobs) <= _kmeans_dask.MIN_SAMPLE_ROWS
    params = {"n_components": 3, "init_params": init_params, "random_state": 0}
    expected = GaussianMixtureEM(**params).fit(blobs)
    model = GaussianMixtureEM(**params).fit(da.from_array(blobs, chunks=(250, 3)))
    assert_same_fit(model, expected)


def test_float32_single_sample_starts_fall_back_to_float64_as_in_memory(
    client, blobs, never_gathered
):
    # 'k-means++' starts each component on one row; float32 sums of moments cannot resolve
    # its reg_covar-sized covariance 50 units from the mean, so both fits redo it in float64.
    X = (blobs + 50.0).astype(np.float32)
    params = {"n_components": 3, "init_params": "k-means++", "random_state": 0}
    expected = GaussianMixtureEM(**params).fit(X)
    model = GaussianMixtureEM(**params).fit(da.from_array(X, chunks=(250, 3)))
    for name in FITTED:
        assert getattr(model, name).dtype == np.float32, name
        np.testing.assert_allclose(
            getattr(model, name), getattr(expected, name), rtol=1e-6, atol=1e-6, err_msg=name
        )
    assert model.lower_bound_ == pytest.approx(expected.lower_bound_, rel=1e-10)


def test_distributed_kmeans_equals_sklearn_kmeans(client, separated_blobs, never_gathered):
    X = separated_blobs
    blocks = indexed_row_blocks(da.from_array(X, chunks=(3_000, 3)))
    shift = X.mean(axis=0)
    random_state = check_random_state(0)
    sample = _kmeans_dask.draw_sample(blocks, len(X), 3, shift, X.dtype, random_state)
    assert len(sample.rows) == _kmeans_dask.sample_size(len(X), 3) < len(X)
    np.testing.assert_array_equal(sample.rows, X[sample.indices])
    np.testing.assert_allclose(sample.squared_deviations / len(X), X.var(axis=0))
    centers, _ = _kmeans_dask.kmeans(blocks, sample, 3, shift, X.dtype, random_state, len(X))
    expected = KMeans(3, n_init=1, random_state=0).fit(X).cluster_centers_
    np.testing.assert_allclose(np.sort(centers + shift, axis=0), np.sort(expected, axis=0))

    # A center no row is nearest to: its cluster is empty, and takes the row farthest from
    # its own center, as in KMeans.
    init = np.vstack([X[:2], [[1e3, 1e3, 1e3]]])
    tol = 1e-4 * X.var(axis=0).mean()
    centers, n_iter = _kmeans_dask.lloyd(blocks, init - shift, shift, X.dtype, tol)
    expected = KMeans(3, init=init, n_init=1).fit(X)
    np.testing.assert_allclose(centers + shift, expected.cluster_centers_)
    assert n_iter == expected.n_iter_


@pytest.mark.parametrize("max_permuted_rows", [1 << 20, 0])
def test_the_sample_is_distinct_rows_however_they_are_drawn(
    client, separated_blobs, monkeypatch, max_permuted_rows
):
    # Beyond _MAX_PERMUTED_ROWS the row numbers are drawn with rejection, not permuted.
    monkeypatch.setattr(_kmeans_dask, "_MAX_PERMUTED_ROWS", max_permuted_rows)
    X = separated_blobs
    blocks = indexed_row_blocks(da.from_array(X, chunks=(6_000, 3)))
    sample = _kmeans_dask.draw_sample(
        blocks, len(X), 3, X.mean(axis=0), X.dtype, check_random_state(0)
    )
    assert len(np.unique(sample.indices)) == _kmeans_dask.sample_size(len(X), 3)
    np.testing.assert_array_equal(sample.rows, X[sample.indices])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("init_params", ["random", "k-means++"])
def test_random_inits_are_reproducible(client, separated_blobs, never_gathered, init_params):
    X_dask = da.from_array(separated_blobs, chunks=(6_000, 3))
    params = {"n_components": 3, "init_params": init_params, "max_iter": 2}
    first = GaussianMixtureEM(**params, random_state=0).fit(X_dask)
    again = GaussianMixtureEM(**params, random_state=0).fit(X_dask)
    other = GaussianMixtureEM(**params, random_state=1).fit(X_dask)
    for name in FITTED:
        np.testing.assert_array_equal(getattr(again, name), getattr(first, name))
    assert np.all(np.isfinite(first.means_))
    assert other.lower_bounds_ != first.lower_bounds_


def test_bad_rows_raise_and_keep_the_fitted_state(client, blobs):
    model = GaussianMixtureEM(3, random_state=0).fit(blobs)
    means = model.means_.copy()
    X_inf = blobs.copy()
    X_inf[700, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        model.fit(da.from_array(X_inf, chunks=100))
    np.testing.assert_array_equal(model.means_, means)  # the failed fit changed nothing
