"""The graph itself: order, accumulation, replay, drawing, checks, and bad input."""

import numpy as np
import pytest
from scipy import sparse

from skbackprop import autodiff as ad
from skbackprop.autodiff import Graph, Operation, Tensor, apply, check_grad, to_dot


def test_a_chain_of_100000_operations_backpropagates_without_recursion():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert float(x.grad) == 1.0
    del y  # freeing the chain must not overflow the stack either


def test_topological_order_puts_every_node_after_its_inputs():
    x = Tensor(np.ones(3), requires_grad=True)
    a = ad.exp(x)
    b = a * x
    c = ad.sin(a) + b
    order = ad.topological_order(c)
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        assert all(position[p] < position[node] for p in node.parents)
    assert order[-1] is c
    assert len(order) == len(set(order))


def test_backward_recomputes_rather_than_accumulates_across_calls():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_graph_replay_equals_a_fresh_graph():
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    X = Tensor(np.empty((4, 3)))
    Y = Tensor(np.empty((4, 2)))
    graph = Graph(ad.squared_error(ad.tanh(ad.affine(X, W, b)), Y))
    for _ in range(3):
        X.value[:] = rng.normal(size=(4, 3))
        Y.value[:] = rng.normal(size=(4, 2))
        loss = graph.forward()
        graph.backward()
        replayed = (float(loss), W.grad.copy(), b.grad.copy())
        fresh = ad.squared_error(ad.tanh(ad.affine(Tensor(X.value), W, b)), Tensor(Y.value))
        fresh.backward()
        assert replayed[0] == float(fresh.value)
        np.testing.assert_array_equal(replayed[1], W.grad)
        np.testing.assert_array_equal(replayed[2], b.grad)


def test_sparse_constant_input_to_affine_and_matmul():
    rng = np.random.default_rng(1)
    dense = rng.normal(size=(5, 4)) * (rng.random((5, 4)) < 0.5)
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    b = Tensor(rng.normal(size=3), requires_grad=True)
    grads = []
    for x in (dense, sparse.csr_matrix(dense)):
        out = (ad.affine(Tensor(x), W, b) ** 2).sum() + (Tensor(x) @ W).sum()
        out.backward()
        grads.append((float(out.value), W.grad.copy(), b.grad.copy()))
    assert grads[0][0] == pytest.approx(grads[1][0], rel=1e-13)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-13)
    np.testing.assert_allclose(grads[0][2], grads[1][2], rtol=1e-13)


def test_check_grad_catches_a_wrong_rule():
    class WrongSquare(Operation):
        __slots__ = ("a",)
        label = "wrong"

        def forward(self, a):
            self.a = a
            return a * a

        def backward(self, grad, needs):
            return (grad * self.a,)  # should be 2a

    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    assert check_grad(lambda x: apply(WrongSquare(), x).sum(), x) > 0.4
    assert check_grad(lambda x: ad.square(x).sum(), x) < 1e-9


def test_to_dot_draws_the_lecture_convention():
    W = Tensor(np.ones((3, 2)), requires_grad=True, name="alpha")
    x = Tensor(np.ones((1, 3)), name="x")
    z = ad.sigmoid(x @ W)
    z.name = "z"
    dot = to_dot(z.sum())
    assert dot.startswith("digraph")
    assert dot.rstrip().endswith("}")
    assert 'label="sigmoid", xlabel="z", shape=box' in dot  # function inside, name outside
    assert 'label="alpha", shape=box, style="rounded,bold"' in dot  # a parameter node
    assert 'label="x", shape=box, style="rounded,dashed"' in dot  # a constant node
    assert dot.count("->") == 4


@pytest.mark.parametrize("value", [["a", "b"], np.array([object(), object()]), 1 + 2j])
def test_tensor_of_non_numbers_is_a_type_error(value):
    with pytest.raises(TypeError, match="A Tensor holds numbers"):
        Tensor(value)


def test_backward_from_a_non_scalar_needs_a_seed():
    x = Tensor(np.ones(3), requires_grad=True)
    y = ad.exp(x)
    with pytest.raises(ValueError, match=r"needs a scalar output.*shape \(3,\)"):
        y.backward()
    y.backward(np.array([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(x.grad, np.e * np.array([1.0, 0.0, 2.0]))
    with pytest.raises(ValueError, match="seed gradient has shape"):
        y.backward(np.ones(4))


def test_backward_with_nothing_to_differentiate():
    with pytest.raises(ValueError, match="requires_grad=True"):
        (Tensor(1.0) * 2).backward()


def test_mismatched_matmul_shapes_name_both_shapes():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(5, 2\) are not aligned"):
        a @ b
    with pytest.raises(ValueError, match="not aligned"):
        ad.affine(a, b, Tensor(np.zeros(2)))


def test_loss_target_shape_mismatch_is_clear():
    with pytest.raises(ValueError, match="target has shape"):
        ad.softmax_cross_entropy(Tensor(np.zeros((3, 2))), np.zeros((3, 3)))


def test_integers_and_booleans_become_float64_and_float32_is_kept():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(True).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert (Tensor(np.ones(2, dtype=np.float32)) * 3).dtype == np.float32
