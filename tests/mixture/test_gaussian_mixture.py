"""GaussianMixtureEM against scikit-learn's GaussianMixture, and its own contracts."""

import tracemalloc
import warnings

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.mixture import GaussianMixture

import skbackprop.mixture._em_steps as em_steps
from skbackprop import GaussianMixtureEM
from skbackprop.mixture._em_steps import (
    DirectComponents,
    block_statistics,
    feature_map,
    log_prob_by_distances,
    log_prob_by_products,
    natural_parameters,
    row_block_statistics,
    weighted_log_prob,
)
from skbackprop.mixture._gaussian_mixture import most_probable
from skbackprop.mixture._precisions import _lower_inverse

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


@pytest.fixture(scope="module")
def blobs():
    X, _ = make_blobs(
        n_samples=600, n_features=3, centers=4, cluster_std=[0.5, 1.0, 1.5, 0.8], random_state=0
    )
    # Anisotropic and away from the origin, so the covariances are not trivial.
    return X @ np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.5], [0.2, 0.0, 1.0]]) + 5.0


def _both(X, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = GaussianMixture(**params).fit(X)
        ours = GaussianMixtureEM(**params).fit(X)
    return theirs, ours


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_init_gives_sklearns_lower_bound_and_parameters(blobs, covariance_type):
    rng = np.random.default_rng(1)
    means_init = blobs[rng.choice(len(blobs), 4, replace=False)]
    params = {
        "n_components": 4,
        "covariance_type": covariance_type,
        "tol": 0.0,
        "max_iter": 15,
        "means_init": means_init,
        "weights_init": np.full(4, 0.25),
        "random_state": 0,
    }
    theirs, ours = _both(blobs, **params)
    assert ours.n_iter_ == theirs.n_iter_ == 15
    np.testing.assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=1e-6)
    np.testing.assert_allclose(ours.lower_bounds_, theirs.lower_bounds_, rtol=1e-6)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        np.testing.assert_allclose(
            getattr(ours, name), getattr(theirs, name), rtol=1e-6, atol=1e-8, err_msg=name
        )
    np.testing.assert_allclose(ours.score_samples(blobs), theirs.score_samples(blobs), rtol=1e-8)
    np.testing.assert_allclose(ours.predict_proba(blobs), theirs.predict_proba(blobs), atol=1e-8)
    assert ours.bic(blobs) == pytest.approx(theirs.bic(blobs), rel=1e-10)
    assert ours.aic(blobs) == pytest.approx(theirs.aic(blobs), rel=1e-10)


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random", "random_from_data"])
def test_every_init_params_starts_where_sklearn_starts(blobs, init_params):
    params = {
        "n_components": 3,
        "init_params": init_params,
        "max_iter": 5,
        "n_init": 2,
        "random_state": 3,
        "tol": 0.0,
    }
    theirs, ours = _both(blobs, **params)
    np.testing.assert_allclose(ours.lower_bounds_, theirs.lower_bounds_, rtol=1e-9)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-7)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_precisions_init_per_covariance_type(blobs, covariance_type):
    reference = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(blobs)
    params = {
        "n_components": 3,
        "covariance_type": covariance_type,
        "weights_init": reference.weights_,
        "means_init": reference.means_,
        "precisions_init": reference.precisions_ * 0.7,
        "max_iter": 4,
        "tol": 0.0,
    }
    theirs, ours = _both(blobs, **params)
    np.testing.assert_allclose(ours.lower_bounds_, theirs.lower_bounds_, rtol=1e-9)
    np.testing.assert_allclose(ours.covariances_, theirs.covariances_, rtol=1e-6, atol=1e-10)


def test_converged_n_iter_and_warning_match_sklearn(blobs):
    theirs, ours = _both(blobs, n_components=4, random_state=0, tol=1e-3)
    assert ours.converged_
    assert theirs.converged_
    assert ours.n_iter_ == theirs.n_iter_
    assert len(ours.lower_bounds_) == ours.n_iter_
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        GaussianMixtureEM(n_components=4, max_iter=2, random_state=0).fit(blobs)


def test_max_iter_zero_keeps_the_initialization(blobs):
    theirs, ours = _both(blobs, n_components=3, max_iter=0, random_state=0)
    assert ours.n_iter_ == 0
    assert not ours.converged_
    assert ours.lower_bound_ == -np.inf
    np.testing.assert_allclose(ours.means_, theirs.means_)


def test_warm_start_continues_from_the_previous_fit(blobs):
    params = {"n_components": 3, "random_state": 0, "tol": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm = GaussianMixtureEM(max_iter=3, warm_start=True, **params).fit(blobs)
        warm.fit(blobs)
        cold = GaussianMixtureEM(max_iter=6, **params).fit(blobs)
    np.testing.assert_allclose(warm.means_, cold.means_, rtol=1e-10)
    assert warm.lower_bound_ == pytest.approx(cold.lower_bound_, rel=1e-12)


def test_n_init_keeps_the_best_lower_bound(blobs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        best = GaussianMixtureEM(4, init_params="random", max_iter=3, tol=0, n_init=3)
        best.set_params(random_state=np.random.RandomState(0)).fit(blobs)
        theirs = GaussianMixture(4, init_params="random", max_iter=3, tol=0, n_init=3)
        theirs.set_params(random_state=np.random.RandomState(0)).fit(blobs)
    assert best.lower_bound_ == pytest.approx(theirs.lower_bound_, rel=1e-9)
    assert best.n_iter_ == len(best.lower_bounds_) == 3


def test_fit_predict_equals_fit_then_predict(blobs):
    model = GaussianMixtureEM(n_components=4, random_state=0)
    labels = model.fit_predict(blobs)
    np.testing.assert_array_equal(labels, model.predict(blobs))
    np.testing.assert_allclose(model.predict_proba(blobs).sum(axis=1), 1.0)


def test_failed_warm_refit_restores_the_fitted_arrays_themselves_unchanged(blobs, monkeypatch):
    # The rollback keeps these arrays by reference (_replaced_by_fit), not copies: a warm
    # start reads them, and the fit must never write into them.
    from skbackprop.mixture import _em_driver

    model = GaussianMixtureEM(3, covariance_type="full", random_state=0).fit(blobs)
    before = {name: getattr(model, name) for name in GaussianMixtureEM._replaced_by_fit}
    values = {name: array.copy() for name, array in before.items()}
    calls = []
    original = _em_driver.m_step_parameters

    def fail_on_the_second_m_step(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the second M-step fails")
        return original(*args, **kwargs)

    monkeypatch.setattr(_em_driver, "m_step_parameters", fail_on_the_second_m_step)
    with pytest.raises(RuntimeError, match="second M-step"):
        model.set_params(warm_start=True, tol=0.0, max_iter=5).fit(blobs)
    for name, array in before.items():
        assert getattr(model, name) is array, name
        np.testing.assert_array_equal(array, values[name])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_one_component_predicts_it_for_every_row_as_scikit_learn(blobs, covariance_type):
    # Rows far out (log-density -inf) and float32 ones too: label 0, as argmax gives.
    rows = np.vstack([blobs[:5], np.full((1, blobs.shape[1]), 1e200)])
    ours = GaussianMixtureEM(1, covariance_type=covariance_type).fit(blobs)
    theirs = GaussianMixture(1, covariance_type=covariance_type).fit(blobs)
    for X in (rows, rows[:5].astype(np.float32)):
        labels = ours.predict(X)
        with np.errstate(over="ignore", invalid="ignore"):  # scikit-learn's overflow
            expected = theirs.predict(X)
        assert labels.dtype == expected.dtype
        np.testing.assert_array_equal(labels, expected)
        np.testing.assert_array_equal(labels, ours.predict_proba(X).argmax(axis=1))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_stays_float32(blobs, covariance_type):
    X = blobs.astype(np.float32)
    model = GaussianMixtureEM(n_components=3, covariance_type=covariance_type, random_state=0)
    model.fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert getattr(model, name).dtype == np.float32, name
    assert model.score_samples(X).dtype == np.float32
    assert model.predict_proba(X).dtype == np.float32
    reference = GaussianMixtureEM(n_components=3, covariance_type=covariance_type, random_state=0)
    reference.fit(blobs)
    assert model.lower_bound_ == pytest.approx(reference.lower_bound_, rel=1e-4)
    # The lower bounds are numpy scalars of the data's precision, as scikit-learn's are.
    assert type(model.lower_bound_) is np.float32
    assert {type(bound) for bound in model.lower_bounds_} == {np.float32}
    assert type(reference.lower_bound_) is np.float64


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
@pytest.mark.parametrize("init_params", ["k-means++", "random_from_data"])
def test_float32_single_sample_starts_fit_like_float64(covariance_type, init_params):
    # These starts put each component on one sample: its covariance is reg_covar alone,
    # which float32 sums of moments cannot resolve 50 units from the data's mean. The fit
    # falls back to float64 sums, as scikit-learn's centred float32 sums would fit it,
    # and keeps float32 attributes.
    X, _ = make_blobs(n_samples=500, centers=3, n_features=2, random_state=1)
    X = X + 50.0
    params = {
        "n_components": 3,
        "covariance_type": covariance_type,
        "init_params": init_params,
        "random_state": 1,
    }
    model = GaussianMixtureEM(**params).fit(X.astype(np.float32))
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert getattr(model, name).dtype == np.float32, name
    reference = GaussianMixtureEM(**params).fit(X.astype(np.float32).astype(np.float64))
    assert model.lower_bound_ == np.float32(reference.lower_bound_)
    np.testing.assert_allclose(model.means_, reference.means_, rtol=1e-6)
    theirs = GaussianMixture(**params).fit(X.astype(np.float32).astype(np.float64))
    assert model.lower_bound_ == pytest.approx(theirs.lower_bound_, abs=1e-3)
    labels = GaussianMixtureEM(**params).fit_predict(X.astype(np.float32))
    np.testing.assert_array_equal(labels, model.predict(X.astype(np.float32)))


def test_float64_retry_starts_from_the_same_draws_and_labels_like_predict(capsys):
    X, _ = make_blobs(n_samples=5000, centers=3, cluster_std=3.0, random_state=5)
    X32 = (X + 1000.0).astype(np.float32)
    params = {"n_components": 3, "init_params": "k-means++", "verbose": 1}
    # A RandomState instance: the float32 attempt draws from it before failing, and the
    # retry must start again from the same draws, as a fit of float64 data does.
    model = GaussianMixtureEM(random_state=np.random.RandomState(5), **params).fit(X32)
    assert "fitting again in float64" in capsys.readouterr().out
    reference = GaussianMixtureEM(random_state=np.random.RandomState(5), **params)
    reference.fit(X32.astype(np.float64))
    assert model.n_iter_ == reference.n_iter_
    assert model.lower_bound_ == np.float32(reference.lower_bound_)
    # fit_predict's labels are predict's, from the stored float32 parameters.
    labels = GaussianMixtureEM(random_state=5, **params).fit_predict(X32)
    np.testing.assert_array_equal(labels, model.predict(X32))


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_float64_retry_holds_no_float64_copy_of_the_rows(covariance_type, capsys):
    # The retry widens the float32 rows as it sums them: its peak is a float64 fit's,
    # not that plus a float64 copy of X.
    X, _ = make_blobs(n_samples=20_000, centers=3, n_features=10, random_state=1)
    X32, X64 = (X + 50.0).astype(np.float32), (X + 50.0).astype(np.float32).astype(np.float64)
    params = {
        "n_components": 3,
        "covariance_type": covariance_type,
        "init_params": "random_from_data",
        "max_iter": 3,
        "random_state": 1,
    }
    peaks = []
    for data in (X32, X64):
        tracemalloc.start()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            GaussianMixtureEM(verbose=1, **params).fit(data)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        retried = "fitting again in float64" in capsys.readouterr().out
        assert retried == (data is X32)
    assert peaks[0] < peaks[1] + X64.nbytes / 2


@pytest.mark.filterwarnings("ignore:Number of distinct clusters")
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_collapsed_component_says_how_to_fix_it(covariance_type):
    # Four distinct points for five components: one component must collapse onto a point.
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [3.0, 3.0]]), 5, axis=0)
    model = GaussianMixtureEM(
        n_components=5, covariance_type=covariance_type, reg_covar=0.0, random_state=0
    )
    with pytest.raises(ValueError, match="increase reg_covar") as error:
        model.fit(X)
    # float32 data retries in float64 and fails there too, with the same advice.
    with pytest.raises(ValueError, match="increase reg_covar"):
        model.fit(X.astype(np.float32))
    assert "number of components" in str(error.value)
    assert "scale the input data" in str(error.value)
    assert not hasattr(model, "means_")  # a failed fit leaves nothing behind


@pytest.mark.filterwarnings("ignore:Number of distinct clusters")
def test_failed_refit_keeps_the_previous_fit(blobs):
    model = GaussianMixtureEM(n_components=2, random_state=0).fit(blobs)
    means = model.means_.copy()
    bad = np.repeat(np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]), 3, axis=0)
    with pytest.raises(ValueError, match="reg_covar"):
        model.set_params(n_components=3, reg_covar=0.0).fit(bad)
    np.testing.assert_array_equal(model.means_, means)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"weights_init": [0.5, 0.6]}, "should be normalized"),
        ({"weights_init": [0.5, 0.3, 0.2]}, "shape"),
        ({"weights_init": [1.5, -0.5]}, "range"),
        ({"means_init": np.zeros((3, 3))}, "shape"),
        ({"precisions_init": -np.ones((2, 3, 3))}, "positive-definite"),
        ({"covariance_type": "diag", "precisions_init": -np.ones((2, 3))}, "positive"),
        ({"covariance_type": "tied", "precisions_init": np.ones((2, 2))}, "shape"),
    ],
)
def test_bad_initial_parameters(blobs, params, message):
    with pytest.raises(ValueError, match=message):
        GaussianMixtureEM(n_components=2, **params).fit(blobs)


def test_bad_input():
    model = GaussianMixtureEM(n_components=2)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.array([[0.0, np.nan], [1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="n_samples >= n_components"):
        GaussianMixtureEM(n_components=5).fit(np.eye(3))
    with pytest.raises(ValueError, match="minimum of 2"):
        model.fit(np.ones((1, 2)))
    with pytest.raises(ValueError, match="covariance_type"):
        GaussianMixtureEM(covariance_type="banana").fit(np.eye(3))
    with pytest.raises(NotFittedError):
        model.predict(np.eye(2))
    model.fit(np.random.default_rng(0).normal(size=(20, 2)))
    with pytest.raises(ValueError, match="features"):
        model.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="n_samples"):
        model.sample(0)


def test_sample_matches_sklearn(blobs):
    for covariance_type in COVARIANCE_TYPES:
        theirs, ours = _both(
            blobs, n_components=3, covariance_type=covariance_type, random_state=0
        )
        X_theirs, y_theirs = theirs.sample(50)
        X_ours, y_ours = ours.sample(50)
        np.testing.assert_array_equal(y_ours, y_theirs)
        np.testing.assert_allclose(X_ours, X_theirs, rtol=1e-5, atol=1e-6)


def test_out_of_distribution_points_score_lower(blobs):
    model = GaussianMixtureEM(n_components=4, random_state=0).fit(blobs)
    far = blobs.mean(axis=0) + 50.0 * np.ones((5, 3))
    assert model.score_samples(far).max() < model.score_samples(blobs).min()


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_block_statistics_add_across_blocks(blobs, covariance_type):
    model = GaussianMixtureEM(3, covariance_type=covariance_type, random_state=0).fit(blobs)
    shift = blobs.mean(axis=0)
    theta = natural_parameters(
        model.weights_, model.means_, model.precisions_cholesky_, covariance_type, shift
    )
    phi = feature_map(blobs, covariance_type, shift)
    whole = block_statistics(phi, theta, covariance_type)
    parts = block_statistics(phi[:250], theta, covariance_type) + block_statistics(
        phi[250:], theta, covariance_type
    )
    assert parts.n_samples == whole.n_samples == len(blobs)
    assert parts.log_likelihood == pytest.approx(whole.log_likelihood, rel=1e-12)
    np.testing.assert_allclose(parts.moments, whole.moments, rtol=1e-12)
    assert whole.log_likelihood / len(blobs) == pytest.approx(model.score(blobs), rel=1e-12)


def test_collapse_message_is_sklearns_word_for_word():
    # Four distinct points for five components: one component holds a single point.
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [3.0, 3.0]]), 5, axis=0)
    params = {"n_components": 5, "covariance_type": "spherical", "reg_covar": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="ill-defined empirical covariance") as theirs:
            GaussianMixture(random_state=0, **params).fit(X)
        with pytest.raises(ValueError, match="ill-defined empirical covariance") as ours:
            GaussianMixtureEM(random_state=0, **params).fit(X)
    assert str(ours.value) == str(theirs.value)


def test_tight_component_far_from_the_mean_gets_sklearns_covariance():
    # A cluster of spread 1e-4 two thousand units from the data's mean: its second moment
    # minus N mean^2 cancels all but the round-off (the variance is 1e-14 of the second
    # moment), so the covariance is summed again from centred rows, as scikit-learn does.
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(60, 2)), 2000.0 + 1e-4 * rng.normal(size=(40, 2))])
    params = {
        "n_components": 2,
        "covariance_type": "full",
        "reg_covar": 0.0,
        "max_iter": 3,
        "random_state": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = GaussianMixture(**params).fit(X)
        ours = GaussianMixtureEM(**params).fit(X)
    # scikit-learn's sums are centred per component (their round-off is eps, relative).
    np.testing.assert_allclose(ours.covariances_, theirs.covariances_, rtol=1e-6)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours.weights_, theirs.weights_, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_feature_map_and_distances_give_the_same_log_probabilities(covariance_type):
    # The formulations use_distances chooses between agree on ordinary data: the feature
    # map, the distances and, for 'diag' and 'spherical', the map's two products.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6)) * 3.0 + 1.0
    model = GaussianMixtureEM(3, covariance_type=covariance_type, random_state=0).fit(X)
    shift = X.mean(axis=0)
    theta = natural_parameters(
        model.weights_, model.means_, model.precisions_cholesky_, covariance_type, shift
    )
    phi = feature_map(X, covariance_type, shift)
    expanded = weighted_log_prob(phi, theta)
    distances = log_prob_by_distances(X - shift, theta.all_components)
    np.testing.assert_allclose(distances, expanded, rtol=1e-10, atol=1e-10)
    # Inference by distances: the rows as they are, from the fitted arrays alone.
    fitted = (model.weights_, model.means_, model.precisions_cholesky_)
    unshifted = log_prob_by_distances(X, DirectComponents.every(*fitted, covariance_type))
    np.testing.assert_allclose(unshifted, expanded, rtol=1e-10, atol=1e-10)
    if covariance_type in ("diag", "spherical"):
        products = log_prob_by_products(X - shift, theta, covariance_type)
        np.testing.assert_allclose(products, expanded, rtol=1e-10, atol=1e-10)
        by_map = block_statistics(phi, theta, covariance_type)
        by_products = row_block_statistics(X - shift, theta, covariance_type, False)
        assert by_products.log_likelihood == pytest.approx(by_map.log_likelihood, rel=1e-12)
        np.testing.assert_allclose(by_products.moments, by_map.moments, rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_distances_only_where_they_count_change_no_bit(covariance_type, dtype, monkeypatch):
    # One-row starts list every component for distances in the first E-step; only the
    # entries within exp's range of each sample's largest log-probability are computed
    # again, and the fit, its scores and probabilities are the same bits as with all.
    X = (make_blobs(n_samples=400, centers=4, n_features=30, random_state=0)[0] + 20.0).astype(
        dtype
    )
    params = {"covariance_type": covariance_type, "init_params": "random_from_data"}
    computed = []
    select = DirectComponents._entries_that_count

    def spy(self, out, n_features):
        counting = select(self, out, n_features)
        computed.append(sum(out.shape[1] if c is None else c.size for c in counting))
        return counting

    monkeypatch.setattr(DirectComponents, "_entries_that_count", spy)
    ours = GaussianMixtureEM(4, random_state=0, **params).fit(X)
    assert computed
    assert computed[0] < 4 * X.shape[0] / 2  # most entries left out
    monkeypatch.setattr(em_steps, "use_entry_selection", lambda *_: False)
    every = GaussianMixtureEM(4, random_state=0, **params).fit(X)
    for name in ("weights_", "means_", "covariances_", "lower_bounds_"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(every, name))
    np.testing.assert_array_equal(ours.predict_proba(X), every.predict_proba(X))


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_centred_sums_read_only_the_rows_of_nonzero_weight(covariance_type, monkeypatch):
    rng = np.random.default_rng(0)
    centered = rng.standard_normal((200, 5))
    resp = np.zeros((3, 200))
    resp[0, :7] = rng.uniform(size=7)  # few rows: gathered
    resp[1] = rng.uniform(size=200)  # all rows: read in place
    resp[2, 50] = 1.0  # one row, as a one-row start gives
    np.testing.assert_array_equal(em_steps._weighted_rows(resp[0]), np.arange(7))
    assert em_steps._weighted_rows(resp[1]) == slice(None)
    means = rng.standard_normal((3, 5))
    components = np.arange(3)
    sums = em_steps.centred_block_moments(centered, resp, means, components, covariance_type)
    monkeypatch.setattr(em_steps, "_weighted_rows", lambda weights: slice(None))
    every = em_steps.centred_block_moments(centered, resp, means, components, covariance_type)
    np.testing.assert_allclose(sums, every, rtol=1e-13, atol=0)
    np.testing.assert_array_equal(sums[2], every[2])


@pytest.mark.parametrize("n_far", [1, 2])
@pytest.mark.parametrize("covariance_type", ["full", "tied"])
def test_distances_take_images_near_the_rows_and_differences_far_away(covariance_type, n_far):
    # 'full' and 'tied' distances come from the rows' images, x U_k - mu_k U_k, over row
    # blocks, except for a component whose image |mu_k U_k| is so large that their
    # difference would cancel: that one is computed from (x - mu_k) U_k. Both agree with
    # the differences of every component, on rows near each mean, with one or two such
    # components (two leave one component to the images).
    rng = np.random.default_rng(0)
    d = 4
    means = np.array([np.zeros(d), np.full(d, 2.0), np.full(d, 1e4)])
    upper = np.triu(rng.normal(size=(3, d, d)) * 0.1) + np.eye(d)
    upper[2] *= 1e3  # tight and far: |mu U|^2 ~ 1e14
    if n_far == 2:
        means[1], upper[1] = -1e4, upper[1] * 1e3
    if covariance_type == "tied":
        means[3 - n_far :] = 1e7 * np.sign(means[3 - n_far :])
        upper = upper[0]
    X = np.concatenate([m + rng.normal(size=(500, d)) * 1e-3 for m in means])
    constants = np.array([-1.0, -2.0, -3.0])
    components = DirectComponents(np.arange(3), constants, means, upper, covariance_type)
    out = np.empty((3, X.shape[0]))
    components.overwrite(out, X)
    expected = np.empty_like(out)
    for k in range(3):
        u = upper if covariance_type == "tied" else upper[k]
        z = (X - means[k]) @ u
        expected[k] = constants[k] - 0.5 * np.einsum("ij,ij->i", z, z)
    near_far_mean = slice(1000, 1500)
    np.testing.assert_allclose(out[2, near_far_mean], expected[2, near_far_mean], rtol=1e-12)
    np.testing.assert_allclose(out, expected, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_inference_centres_the_rows_only_far_from_the_origin(covariance_type, monkeypatch):
    # Near the origin the rows are scored as they are (no centring pass); the result
    # agrees with the centred expansion to 1e-10. Far from it they are centred.
    import skbackprop.mixture._em_driver as driver

    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 6)) * 3.0 + 1.0
    near = GaussianMixtureEM(3, covariance_type=covariance_type, random_state=0).fit(X)
    far = GaussianMixtureEM(3, covariance_type=covariance_type, random_state=0).fit(X + 100.0)
    assert driver.inference_parameters(near, X.dtype)[0] is None
    np.testing.assert_array_equal(
        driver.inference_parameters(far, X.dtype)[0], (far.weights_ @ far.means_)
    )
    uncentred = near.score_samples(X)
    monkeypatch.setattr(driver, "_needs_shift", lambda *args: True)
    near._inference_cache = None
    np.testing.assert_allclose(uncentred, near.score_samples(X), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_centred_inference_over_many_blocks_scores_each_row_alone(covariance_type):
    # Far from the origin the rows minus the shift go block after block into one buffer;
    # several blocks and a shorter last one score each row as scoring it alone does, and
    # as the distances do.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12_007, 6)) * 3.0 + 100.0
    model = GaussianMixtureEM(2, covariance_type=covariance_type, random_state=0).fit(X[:500])
    scores = model.score_samples(X)
    alone = np.concatenate([model.score_samples(X[i : i + 777]) for i in range(0, len(X), 777)])
    np.testing.assert_allclose(scores, alone, rtol=1e-12)
    fitted = (model.weights_, model.means_, model.precisions_cholesky_)
    every = DirectComponents.every(*fitted, covariance_type)
    exact = logsumexp(log_prob_by_distances(X, every), axis=0)
    np.testing.assert_allclose(scores, exact, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_fit_by_distances_equals_fit_by_feature_map(covariance_type, monkeypatch):
    import skbackprop.mixture._em_driver as driver

    X, _ = make_blobs(400, n_features=5, centers=3, random_state=1)
    params = {"n_components": 3, "covariance_type": covariance_type, "random_state": 0}
    fitted = {}
    for by_distances in (False, True):
        monkeypatch.setattr(driver, "use_distances", lambda *args, b=by_distances: b)
        fitted[by_distances] = GaussianMixtureEM(**params).fit(X)
    expanded, distances = fitted[False], fitted[True]
    assert distances.n_iter_ == expanded.n_iter_
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_allclose(
            getattr(distances, name), getattr(expanded, name), rtol=1e-10, atol=1e-12
        )
    assert distances.lower_bound_ == pytest.approx(expanded.lower_bound_, rel=1e-12)


def test_wide_data_fits_by_distances_as_sklearn():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(300, 40)), rng.normal(loc=3.0, size=(300, 40))])
    params = {"n_components": 2, "init_params": "random_from_data", "random_state": 0}
    ours = GaussianMixtureEM(**params).fit(X)
    theirs = GaussianMixture(**params).fit(X)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.covariances_, theirs.covariances_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=1e-10)


def test_inference_cache_is_filled_by_the_first_call_and_follows_the_fitted_arrays():
    import copy

    # 'diag' scores by the expansion, whose natural parameters the cache keeps (scoring
    # by distances reads the fitted arrays themselves).
    X, _ = make_blobs(300, n_features=3, centers=3, random_state=0)
    model = GaussianMixtureEM(3, covariance_type="diag", random_state=0).fit(X)
    assert model._inference_cache.entry is None  # a fit alone computes nothing for it
    attributes = dict(vars(model))
    scores = model.score_samples(X)
    assert vars(model) == attributes  # filled in place: the attributes are the same
    assert model._inference_cache.entry is not None
    # The rollback's deep copy of the attributes shares the contents, not the holder.
    held = copy.deepcopy(model._inference_cache)
    assert held is not model._inference_cache
    assert held.entry is model._inference_cache.entry
    twin = copy.deepcopy(model)  # as a pickle: rebuilt empty, filled by its first call
    assert twin._inference_cache.entry is None
    np.testing.assert_array_equal(twin.score_samples(X), scores)
    # Fitted arrays changed in place are seen: the stored entry no longer matches them.
    model.means_ += 1.0
    moved = GaussianMixtureEM(3, covariance_type="diag", random_state=0).fit(X)
    moved.means_ += 1.0
    np.testing.assert_array_equal(model.score_samples(X), moved.score_samples(X))
    np.testing.assert_array_equal(twin.score_samples(X), scores)


@pytest.mark.parametrize("n_components", [1, 2, 3, 8])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_most_probable_is_numpys_argmax(n_components, dtype):
    # Ties go to the first component, columns of -inf to component 0, and a column with
    # NaN to its first NaN, as numpy's argmax along the first axis gives them.
    rng = np.random.default_rng(0)
    log_prob = rng.standard_normal((n_components, 500)).astype(dtype)
    log_prob[:, :20] = 1.0
    log_prob[:, 20:30] = -np.inf
    log_prob[-1, 30:40] = np.inf
    log_prob[0, 40:50] = -np.inf
    np.testing.assert_array_equal(most_probable(log_prob), log_prob.argmax(axis=0))
    log_prob[-1, 60] = np.nan
    np.testing.assert_array_equal(most_probable(log_prob), log_prob.argmax(axis=0))
    np.testing.assert_array_equal(most_probable(log_prob[:, :0]), log_prob[:, :0].argmax(axis=0))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_features", [5, 64, 65, 130, 257])
def test_triangular_inverse_by_halves_is_the_inverse(n_features, dtype):
    # inv(L) from the inverses of its diagonal halves: lower-triangular, and the inverse
    # to the rounding of LAPACK's solve with the identity.
    rng = np.random.default_rng(n_features)
    rows = rng.standard_normal((3, n_features, 2 * n_features))
    covariances = rows @ np.swapaxes(rows, -1, -2) / n_features + 0.1 * np.eye(n_features)
    lower = np.linalg.cholesky(covariances).astype(dtype)
    eye = np.eye(n_features, dtype=dtype)
    inverse = _lower_inverse(lower, eye)
    assert inverse.dtype == dtype
    np.testing.assert_array_equal(inverse, np.tril(inverse))
    tolerance = 50 * n_features * np.finfo(dtype).eps
    np.testing.assert_allclose(inverse @ lower, np.broadcast_to(eye, lower.shape), atol=tolerance)
    solved = np.linalg.solve(lower, np.broadcast_to(eye, lower.shape))
    np.testing.assert_allclose(inverse, solved, atol=tolerance * np.abs(solved).max())
