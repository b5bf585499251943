"""Starting responsibilities and the checks of user-given initial parameters.

The draws match scikit-learn's GaussianMixture call for call (same random_state consumed in
the same order), so both libraries start from the same point.
"""

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.utils import check_array


def initial_responsibilities(X, n_components, init_params, random_state):
    """Responsibilities (n_samples, n_components) from which the first M-step starts.

    - 'kmeans': one-hot labels of a k-means fit (``n_init=1``);
    - 'k-means++': one-hot of the k-means++ seeds (one sample per component);
    - 'random': uniform draws normalized per row;
    - 'random_from_data': one-hot of ``n_components`` distinct random samples.
    """
    n_samples = X.shape[0]
    if init_params == "kmeans":
        resp = np.zeros((n_samples, n_components), dtype=X.dtype)
        labels = (
            KMeans(n_clusters=n_components, n_init=1, random_state=random_state).fit(X).labels_
        )
        resp[np.arange(n_samples), labels] = 1
    elif init_params == "random":
        resp = np.asarray(random_state.uniform(size=(n_samples, n_components)), dtype=X.dtype)
        resp /= resp.sum(axis=1)[:, None]
    elif init_params == "random_from_data":
        resp = np.zeros((n_samples, n_components), dtype=X.dtype)
        indices = random_state.choice(n_samples, size=n_components, replace=False)
        resp[indices, np.arange(n_components)] = 1
    else:  # 'k-means++'
        resp = np.zeros((n_samples, n_components), dtype=X.dtype)
        _, indices = kmeans_plusplus(X, n_components, random_state=random_state)
        resp[indices, np.arange(n_components)] = 1
    return resp


def _check_shape(array, shape, name):
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got {array.shape}; "
            f"pass an array of shape {shape}."
        )


def check_weights(weights, n_components, dtype):
    """Validated ``weights_init`` in ``dtype``: shape (n_components,), in [0, 1], summing to 1."""
    weights = check_array(weights, dtype=[np.float64, np.float32], ensure_2d=False)
    _check_shape(weights, (n_components,), "weights")
    if np.any(weights < 0.0) or np.any(weights > 1.0):
        raise ValueError(
            "The parameter 'weights' should be in the range [0, 1], but got max value "
            f"{weights.max():.5f}, min value {weights.min():.5f}."
        )
    atol = 1e-6 if weights.dtype == np.float32 else 1e-8
    if not np.allclose(abs(1.0 - weights.sum()), 0.0, atol=atol):
        raise ValueError(
            "The parameter 'weights' should be normalized, but got sum(weights) = "
            f"{weights.sum():.5f}; divide weights_init by its sum."
        )
    return weights.astype(dtype, copy=True)


def check_means(means, n_components, n_features, dtype):
    """Validated ``means_init`` in ``dtype``, of shape (n_components, n_features)."""
    means = check_array(means, dtype=[np.float64, np.float32], ensure_2d=False)
    _check_shape(means, (n_components, n_features), "means")
    return means.astype(dtype, copy=True)


def check_precisions(precisions, covariance_type, n_components, n_features, dtype):
    """Validated ``precisions_init`` in ``dtype``: the shape of the type, positive definite."""
    precisions = check_array(
        precisions,
        dtype=[np.float64, np.float32],
        ensure_2d=False,
        allow_nd=covariance_type == "full",
    )
    shapes = {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }
    _check_shape(precisions, shapes[covariance_type], f"{covariance_type} precision")
    if covariance_type in ("full", "tied"):
        symmetric = np.allclose(precisions, np.swapaxes(precisions, -1, -2))
        if not symmetric or not np.all(np.linalg.eigvalsh(precisions) > 0.0):
            raise ValueError(
                f"'{covariance_type} precision' should be symmetric, positive-definite; "
                "pass the inverse of a covariance matrix."
            )
    elif np.any(precisions <= 0.0):
        raise ValueError(f"'{covariance_type} precision' should be positive.")
    return precisions.astype(dtype, copy=True)


def rewind_random_state(random_state):
    """A callable that puts a ``RandomState`` instance back to its current draws (nothing
    to do for a seed or None): a float64 retry starts from the draws the float32 attempt
    started from, as a fit of float64 data would."""
    if isinstance(random_state, np.random.RandomState):
        state = random_state.get_state()
        return lambda: random_state.set_state(state)
    return lambda: None
