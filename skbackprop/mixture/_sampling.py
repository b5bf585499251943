"""Drawing from a fitted mixture, and counting its free parameters (for BIC and AIC)."""

import numpy as np


def draw_samples(rng, weights, means, covariances, covariance_type, n_samples):
    """``n_samples`` draws grouped by component, and the component of each.

    The draws are scikit-learn's, one call per component in the same order, so the same
    ``rng`` and parameters give the same samples.
    """
    n_components, n_features = means.shape
    counts = rng.multinomial(n_samples, weights.astype(np.float64))
    means = means.astype(np.float64)
    covariances = covariances.astype(np.float64)
    if covariance_type == "full":
        parts = [
            rng.multivariate_normal(mean, cov, int(count))
            for mean, cov, count in zip(means, covariances, counts)
        ]
    elif covariance_type == "tied":
        parts = [
            rng.multivariate_normal(mean, covariances, int(count))
            for mean, count in zip(means, counts)
        ]
    else:
        parts = [
            mean + rng.standard_normal(size=(count, n_features)) * np.sqrt(cov)
            for mean, cov, count in zip(means, covariances, counts)
        ]
    labels = np.repeat(np.arange(n_components, dtype=np.int64), counts)
    return np.vstack(parts), labels


def n_parameters(covariance_type, n_components, n_features):
    """Number of free parameters of a mixture: weights, means and covariances."""
    if covariance_type == "full":
        cov_params = n_components * n_features * (n_features + 1) / 2.0
    elif covariance_type == "diag":
        cov_params = n_components * n_features
    elif covariance_type == "tied":
        cov_params = n_features * (n_features + 1) / 2.0
    else:
        cov_params = n_components
    mean_params = n_features * n_components
    return int(cov_params + mean_params + n_components - 1)
