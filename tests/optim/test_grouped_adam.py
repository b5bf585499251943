"""GroupedAdam against a plain per-parameter Adam with decoupled weight decay, and the
step schedules' shapes."""

import math

import numpy as np
import pytest

from skbackprop.optim import Adam, GroupedAdam, StepSchedule


def _reference_step(p, m, v, g, t, lr, b1, b2, eps, wd, lr_f, wd_f):
    """One AdamW step written as the textbook does, element by element."""
    p = p * (1 - lr * wd * wd_f)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return p - lr * lr_f * m_hat / (np.sqrt(v_hat) + eps), m, v


def test_grouped_adam_matches_the_textbook_update():
    rng = np.random.default_rng(0)
    p = rng.standard_normal(6)
    lr_f, wd_f = rng.uniform(0, 2, 6), np.array([1.0, 0.0, 1.0, 0.5, 2.0, 0.0])
    opt = GroupedAdam(
        p.copy(), 0.05, 0.9, 0.95, 1e-8, weight_decay=0.02, lr_factors=lr_f, wd_factors=wd_f
    )
    ref, m, v = p.copy(), np.zeros(6), np.zeros(6)
    for t in range(1, 20):
        g = rng.standard_normal(6)
        opt.learning_rate = 0.05 * t / 20  # a schedule changing it between steps
        opt.step(g)
        ref, m, v = _reference_step(
            ref, m, v, g, t, 0.05 * t / 20, 0.9, 0.95, 1e-8, 0.02, lr_f, wd_f
        )
    np.testing.assert_allclose(opt.params, ref, rtol=1e-12, atol=1e-14)


def test_grouped_adam_without_groups_follows_adam_to_its_epsilon():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(5), None
    b = a.copy()
    ours, theirs = GroupedAdam(a, 0.01, epsilon=0.0), Adam(b, 0.01, epsilon=0.0)
    for _ in range(10):
        g = rng.standard_normal(5)
        ours.step(g)
        theirs.step(g)
    np.testing.assert_allclose(a, b, rtol=1e-10)


def test_grouped_adam_rejects_factors_of_the_wrong_shape():
    with pytest.raises(ValueError, match="lr_factors must be"):
        GroupedAdam(np.zeros(3), lr_factors=np.ones(2))


def test_step_schedules_shapes():
    coslog = StepSchedule(1.0, "coslog4", n_steps=15)
    # log2(1 + 15 t) is an integer at t = 1/15, 3/15, 7/15: the ends of the cycles.
    assert [coslog(s) for s in (0, 1, 3, 7)] == pytest.approx([0, 0, 0, 0], abs=1e-12)
    t = (math.sqrt(2) - 1) / 15  # log2(1 + 15 t) = 1/2: the top of the first cycle
    assert StepSchedule(1.0, "coslog4", n_steps=1)(0) == 0.0
    assert StepSchedule(1.0, "coslog4", n_steps=1 / t).schedule(t) == pytest.approx(1.0)
    flat = StepSchedule(2.0, "flat_cos", n_steps=8)
    assert [flat(s) for s in range(8)][:5] == [2.0] * 5
    assert flat(6) == pytest.approx(2.0 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    with pytest.raises(ValueError, match="Unknown schedule 'cosine'"):
        StepSchedule(1.0, "cosine")


def test_grouped_adam_sets_its_rates_from_step_schedules():
    params = np.ones(2)
    opt = GroupedAdam(
        params,
        learning_rate_schedule=StepSchedule(0.1, "coslog4", n_steps=4),
        weight_decay_schedule=StepSchedule(0.5, "flat_cos", n_steps=4),
        weight_decay=0.5,
    )
    opt.step(np.ones(2))  # step 0: coslog4 is 0, nothing moves
    np.testing.assert_array_equal(params, 1.0)
    rates = []
    for _ in range(3):
        opt.step(np.ones(2))
        rates.append((opt.learning_rate, opt.weight_decay))
    expected = [
        (StepSchedule(0.1, "coslog4", 4)(s), StepSchedule(0.5, "flat_cos", 4)(s))
        for s in (1, 2, 3)
    ]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    assert opt.t == 4
