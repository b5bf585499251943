"""SGD, RMSProp and Adam against hand-written references and scikit-learn's optimizers."""

import pickle

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from skbackprop.optim import SGD, Adam, RMSProp

N_STEPS = 25


def _problem(dtype=np.float64, n=37, seed=0):
    rng = np.random.default_rng(seed)
    params = rng.standard_normal(n).astype(dtype)
    grads = [rng.standard_normal(n).astype(dtype) for _ in range(N_STEPS)]
    return params, grads


def _sgd_reference(p, grads, lr, momentum, nesterov):
    p, v = p.copy(), np.zeros_like(p)
    for g in grads:
        v = momentum * v - lr * g
        p = p + (momentum * v - lr * g if nesterov else v)
    return p


def _rmsprop_reference(p, grads, lr, decay, eps):
    p, S = p.copy(), np.zeros_like(p)
    for g in grads:
        S = decay * S + (1 - decay) * g**2
        p = p - lr * g / np.sqrt(S + eps)
    return p


def _adam_reference(p, grads, lr, b1, b2, eps):
    # The textbook form: separately bias-corrected moments, epsilon scaled to match.
    p, V, S = p.copy(), np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        V = b1 * V + (1 - b1) * g
        S = b2 * S + (1 - b2) * g**2
        V_hat, S_hat = V / (1 - b1**t), S / (1 - b2**t)
        p = p - lr * V_hat / (np.sqrt(S_hat) + eps / np.sqrt(1 - b2**t))
    return p


@pytest.mark.parametrize("nesterov", [True, False])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_reference_and_sklearn(nesterov, momentum):
    params, grads = _problem()
    expected = _sgd_reference(params, grads, 0.05, momentum, nesterov)
    theirs = [params.copy()]
    sk = SGDOptimizer(theirs, learning_rate_init=0.05, momentum=momentum, nesterov=nesterov)
    ours = params.copy()
    opt = SGD(ours, learning_rate=0.05, momentum=momentum, nesterov=nesterov)
    for g in grads:
        opt.step(g)
        sk.update_params(theirs, [g])
    np.testing.assert_allclose(ours, theirs[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
    assert opt.t == N_STEPS


def test_sgd_without_momentum_is_minibatch_gradient_descent():
    params, grads = _problem()
    ours = params.copy()
    opt = SGD(ours, learning_rate=0.1, momentum=0.0, nesterov=False)
    opt.step(grads[0])
    np.testing.assert_array_equal(ours, params - 0.1 * grads[0])


def test_adam_matches_reference_and_sklearn():
    params, grads = _problem()
    expected = _adam_reference(params, grads, 0.01, 0.9, 0.999, 1e-8)
    theirs = [params.copy()]
    sk = AdamOptimizer(theirs, learning_rate_init=0.01)
    ours = params.copy()
    opt = Adam(ours, learning_rate=0.01)
    for g in grads:
        opt.step(g)
        sk.update_params(theirs, [g])
    np.testing.assert_allclose(ours, theirs[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
    assert opt.t == N_STEPS


def test_rmsprop_matches_the_textbook_update():
    params, grads = _problem()
    expected = _rmsprop_reference(params, grads, 0.01, 0.9, 1e-8)
    ours = params.copy()
    opt = RMSProp(ours, learning_rate=0.01, decay=0.9, epsilon=1e-8)
    for g in grads:
        opt.step(g)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "make", [lambda p: SGD(p), lambda p: Adam(p), lambda p: RMSProp(p)], ids=["sgd", "adam", "rms"]
)
def test_float32_stays_float32(make):
    params, grads = _problem(np.float32)
    opt = make(params)
    buffer_id = id(params)
    for g in grads:
        opt.step(g)
    assert opt.params is params
    assert id(opt.params) == buffer_id
    assert params.dtype == np.float32
    state = [value for value in vars(opt).values() if isinstance(value, np.ndarray)]
    assert all(a.dtype == np.float32 for a in state)
    # Same trajectory as float64 to float32 precision.
    params64, grads64 = _problem(np.float64)
    opt64 = make(params64)
    for g in grads64:
        opt64.step(g.astype(np.float32).astype(np.float64))
    np.testing.assert_allclose(params, params64, rtol=1e-4, atol=1e-5)


def test_updates_views_into_the_buffer_and_learning_rate_is_live():
    flat = np.ones(6)
    weights = flat[:4].reshape(2, 2)
    opt = SGD(flat, learning_rate=0.5, momentum=0.0)
    opt.step(np.ones(6))
    np.testing.assert_array_equal(weights, 0.5)
    opt.learning_rate = 0.25
    opt.step(np.ones(6))
    np.testing.assert_array_equal(weights, 0.25)


def test_bad_buffers():
    with pytest.raises(TypeError, match="1-D numpy array"):
        SGD([1.0, 2.0])
    with pytest.raises(ValueError, match="must be 1-D"):
        Adam(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="float32 or float64"):
        RMSProp(np.zeros(3, dtype=np.int64))
    read_only = np.zeros(3)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        SGD(read_only)


def test_step_sizes_are_the_last_updates_per_coordinate_step():
    params, grads = _problem()
    for opt, direction in [
        (Adam(params.copy(), learning_rate=0.01), "first_moment"),
        (RMSProp(params.copy(), learning_rate=0.01), None),
        (SGD(params.copy(), learning_rate=0.01, momentum=0.0), None),
    ]:
        for g in grads[:3]:
            before = opt.params.copy()
            opt.step(g)
        moved = before - opt.params
        along = getattr(opt, direction) if direction else grads[2]
        np.testing.assert_allclose(moved, opt.step_sizes() * along, rtol=1e-10)


@pytest.mark.parametrize(
    "make",
    [
        lambda p: Adam(p, learning_rate=0.01),
        lambda p: RMSProp(p, learning_rate=0.01),
        lambda p: SGD(p, learning_rate=0.01, momentum=0.9),
    ],
    ids=["adam", "rmsprop", "sgd"],
)
def test_a_pickled_optimizer_continues_where_it_stopped(make):
    # An estimator keeps its optimizer for partial_fit, and pickles it with itself: the
    # unpickled optimizer's state must still be the state its step updates.
    params, grads = _problem()
    opt = make(params.copy())
    for g in grads[:3]:
        opt.step(g)
    copy = pickle.loads(pickle.dumps(opt))
    for g in grads[3:]:
        opt.step(g)
        copy.step(g)
    np.testing.assert_array_equal(copy.params, opt.params)
    if isinstance(opt, Adam):
        np.testing.assert_array_equal(copy.second_moment, opt.second_moment)


def test_adam_keeps_its_averages_when_the_betas_change():
    # Changing a beta between steps continues from the same m and v, as the textbook
    # update does.
    params, grads = _problem()
    opt = Adam(params.copy(), learning_rate=0.01)
    p, m, v = params.copy(), np.zeros_like(params), np.zeros_like(params)
    for t, g in enumerate(grads, start=1):
        b1, b2 = (0.9, 0.999) if t <= 10 else (0.5, 0.99)
        opt.beta_1, opt.beta_2 = b1, b2
        opt.step(g)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        p -= 0.01 * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(opt.params, p, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(opt.first_moment, m, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(opt.second_moment, v, rtol=1e-12, atol=1e-15)
