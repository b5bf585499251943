"""The fit of a tabular MLP, run by the one training loop.

:class:`~skbackprop.training.MinibatchTrainer` runs the epochs; what is particular to the
recipe comes in through its hooks:

- the objective of each batch length is a :class:`~skbackprop.nn.TabularObjective`
  (``make_objective``), whose dropout probability follows its schedule;
- the optimizer is :class:`~skbackprop.optim.GroupedAdam` over the network's parameter
  groups, which sets its learning rate and weight decay from their schedules at every
  step (``S = epochs x batches`` steps, step ``s`` at progress ``s / S``);
- an epoch is ``n // batch_size`` full minibatches: the last, shorter one is dropped, as
  the reference implementation does (its data loader's ``drop_last``), so no step rests
  on a handful of rows, and ``S`` counts the steps taken;
- every epoch runs (no tolerance test, no warning at the last one), and with held-out
  rows the parameters of the best epoch are restored, ties going to the later epoch.
"""

from dataclasses import dataclass

import numpy as np

from ..nn import TabularObjective
from ..optim import GroupedAdam, Plateau, StepSchedule
from ..training import (
    EarlyStopping,
    MinibatchTrainer,
    SolverSettings,
    TrainingHistory,
)

__all__ = ["ScheduledTraining", "train_tabular"]


@dataclass
class ScheduledTraining:
    """The optimizer's settings and the schedules of one fit."""

    epochs: int
    batch_size: int
    learning_rate: float
    learning_rate_schedule: str
    weight_decay: float
    weight_decay_schedule: str
    dropout: float
    dropout_schedule: str
    beta_1: float = 0.9
    beta_2: float = 0.95
    epsilon: float = 1e-8


def _optimizer(network, settings, n_steps):
    """GroupedAdam over the network's parameter groups, with its step schedules."""
    return GroupedAdam(
        network.values,
        settings.learning_rate,
        settings.beta_1,
        settings.beta_2,
        settings.epsilon,
        weight_decay=settings.weight_decay,
        lr_factors=network.lr_factors,
        wd_factors=network.wd_factors,
        learning_rate_schedule=StepSchedule(
            settings.learning_rate, settings.learning_rate_schedule, n_steps
        ),
        weight_decay_schedule=StepSchedule(
            settings.weight_decay, settings.weight_decay_schedule, n_steps
        ),
    )


def _trainer(settings, batch_size, verbose):
    """The one training loop, set to run every epoch."""
    return MinibatchTrainer(
        SolverSettings(solver="adam", learning_rate_init=settings.learning_rate),
        batch_size=batch_size,
        shuffle=True,
        max_iter=settings.epochs,
        tol=0.0,
        n_iter_no_change=settings.epochs,  # never stops early: every epoch runs
        divergence="raise",
        verbose=verbose,
        warn_at_max_iter=False,
        drop_last=True,
    )


class _NoGradientSummary:
    """The trainer's per-epoch gradient summary, not kept: it would cost a pass over the
    parameters per step, and the tabular estimators do not report it."""

    def start_epoch(self):
        pass

    def add(self, grad, share):
        pass

    def end_epoch(self):
        return None


def train_tabular(
    network, data, loss, settings, rng, *, validation=None, verbose=0, on_epoch_end=()
):
    """Train ``network`` in place on ``data = (X_num, X_dense, codes, Y, sample_weight)``.

    Parameters
    ----------
    validation : callable, optional
        ``validation() -> error`` of the current parameters on held-out rows (lower is
        better); the best epoch's parameters are restored at the end.
    on_epoch_end : sequence of callable
        Observers ``observer(history) -> stop``.

    Returns
    -------
    record : dict
        ``loss_curve``, ``validation_errors``, ``best_epoch`` (1-based, or None),
        ``n_iter``.
    """
    X_num, X_dense, codes, Y, sample_weight = data
    X = network.pack(X_num, X_dense, codes)
    Y = np.ascontiguousarray(Y, dtype=network.dtype)
    if sample_weight is not None:
        sample_weight = np.ascontiguousarray(sample_weight, dtype=network.dtype)
    batch_size = max(1, min(settings.batch_size, X.shape[0]))
    n_steps = settings.epochs * (X.shape[0] // batch_size)  # full batches only
    optimizer = _optimizer(network, settings, n_steps)
    dropout_schedule = StepSchedule(settings.dropout, settings.dropout_schedule, n_steps)

    def dropout():  # the probability of the step about to be taken
        return dropout_schedule(optimizer.t)

    def make_objective(n_rows, weighted):
        return TabularObjective(
            network, n_rows, loss, weighted=weighted, dropout=dropout if settings.dropout else 0.0
        )

    early_stopping = None
    if validation is not None:
        early_stopping = EarlyStopping(
            lambda *_: -validation(),
            None,
            None,
            None,
            network.values.copy(),
            ties_go_to_later=True,
        )
    trainer = _trainer(settings, batch_size, verbose)
    history = TrainingHistory(
        plateau=Plateau(0.0, mode="max" if early_stopping is not None else "min"),
        validation_scores=[] if early_stopping is not None else None,
    )
    trainer.fit(
        network,
        X,
        Y,
        sample_weight,
        objective_options={"dropout": settings.dropout},
        optimizer=optimizer,
        history=history,
        gradient_norms=_NoGradientSummary(),
        random_state=rng,
        early_stopping=early_stopping,
        on_epoch_end=on_epoch_end,
        make_objective=make_objective,
    )
    return {
        "loss_curve": history.loss_curve,
        "validation_errors": [-s for s in history.validation_scores or []],
        "best_epoch": None if early_stopping is None else early_stopping.best_iteration,
        "n_iter": history.n_iter,
    }
