"""The fused Poisson loss against finite differences and against scikit-learn's cost."""

import numpy as np
import pytest
from sklearn.neural_network._base import poisson_loss

from skbackprop.autodiff import Tensor, check_grad, exp, poisson_deviance_exp


def _data(weighted, seed=0):
    rng = np.random.default_rng(seed)
    z = Tensor(rng.uniform(-1.5, 1.5, size=(6, 2)), requires_grad=True)
    y = Tensor(rng.poisson(2.0, size=(6, 2)).astype(float))  # zeros included
    w = Tensor(rng.uniform(0.2, 2.0, size=6)) if weighted else None
    return z, y, w


@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_matches_finite_differences(weighted):
    z, y, w = _data(weighted)
    if weighted:
        assert check_grad(lambda z, y, w: poisson_deviance_exp(z, y, w), z, y, w) < 1e-7
    else:
        assert check_grad(lambda z, y: poisson_deviance_exp(z, y), z, y) < 1e-7


def test_gradient_with_respect_to_positive_targets():
    z, _, _ = _data(False)
    y = Tensor(np.random.default_rng(1).uniform(0.5, 3.0, size=(6, 2)), requires_grad=True)
    assert check_grad(lambda z, y: poisson_deviance_exp(z, y), z, y) < 1e-7


@pytest.mark.parametrize("weighted", [False, True])
def test_value_is_scikit_learns_half_poisson_deviance(weighted):
    z, y, w = _data(weighted)
    ours = float(poisson_deviance_exp(z, y, w).value)
    theirs = poisson_loss(y.value, np.exp(z.value), None if w is None else w.value)
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_fused_gradient_equals_the_composed_one():
    z, y, _ = _data(False)
    poisson_deviance_exp(z, y).backward()
    fused = z.grad.copy()
    mu = exp(z)
    composed = (mu - y * z).sum() / z.shape[0]  # the terms of J that depend on z
    composed.backward()
    np.testing.assert_allclose(fused, z.grad, rtol=1e-12)


def test_target_shape_mismatch_is_explained():
    z, y, _ = _data(False)
    with pytest.raises(ValueError, match="target has shape"):
        poisson_deviance_exp(z, y.value[:, :1])
