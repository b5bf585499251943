"""The minibatch training loop (solvers 'sgd', 'adam' and 'rmsprop').

It follows scikit-learn's MLP ``_fit_stochastic`` call for call, so that with the same
``random_state`` the two draw the same shuffles and validation split and (in float64) follow
the same trajectory: per epoch one shuffle of the sample indices, one optimizer step per
minibatch, the epoch's loss as the average of the batch losses weighted by batch length,
and the tolerance test on the training loss or the validation score.

What differs is how a step is computed. The graph of each minibatch length is built once
(:class:`~skbackprop.nn.MinibatchObjective`), with buffers its minibatch's rows are
gathered into; a step replays the graph and hands the flat gradient to an optimizer that
updates the flat parameter buffer in a few vectorized calls. Nothing is validated per
step.
"""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..nn import MinibatchObjective
from ..optim import soft_threshold
from .history import notify

__all__ = ["MinibatchTrainer"]


def resolve_batch_size(batch_size, n_samples):
    """The rows of a minibatch: ``batch_size`` clipped to [1, n_samples], 'auto' 200.

    Warns, as scikit-learn's MLP does, when an explicit size is clipped.
    """
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"
        )
    return int(np.clip(batch_size, 1, n_samples))


class MinibatchTrainer:
    """Run minibatch epochs over a flat-parameter objective.

    The one training loop of every iterative estimator (:class:`~skbackprop.MLPRegressor`,
    :class:`~skbackprop.MLPClassifier`, :class:`~skbackprop.LogisticBackprop`). Per epoch:
    shuffle, then per minibatch the objective's forward and backward pass, the
    optimizer step, the L1 proximal step (:func:`~skbackprop.optim.soft_threshold`, by
    each coordinate's own step size: exact zeros); at the end of the epoch the loss and
    gradient summary, the divergence test, the tolerance test (early stopping on a
    validation score, or the training loss), the optimizer's learning-rate schedule, and
    the observers.

    **Observers** (``on_epoch_end``) are the extension point for anything that watches
    training: each is called as ``observer(history)`` with the
    :class:`~skbackprop.training.TrainingHistory` after every epoch's bookkeeping, and
    training stops when one returns True. Estimators use one to publish their fitted
    attributes as they stand after each epoch; callbacks plug in the same way.

    **Rollback.** The trainer updates the parameter buffer and the optimizer in place;
    it never restores an estimator. An estimator makes a failed fit leave it as it was
    with :func:`skbackprop.utils.rolls_back`, the one rule: every fitted attribute is
    deep-copied on entry and restored if the fit raises, a KeyboardInterrupt included
    (which the trainer lets through, where scikit-learn's MLP ends training with a
    warning and keeps the weights it had reached).

    Parameters
    ----------
    solver : SolverSettings
        The solver's settings (named in the divergence message).
    batch_size : int or 'auto'
        Rows per minibatch ('auto' is ``min(200, n_samples)``).
    shuffle : bool
        Whether to shuffle the rows every epoch.
    max_iter : int
        Maximum epochs of this call (and of the history: reaching ``max_iter`` epochs in
        total warns).
    tol, n_iter_no_change
        The tolerance test: training stops (or an 'adaptive' rate drops) after more than
        ``n_iter_no_change`` epochs without an improvement by ``tol``.
    l1_alpha : float, default=0.0
        Strength of the L1 proximal step (the L1 term is not in the objective's graph).
    penalty_scale : 'batch' or float, default='batch'
        As :class:`~skbackprop.nn.MinibatchObjective`'s, for the L1 step: 'batch' divides
        ``l1_alpha`` by the minibatch's rows or total sample weight, a float multiplies.
    divergence : {'stop', 'raise'}, default='stop'
        On non-finite values. 'stop' is scikit-learn's MLP behaviour: a non-finite loss
        alone does not stop training; non-finite parameters end it (they never become
        finite again), except under early stopping, where training goes on and the
        validation score decides which parameters are kept. The estimator then raises
        scikit-learn's "Solver produced non-finite parameter weights" error and its
        rollback restores the fitted state. 'raise' raises ValueError at once on a
        non-finite loss, gradient norm or parameters, naming the solver, the learning rate
        and the scaling of the features.
    verbose : int, default=0
        Print each epoch's loss when positive.
    warn_at_max_iter : bool, default=True
        Warn (``ConvergenceWarning``, scikit-learn's MLP message) when ``max_iter`` epochs
        ran; False for estimators that always run a fixed number of epochs.
    drop_last : bool, default=False
        Skip the last minibatch of each epoch when it is shorter than ``batch_size``
        (``n_samples // batch_size`` steps an epoch; the shuffled rows that fall in it
        are not seen that epoch). False is scikit-learn's MLP behaviour, which trains on
        it.

    See Also
    --------
    skbackprop.training.train_lbfgs : The full-batch path.
    skbackprop.utils.rollback_on_error : The rollback rule.

    Examples
    --------
    A network trained for three epochs; an observer stops it after two:

    >>> import numpy as np
    >>> from skbackprop.nn import FlatParameters
    >>> from skbackprop.optim import Plateau
    >>> from skbackprop.training import (LayerGradientNorms, MinibatchTrainer,
    ...     SolverSettings, TrainingHistory, make_optimizer)
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 2))
    >>> Y = X[:, :1] - X[:, 1:]
    >>> params = FlatParameters([2, 3, 1], np.float64)
    >>> params.values[:] = rng.uniform(-0.5, 0.5, params.values.size)
    >>> settings = SolverSettings(solver="adam", learning_rate_init=0.01)
    >>> trainer = MinibatchTrainer(settings, batch_size=10, shuffle=True, max_iter=3,
    ...                            tol=1e-4, n_iter_no_change=10)
    >>> history = TrainingHistory(plateau=Plateau(1e-4))
    >>> _ = trainer.fit(params, X, Y, None,
    ...     objective_options={"loss": "squared_error", "activation": "tanh"},
    ...     optimizer=make_optimizer(settings, params.values), history=history,
    ...     gradient_norms=LayerGradientNorms(params),
    ...     random_state=np.random.RandomState(0),
    ...     on_epoch_end=[lambda h: h.n_iter == 2])
    >>> history.n_iter, len(history.loss_curve), history.t
    (2, 2, 80)
    """

    def __init__(
        self,
        solver,
        *,
        batch_size,
        shuffle,
        max_iter,
        tol,
        n_iter_no_change,
        l1_alpha=0.0,
        penalty_scale="batch",
        divergence="stop",
        verbose=0,
        warn_at_max_iter=True,
        drop_last=False,
    ):
        self.solver = solver
        self.drop_last = drop_last
        self.warn_at_max_iter = warn_at_max_iter
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.l1_alpha = l1_alpha
        self.penalty_scale = penalty_scale
        self.divergence = divergence
        self.verbose = verbose

    def fit(
        self,
        params,
        X,
        Y,
        sample_weight,
        *,
        objective_options,
        optimizer,
        history,
        gradient_norms,
        random_state,
        incremental=False,
        early_stopping=None,
        on_epoch_end=(),
        make_objective=None,
    ):
        """Train ``params`` in place; return the optimizer.

        Parameters
        ----------
        params : FlatParameters
            The network's parameters, over the optimizer's buffer.
        X, Y, sample_weight
            Training data (dense or CSR ``X``; 2-D ``Y``; weights or None).
        objective_options : dict
            Passed to every :class:`~skbackprop.nn.MinibatchObjective` (loss,
            activation, alpha, dropout).
        optimizer : Optimizer
            The optimizer owning ``params.values``, with its learning-rate schedule.
        history : TrainingHistory
            Updated epoch by epoch.
        gradient_norms : LayerGradientNorms or MeanGradientNorm
            The per-epoch gradient summary appended to ``history.gradient_norms``.
        random_state : RandomState
            Draws the shuffles and dropout masks.
        incremental : bool, default=False
            One epoch only (``partial_fit``).
        early_stopping : EarlyStopping, optional
            Scores held-out data each epoch; training ends on its best parameters.
        on_epoch_end : sequence of callable, default=()
            Observers, ``observer(history) -> bool``; True stops training.
        make_objective : callable, optional
            ``make_objective(n_rows, weighted)`` builds the objective of one minibatch
            length, for a network other than ``FlatParameters`` layers (such as
            :class:`~skbackprop.nn.TabularObjective`); ``objective_options`` then only says
            whether it draws dropout masks (``{"dropout": p}``).
        """
        batches = self._batches(params, X, sample_weight, objective_options, make_objective)
        sample_idx = np.arange(X.shape[0], dtype=int) if self.shuffle else None
        dropout = objective_options.get("dropout", 0.0) > 0
        fit_start = time.perf_counter()
        for _ in range(self.max_iter):
            if self.shuffle:
                # sklearn.utils.shuffle's draw: one Fisher-Yates shuffle of the indices.
                random_state.shuffle(sample_idx)
            gradient_norms.start_epoch()
            loss = self._epoch(
                batches,
                (X, Y, sample_weight, sample_idx),
                params,
                optimizer,
                gradient_norms,
                random_state,
                dropout,
            )
            finite = bool(np.isfinite(params.values).all())
            if self.divergence == "raise" and not (finite and np.isfinite(loss)):
                self._diverged(loss)
            if not finite and early_stopping is None:
                break  # the estimator raises scikit-learn's non-finite weights error
            n_rows = batches[-1][2]  # the rows an epoch trains on
            self._record(history, loss, n_rows, gradient_norms, fit_start)
            norms = history.gradient_norms[-1]  # None where the caller keeps no summary
            if self.divergence == "raise" and norms is not None and not np.isfinite(norms).all():
                # Adam's and RMSProp's steps stay bounded when the gradient overflows: the
                # parameters stay finite, and meaningless.
                self._diverged(loss, "the gradient overflowed")
            if self._converged(history, params, optimizer, early_stopping):
                break
            if notify(on_epoch_end, history) or incremental:
                break
            if history.n_iter == self.max_iter and self.warn_at_max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                    "and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                )

        if early_stopping is not None:
            params.values[...] = early_stopping.best_parameters
        return optimizer

    def _batches(self, params, X, sample_weight, objective_options, make_objective=None):
        """``(objective, start, stop)`` of each minibatch: one objective (one graph) per
        minibatch length, built once per fit."""
        n_samples = X.shape[0]
        batch_size = resolve_batch_size(self.batch_size, n_samples)
        # The last minibatch may be shorter; with drop_last it is skipped.
        stop = n_samples - n_samples % batch_size if self.drop_last else n_samples
        spans = [(i, min(i + batch_size, n_samples)) for i in range(0, stop, batch_size)]
        objectives = {}
        for start, stop in spans:
            if stop - start in objectives:
                continue
            if make_objective is not None:
                objectives[stop - start] = make_objective(stop - start, sample_weight is not None)
            else:
                objectives[stop - start] = MinibatchObjective(
                    params,
                    stop - start,
                    weighted=sample_weight is not None,
                    sparse_input=not isinstance(X, np.ndarray),
                    penalty_scale=self.penalty_scale,
                    **objective_options,
                )
        return [(objectives[stop - start], start, stop) for start, stop in spans]

    def _epoch(self, batches, data, params, optimizer, gradient_norms, random_state, dropout):
        """One pass over the minibatches of ``data`` (``X, Y, sample_weight`` and the
        epoch's shuffled row indices, or None for the rows in order); return the epoch's
        loss, the batch losses averaged weighted by batch length as scikit-learn does."""
        X, Y, sample_weight, sample_idx = data
        accumulated_loss = 0.0
        for objective, start, stop in batches:
            rows = slice(start, stop) if sample_idx is None else sample_idx[start:stop]
            total_weight = objective.load_batch(X, Y, sample_weight, rows)
            if total_weight is not None and not total_weight > 0:
                continue  # a batch of zero total weight carries no gradient
            if dropout:
                objective.draw_dropout(random_state)
            objective()
            optimizer.step(params.grad)
            batch_loss = objective.reported_loss()
            n = stop - start if total_weight is None else total_weight
            if self.l1_alpha > 0:
                batch_loss += self._l1_proximal_step(params, optimizer, n)
            accumulated_loss += batch_loss * (stop - start)
            gradient_norms.add(params.grad, n)
        return accumulated_loss / batches[-1][2]  # X.shape[0] unless drop_last

    def _l1_proximal_step(self, params, optimizer, n):
        """Soft-threshold the weights by each coordinate's own step size times the L1
        strength (exact zeros, unlike the subgradient); return the L1 term's value.

        The strength is ``l1_alpha / n`` for n the batch's rows or total weight
        (``penalty_scale='batch'``), or ``l1_alpha * penalty_scale``.
        """
        weights = params.weights
        step = optimizer.step_sizes()
        step = step[: params.n_weights] if np.ndim(step) else step
        if self.penalty_scale == "batch":
            soft_threshold(weights, step * (self.l1_alpha / n), out=weights)
            return self.l1_alpha * float(np.abs(weights).sum()) / n
        strength = self.l1_alpha * self.penalty_scale
        soft_threshold(weights, step * strength, out=weights)
        return strength * float(np.abs(weights).sum())

    def _record(self, history, loss, n_samples, gradient_norms, fit_start):
        """The epoch's entry in the history (and its line when verbose)."""
        history.n_iter += 1
        history.loss = loss
        history.t += n_samples
        history.loss_curve.append(loss)
        history.gradient_norms.append(gradient_norms.end_epoch())
        if self.verbose:
            print(
                f"Iteration {history.n_iter}, loss = {loss:.8f}, "
                f"time = {time.perf_counter() - fit_start:.2f}s"
            )

    def _converged(self, history, params, optimizer, early_stopping):
        """scikit-learn's end of an epoch: the tolerance test on the validation score or
        the training loss, then the schedule; True when training should stop."""
        plateau = history.plateau
        if early_stopping is not None:
            score = early_stopping()
            history.validation_scores.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            improved = plateau.update(score)
            if improved or (early_stopping.ties_go_to_later and score == plateau.best):
                early_stopping.best_parameters = params.values.copy()
                early_stopping.best_iteration = history.n_iter
        else:
            plateau.update(history.loss)
        optimizer.iteration_ends(history.t)
        if plateau.n_bad <= self.n_iter_no_change:
            return False
        what = "Validation score" if early_stopping is not None else "Training loss"
        msg = (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        if optimizer.trigger_stopping(msg, self.verbose):
            return True
        plateau.n_bad = 0
        return False

    def _diverged(self, loss, what=None):
        """Raise on a non-finite loss, gradient or parameters (``divergence='raise'``)."""
        what = what or f"the loss became {loss}"
        raise ValueError(
            f"The {self.solver.solver} solver diverged ({what}). Lower "
            f"learning_rate_init (it is {self.solver.learning_rate_init}), or scale the "
            "features (e.g. StandardScaler)."
        )
