"""``validate_data`` for prediction, with a fast path for the common plain ndarray.

For a single row most of a prediction's time is scikit-learn's ``validate_data`` (type
dispatch, dataframe detection, dtype conversion). A C-ordered float ndarray of the
fitted width, with every value finite, from an estimator fitted without feature names,
passes all of its checks unchanged, so it is returned as it is; anything else goes
through ``validate_data`` itself, which raises its own errors with its own messages.
"""

import numpy as np
from sklearn import get_config
from sklearn.utils.validation import validate_data

_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def validate_predict_input(estimator, X, dtype=(np.float64, np.float32)):
    """``validate_data(estimator, X, reset=False, dtype=dtype)``, without its cost when
    ``X`` needs no work.

    Parameters
    ----------
    estimator : fitted estimator
        Its ``n_features_in_`` (and ``feature_names_in_``, if any) are checked against.
    X : object
        The input of ``predict``-like methods.
    dtype : tuple of numpy dtypes, default=(float64, float32)
        Accepted dtypes, as ``validate_data``'s list; others are converted to the first.

    Returns
    -------
    X : ndarray
        The validated input, as ``validate_data`` returns it.
    """
    if (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in _FLOAT_DTYPES
        and X.dtype in dtype
        and X.shape[0] >= 1
        and X.shape[1] == getattr(estimator, "n_features_in_", None)
        and not hasattr(estimator, "feature_names_in_")
        and X.flags.c_contiguous
        and (get_config()["assume_finite"] or np.isfinite(X).all())
    ):
        return X
    return validate_data(estimator, X, reset=False, dtype=list(dtype))
