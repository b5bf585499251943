"""The fused absolute-error, pinball and Huber losses: values against plain numpy and
scikit-learn, gradients against finite differences, the convention at the kinks, float32,
graph replay, bad input; and a squared error written by hand from public operations."""

import numpy as np
import pytest
from sklearn._loss.loss import AbsoluteError, HuberLoss, PinballLoss
from sklearn.metrics import mean_absolute_error, mean_pinball_loss

from skbackprop.autodiff import (
    Graph,
    Tensor,
    abs,
    absolute_error,
    check_grad,
    huber,
    pinball,
    squared_error,
)

TOL = 1e-7
EPSILON = 0.7

LOSSES = {
    "absolute_error": absolute_error,
    "pinball_0.1": lambda p, y, w=None: pinball(p, y, w, quantile=0.1),
    "pinball_0.9": lambda p, y, w=None: pinball(p, y, w, quantile=0.9),
    "huber": lambda p, y, w=None: huber(p, y, w, epsilon=EPSILON),
}


def _elementwise(name, residual):
    """Each element's loss, written from the textbook definitions in ``u = y - y_hat``."""
    u = -residual
    if name == "absolute_error":
        return np.abs(u)
    if name.startswith("pinball"):
        q = float(name.split("_")[1])
        return np.where(u >= 0, q * u, (q - 1) * u)
    a = np.abs(u)
    return np.where(a <= EPSILON, 0.5 * u**2, EPSILON * (a - EPSILON / 2))


def _data(n_outputs, weighted, seed=0, n_samples=8):
    """Residuals at least 0.1 from every kink (0 and +-EPSILON), so finite differences
    with a step of 1e-6 never straddle one."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n_samples, n_outputs))
    size = rng.choice([0.1, 0.4, 1.0, 1.5, 3.0], size=y.shape) + rng.uniform(0, 0.1, y.shape)
    residual = rng.choice([-1.0, 1.0], size=y.shape) * size
    prediction = Tensor(y + residual, requires_grad=True)
    w = rng.uniform(0.2, 2.0, size=n_samples) if weighted else None
    return prediction, y, w


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_value_is_the_rows_weighted_mean_of_the_summed_elements(name, n_outputs, weighted):
    prediction, y, w = _data(n_outputs, weighted)
    per_row = _elementwise(name, prediction.value - y).sum(axis=1)
    expected = np.average(per_row, weights=w)
    assert float(LOSSES[name](prediction, y, w).value) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_matches_finite_differences(name, n_outputs, weighted):
    prediction, y, w = _data(n_outputs, weighted, seed=1)
    target = Tensor(y, requires_grad=True)
    loss = LOSSES[name]
    if weighted:
        assert check_grad(lambda p, t, w: loss(p, t, w), prediction, target, Tensor(w)) < TOL
    else:
        assert check_grad(lambda p, t: loss(p, t), prediction, target) < TOL


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("weighted", [False, True])
def test_one_dimensional_predictions(name, weighted):
    prediction, y, w = _data(1, weighted, seed=2)
    p1, y1 = Tensor(prediction.value.ravel(), requires_grad=True), y.ravel()
    loss = LOSSES[name]
    expected = np.average(_elementwise(name, p1.value - y1), weights=w)
    assert float(loss(p1, y1, w).value) == pytest.approx(expected, rel=1e-12)
    assert check_grad(lambda p: loss(p, y1, w), p1) < TOL


@pytest.mark.parametrize("weighted", [False, True])
def test_values_and_gradients_are_scikit_learns_away_from_ties(weighted):
    # sklearn._loss works on one output; its gradient is per sample, unscaled.
    prediction, y, w = _data(1, weighted, seed=3, n_samples=12)
    p, t = prediction.value.ravel(), y.ravel()
    n_or_total = len(t) if w is None else w.sum()
    per_sample = np.ones_like(t) if w is None else w
    cases = [
        (absolute_error, {}, AbsoluteError()),
        (pinball, {"quantile": 0.25}, PinballLoss(quantile=0.25)),
        (huber, {"epsilon": EPSILON}, HuberLoss(delta=EPSILON)),
    ]
    for ours, kwargs, theirs in cases:
        prediction.grad = None
        loss = ours(prediction, y, w, **kwargs)
        loss.backward()
        assert float(loss.value) == pytest.approx(theirs(t, p, w), rel=1e-12)
        expected = theirs.gradient(t, p) * per_sample / n_or_total
        np.testing.assert_allclose(prediction.grad.ravel(), expected, rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_multi_output_value_is_n_outputs_times_scikit_learns_metric(weighted):
    # scikit-learn's regression metrics average over outputs; the losses here sum, as
    # squared_error does (the estimators' loss_ divides by n_outputs to report the mean).
    prediction, y, w = _data(3, weighted, seed=4)
    mae = mean_absolute_error(y, prediction.value, sample_weight=w)
    assert float(absolute_error(prediction, y, w).value) == pytest.approx(3 * mae, rel=1e-12)
    mpl = mean_pinball_loss(y, prediction.value, sample_weight=w, alpha=0.8)
    value = pinball(prediction, y, w, quantile=0.8).value
    assert float(value) == pytest.approx(3 * mpl, rel=1e-12)


def test_gradient_at_a_tie_is_zero():
    prediction = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    y = np.array([[1.0, 1.5], [3.0, 5.0]])  # two exact ties
    ties = prediction.value == y
    for loss in (
        absolute_error,
        lambda p, y: pinball(p, y, quantile=0.1),
        lambda p, y: pinball(p, y, quantile=0.5),
        lambda p, y: pinball(p, y, quantile=0.9),
    ):
        prediction.grad = None
        loss(prediction, y).backward()
        assert np.all(prediction.grad[ties] == 0.0)
        assert np.all(prediction.grad[~ties] != 0.0)


def test_pinball_slopes_on_either_side_of_a_tie():
    y = np.zeros((3, 1))
    prediction = Tensor(np.array([[-1e-300], [0.0], [1e-300]]), requires_grad=True)
    pinball(prediction, y, quantile=0.3).backward()
    np.testing.assert_array_equal(prediction.grad.ravel(), np.array([-0.3, 0.0, 0.7]) / 3)


def test_absolute_error_equals_its_compositions_exactly_ties_included():
    # The engine's abs takes sign(0) = 0 and so does the fused loss; twice the median's
    # pinball loss is the absolute error, its gradient included.
    y = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
    prediction = Tensor(np.array([[1.0, 2.5, 2.0], [0.5, -1.0, 4.0]]), requires_grad=True)
    w = np.array([1.0, 3.0])

    def composed(p):
        return (abs(p - y).sum(axis=1) @ w) / w.sum()

    results = []
    for f in (
        lambda p: absolute_error(p, y, w),
        composed,
        lambda p: 2 * pinball(p, y, w, quantile=0.5),
    ):
        prediction.grad = None
        loss = f(prediction)
        loss.backward()
        results.append((float(loss.value), prediction.grad.copy()))
    for value, grad in results[1:]:
        assert value == results[0][0]
        np.testing.assert_array_equal(grad, results[0][1])


def test_huber_is_quadratic_inside_linear_outside_and_continuous_at_the_threshold():
    eps = 0.5
    residual = np.array([-2.0, -eps, -0.2, 0.0, 0.3, eps, 4.0])
    prediction = Tensor(residual[:, None].copy(), requires_grad=True)
    loss = huber(prediction, np.zeros((7, 1)), epsilon=eps)
    loss.backward()
    n = len(residual)
    slope = np.clip(residual, -eps, eps)
    np.testing.assert_array_equal(prediction.grad.ravel(), slope * (1 / n))
    # At |r| = epsilon both pieces give epsilon^2 / 2.
    per_element = np.array([eps * 1.75, eps**2 / 2, 0.02, 0.0, 0.045, eps**2 / 2, eps * 3.75])
    assert float(loss.value) == pytest.approx(per_element.mean(), rel=1e-15)


def test_huber_with_an_infinite_threshold_is_squared_error():
    prediction, y, w = _data(3, True, seed=5)
    results = []
    for loss in (huber(prediction, y, w, epsilon=np.inf), squared_error(prediction, y, w)):
        prediction.grad = None
        loss.backward()
        results.append((float(loss.value), prediction.grad.copy()))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-15)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-15)


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("weighted", [False, True])
def test_float32_stays_float32(name, weighted):
    prediction, y, w = _data(2, weighted, seed=6)
    p32 = Tensor(prediction.value.astype(np.float32), requires_grad=True)
    w32 = None if w is None else w.astype(np.float32)
    loss = LOSSES[name](p32, y.astype(np.float32), w32)
    loss.backward()
    assert loss.value.dtype == p32.grad.dtype == np.float32
    p64 = Tensor(p32.value.astype(np.float64), requires_grad=True)
    reference = LOSSES[name](p64, y.astype(np.float32).astype(np.float64), w)
    reference.backward()
    assert float(loss.value) == pytest.approx(float(reference.value), rel=1e-6)
    np.testing.assert_allclose(p32.grad, p64.grad, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", LOSSES)
def test_a_replayed_graph_reads_the_new_minibatch(name):
    prediction, y, w = _data(2, True, seed=7)
    target, weight = Tensor(y.copy()), Tensor(w.copy())
    graph = Graph(LOSSES[name](prediction, target, weight))
    new_p, new_y, new_w = _data(2, True, seed=8)
    prediction.value[...] = new_p.value
    target.value[...] = new_y
    weight.value[...] = new_w
    value = float(graph.forward())
    graph.backward()
    fresh_p = Tensor(new_p.value.copy(), requires_grad=True)
    fresh = LOSSES[name](fresh_p, new_y, new_w)
    fresh.backward()
    assert value == float(fresh.value)
    np.testing.assert_array_equal(prediction.grad, fresh_p.grad)


@pytest.mark.parametrize("name", LOSSES)
def test_target_shape_mismatch_is_explained(name):
    prediction, y, _ = _data(2, False)
    with pytest.raises(ValueError, match=r"target has shape \(8, 1\) but the prediction"):
        LOSSES[name](prediction, y[:, :1])


@pytest.mark.parametrize("name", LOSSES)
def test_weights_summing_to_zero_are_explained(name):
    prediction, y, _ = _data(1, False)
    with pytest.raises(ValueError, match="sample_weight must have a positive sum"):
        LOSSES[name](prediction, y, np.zeros(8))


@pytest.mark.parametrize("quantile", [0, 1, 0.0, 1.0, -0.1, 1.5, np.nan, True, "0.5", None])
def test_quantile_outside_the_open_unit_interval_is_rejected(quantile):
    prediction, y, _ = _data(1, False)
    with pytest.raises(ValueError, match="pinball: quantile must be a number strictly between"):
        pinball(prediction, y, quantile=quantile)


def test_quantile_is_required():
    prediction, y, _ = _data(1, False)
    with pytest.raises(TypeError, match="quantile"):
        pinball(prediction, y)


@pytest.mark.parametrize("epsilon", [0, 0.0, -1.0, np.nan, -np.inf, False, "1"])
def test_non_positive_epsilon_is_rejected(epsilon):
    prediction, y, _ = _data(1, False)
    with pytest.raises(ValueError, match="huber: epsilon must be a positive number"):
        huber(prediction, y, epsilon=epsilon)


def test_the_drawing_names_the_parameter():
    prediction, y, _ = _data(1, False)
    assert pinball(prediction, y, quantile=0.9).op.label == "pinball(quantile=0.9)"
    assert huber(prediction, y, epsilon=1.35).op.label == "huber(epsilon=1.35)"
    assert absolute_error(prediction, y).op.label == "absolute_error"


# A loss written by a user from public operations: the template of a callable loss
# ``loss(y_true, y_pred, sample_weight)`` returning a scalar Tensor.
def half_squared_error(y_true, y_pred, sample_weight=None):
    per_row = ((y_pred - y_true) ** 2).sum(axis=1)
    if sample_weight is None:
        return per_row.mean() / 2
    return (per_row @ sample_weight) / (2 * np.sum(sample_weight))


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_a_hand_written_squared_error_equals_the_built_in(n_outputs, weighted):
    prediction, y, w = _data(n_outputs, weighted, seed=9, n_samples=20)
    results = []
    for loss in (half_squared_error(Tensor(y), prediction, w), squared_error(prediction, y, w)):
        prediction.grad = None
        loss.backward()
        assert loss.value.shape == ()
        results.append((float(loss.value), prediction.grad.copy()))
    (value, grad), (built_in_value, built_in_grad) = results
    assert value == pytest.approx(built_in_value, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grad, built_in_grad, rtol=1e-12, atol=1e-12)
