"""reduce_rows gives numpy's row sums and maxima.

Below FEW_COLUMNS columns it combines the columns one ufunc call at a time; the order must
be numpy's own, signed zeros, infinities and NaN included, or the fused cross-entropy and
the fitted classifiers' probabilities would change in the last bit. From FEW_COLUMNS on,
the maxima are numpy's and the sums a product with a ones vector: the same to rounding.
"""

import itertools

import numpy as np
import pytest

from skbackprop.autodiff.softmax import FEW_COLUMNS, reduce_rows


def _same_bits(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("ufunc", [np.add, np.maximum])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_columns", range(1, FEW_COLUMNS))
def test_random_rows(ufunc, dtype, n_columns):
    rng = np.random.default_rng(n_columns)
    spread = rng.uniform(-300, 300, size=(5000, n_columns)) if dtype == np.float64 else 30
    a = (rng.standard_normal((5000, n_columns)) * 10.0**spread).astype(dtype)
    assert _same_bits(reduce_rows(ufunc, a), ufunc.reduce(a, axis=-1, keepdims=True))


@pytest.mark.parametrize("ufunc", [np.add, np.maximum])
@pytest.mark.parametrize("n_columns", [1, 2, 3, 4])
def test_special_values(ufunc, n_columns):
    values = [-0.0, 0.0, 1.0, -1.0, np.nan, np.inf, -np.inf]
    a = np.array(list(itertools.product(values, repeat=n_columns)))
    with np.errstate(invalid="ignore"):
        expected = ufunc.reduce(a, axis=1, keepdims=True)
        assert _same_bits(reduce_rows(ufunc, a, axis=1), expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_columns", [FEW_COLUMNS, 10, 100])
def test_many_columns(dtype, n_columns):
    rng = np.random.default_rng(n_columns)
    a = rng.standard_normal((300, n_columns)).astype(dtype)
    a[0, 1], a[1, 2], a[2, :2] = np.nan, np.inf, (np.inf, -np.inf)
    assert _same_bits(reduce_rows(np.maximum, a), np.maximum.reduce(a, axis=1, keepdims=True))
    with np.errstate(invalid="ignore"):
        sums, expected = reduce_rows(np.add, a), np.add.reduce(a, axis=1, keepdims=True)
    assert sums.shape == expected.shape
    assert sums.dtype == expected.dtype
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(sums, expected, rtol=rtol, atol=rtol * n_columns)
