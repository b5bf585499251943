"""The trainer's extension point: observers see every epoch and may stop training."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skbackprop.nn import FlatParameters
from skbackprop.optim import Plateau
from skbackprop.training import (
    LayerGradientNorms,
    MinibatchTrainer,
    SolverSettings,
    TrainingHistory,
    make_optimizer,
    train_lbfgs,
)

OPTIONS = {"loss": "squared_error", "activation": "tanh", "alpha": 1e-4}


def _problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    Y = (X @ np.array([1.0, -2.0, 0.5]))[:, None]
    params = FlatParameters([3, 4, 1], np.float64)
    params.values[:] = rng.uniform(-0.5, 0.5, params.values.size)
    return X, Y, params


def _train(observers, max_iter=10):
    X, Y, params = _problem()
    settings = SolverSettings(solver="sgd", learning_rate_init=0.01)
    trainer = MinibatchTrainer(
        settings, batch_size=16, shuffle=True, max_iter=max_iter, tol=0.0, n_iter_no_change=50
    )
    history = TrainingHistory(plateau=Plateau(0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        trainer.fit(
            params,
            X,
            Y,
            None,
            objective_options=OPTIONS,
            optimizer=make_optimizer(settings, params.values),
            history=history,
            gradient_norms=LayerGradientNorms(params),
            random_state=np.random.RandomState(0),
            on_epoch_end=observers,
        )
    return history, params


def test_every_observer_sees_every_epoch_and_one_may_stop_training():
    seen, also_seen = [], []
    history, _ = _train(
        [lambda h: seen.append(list(h.loss_curve)) or h.n_iter == 4, also_seen.append]
    )
    assert history.n_iter == 4
    assert [len(curve) for curve in seen] == [1, 2, 3, 4]
    assert len(also_seen) == 4  # called even in the epoch another observer stopped
    full, _ = _train([])
    assert full.n_iter == 10
    # The stopped run is the full run's first four epochs.
    np.testing.assert_array_equal(history.loss_curve, full.loss_curve[:4])


def test_lbfgs_observers_see_every_iteration_and_may_stop_it():
    X, Y, params = _problem()
    history = TrainingHistory()
    gradients = []

    def observe(h):
        gradients.append(params.grad.copy())
        return h.n_iter == 3

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, n_iter = train_lbfgs(
            params,
            X,
            Y,
            None,
            objective_options=OPTIONS,
            max_iter=50,
            tol=1e-12,
            history=history,
            on_iteration=[observe],
        )
    assert history.n_iter == n_iter == 3
    assert len(history.loss_curve) == len(gradients) == 3
    assert history.loss_curve[0] > history.loss_curve[-1]


@pytest.mark.parametrize("mode", ["min", "max"])
def test_plateau_is_scikit_learns_tolerance_test(mode):
    sign = 1 if mode == "min" else -1
    plateau = Plateau(tol=0.1, mode=mode)
    values = [1.0, 0.95, 0.5, 0.45, 0.45, 0.2]
    bests = [plateau.update(sign * v) for v in values]
    assert bests == [True, True, True, True, False, True]
    assert plateau.best == sign * 0.2
    assert plateau.n_bad == 0  # 0.2 improved on 0.45 by more than 0.1
    plateau.update(sign * 0.2)
    assert plateau.n_bad == 1


@pytest.mark.parametrize(("drop_last", "steps_per_epoch"), [(False, 4), (True, 3)])
def test_drop_last_skips_the_short_last_minibatch(drop_last, steps_per_epoch):
    # 60 rows in batches of 16: 16, 16, 16 and a last batch of 12, dropped with drop_last.
    X, Y, params = _problem()
    settings = SolverSettings(solver="sgd", learning_rate_init=0.01)
    trainer = MinibatchTrainer(
        settings,
        batch_size=16,
        shuffle=True,
        max_iter=5,
        tol=0.0,
        n_iter_no_change=50,
        warn_at_max_iter=False,
        drop_last=drop_last,
    )
    history = TrainingHistory(plateau=Plateau(0.0))
    optimizer = trainer.fit(
        params,
        X,
        Y,
        None,
        objective_options=OPTIONS,
        optimizer=make_optimizer(settings, params.values),
        history=history,
        gradient_norms=LayerGradientNorms(params),
        random_state=np.random.RandomState(0),
    )
    assert optimizer.t == 5 * steps_per_epoch
    assert history.t == 5 * min(60, 16 * steps_per_epoch)
