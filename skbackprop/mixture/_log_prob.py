"""Weighted log-probabilities of every sample under every component.

A Gaussian's log-density is linear in the features ``phi(x) = [1, x, quadratic(x)]`` (see
:func:`~._em_steps.feature_map`), so the log-probabilities of all samples under all
components are one matrix product with the natural parameters.  That expansion,
``c - 0.5 x^T P x + x^T P mu``, sums terms of size ``P |mu|^2`` to get a result of order
one: for a component whose precision is huge at a distance from the data's mean (a
component that holds one sample, a tight cluster far away), the terms cancel and the
round-off, ``eps P |mu|^2``, swamps the result.  Those few components are computed again
from distances, ``c - 0.5 |U^T (x - mu)|^2``, which does not cancel.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._precisions import log_det_cholesky, precisions_from_cholesky

# A component's log-probabilities are computed from distances when the expansion's round-off
# near its mean, eps P |mu|^2, could exceed sqrt(eps) (in log units; 1.5e-8 in float64): half
# the digits lost, the rule the M-step applies to covariances. Components with ordinary
# spread stay far below it (eps P |mu|^2 ~ 1e-13 at a few hundred standard deviations from
# the data's mean in float64), so the fits scikit-learn's formulas resolve take the
# one-product path unchanged.


@dataclass(frozen=True)
class DirectComponents:
    """The components whose log-probabilities are computed from distances.

    Attributes
    ----------
    indices : ndarray of int
    constants : ndarray of shape (n_direct,)
        ``log weight + log det U - d/2 log(2 pi)``.
    means : ndarray of shape (n_direct, n_features)
        Minus the features' shift.
    precisions_cholesky : ndarray
        Their ``U`` (the shared one for 'tied').
    covariance_type : str
    """

    indices: np.ndarray
    constants: np.ndarray
    means: np.ndarray
    precisions_cholesky: np.ndarray
    covariance_type: str

    @classmethod
    def of(cls, mahalanobis_of_mean, constants, means, precisions_cholesky, covariance_type):
        """Those of the components that need it, or None (the usual case)."""
        eps = np.finfo(means.dtype).eps
        with np.errstate(invalid="ignore"):
            indices = np.flatnonzero(eps * np.abs(mahalanobis_of_mean) > np.sqrt(eps))
        if indices.size == 0:
            return None
        if covariance_type != "tied":
            precisions_cholesky = precisions_cholesky[indices]
        return cls(
            indices, constants[indices], means[indices], precisions_cholesky, covariance_type
        )

    def overwrite(self, out, centered):
        """Rows ``indices`` of ``out`` (K, n) from the samples ``centered`` (n, d)."""
        for row, k in enumerate(self.indices):
            diff = centered - self.means[row]
            if self.covariance_type == "full":
                diff = diff @ self.precisions_cholesky[row]
            elif self.covariance_type == "tied":
                diff = diff @ self.precisions_cholesky
            else:
                diff *= self.precisions_cholesky[row]
            out[k] = self.constants[row] - 0.5 * np.einsum("ij,ij->i", diff, diff)


@dataclass(frozen=True)
class NaturalParameters:
    """Coefficients turning features into weighted log-probabilities.

    ``phi[:, :n_per_component] @ per_component + (phi[:, n_per_component:] @ shared)[:, None]``
    is ``log weight_k + log N(x | mean_k, covariance_k)`` for every sample and component.
    ``shared`` is only used by 'tied', whose quadratic term is the same for all components.
    ``direct`` lists the components whose log-probabilities that expansion cannot resolve
    (see :class:`DirectComponents`); they are computed again from distances.
    """

    per_component: np.ndarray
    shared: np.ndarray | None
    n_features: int
    direct: "DirectComponents | None" = None


def natural_parameters(weights, means, precisions_cholesky, covariance_type, shift):
    """Natural parameters of every component, from the mixture's usual parameters.

    Parameters
    ----------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    precisions_cholesky : ndarray
        Upper-triangular ``U`` with ``precision = U U^T``, shaped as scikit-learn's
        ``precisions_cholesky_`` for the covariance type.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    shift : ndarray of shape (n_features,)
        The shift the features were computed with.

    Returns
    -------
    NaturalParameters
    """
    n_components, n_features = means.shape
    dtype = means.dtype
    m = means - shift
    precisions = precisions_from_cholesky(precisions_cholesky, covariance_type)
    if covariance_type == "full":
        linear = np.einsum("kij,kj->ki", precisions, m)
    elif covariance_type == "tied":
        linear = m @ precisions
    elif covariance_type == "diag":
        linear = precisions * m
    else:
        linear = precisions[:, None] * m
    mahalanobis_of_mean = np.einsum("ki,ki->k", linear, m)
    with np.errstate(divide="ignore"):  # a zero weight gives log 0 = -inf, as in sklearn
        log_weights = np.log(weights)
    log_det = log_det_cholesky(precisions_cholesky, covariance_type, n_features)
    log_2pi = n_features * math.log(2 * math.pi)
    constant = log_weights + log_det - 0.5 * (log_2pi + mahalanobis_of_mean)

    shared = None
    if covariance_type in ("full", "tied"):
        rows, cols = np.triu_indices(n_features)
        # x^T P x counts each off-diagonal entry twice; the feature holds it once.
        factor = np.where(rows == cols, -0.5, -1.0).astype(dtype)
        if covariance_type == "full":
            quadratic = precisions[:, rows, cols] * factor
        else:
            shared = precisions[rows, cols] * factor
            quadratic = np.empty((n_components, 0), dtype=dtype)
    elif covariance_type == "diag":
        quadratic = -0.5 * precisions
    else:
        quadratic = -0.5 * precisions[:, None]
    per_component = np.concatenate([constant[:, None], linear, quadratic], axis=1).T
    direct = DirectComponents.of(
        mahalanobis_of_mean,
        log_weights + log_det - 0.5 * log_2pi,
        m,
        precisions_cholesky,
        covariance_type,
    )
    return NaturalParameters(
        np.ascontiguousarray(per_component, dtype=dtype), shared, n_features, direct
    )


def weighted_log_prob(phi, theta):
    """``log weight_k + log N(x_i | component k)``, component-major: shape (K, n_rows).

    Components run along the first axis so that the log-sum-exp's reductions over them are
    elementwise operations between contiguous rows (fast), not reductions along short rows.
    """
    width = theta.per_component.shape[0]
    out = theta.per_component.T @ phi[:, :width].T
    if theta.shared is not None:
        out += phi[:, width:] @ theta.shared
    if theta.direct is not None:
        theta.direct.overwrite(out, phi[:, 1 : 1 + theta.n_features])
    return out
