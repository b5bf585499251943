"""Information criteria of a fitted Gaussian mixture: BIC and AIC."""

import math

from ._sampling import n_parameters

__all__ = ["InformationCriteriaMixin"]


class InformationCriteriaMixin:
    """``bic`` and ``aic`` of :class:`~skbackprop.GaussianMixtureEM`, from its ``score``
    and the number of free parameters of its ``covariance_type``."""

    def _n_parameters(self):
        """Number of free parameters of the model."""
        return n_parameters(self.covariance_type, *self.means_.shape)

    def bic(self, X):
        """Bayesian information criterion of the model on ``X`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        bic : float
            ``-2 log L + n_parameters log(n_samples)``.
        """
        n_samples = _num_rows(X)
        return -2 * self.score(X) * n_samples + self._n_parameters() * math.log(n_samples)

    def aic(self, X):
        """Akaike information criterion of the model on ``X`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        aic : float
            ``-2 log L + 2 n_parameters``.
        """
        return -2 * self.score(X) * _num_rows(X) + 2 * self._n_parameters()


def _num_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)
