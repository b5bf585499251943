"""``add_scaled``: ``out += factor * x`` in place, by BLAS axpy where it can."""

import numpy as np
import pytest

from skbackprop.autodiff.penalties import add_scaled


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size", [0, 1, 7, 10_000, 25_003])  # 25,003: three axpy chunks
def test_adds_in_place_as_numpy_does(dtype, size):
    rng = np.random.RandomState(0)
    out = rng.standard_normal(size).astype(dtype)
    x = rng.standard_normal(size).astype(dtype)
    expected = out + dtype(0.3) * x
    result = add_scaled(out, 0.3, x)
    assert result is out
    # axpy may fuse the multiply and the add: within an ulp of the operands, not of the sum.
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(out, expected, rtol=4 * eps, atol=4 * eps)


def test_a_matrix_view_of_a_flat_buffer_is_written_through():
    buffer = np.zeros(12)
    view = buffer[2:8].reshape(2, 3)
    add_scaled(view, 2.0, np.ones((2, 3)))
    np.testing.assert_array_equal(buffer, [0, 0, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0])


@pytest.mark.parametrize(
    ("out", "x"),
    [
        (np.zeros((3, 4))[:, ::2], np.ones((3, 2))),  # not contiguous
        (np.zeros(5), np.ones(5, dtype=np.float32)),  # mixed dtypes
        (np.zeros(5, dtype=np.int64), np.ones(5, dtype=np.int64)),  # no BLAS routine
    ],
)
def test_falls_back_to_numpy_for_what_blas_cannot_take(out, x):
    expected = out + 2 * x
    add_scaled(out, 2, x)
    np.testing.assert_array_equal(out, expected)
