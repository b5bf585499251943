"""soft_threshold: the L1 proximal step."""

import numpy as np
import pytest

from skbackprop.optim import soft_threshold


def test_exact_zeros_and_shrinkage():
    w = np.array([0.5, -0.05, 0.1, -0.1, -2.0, 0.0])
    out = soft_threshold(w, 0.1)
    np.testing.assert_array_equal(out, [0.4, 0.0, 0.0, 0.0, -1.9, 0.0])
    assert np.count_nonzero(out) == 2
    assert out is not w
    np.testing.assert_array_equal(w, [0.5, -0.05, 0.1, -0.1, -2.0, 0.0])  # untouched


def test_is_the_proximal_operator():
    # prox minimizes 0.5 * (x - w)^2 + t |x|: compare with a fine grid search.
    rng = np.random.default_rng(0)
    grid = np.linspace(-3, 3, 60001)
    for w, t in zip(rng.uniform(-2, 2, 10), rng.uniform(0, 1, 10)):
        best = grid[np.argmin(0.5 * (grid - w) ** 2 + t * np.abs(grid))]
        assert soft_threshold(np.array([w]), t)[0] == pytest.approx(best, abs=1e-4)


def test_in_place_on_a_sub_view_leaves_intercepts_alone():
    flat = np.array([0.3, -0.01, 0.02, 5.0, 0.001])  # 2x2 weights then one intercept
    weights = flat[:4].reshape(2, 2)
    returned = soft_threshold(weights, 0.05, out=weights)
    assert returned is weights
    np.testing.assert_allclose(flat, [0.25, 0.0, 0.0, 4.95, 0.001])


def test_float32_and_per_coefficient_thresholds():
    w = np.array([1.0, 1.0, -1.0], dtype=np.float32)
    out = soft_threshold(w, np.array([0.5, 2.0, 0.25]), out=w)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.array([0.5, 0.0, -0.75], dtype=np.float32))
