"""The L1 proximal step (soft thresholding), which sets small coefficients exactly to zero."""

import numpy as np

__all__ = ["soft_threshold"]


def soft_threshold(params, threshold, out=None):
    r"""Soft thresholding, the proximal operator of ``threshold * ||params||_1``.

    .. math:: \operatorname{prox}(w)_j = \operatorname{sign}(w_j)\max(|w_j| - \lambda, 0)

    A gradient step on an L1 penalty only oscillates around zero; this step lands on it,
    so the coefficients of a proximal method are exactly 0.0, not merely small.

    Parameters
    ----------
    params : ndarray
        The values to shrink, e.g. the weight view of a flat buffer (not the intercepts,
        which are not penalized). Any shape; a view is fine.
    threshold : float or ndarray
        The shrinkage :math:`\lambda \ge 0` (step size times L1 strength); an array
        broadcasts against ``params`` (one threshold per coefficient).
    out : ndarray, optional
        Where to write the result; ``out=params`` shrinks in place, including through a
        view into a larger buffer. By default a new array is returned.

    Returns
    -------
    out : ndarray
        The shrunk values, with the dtype of ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.optim import soft_threshold
    >>> w = np.array([0.5, -0.05, 0.1, -2.0])
    >>> soft_threshold(w, 0.1)
    array([ 0.4, -0. ,  0. , -1.9])
    >>> flat = np.array([3.0, 0.01, 7.0])   # two weights, then an intercept
    >>> _ = soft_threshold(flat[:2], 1.0, out=flat[:2])
    >>> flat
    array([2., 0., 7.])
    """
    if out is None:
        out = np.empty_like(params)
    if np.isscalar(threshold):
        threshold = float(threshold)  # a weak scalar: float32 stays float32
    # sign(w) * max(|w| - t, 0), written so that `out` may alias `params`.
    magnitude = np.abs(params)
    np.subtract(magnitude, threshold, out=magnitude, casting="same_kind")
    np.maximum(magnitude, 0.0, out=magnitude)
    np.copysign(magnitude, params, out=out)
    return out
