"""Input validation at the speed of the arithmetic, for predictions and small fits.

For a single row, scikit-learn's ``check_is_fitted`` and ``validate_data`` cost more than the
model's products: they read the estimator's tags, look for a DataFrame library, convert and
inspect the input. On a fit of a few hundred rows, ``validate_data`` and
``check_classification_targets`` cost as much as the solve. :func:`check_predict_input`,
:func:`check_fit_input` and :func:`classes_of_targets` recognize the one input that needs
none of that -- plain ndarrays of the right shape and dtype -- and check it with the same
tests scikit-learn would run on it; everything else goes to scikit-learn unchanged, so the
errors, warnings and conversions are scikit-learn's own.
"""

import warnings

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["check_fit_input", "check_predict_input", "classes_of_targets"]

# The validate_data parameters the fit fast path understands; with any other, scikit-learn
# validates. (accept_sparse only concerns sparse input, which never takes the fast path.)
_FAST_FIT_PARAMS = frozenset({"accept_sparse", "multi_output", "y_numeric", "ensure_min_samples"})


def check_predict_input(estimator, X, *, dtype, check_finite=True, **check_params):
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
        The floating dtypes accepted as they are. ``X`` is validated as scikit-learn's
        ``predict`` validates it (``dtype='numeric'``, so an array of strings is refused),
        then cast to the first of them unless its dtype is one.
    check_finite : bool, default=True
        False leaves the test for NaN and infinity (the fast path's and
        ``validate_data``'s, which for sparse ``X`` is a pass over its values) to the
        caller, which must call again with True when its own result is not finite: for a
        caller whose result NaN or infinity in ``X`` always makes non-finite (a linear
        prediction), this saves a pass over ``X``.
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
    >>> check_predict_input(model, np.array([["1", "2", "3"]]), dtype=np.float64)
    Traceback (most recent call last):
    ...
    ValueError: dtype='numeric' is not compatible with arrays of bytes/strings...
    """
    if (
        _is_plain_matrix(X, dtype, order=None)
        and X.shape[1] == estimator.__dict__.get("n_features_in_")
        and (X.flags.c_contiguous or X.flags.f_contiguous)
        and "feature_names_in_" not in estimator.__dict__
        and not hasattr(type(estimator), "__sklearn_is_fitted__")
        and (not check_finite or sum_is_finite(X))
    ):
        return X
    check_is_fitted(estimator)
    if not check_finite:
        check_params["ensure_all_finite"] = False
    # scikit-learn's predict validates with dtype="numeric", which refuses an array of
    # strings, even of numbers, where a float dtype would convert it; then the estimator's
    # floating dtypes apply.
    X = validate_data(estimator, X, reset=False, **check_params)
    dtypes = dtype if isinstance(dtype, tuple | list) else (dtype,)
    return X if X.dtype in dtypes else X.astype(dtypes[0])


def check_fit_input(
    estimator,
    X,
    y="no_validation",
    *,
    dtype,
    order=None,
    reset=True,
    check_finite=True,
    **check_params,
):
    """``validate_data(estimator, X, y, ...)`` for a fit: the same answer, faster.

    The fast path takes ``X`` and ``y`` unchanged when ``X`` is exactly an ``np.ndarray``
    (no subclass), two-dimensional, with at least one row and one column, of a dtype in
    ``dtype``, laid out as ``order`` asks ('C', 'F' or None for any), with finite values;
    and ``y`` is exactly an ``np.ndarray`` of as many rows, of an integer dtype or of
    finite float32/float64 values, one-dimensional and C-contiguous (with
    ``multi_output``: one- or two-dimensional with at least one column), or not given
    (an unsupervised fit). For such input
    every check of ``validate_data`` passes and it returns ``X`` and ``y`` themselves, so
    only its effects on the estimator remain, and are done here: ``n_features_in_`` is
    set (checked when ``reset=False``) and ``feature_names_in_`` removed (an ndarray has
    no feature names; with ``reset=False`` the fast path needs an estimator fitted
    without them). Finiteness is tested as in :func:`check_predict_input`.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted.
    X, y : object
        The training data; without ``y``, ``X`` alone is validated (an unsupervised fit),
        as by ``validate_data``'s default ``y='no_validation'``.
    dtype : dtype or list or tuple of dtypes
        As ``validate_data``'s ``dtype``.
    order : {'C', 'F'} or None, default=None
        As ``validate_data``'s ``order``.
    reset : bool, default=True
        As ``validate_data``'s ``reset``.
    check_finite : bool, default=True
        False leaves the fast path's test of ``X`` for NaN and infinity to the caller,
        which must call scikit-learn's ``assert_all_finite`` on ``X`` before it raises any
        error of its own, and whenever its result would not show NaN or infinity in ``X``:
        for a caller whose one pass over ``X`` turns them into non-finite sums (the
        normal equations' statistics), this saves a pass. ``y`` is always tested, and
        input off the fast path is validated as ``validate_data`` validates it.
    **check_params
        Passed to ``validate_data``; the fast path is taken only with ``accept_sparse``,
        ``multi_output`` and ``y_numeric`` (which need nothing of a numeric ndarray), and
        ``ensure_min_samples`` (which it checks).

    Returns
    -------
    X, y : ndarray or sparse matrix
        The validated data (``X`` and ``y`` themselves on the fast path); ``X`` alone
        without ``y``, as ``validate_data`` returns it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skbackprop.utils import check_fit_input
    >>> model = LinearRegression()
    >>> X, y = np.ones((3, 2)), np.arange(3.0)
    >>> X_checked, y_checked = check_fit_input(model, X, y, dtype=np.float64)
    >>> X_checked is X, y_checked is y, model.n_features_in_
    (True, True, 2)
    >>> check_fit_input(model, X, y[:2], dtype=np.float64)
    Traceback (most recent call last):
    ...
    ValueError: Found input variables with inconsistent numbers of samples: [3, 2]
    """
    state = estimator.__dict__
    unsupervised = isinstance(y, str) and y == "no_validation"
    if (
        check_params.keys() <= _FAST_FIT_PARAMS
        and _is_plain_matrix(X, dtype, order)
        and X.shape[1] > 0
        and X.shape[0] >= check_params.get("ensure_min_samples", 1)
        and (
            unsupervised
            or _is_plain_target(y, X.shape[0], check_params.get("multi_output", False))
        )
        and (
            "feature_names_in_" not in state
            if not reset
            else "feature_names_in_" in state or not hasattr(estimator, "feature_names_in_")
        )
        and (reset or X.shape[1] == state.get("n_features_in_"))
        and (not check_finite or sum_is_finite(X))
    ):
        if reset:
            state.pop("feature_names_in_", None)
            estimator.n_features_in_ = X.shape[1]
        return X if unsupervised else (X, y)
    return validate_data(estimator, X, y, dtype=dtype, order=order, reset=reset, **check_params)


def classes_of_targets(y):
    """``check_classification_targets(y)``, then ``np.unique(y, return_inverse=True)``.

    For ``y`` exactly a one-dimensional integer ``np.ndarray`` with at least one value,
    ``check_classification_targets`` finds 'binary' or 'multiclass', which it accepts,
    after counting the classes; here they are counted once, and its warning for more
    classes than half the samples is given the same way. Any other ``y`` goes to
    scikit-learn.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted distinct labels.
    y_encoded : ndarray of shape (n_samples,)
        The index in ``classes`` of each label.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils import classes_of_targets
    >>> classes_of_targets(np.array([3, 1, 3]))
    (array([1, 3]), array([1, 0, 1]))
    >>> classes_of_targets(np.array([0.5, 1.0]))
    Traceback (most recent call last):
    ...
    ValueError: Unknown label type: continuous. Maybe you are trying to fit a classifier, ...
    """
    if not (type(y) is np.ndarray and y.ndim == 1 and y.size and y.dtype.kind in "iu"):
        check_classification_targets(y)
        return np.unique(y, return_inverse=True)
    classes, y_encoded = np.unique(y, return_inverse=True)
    n_samples = y.shape[0]
    if classes.size > 2 and n_samples > 20 and classes.size > round(0.5 * n_samples):
        # scikit-learn's warning for 'multiclass' targets, pointing at the same caller.
        warnings.warn(
            "The number of unique classes is greater than 50% of the number of samples. "
            "`y` could represent a regression problem, not a classification problem.",
            UserWarning,
            stacklevel=2,
        )
    return classes, y_encoded


def _is_plain_matrix(X, dtype, order):
    """An ``np.ndarray`` (no subclass), 2-D, with rows, of a dtype in ``dtype``, laid out
    as ``order`` asks: what ``check_array`` returns as it is."""
    return (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.shape[0] > 0
        and X.dtype in (dtype if isinstance(dtype, tuple | list) else (dtype,))
        and (
            order is None
            or (order == "C" and X.flags.c_contiguous)
            or (order == "F" and X.flags.f_contiguous)
        )
    )


def _is_plain_target(y, n_samples, multi_output):
    """A target ``validate_data`` returns as it is, and certainly finite."""
    if not (type(y) is np.ndarray and y.ndim >= 1 and y.shape[0] == n_samples):
        return False
    if multi_output:
        # check_array(y, ensure_2d=False): 1-D, or 2-D with a column, any layout.
        shape_ok = y.ndim == 1 or (y.ndim == 2 and y.shape[1] > 0)
    else:
        # column_or_1d returns a C-ordered 1-D array: y itself when it is one.
        shape_ok = y.ndim == 1 and y.flags.c_contiguous
    if not shape_ok:
        return False
    if y.dtype.kind in "iu":
        return True
    return y.dtype in (np.float64, np.float32) and sum_is_finite(y)


def sum_is_finite(X):
    """No NaN or infinity, by scikit-learn's own first test (False also when the sum
    overflows; scikit-learn then decides, as it does under ``assume_finite``)."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf - inf: NaN, no warning
        return bool(np.isfinite(X.sum()))
