"""The identity node: its derivative rule against central finite differences, in float64."""

import numpy as np

from skbackprop.autodiff import Tensor, check_grad, identity, to_dot


def test_identity_passes_the_gradient_through():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    w = Tensor(rng.normal(size=(3, 4)))
    # Used twice (through the identity and directly), so both paths must add up.
    assert check_grad(lambda x, w: (identity(x) * w + x * x).sum(), x, w) < 1e-7


def test_identity_is_a_node_of_its_own():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = identity(x)
    y.name = "y"
    assert y.parents == (x,)
    np.testing.assert_array_equal(y.value, x.value)
    assert 'label="identity", xlabel="y"' in to_dot(y)
