"""The minibatch training loop of the MLPs (solvers 'sgd', 'adam' and 'rmsprop').

It follows scikit-learn's ``_fit_stochastic`` call for call, so that with the same
``random_state`` the two draw the same shuffles and validation split and (in float64) follow
the same trajectory: an optional validation split, then per epoch one shuffle of the sample
indices, one optimizer step per minibatch, the epoch's loss as the average of the batch
losses weighted by batch length, and scikit-learn's tolerance test on the training loss or
the validation score.

What differs is how a step is computed. The graph of each minibatch length is built once
(:class:`~skbackprop.nn.MinibatchObjective`); each epoch's rows are gathered once in the
epoch's order (:class:`EpochOrder`), so a step takes its minibatch as a view, replays the
graph, and hands the flat gradient to an optimizer that updates the flat parameter buffer
in a few vectorized calls. Nothing is validated per step.
"""

import time
import warnings

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ..nn import MinibatchObjective
from ..optim import (
    SGD,
    Adam,
    AdaptiveSchedule,
    ConstantSchedule,
    InverseScalingSchedule,
    RMSProp,
    soft_threshold,
)

__all__ = ["STOCHASTIC_SOLVERS", "StochasticTrainingMixin"]

STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop")

# Dense training data up to this size is gathered in its epoch's shuffled order once per
# epoch, so that each minibatch is a view of consecutive rows; larger data, and sparse data
# (where indexing a minibatch costs about what slicing it does), is gathered minibatch by
# minibatch instead, which needs no second copy of it.
EPOCH_GATHER_BYTES = 512 * 2**20


class EpochOrder:
    """The training rows in the order of the current epoch.

    scikit-learn shuffles the sample indices once per epoch and indexes every minibatch
    out of the data with its slice of them. Gathering the whole epoch at once instead,
    into buffers allocated once per fit, costs one ``take`` per array per epoch, after
    which a minibatch is a slice: a view, with no copy and one numpy call less per array
    and minibatch. The rows and their order are the same, so the trajectory is too.

    Parameters
    ----------
    X : ndarray or scipy CSR matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    gather : bool
        Whether to gather each epoch (dense X only); if not, :meth:`rows` returns index
        arrays into the original data.
    """

    def __init__(self, X, Y, sample_weight, gather):
        self.data = (X, Y, sample_weight)
        self.gather = gather and not sparse.issparse(X)
        self.sample_idx = np.arange(X.shape[0], dtype=int)
        self.shuffled = False
        self._buffers = None
        if self.gather:
            self._buffers = tuple(
                None if a is None else np.empty(a.shape, a.dtype) for a in self.data
            )
        self.epoch_data = self.data

    def shuffle(self, random_state):
        """Draw the next epoch's order as ``sklearn.utils.shuffle`` does (one Fisher-Yates
        shuffle of the index array by ``random_state``), and gather the data in it."""
        random_state.shuffle(self.sample_idx)
        self.shuffled = True
        if self.gather:
            self.epoch_data = tuple(
                self._gather(array, out) for array, out in zip(self.data, self._buffers)
            )

    def _gather(self, array, out):
        if array is None:
            return None
        # mode="clip": the indices are a permutation, always in range, and numpy then
        # writes straight into `out` instead of through a temporary copy (2.6 times
        # faster on the digits data).
        return array.take(self.sample_idx, axis=0, out=out, mode="clip")

    def rows(self, start, stop):
        """Minibatch ``start:stop`` of the epoch, as rows of :attr:`epoch_data`: a slice,
        or indices into the original data when it is not gathered."""
        if self.gather or not self.shuffled:
            return slice(start, stop)
        return self.sample_idx[start:stop]


class StochasticTrainingMixin:
    """Minibatch training for :class:`BaseMultilayerPerceptron`."""

    def _make_optimizer(self, values):
        """The optimizer named by ``solver``, owning the flat parameter buffer."""
        if self.solver == "sgd":
            return SGD(
                values,
                learning_rate=self.learning_rate_init,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
            )
        if self.solver == "adam":
            return Adam(
                values,
                learning_rate=self.learning_rate_init,
                beta_1=self.beta_1,
                beta_2=self.beta_2,
                epsilon=self.epsilon,
            )
        # RMSProp: the optimizers lecture's decay of the squared-gradient average is beta_2.
        return RMSProp(
            values, learning_rate=self.learning_rate_init, decay=self.beta_2, epsilon=self.epsilon
        )

    def _make_schedule(self):
        """The learning-rate schedule, as scikit-learn's MLP uses them.

        'invscaling' recomputes the rate at the end of each epoch from the samples seen;
        'adaptive' divides it by 5 when the tolerance test fails (stopping once it is at
        1e-6); 'constant' stops when the test fails. Adam keeps its constant base rate (its
        bias correction is its own schedule), as in scikit-learn; 'rmsprop' follows
        ``learning_rate`` like 'sgd'.
        """
        rate = self.learning_rate_init
        if self.solver == "adam" or self.learning_rate == "constant":
            return ConstantSchedule(rate)
        if self.learning_rate == "invscaling":
            return InverseScalingSchedule(rate, power_t=self.power_t)
        return AdaptiveSchedule(rate)

    def _validation_split(self, X, Y, sample_weight):
        """scikit-learn's early-stopping split (stratified for single-output classifiers)."""
        stratify = self._stratify(Y)
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        split = train_test_split(
            *arrays,
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        X_train, X_val, Y_train, Y_val = split[:4]
        sw_train, sw_val = split[4:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size "
                "of your dataset."
            )
        y_val = self._validation_targets(Y_val)
        return X_train, np.ascontiguousarray(Y_train), sw_train, X_val, y_val, sw_val

    def _stratify(self, Y):
        """Labels to stratify the validation split by; None for regressors."""
        return None

    def _validation_targets(self, Y_val):
        """Targets in the form ``score`` expects (classes for a classifier)."""
        return Y_val

    def _batch_size(self, n_samples):
        """The rows of a minibatch: ``batch_size`` clipped to [1, n_samples], 'auto' 200."""
        if self.batch_size != "auto" and self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be "
                "clipped"
            )
        if self.batch_size == "auto":
            return min(200, n_samples)
        return int(np.clip(self.batch_size, 1, n_samples))

    def _fit_stochastic(self, X, Y, sample_weight, layer_units, incremental):
        if self.early_stopping and incremental:
            raise ValueError(
                "partial_fit does not support early_stopping=True; set early_stopping=False "
                "or call fit."
            )
        dtype = Y.dtype
        if incremental and hasattr(self, "_optimizer"):
            # Continue where the last call stopped: same optimizer state, same buffer.
            params = self._flat_parameters(layer_units, dtype, values=self._optimizer.params)
        else:
            params = self._flat_parameters(layer_units, dtype)
            self._optimizer = self._make_optimizer(params.values)
            self._schedule = self._make_schedule()
        optimizer, schedule = self._optimizer, self._schedule

        early_stopping = self.early_stopping
        if early_stopping:
            X, Y, sample_weight, X_val, y_val, sw_val = self._validation_split(X, Y, sample_weight)
            if self.validation_scores_ is None:
                # Warm start from a fit without early stopping: start its bookkeeping.
                self.validation_scores_, self.best_validation_score_ = [], -np.inf
                self.best_loss_ = None
            if self._best_parameters is None:
                self._best_parameters = params.values.copy()
        else:
            X_val = y_val = sw_val = None

        n_samples = X.shape[0]
        batch_size = self._batch_size(n_samples)
        spans = [
            (start, min(start + batch_size, n_samples))
            for start in range(0, n_samples, batch_size)
        ]
        l1_alpha = self.alpha * self.l1_ratio
        objectives = {}
        for start, stop in spans:
            if stop - start not in objectives:
                objectives[stop - start] = MinibatchObjective(
                    params,
                    stop - start,
                    loss=self._loss_name(),
                    activation=self.activation,
                    alpha=self.alpha - l1_alpha,
                    weighted=sample_weight is not None,
                    sparse_input=not isinstance(X, np.ndarray),
                    dropout=self.dropout,
                )
        batches = [(objectives[stop - start], start, stop) for start, stop in spans]

        n_weights = params.n_weights
        weights = params.weights
        # Each layer's weight gradient as a flat view, for gradient_norms_: its squared
        # norm per minibatch is one dot product, summed over the epoch's minibatches.
        layer_grads = [params.grad[s] for s in params.weight_slices]
        # The parameters at the start of the current epoch and of the epoch with the
        # lowest loss so far: what a diverging fit falls back to.
        epoch_start, best_start = np.empty_like(params.values), None
        lowest_loss = np.inf
        data_bytes = sum(a.nbytes for a in (X, Y, sample_weight) if isinstance(a, np.ndarray))
        order = EpochOrder(
            X, Y, sample_weight, gather=self.shuffle and data_bytes <= EPOCH_GATHER_BYTES
        )
        rng = self._random_state
        dropout = self.dropout > 0

        self.n_iter_ = 0
        fit_start = time.perf_counter()
        try:
            for _ in range(self.max_iter):
                np.copyto(epoch_start, params.values)
                if self.shuffle:
                    order.shuffle(rng)
                X_epoch, Y_epoch, sw_epoch = order.epoch_data
                squared_norms = [0.0] * len(layer_grads)  # Python floats: cheap to add to
                accumulated_loss = 0.0
                for objective, start, stop in batches:
                    total_weight = objective.take(
                        X_epoch, Y_epoch, sw_epoch, order.rows(start, stop)
                    )
                    if total_weight is not None and not total_weight > 0:
                        continue  # a batch of zero total weight carries no gradient
                    if dropout:
                        objective.draw_dropout(rng)
                    objective()
                    optimizer.step(params.grad)
                    batch_loss = objective.reported_loss()
                    if l1_alpha > 0:
                        n = stop - start if total_weight is None else total_weight
                        # The L1 term's proximal step, by each coordinate's own step size:
                        # exact zeros, unlike its subgradient.
                        step = optimizer.step_sizes()
                        step = step[:n_weights] if np.ndim(step) else step
                        soft_threshold(weights, step * (l1_alpha / n), out=weights)
                        batch_loss += l1_alpha * float(np.abs(weights).sum()) / n
                    accumulated_loss += batch_loss * (stop - start)
                    for layer, grad in enumerate(layer_grads):
                        squared_norms[layer] += float(np.dot(grad, grad))

                loss = accumulated_loss / n_samples
                if not (np.isfinite(loss) and np.isfinite(params.values).all()):
                    self._diverged(params, epoch_start if best_start is None else best_start, loss)
                    break
                if loss < lowest_loss or best_start is None:
                    lowest_loss = loss
                    best_start, epoch_start = (
                        epoch_start,
                        (np.empty_like(epoch_start) if best_start is None else best_start),
                    )
                self.n_iter_ += 1
                self.loss_ = loss
                self.t_ += n_samples
                self.loss_curve_.append(loss)
                norms = np.sqrt(np.array(squared_norms) / len(batches))
                self.gradient_norms_ = np.vstack([self.gradient_norms_, norms])
                if self.verbose:
                    print(
                        f"Iteration {self.n_iter_}, loss = {loss:.8f}, "
                        f"time = {time.perf_counter() - fit_start:.2f}s"
                    )

                self._update_no_improvement_count(early_stopping, X_val, y_val, sw_val, params)
                schedule.iteration_ends(self.t_)
                schedule.apply(optimizer)

                if self._no_improvement_count > self.n_iter_no_change:
                    if early_stopping:
                        msg = (
                            f"Validation score did not improve more than tol={self.tol:f} "
                            f"for {self.n_iter_no_change} consecutive epochs."
                        )
                    else:
                        msg = (
                            f"Training loss did not improve more than tol={self.tol:f} for "
                            f"{self.n_iter_no_change} consecutive epochs."
                        )
                    if schedule.trigger_stopping(msg, self.verbose):
                        break
                    schedule.apply(optimizer)
                    self._no_improvement_count = 0

                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                        "and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")

        if early_stopping:
            params.values[...] = self._best_parameters

    def _diverged(self, params, fallback, loss):
        """Stop a diverging fit and say so; the parameters fall back to finite values.

        ``fallback`` holds the parameters at the start of the epoch with the lowest loss
        (the start of this fit's first epoch if none completed): once the loss has blown
        up, the end of the last finite epoch may already hold astronomically large weights.
        """
        params.values[...] = fallback
        # The optimizer's moments may hold inf/nan now: start it afresh.
        self._optimizer = self._schedule.apply(self._make_optimizer(params.values))
        if not hasattr(self, "loss_"):
            self.loss_ = np.nan
        warnings.warn(
            f"Training diverged in epoch {self.n_iter_ + 1}: the loss became {loss}. "
            "Training stopped and the parameters were restored to their values at the start "
            "of the epoch with the lowest loss. Lower learning_rate_init (it is "
            f"{self.learning_rate_init}) or standardize the features.",
            ConvergenceWarning,
        )

    def _update_no_improvement_count(self, early_stopping, X_val, y_val, sw_val, params):
        if early_stopping:
            score = self._score(X_val, y_val, sample_weight=sw_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_parameters = params.values.copy()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]
