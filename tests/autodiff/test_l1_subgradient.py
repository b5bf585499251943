"""The L1 term's subgradient: the derivative where it exists, the minimum-norm element at 0."""

import numpy as np

from skbackprop.autodiff import Tensor, l1_min_norm_subgradient, l1_penalty


def _cost(w, A, scale):
    """A smooth quadratic plus the L1 term, and the quadratic's gradient."""
    return 0.5 * w @ A @ w - w.sum() + scale * np.abs(w).sum(), A @ w - 1.0


def test_away_from_zero_it_is_the_finite_difference_gradient():
    rng = np.random.default_rng(0)
    A = np.eye(5) + 0.1 * rng.standard_normal((5, 5))
    A = A @ A.T
    w = rng.uniform(0.2, 1.0, 5) * rng.choice([-1, 1], 5)
    _, smooth = _cost(w, A, 0.3)
    h = 1e-6
    numeric = np.array(
        [(_cost(w + h * e, A, 0.3)[0] - _cost(w - h * e, A, 0.3)[0]) / (2 * h) for e in np.eye(5)]
    )
    np.testing.assert_allclose(l1_min_norm_subgradient(smooth, w, 0.3), numeric, rtol=1e-7)


def test_at_zero_it_is_the_one_sided_slope_nearest_zero():
    # At w_j = 0 the one-sided derivatives are smooth_j + scale and smooth_j - scale; the
    # minimum-norm subgradient is 0 when they straddle 0, else the one nearer 0.
    smooth = np.array([0.2, 0.8, -0.8])
    w = np.zeros(3)
    h = 1e-7
    expected = []
    for j in range(3):
        right = smooth[j] + 0.5  # slope of smooth_j * t + 0.5 |t| for t > 0
        left = smooth[j] - 0.5
        expected.append(0.0 if left <= 0 <= right else min(left, right, key=abs))
    np.testing.assert_allclose(l1_min_norm_subgradient(smooth, w, 0.5), expected, atol=h)


def test_it_extends_the_l1_penalty_operations_rule():
    # Where w != 0 the engine's L1 gradient plus the smooth part is the same vector.
    w = Tensor(np.array([0.5, -2.0, 0.0]), requires_grad=True)
    l1_penalty(w, scale=0.25).backward()
    smooth = np.array([1.0, 1.0, 0.1])
    got = l1_min_norm_subgradient(smooth, w.value, 0.25)
    np.testing.assert_array_equal(got[:2], (smooth + w.grad)[:2])
    assert got[2] == 0.0
