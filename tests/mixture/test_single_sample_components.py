"""Components that hold a single sample: GaussianMixtureEM fits or raises as scikit-learn does.

Given tight initial precisions and no ``reg_covar``, EM can leave a component on one
sample. scikit-learn's 'diag' and 'spherical' variance, ``S2 / N - mean^2`` with
``N = S0 + 10 eps``, is then not zero but ``10 eps x^2 / N``, and the fit goes on with a
precision near 1e15. These tests pin that behaviour and the accuracy of the log-densities of
such components.
"""

import dataclasses
import warnings

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from skbackprop import GaussianMixtureEM
from skbackprop.mixture._em_steps import feature_map, natural_parameters, weighted_log_prob


def _case(seed, precisions):
    """30 uniform samples in 3-D, 6 spherical components, reg_covar=0, n_init=5."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(size=(30, 3))
    precisions_init = np.full(6, 1e6) if precisions == "1e6" else rng.uniform(1, 1e6, size=6)
    params = {
        "n_components": 6,
        "covariance_type": "spherical",
        "precisions_init": precisions_init,
        "reg_covar": 0.0,
        "n_init": 5,
        "random_state": seed,
    }
    return X, params


def _fit_or_error(Model, X, params):
    try:
        return Model(**params).fit(X)
    except ValueError as error:
        return error


def test_a_component_on_one_sample_fits_as_in_sklearn():
    # scikit-learn converges in 4 iterations here, with one component on a single sample.
    X, params = _case(13, "1e6")
    theirs = GaussianMixture(**params).fit(X)
    ours = GaussianMixtureEM(**params).fit(X)
    assert (ours.converged_, ours.n_iter_) == (theirs.converged_, theirs.n_iter_) == (True, 4)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.weights_, theirs.weights_, rtol=1e-9)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-9, atol=1e-12)
    single = np.argmin(theirs.covariances_)
    assert theirs.covariances_[single] < 1e-14  # about 10 eps x^2 / N
    others = np.arange(6) != single
    np.testing.assert_allclose(ours.covariances_[others], theirs.covariances_[others], rtol=1e-9)
    # The single sample's variance is round-off in scikit-learn's sums (a few ulps of x^2
    # against 10); ours is the same quantity computed without the cancellation.
    np.testing.assert_allclose(ours.covariances_[single], theirs.covariances_[single], rtol=0.2)
    # scikit-learn's log-density of that sample carries eps P |x|^2 ~ 0.1 of round-off
    # (P ~ 1e15), a few 1e-3 of the mean log-likelihood; ours is computed from distances.
    assert ours.lower_bound_ == pytest.approx(theirs.lower_bound_, rel=1e-2)


@pytest.mark.parametrize("precisions", ["1e6", "uniform"])
def test_fits_exactly_where_sklearn_fits_and_raises_where_it_raises(precisions):
    decisions = []
    for seed in range(8):
        X, params = _case(seed, precisions)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = _fit_or_error(GaussianMixture, X, params)
            ours = _fit_or_error(GaussianMixtureEM, X, params)
        if isinstance(theirs, ValueError):
            assert isinstance(ours, ValueError), seed
            assert str(ours) == str(theirs)
        else:
            assert not isinstance(ours, ValueError), (seed, ours)
            assert ours.converged_ == theirs.converged_
        decisions.append(isinstance(theirs, ValueError))
    if precisions == "uniform":  # the draws hold both outcomes
        assert any(decisions)
        assert not all(decisions)


def test_a_tight_component_far_from_the_mean_gets_exact_log_densities():
    # A component of spread 1e-7 at distance 1e3 from the data's mean: the one-product
    # expansion sums terms of size P |mu|^2 = 1e20 to get log-densities of order one.
    rng = np.random.RandomState(0)
    d = 3
    X = np.vstack([rng.normal(size=(20, d)), 1e3 + 1e-7 * rng.normal(size=(5, d))])
    shift = X.mean(axis=0)
    means = np.vstack([np.zeros(d), X[20:].mean(axis=0)])
    precisions_cholesky = np.array([1.0, 1e7])
    weights = np.array([0.8, 0.2])
    theta = natural_parameters(weights, means, precisions_cholesky, "spherical", shift)
    ours = weighted_log_prob(feature_map(X, "spherical", shift), theta)
    # Reference in extended precision.
    XL, ML = X.astype(np.longdouble), means.astype(np.longdouble)
    precisions = precisions_cholesky.astype(np.longdouble) ** 2
    squared = ((XL[None, :, :] - ML[:, None, :]) ** 2).sum(axis=2)
    exact = (
        np.log(weights.astype(np.longdouble))[:, None]
        + d * np.log(precisions_cholesky.astype(np.longdouble))[:, None]
        - 0.5 * d * np.log(2 * np.pi)
        - 0.5 * precisions[:, None] * squared
    )
    near = slice(20, None)  # the tight component's own samples
    # Their distances to the mean, 1e-7, are known to eps |x| = 1e-13 once the samples are
    # shifted: 1e-6 of the log-density, where the expansion's round-off is 1e20 eps.
    np.testing.assert_allclose(ours[1, near], exact[1, near].astype(float), atol=1e-5)
    np.testing.assert_allclose(ours[0], exact[0].astype(float), rtol=1e-9)
    expanded = weighted_log_prob(
        feature_map(X, "spherical", shift), dataclasses.replace(theta, direct=None)
    )
    assert np.max(np.abs(expanded[1, near] - exact[1, near].astype(float))) > 1.0


def test_ordinary_components_take_the_one_product_path():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2)) * [1.0, 100.0] + [0.0, 1e4]
    model = GaussianMixtureEM(n_components=3, covariance_type="full", random_state=0).fit(X)
    shift = X.mean(axis=0)
    theta = natural_parameters(
        model.weights_, model.means_, model.precisions_cholesky_, "full", shift
    )
    assert theta.direct is None
