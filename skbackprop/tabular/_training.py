"""The fit of a tabular MLP: minibatch epochs with per-step schedules and best-epoch
restore.

Per step ``s`` of ``S = epochs x batches``: the learning rate, the weight decay and the
dropout probability are their base values times their schedules at ``t = s / S``; the
optimizer is :class:`~skbackprop.optim.GroupedAdam` over the network's flat buffer and
its parameter groups. After each epoch the held-out rows are scored; the parameters of
the best epoch (the lowest error, ties going to the later epoch) are restored at the end.
"""

import time
from dataclasses import dataclass

import numpy as np

from ..nn import TabularObjective
from ..optim import GroupedAdam, StepSchedule

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


def _epoch_order(data, order):
    return tuple(None if a is None else a.take(order, axis=0) for a in data)


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
        ``observer(epoch_record) -> stop``.

    Returns
    -------
    record : dict
        ``loss_curve``, ``validation_errors``, ``best_epoch`` (1-based, or None),
        ``n_iter``.
    """
    n = data[3].shape[0]
    batch_size = max(1, min(settings.batch_size, n))
    spans = [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]
    weighted = data[4] is not None
    dropout = settings.dropout > 0
    objectives = {}
    for start, stop in spans:
        if stop - start not in objectives:
            objectives[stop - start] = TabularObjective(
                network, stop - start, loss, weighted=weighted, dropout=dropout
            )
    n_steps = settings.epochs * len(spans)
    optimizer = GroupedAdam(
        network.values,
        settings.learning_rate,
        settings.beta_1,
        settings.beta_2,
        settings.epsilon,
        weight_decay=settings.weight_decay,
        lr_factors=network.lr_factors,
        wd_factors=network.wd_factors,
    )
    learning_rate = StepSchedule(settings.learning_rate, settings.learning_rate_schedule, n_steps)
    weight_decay = StepSchedule(settings.weight_decay, settings.weight_decay_schedule, n_steps)
    dropout_p = StepSchedule(settings.dropout, settings.dropout_schedule, n_steps)
    record = {"loss_curve": [], "validation_errors": [], "best_epoch": None, "n_iter": 0}
    best_error, best_values = np.inf, None
    step = 0
    start_time = time.perf_counter()
    for epoch in range(1, settings.epochs + 1):
        epoch_data = _epoch_order(data, rng.permutation(n))
        total = 0.0
        for start, stop in spans:
            objective = objectives[stop - start]
            objective.load_batch(epoch_data, slice(start, stop))
            if dropout:
                objective.draw_dropout(dropout_p(step), rng)
            optimizer.learning_rate = learning_rate(step)
            optimizer.weight_decay = weight_decay(step)
            total += objective() * (stop - start)
            optimizer.step(network.grad)
            step += 1
        record["loss_curve"].append(total / n)
        record["n_iter"] = epoch
        if not np.isfinite(network.values).all():
            raise ValueError(
                "Training diverged (non-finite parameters). Lower learning_rate_init or check "
                "the input for extreme values."
            )
        message = f"Epoch {epoch}, loss = {total / n:.6f}"
        if validation is not None:
            error = float(validation())
            record["validation_errors"].append(error)
            message += f", validation error = {error:.6f}"
            if error <= best_error:  # ties go to the later epoch
                best_error, best_values = error, network.values.copy()
                record["best_epoch"] = epoch
        if verbose:
            print(f"{message}, time = {time.perf_counter() - start_time:.2f}s")
        stop = False
        for observer in on_epoch_end:
            stop = bool(observer(record)) or stop
        if stop:
            break
    if best_values is not None:
        network.values[...] = best_values
    return record
