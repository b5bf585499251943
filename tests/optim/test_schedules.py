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


def test_adaptive_divides_by_five_until_too_small_then_stops():
    schedule = AdaptiveSchedule(1e-4)
    assert schedule.iteration_ends(1000) == 1e-4
    stops = [schedule.trigger_stopping() for _ in range(4)]
    # 1e-4 -> 2e-5 -> 4e-6 -> 8e-7 (<= 1e-6); the next call stops training instead.
    assert stops == [False] * 3 + [True]
    assert schedule.learning_rate == pytest.approx(8e-7)


def test_the_optimizer_takes_its_rate_from_its_schedule():
    opt = SGD(np.zeros(3), learning_rate=1.0)
    assert isinstance(opt.schedule, ConstantSchedule)
    opt.schedule = InverseScalingSchedule(0.5, power_t=1.0)
    opt.iteration_ends(1)
    assert opt.learning_rate == 0.25
    opt.schedule = AdaptiveSchedule(0.5)
    assert opt.trigger_stopping("", verbose=False) is False
    assert opt.learning_rate == pytest.approx(0.1)
