"""The seeds' worked examples, reproduced by the engine."""

import numpy as np
import pytest

from skbackprop import autodiff as ad
from skbackprop.autodiff import Tensor, check_grad


def test_lecture_simple_example_every_intermediate_derivative():
    # J = cos(u), u = u1 + u2, u1 = sin(t), u2 = 3t, t = x^2 (lecture 001, Forward | Backward)
    x0 = 1.3
    x = Tensor(x0, requires_grad=True)
    t = x**2
    u1 = ad.sin(t)
    u2 = 3 * t
    u = u1 + u2
    J = ad.cos(u)
    J.backward()

    t_, u_ = x0**2, np.sin(x0**2) + 3 * x0**2
    dJ_du = -np.sin(u_)
    dJ_dt = dJ_du * np.cos(t_) + dJ_du * 3  # two paths into t, summed (Version B)
    assert float(u.grad) == pytest.approx(dJ_du, rel=1e-14)
    assert float(u1.grad) == pytest.approx(dJ_du, rel=1e-14)
    assert float(u2.grad) == pytest.approx(dJ_du, rel=1e-14)
    assert float(t.grad) == pytest.approx(dJ_dt, rel=1e-14)
    assert float(x.grad) == pytest.approx(dJ_dt * 2 * x0, rel=1e-14)
    assert check_grad(lambda x: ad.cos(ad.sin(x**2) + 3 * x**2), x) < 1e-9


def test_differentiation_quiz():
    # y = exp(xz) + xz/log(x) + sin(log(x))/(xz) at x = 2, z = 3 (lecture 001, quiz 1)
    x = Tensor(2.0, requires_grad=True)
    z = Tensor(3.0, requires_grad=True)
    y = ad.exp(x * z) + x * z / ad.log(x) + ad.sin(ad.log(x)) / (x * z)
    y.backward()

    X, Z, L = 2.0, 3.0, np.log(2.0)
    dy_dx = Z * np.exp(X * Z) + Z / L - Z / L**2 + (np.cos(L) - np.sin(L)) / (X**2 * Z)
    dy_dz = X * np.exp(X * Z) + X / L - np.sin(L) / (X * Z**2)
    assert float(x.grad) == pytest.approx(dy_dx, rel=1e-13)
    assert float(z.grad) == pytest.approx(dy_dz, rel=1e-13)
    # "Round your answer to the nearest integer."
    assert round(float(x.grad)) == 1208
    assert round(float(z.grad)) == 810


@pytest.mark.parametrize("fused", [False, True])
def test_binary_logistic_regression_gradient(fused):
    # dJ/dtheta = (y_hat - y) x for the negative log-likelihood (lectures 001 and 002)
    rng = np.random.default_rng(0)
    x = rng.normal(size=5)
    theta = Tensor(rng.normal(size=5), requires_grad=True)
    for y_star in (0.0, 1.0):
        a = theta @ Tensor(x)
        if fused:
            J = ad.sigmoid_binary_cross_entropy(a, np.asarray(y_star))
        else:
            y = ad.sigmoid(a)
            J = -(y_star * ad.log(y) + (1 - y_star) * ad.log(1 - y))
        J.backward()
        y_hat = 1 / (1 + np.exp(-x @ theta.value))
        np.testing.assert_allclose(theta.grad, (y_hat - y_star) * x, rtol=1e-12)


def test_two_layer_mlp_with_batch_of_three_matches_the_matrix_formulas():
    # Section notes 002: columns are examples, Z = W1 X + b1 u, A = sigmoid(Z),
    # y_hat = w2 A + b2 u, L = (1/3) ||y_hat - y||^2.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 3))
    y = rng.normal(size=(1, 3))
    u = np.ones((1, 3))
    W1 = Tensor(rng.normal(size=(2, 4)), requires_grad=True)
    b1 = Tensor(rng.normal(size=(2, 1)), requires_grad=True)
    w2 = Tensor(rng.normal(size=(1, 2)), requires_grad=True)
    b2 = Tensor(rng.normal(size=(1, 1)), requires_grad=True)

    Z = W1 @ X + b1 @ u
    A = ad.sigmoid(Z)
    y_hat = w2 @ A + b2 @ u
    L = ((y_hat - y) ** 2).sum() / 3
    L.backward()

    A_ = A.value
    delta2 = 2 / 3 * (y_hat.value - y)
    delta1 = (w2.value.T @ delta2) * A_ * (1 - A_)
    np.testing.assert_allclose(y_hat.grad, delta2, rtol=1e-13)
    np.testing.assert_allclose(w2.grad, delta2 @ A_.T, rtol=1e-13)
    np.testing.assert_allclose(b2.grad, delta2 @ u.T, rtol=1e-13)
    np.testing.assert_allclose(A.grad, w2.value.T @ delta2, rtol=1e-13)
    np.testing.assert_allclose(Z.grad, delta1, rtol=1e-13)  # the error of the node, delta[1]
    np.testing.assert_allclose(W1.grad, delta1 @ X.T, rtol=1e-13)
    np.testing.assert_allclose(b1.grad, delta1 @ u.T, rtol=1e-13)
