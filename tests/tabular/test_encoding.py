"""The tabular encoder: robust scaling with its fallbacks, smooth clipping, categories."""

import numpy as np
import pandas as pd
import pytest

from skbackprop.tabular._encoding import (
    TabularEncoder,
    categorical_mask,
    robust_scaling,
    smooth_clip,
)


def test_robust_scaling_falls_back_to_half_the_range_then_zero():
    X = np.array(
        [[1.0, 0.0, 5.0], [2.0, 0.0, 5.0], [3.0, 0.0, 5.0], [4.0, 0.0, 5.0], [9.0, 8.0, 5.0]]
    )
    center, factor = robust_scaling(X)
    np.testing.assert_allclose(center, [3.0, 0.0, 5.0])
    # column 0: IQR = 4 - 2; column 1: IQR 0, half range 4; column 2: constant
    np.testing.assert_allclose(factor, [1 / 2, 1 / 4, 0.0])


def test_robust_scaling_ignores_missing_values():
    X = np.array([[1.0], [np.nan], [3.0], [5.0]])
    center, factor = robust_scaling(X)
    np.testing.assert_allclose(center, [3.0])
    np.testing.assert_allclose(factor, [1 / 2])


def test_smooth_clip_is_the_identity_near_zero_and_bounded_by_three():
    assert smooth_clip(np.array(1e-4)) == pytest.approx(1e-4)
    assert smooth_clip(np.array(1e6)) == pytest.approx(3.0, rel=1e-6)
    assert smooth_clip(np.array(3.0)) == pytest.approx(3 / np.sqrt(2))


def _frame():
    return pd.DataFrame(
        {
            "number": [1.0, np.nan, 3.0, 4.0, 5.0, 6.0],
            "binary": pd.Categorical(["a", "b", "a", None, "b", "a"]),
            "small": ["x", "y", "z", "x", "y", "z"],
            "large": pd.Series(list("abcdefghij"[:6]), dtype="string"),
            "flag": [True, False, True, True, False, True],
        }
    )


def test_categorical_mask_conventions():
    X = _frame()
    np.testing.assert_array_equal(
        categorical_mask(X, "from_dtype"), [False, True, True, True, True]
    )
    np.testing.assert_array_equal(categorical_mask(X, [1]), [False, True, False, False, False])
    np.testing.assert_array_equal(
        categorical_mask(X, ["small"]), [False, False, True, False, False]
    )
    assert not categorical_mask(X.to_numpy(), "from_dtype").any()
    with pytest.raises(ValueError, match="not columns of X"):
        categorical_mask(X, ["nope"])
    with pytest.raises(ValueError, match="boolean mask needs 5"):
        categorical_mask(X, [True, False])
    with pytest.raises(ValueError, match=r"indices must be in \[0, 4\]"):
        categorical_mask(X, [7])


def test_encoder_codes_one_hot_embeddings_and_missing():
    X = _frame()
    encoder = TabularEncoder(categorical_mask(X, "from_dtype"), max_one_hot_categories=4)
    encoder.fit(X)
    X_num, X_dense, codes = encoder.transform(X)
    assert X_num.shape == (6, 1)
    assert X_num.dtype == np.float32
    # missing indicator of 'number', binary +-1 column, 'small' one-hot (3), 'flag' (+-1)
    assert X_dense.shape == (6, 1 + 1 + 3 + 1)
    # 'large' has 6 categories + missing > 4: embedded, codes 1..6
    assert encoder.category_sizes_ == [7]
    np.testing.assert_array_equal(codes[:, 0], [1, 2, 3, 4, 5, 6])
    # the imputed value is the median, 0 after centring
    assert X_num[1, 0] == 0.0
    # unseen and missing categories become code 0, no error
    new = X.iloc[:2].copy()
    new["large"] = pd.Series(["zzz", None], dtype="string")
    _, _, new_codes = encoder.transform(new)
    np.testing.assert_array_equal(new_codes[:, 0], [0, 0])


def test_encoder_binary_column_codes():
    X = pd.DataFrame({"c": pd.Categorical(["a", "b", None, "a"])})
    encoder = TabularEncoder(np.array([True]), robust_scale=False, clip=False).fit(X)
    _, X_dense, _ = encoder.transform(X)
    np.testing.assert_array_equal(X_dense[:, 0], [1.0, -1.0, 0.0, 1.0])


def test_encoder_rejects_text_in_numerical_columns():
    X = pd.DataFrame({"a": ["x", "y"]}, dtype=object)
    with pytest.raises(ValueError, match="Numerical columns must hold numbers"):
        TabularEncoder(np.array([False])).fit(X)
