"""Input validation of a prediction call, at the speed of the arithmetic.

For a single row, scikit-learn's ``check_is_fitted`` and ``validate_data`` cost more than the
model's products: they read the estimator's tags, look for a DataFrame library, convert and
inspect the input. :func:`check_predict_input` recognizes the one input that needs none of
that -- a plain floating-point ndarray of the fitted shape -- and checks it with the same
tests scikit-learn would run on it; everything else goes to scikit-learn unchanged, so the
errors, warnings and conversions are scikit-learn's own.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["check_predict_input"]


def check_predict_input(estimator, X, *, dtype, **check_params):
    """``check_is_fitted(estimator)`` then ``validate_data(estimator, X, reset=False)``.

    The same answer, errors and warnings as those two calls, faster for the common input.
    The fast path takes ``X`` unchanged when it is exactly an ``np.ndarray`` (no subclass),
    two-dimensional, C- or F-contiguous, of a dtype in ``dtype``, with at least one row,
    ``n_features_in_`` columns and finite values, and the estimator was fitted without
    feature names. For such an ``X`` scikit-learn's checks all pass and ``check_array``
    returns ``X`` itself, so nothing is skipped that could fail:

    - fitted: ``n_features_in_`` is a fitted attribute (a name ending in ``_``), which is
      what ``check_is_fitted`` looks for, unless the class defines
      ``__sklearn_is_fitted__`` (then the fast path is not taken);
    - finite: the sum of the values is finite exactly when no value is NaN or infinite,
      unless the sum overflows -- scikit-learn's own first pass; when the sum is not
      finite (or ``assume_finite`` would skip the check), scikit-learn decides;
    - feature names: an ndarray has none, and the estimator expects none.

    Parameters
    ----------
    estimator : fitted estimator
    X : object
        The input to predict on.
    dtype : dtype or tuple of dtypes
        The floating dtypes accepted as they are, as ``validate_data``'s ``dtype``.
    **check_params
        Passed to ``validate_data`` (e.g. ``accept_sparse``).

    Returns
    -------
    X : ndarray or sparse matrix
        The validated input (``X`` itself on the fast path).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skbackprop.utils import check_predict_input
    >>> model = LinearRegression().fit(np.eye(3), [1.0, 2.0, 3.0])
    >>> X = np.ones((2, 3))
    >>> check_predict_input(model, X, dtype=np.float64) is X
    True
    >>> check_predict_input(model, np.ones((2, 4)), dtype=np.float64)
    Traceback (most recent call last):
    ...
    ValueError: X has 4 features, but LinearRegression is expecting 3 features as input.
    """
    if (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.shape[0] > 0
        and X.shape[1] == estimator.__dict__.get("n_features_in_")
        and X.dtype in (dtype if isinstance(dtype, tuple | list) else (dtype,))
        and (X.flags.c_contiguous or X.flags.f_contiguous)
        and "feature_names_in_" not in estimator.__dict__
        and not hasattr(type(estimator), "__sklearn_is_fitted__")
    ):
        with np.errstate(over="ignore"):
            if np.isfinite(X.sum()):
                return X
    check_is_fitted(estimator)
    return validate_data(estimator, X, dtype=dtype, reset=False, **check_params)
