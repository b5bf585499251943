"""Learning-rate schedules."""

import numpy as np
import pytest

from skbackprop.optim import SGD, AdaptiveSchedule, ConstantSchedule, InverseScalingSchedule


def test_constant():
    schedule = ConstantSchedule(0.3)
    assert schedule.iteration_ends(10_000) == 0.3
    assert schedule.trigger_stopping() is True


@pytest.mark.parametrize("power_t", [0.25, 0.5, 1.0])
def test_inverse_scaling_is_sklearns_mlp_rate(power_t):
    schedule = InverseScalingSchedule(0.2, power_t=power_t)
    for samples_seen in [0, 7, 1000]:
        assert schedule.iteration_ends(samples_seen) == pytest.approx(
            0.2 / (samples_seen + 1) ** power_t
        )


def test_adaptive_divides_by_five_after_patience_then_stops():
    schedule = AdaptiveSchedule(1e-4, patience=2, tol=1e-3)
    assert not schedule.observe(1.0)
    assert not schedule.observe(0.5)  # improvement
    assert not schedule.observe(0.4999)  # below tol: no improvement (1)
    assert schedule.learning_rate == 1e-4
    assert not schedule.observe(0.6)  # no improvement (2): rate / 5
    assert schedule.learning_rate == pytest.approx(2e-5)
    stops = [schedule.observe(0.6) for _ in range(6)]
    # 2e-5 -> 4e-6 -> 8e-7 (<= 1e-6); the next lowering stops training instead.
    assert stops == [False] * 5 + [True]
    assert schedule.learning_rate == pytest.approx(8e-7)


def test_apply_sets_the_optimizer_rate():
    opt = SGD(np.zeros(3), learning_rate=1.0)
    schedule = InverseScalingSchedule(0.5, power_t=1.0)
    schedule.iteration_ends(1)
    assert schedule.apply(opt) is opt
    assert opt.learning_rate == 0.25
