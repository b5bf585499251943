"""The columns of a table, encoded for the network.

The columns' layout (the categories, which columns get a missing indicator) comes from
every row passed to ``fit``; the statistics (medians, scales) from its ``rows``: the
estimators pass their training rows, without the held-out ones.

- Numerical columns: median imputation of missing values plus a 0/1 missing indicator
  (for columns with missing values), then median-centred and divided by the
  interquartile range, or by half the range when the IQR is 0, or left at 0 when the
  column is constant; then smooth-clipped, ``x / sqrt(1 + (x / 3)^2)``, which is the
  identity near 0 and tends to +-3.
- Categorical columns: codes 1..K for the categories seen in fit, 0 for missing and
  unseen ones. With at most ``max_one_hot_categories`` codes (missing included) a column
  is one-hot encoded without the missing code's column (missing is all zeros); with
  two categories and missing it is one column of +1 / -1 (0 for missing). One-hot codes
  and missing indicators are robust-scaled and clipped like numbers. Larger columns
  are passed on as codes, for a learned embedding.
"""

import numpy as np
from sklearn.utils.validation import check_array

__all__ = ["TabularEncoder", "categorical_mask", "robust_scaling", "smooth_clip"]


def smooth_clip(x):
    """``x / sqrt(1 + (x / 3)^2)``: close to ``x`` near 0, bounded by 3."""
    return x / np.sqrt(1.0 + (x / 3.0) ** 2)


def robust_scaling(X):
    """Per column: the median and ``1 / IQR`` (``1 / (range / 2)`` when the IQR is 0, 0
    for a constant column), ignoring NaN."""
    if X.shape[1] == 0 or X.shape[0] == 0:
        return np.zeros(X.shape[1]), np.ones(X.shape[1])
    with np.errstate(all="ignore"):
        median = np.nanmedian(X, axis=0)
        q1, q3 = np.nanquantile(X, [0.25, 0.75], axis=0)
        spread = q3 - q1
        half_range = 0.5 * (np.nanmax(X, axis=0) - np.nanmin(X, axis=0))
    median = np.where(np.isfinite(median), median, 0.0)
    spread = np.where(spread > 0, spread, np.where(np.isfinite(half_range), half_range, 0.0))
    factor = np.divide(1.0, spread, out=np.zeros_like(spread, dtype=float), where=spread > 0)
    return median, factor


def _is_categorical_dtype(series):
    import pandas as pd  # only ever called on a DataFrame's column

    dtype = series.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    )


def categorical_mask(X, categorical_features):
    """Which columns are categorical, from HistGradientBoosting's conventions: None,
    'from_dtype' (category, object, string and bool columns of a DataFrame), an array of
    indices, a boolean mask, or column names."""
    n_features = X.shape[1]
    is_frame = hasattr(X, "iloc")
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str):
        if categorical_features != "from_dtype":
            raise ValueError(
                "categorical_features must be None, 'from_dtype', an array of indices, a "
                f"boolean mask or column names; got {categorical_features!r}."
            )
        if not is_frame:
            return np.zeros(n_features, dtype=bool)
        return np.array([_is_categorical_dtype(X.iloc[:, j]) for j in range(n_features)])
    spec = np.asarray(categorical_features)
    mask = np.zeros(n_features, dtype=bool)
    if spec.size == 0:
        return mask
    if spec.dtype.kind == "b":
        if spec.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask needs {n_features} entries, one per "
                f"feature; got shape {spec.shape}."
            )
        return spec.astype(bool)
    if spec.dtype.kind in "OUS":
        if not is_frame:
            raise ValueError(
                "categorical_features given as column names needs a DataFrame input with "
                "those columns."
            )
        columns = list(map(str, X.columns))
        missing = [name for name in spec if str(name) not in columns]
        if missing:
            raise ValueError(f"categorical_features names {missing} are not columns of X.")
        mask[[columns.index(str(name)) for name in spec]] = True
        return mask
    if spec.dtype.kind in "iu":
        if spec.min() < -n_features or spec.max() >= n_features:
            raise ValueError(
                f"categorical_features indices must be in [0, {n_features - 1}]; got {spec}."
            )
        mask[spec] = True
        return mask
    raise ValueError(f"categorical_features of dtype {spec.dtype} is not understood.")


def _column(X, j):
    return X.iloc[:, j] if hasattr(X, "iloc") else X[:, j]


def _as_labels(column):
    """Category labels as an object array with None for missing (None or NaN)."""
    if hasattr(column, "isna"):  # a pandas Series
        missing = np.asarray(column.isna(), dtype=bool)
        labels = np.array(column.astype(object).to_numpy(), dtype=object, copy=True)
    else:
        labels = np.array(column, dtype=object, copy=True)
        missing = np.array([v is None or (isinstance(v, float) and v != v) for v in labels])
        missing = missing.astype(bool).reshape(labels.shape)
    labels[missing] = None
    return labels, missing


def _sorted_categories(labels):
    seen = set(labels.tolist())
    try:
        return sorted(seen)
    except TypeError:  # labels of mixed types
        return sorted(seen, key=str)


class TabularEncoder:
    """Encode a table's columns for :class:`~skbackprop.nn.TabularNetwork` (see module).

    Parameters
    ----------
    categorical : ndarray of bool of shape (n_features,)
    max_one_hot_categories : int, default=9
        Categorical columns with at most this many codes (missing included) are one-hot
        encoded; larger ones are embedded.
    robust_scale, clip : bool, default=True
        Whether to robust-scale and smooth-clip the numerical (and one-hot) columns.

    Attributes
    ----------
    category_sizes_ : list of int
        Codes (missing included) of each embedded column.
    n_numeric_, n_dense_ : int
    """

    def __init__(self, categorical, max_one_hot_categories=9, robust_scale=True, clip=True):
        self.categorical = np.asarray(categorical, dtype=bool)
        self.max_one_hot_categories = max_one_hot_categories
        self.robust_scale = robust_scale
        self.clip = clip

    def _numeric(self, X):
        idx = np.flatnonzero(~self.categorical)
        if hasattr(X, "iloc"):
            block = X.iloc[:, idx]
            try:
                block = block.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"Numerical columns must hold numbers; {error}. Declare text columns "
                    "in categorical_features (or give them the category dtype)."
                ) from error
        else:
            block = X[:, idx]
            try:
                block = np.asarray(block, dtype=np.float64)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"Numerical columns must hold numbers; {error}. Declare text columns "
                    "in categorical_features."
                ) from error
        return check_array(
            block, ensure_all_finite="allow-nan", ensure_min_samples=0, ensure_min_features=0
        )

    def fit(self, X, rows=None):
        """Fit the encoding to the table ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        rows : array-like of int, default=None
            The rows the statistics are fitted on (all when None): the medians (also
            the imputed values) and the scales. The columns' layout comes from every row,
            as the reference implementation's: the categories seen (and so which
            columns are one-hot or embedded) and which columns get a missing indicator.

        Returns
        -------
        self : TabularEncoder
        """
        numeric = self._numeric(X)
        if np.isinf(numeric).any():
            raise ValueError(
                "Input X contains infinity or a value too large for dtype('float64')."
            )
        rows = slice(None) if rows is None else np.asarray(rows)
        self.numeric_center_, self.numeric_factor_ = robust_scaling(numeric[rows])
        self.missing_columns_ = np.flatnonzero(np.isnan(numeric).any(axis=0))
        self.categories_, self.one_hot_ = [], []
        for j in np.flatnonzero(self.categorical):
            labels, missing = _as_labels(_column(X, j))
            seen = _sorted_categories(labels[~missing])
            self.categories_.append(np.array(seen, dtype=object))
            self.one_hot_.append(len(seen) + 1 <= self.max_one_hot_categories)
        self.category_sizes_ = [
            len(c) + 1 for c, one_hot in zip(self.categories_, self.one_hot_) if not one_hot
        ]
        self.n_numeric_ = numeric.shape[1]
        dense = self._dense_raw(X, numeric)
        self.dense_center_, self.dense_factor_ = robust_scaling(dense[rows])
        self.n_dense_ = dense.shape[1]
        return self

    def _codes(self, X):
        """Codes 1..K per categorical column, 0 for missing or unseen."""
        codes = []
        for k, j in enumerate(np.flatnonzero(self.categorical)):
            labels, _ = _as_labels(_column(X, j))
            # None (missing) and unseen labels are not in the map: code 0
            code_of = {label: i + 1 for i, label in enumerate(self.categories_[k].tolist())}
            codes.append(np.fromiter((code_of.get(v, 0) for v in labels), np.intp, len(labels)))
        if not codes:
            return np.zeros((X.shape[0], 0), dtype=np.intp)
        return np.stack(codes, axis=1).astype(np.intp)

    def _dense_raw(self, X, numeric):
        codes = self._codes(X)
        parts = [np.isnan(numeric[:, self.missing_columns_]).astype(float)]
        for k, one_hot in enumerate(self.one_hot_):
            if not one_hot:
                continue
            n_categories = len(self.categories_[k])
            code = codes[:, k]
            if n_categories == 2:
                parts.append(np.array([0.0, 1.0, -1.0])[code][:, None])
            elif n_categories == 1:
                parts.append(np.array([-1.0, 1.0])[code][:, None])
            else:
                parts.append(np.eye(n_categories + 1)[code][:, 1:])
        return np.concatenate(parts, axis=1) if parts else np.zeros((X.shape[0], 0))

    def _scale(self, block, center, factor):
        if self.robust_scale:
            block = (block - center) * factor
        if self.clip:
            block = smooth_clip(block)
        return block

    def state_dict(self):
        """The encoder's settings and fitted values: numpy arrays and builtins, what an
        estimator saves in place of the encoder (see :meth:`from_state_dict`)."""
        return dict(vars(self))

    @classmethod
    def from_state_dict(cls, state):
        """The encoder that :meth:`state_dict` described."""
        encoder = object.__new__(cls)
        vars(encoder).update(state)
        return encoder

    def transform(self, X, dtype=np.float32):
        """Return ``(X_num, X_dense, codes)``: scaled numbers, dense columns, and the
        codes of the embedded columns."""
        numeric = self._numeric(X)
        if numeric.shape[1] != self.n_numeric_:
            raise ValueError("X has a different number of numerical columns than in fit.")
        dense = self._dense_raw(X, numeric)
        filled = np.where(np.isnan(numeric), self.numeric_center_, numeric)
        X_num = self._scale(filled, self.numeric_center_, self.numeric_factor_)
        X_dense = self._scale(dense, self.dense_center_, self.dense_factor_)
        codes = self._codes(X)[:, [not one_hot for one_hot in self.one_hot_]]
        return X_num.astype(dtype), X_dense.astype(dtype), np.ascontiguousarray(codes)
