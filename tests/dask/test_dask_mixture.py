"""GaussianMixtureEM.fit on dask arrays equals the in-memory fit from the same start."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

pytest.importorskip("dask.distributed")
da = pytest.importorskip("dask.array")

from skbackprop import GaussianMixtureEM  # noqa: E402

FITTED = ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_")


@pytest.fixture(scope="module")
def blobs():
    X, _ = make_blobs(
        n_samples=1_500, centers=3, n_features=3, cluster_std=[1.0, 2.0, 0.5], random_state=0
    )
    return X + 10.0  # off-center: exercises the features' shift


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


def test_initializations_that_need_every_row_are_refused(client, blobs):
    model = GaussianMixtureEM(3, random_state=0).fit(blobs)
    means = model.means_.copy()
    X_dask = da.from_array(blobs, chunks=(100, 3))
    with pytest.raises(ValueError, match="init_params='kmeans' needs all the rows"):
        GaussianMixtureEM(3).fit(X_dask)
    with pytest.raises(ValueError, match=r"init_params='k-means\+\+' needs all the rows"):
        GaussianMixtureEM(3, init_params="k-means++", means_init=means).fit(X_dask)

    X_inf = blobs.copy()
    X_inf[700, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        model.set_params(init_params="random_from_data").fit(da.from_array(X_inf, chunks=100))
    np.testing.assert_array_equal(model.means_, means)  # the failed fit changed nothing
