"""Cholesky factors of the precisions, for all components at once.

scikit-learn's convention: ``precisions_cholesky_`` holds an upper-triangular ``U`` with
``precision = U U^T``; from ``covariance = L L^T`` it is ``U = L^{-T}``.  For 'diag' and
'spherical' it is ``1 / sqrt(covariance)``.  Every function here works on the stacked
(n_components, ...) arrays with numpy's batched linear algebra, never a loop over components.
"""

import numpy as np

COLLAPSED_MESSAGE = (
    "Fitting the mixture model failed because some components have ill-defined empirical "
    "covariance (for instance caused by singleton or collapsed samples). Try to decrease "
    "the number of components, increase reg_covar, or scale the input data."
)

# A covariance formed as ``second moment - N mean mean^T`` carries a round-off error of a
# few eps times the second moment. Below sqrt(eps) times it (half the digits lost) a
# component's covariance is not trusted: it is summed again from centred rows, as
# scikit-learn sums it (see unresolved_components). A variance still at this many eps
# times the second moment is round-off: in float32 the E-step's features cannot resolve
# it either, and the fit is redone in float64; 'tied', which scikit-learn also sums from
# moments, keeps this rule in float64.
_NOISE_EPS = 4.0


def collapse_floor(raw_second_moments, dtype, covariance_type):
    """The variance at or below which a component counts as collapsed, or None for
    scikit-learn's rule alone (not positive definite, not positive)."""
    if dtype != np.float32 and covariance_type != "tied":
        return None
    return _NOISE_EPS * np.finfo(dtype).eps * np.abs(raw_second_moments)


class CollapsedComponentError(ValueError):
    """A component's covariance is not numerically positive definite (a ValueError, as
    scikit-learn raises); its own class lets a float32 fit retry in float64."""


def _collapsed_error(dtype):
    message = COLLAPSED_MESSAGE
    if dtype == np.float32:
        message += (
            " The numerical accuracy can also be improved by passing float64 data instead "
            "of float32."
        )
    return CollapsedComponentError(message)


def unresolved_components(covariances, covariance_type, raw_second_moments):
    """The components whose covariance, formed from sums of moments, is not safely
    positive: within ``sqrt(eps)`` of round-off relative to the second moments.

    Parameters
    ----------
    covariances : ndarray
        (K, d, d) for 'full', (d, d) for 'tied', (K, d) for 'diag', (K,) for 'spherical'.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    raw_second_moments : ndarray
        Diagonal second moments the covariances were computed from (see
        :func:`~skbackprop.mixture._em_steps.m_step`), (K, d), or (d,) for 'tied'.

    Returns
    -------
    components : ndarray of int
        Their indices; always empty for 'tied', whose shared covariance scikit-learn also
        sums from moments.
    lower : ndarray or None
        'full': the Cholesky factors of ``covariances`` when every one was
        positive definite, for :func:`precisions_cholesky` to reuse.
    """
    if covariance_type == "tied":  # summed from moments, as scikit-learn sums it
        return np.arange(0), None
    dtype = covariances.dtype
    safe = np.sqrt(np.finfo(dtype).eps) * np.abs(raw_second_moments)
    lower = None
    if covariance_type == "full":
        try:
            lower = np.linalg.cholesky(covariances)
            pivots = np.diagonal(lower, axis1=-2, axis2=-1)
            bad = ~np.isfinite(pivots) | (pivots**2 <= safe)
        except np.linalg.LinAlgError:
            bad = np.ones_like(safe, dtype=bool)
        return np.flatnonzero(bad.any(axis=1)), lower
    if covariance_type == "spherical":
        safe = safe[:, 0]
    bad = ~np.isfinite(covariances) | (covariances <= safe)
    if bad.ndim == 2:
        bad = bad.any(axis=1)
    return np.flatnonzero(bad), None


def precisions_cholesky(covariances, covariance_type, floor=None, lower=None):
    """``precisions_cholesky_`` from ``covariances_``, raising if a component collapsed.

    Collapsed means, as in scikit-learn: a covariance that is not positive definite ('full',
    'tied') or not positive ('diag', 'spherical'); and, given ``floor``, a variance (a
    Cholesky pivot squared for 'full' and 'tied') at or below it.

    Parameters
    ----------
    covariances : ndarray
        (K, d, d) for 'full', (d, d) for 'tied', (K, d) for 'diag', (K,) for 'spherical'.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    floor : ndarray, optional
        :func:`collapse_floor` of the second moments, shaped like them.
    lower : ndarray, optional
        The Cholesky factors of ``covariances``, if already computed.

    Raises
    ------
    CollapsedComponentError
        A ValueError whose message, scikit-learn's, says to reduce the number of
        components, raise reg_covar or scale the data.
    """
    dtype = covariances.dtype
    noise = 0.0 if floor is None else floor
    if covariance_type in ("full", "tied"):
        if lower is None:
            try:
                lower = np.linalg.cholesky(covariances)
            except np.linalg.LinAlgError:
                raise _collapsed_error(dtype) from None
        pivots = np.diagonal(lower, axis1=-2, axis2=-1)
        if not np.all(np.isfinite(lower)) or np.any(pivots**2 <= noise):
            raise _collapsed_error(dtype)
        return _inverse_transposed(lower)
    if covariance_type == "spherical":
        noise = noise[:, 0] if np.ndim(noise) == 2 else noise
    if not np.isfinite(covariances).all() or (covariances <= noise).any():
        raise _collapsed_error(dtype)
    return 1.0 / np.sqrt(covariances)


def precisions_cholesky_from_precisions(precisions, covariance_type):
    """``precisions_cholesky_`` from user-given precisions (``precisions_init``).

    The upper-triangular ``U`` with ``P = U U^T`` is the Cholesky factor of ``P`` with rows
    and columns reversed, reversed back (``J P J = L L^T`` gives ``U = J L J``).
    """
    if covariance_type in ("full", "tied"):
        flipped = np.flip(precisions, axis=(-2, -1))
        return np.ascontiguousarray(np.flip(np.linalg.cholesky(flipped), axis=(-2, -1)))
    return np.sqrt(precisions)


def precisions_from_cholesky(precisions_cholesky, covariance_type):
    """``precisions_ = U U^T`` (or ``U ** 2`` for 'diag' and 'spherical')."""
    if covariance_type in ("full", "tied"):
        return precisions_cholesky @ np.swapaxes(precisions_cholesky, -1, -2)
    return precisions_cholesky**2


def covariances_from_precisions(precisions, covariance_type):
    """Covariances of user-given precisions, for ``max_iter=0`` with ``precisions_init``."""
    if covariance_type in ("full", "tied"):
        return np.linalg.inv(precisions)
    return 1.0 / precisions


def log_det_cholesky(precisions_cholesky, covariance_type, n_features):
    """``log det U`` per component, i.e. half the log-determinant of the precision."""
    if covariance_type == "full":
        diagonal = np.diagonal(precisions_cholesky, axis1=1, axis2=2)
        return np.log(diagonal).sum(axis=1)
    if covariance_type == "tied":
        return np.log(np.diagonal(precisions_cholesky)).sum()
    if covariance_type == "diag":
        return np.log(precisions_cholesky).sum(axis=1)
    return n_features * np.log(precisions_cholesky)


def _inverse_transposed(lower):
    """``inv(L)^T`` for the lower-triangular ``L`` (d, d) or stacked (K, d, d): the upper
    triangle of ``precisions_cholesky_``.

    numpy's batched solve with the identity (in numpy's BLAS, as the rest of EM: a call
    into scipy's separate BLAS here would leave its threads spinning against numpy's, see
    docs/performance.rst), a few components at a time, written into the one result array:
    the whole stack at once would hold its inverse, triangle and transpose together, three
    arrays of ``K d^2`` numbers, more than the data when components have fewer rows than
    features. Each matrix's solve is the same LAPACK call however they are batched.
    """
    stacked = lower if lower.ndim == 3 else lower[None]
    n_features = stacked.shape[-1]
    eye = np.eye(n_features, dtype=stacked.dtype)
    out = np.empty_like(stacked)
    batch = max(1, _BATCH_ELEMENTS // max(n_features * n_features, 1))
    for first in range(0, len(stacked), batch):
        inverse = _lower_inverse(stacked[first : first + batch], eye)
        out[first : first + batch] = np.swapaxes(inverse, -1, -2)
    return out if lower.ndim == 3 else out[0]


def _lower_inverse(lower, eye):
    """``inv(L)`` of stacked lower-triangular ``L`` by halves, as LAPACK's blocked
    triangular inverse: ``inv([[A, 0], [B, C]]) = [[inv(A), 0], [-inv(C) B inv(A),
    inv(C)]]``, down to blocks of ``_SOLVED_BLOCK`` solved with the identity. The products
    cost about ``d^3 / 3`` multiply-adds where the solve costs ``8 d^3 / 3``."""
    n = lower.shape[-1]
    if n <= _SOLVED_BLOCK:
        # L is triangular, so its inverse is too; tril drops the round-off LU leaves above.
        identity = np.broadcast_to(eye[:n, :n], lower.shape)
        return np.tril(np.linalg.solve(lower, identity))
    half = n // 2
    first = _lower_inverse(lower[:, :half, :half], eye)
    second = _lower_inverse(lower[:, half:, half:], eye)
    inverse = np.zeros_like(lower)
    inverse[:, :half, :half] = first
    inverse[:, half:, half:] = second
    inverse[:, half:, :half] = -(second @ (lower[:, half:, :half] @ first))
    return inverse


# Block size of _lower_inverse below which LAPACK's solve is faster than halving again.
_SOLVED_BLOCK = 64


# Numbers per batch of _inverse_transposed: whole stacks of small matrices at once (one
# call), a few large ones at a time.
_BATCH_ELEMENTS = 1 << 16
