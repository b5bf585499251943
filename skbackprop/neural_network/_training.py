"""How an MLP's parameters and fitted attributes meet the trainer.

The training loops live in :mod:`skbackprop.training`; this mixin translates the
estimator's solver parameters for them, runs the L-BFGS or minibatch path, and sets the
fitted attributes from the trainer's history.
"""

import numpy as np

from ..optim import Plateau
from ..training import (
    EarlyStopping,
    LayerGradientNorms,
    MinibatchTrainer,
    SolverSettings,
    TrainingHistory,
    make_optimizer,
    make_schedule,
    train_lbfgs,
    validation_split,
)

__all__ = ["TrainingMixin"]


class TrainingMixin:
    """The L-BFGS and minibatch training paths of :class:`BaseMultilayerPerceptron`."""

    def _callback_state(self, history):
        """The fitted attributes as they stand mid-training, for the callbacks' view of
        the model (copies: ``coefs_`` are views the optimizer keeps updating)."""
        return {
            "coefs_": [c.copy() for c in self.coefs_],
            "intercepts_": [b.copy() for b in self.intercepts_],
            "n_iter_": history.n_iter,
            "loss_": np.nan if history.loss is None else history.loss,
        }

    def _solver_settings(self):
        """The trainer's view of the solver parameters.

        Adam keeps its constant base rate (its bias correction is its own schedule), as
        in scikit-learn; 'rmsprop' follows ``learning_rate`` like 'sgd', and its decay of
        the squared-gradient average is ``beta_2``.
        """
        return SolverSettings(
            solver=self.solver,
            learning_rate_init=self.learning_rate_init,
            learning_rate="constant" if self.solver == "adam" else self.learning_rate,
            power_t=self.power_t,
            momentum=self.momentum,
            nesterov=self.nesterovs_momentum,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            rmsprop_decay=self.beta_2,
        )

    def _objective_options(self, dropout=0.0):
        l1_alpha = self.alpha * self.l1_ratio
        return {
            "loss": self._training_loss(),
            "activation": self.activation,
            "alpha": self.alpha - l1_alpha,
            "dropout": dropout,
        }

    def _fit_lbfgs(self, X, Y, sample_weight, layer_units, tasks):
        params = self._flat_parameters(layer_units, Y.dtype)
        history = TrainingHistory()
        tasks.state = lambda: self._callback_state(history)
        # No proximal step here: the L1 term enters with its subgradient.
        objective, self.n_iter_ = train_lbfgs(
            params,
            X,
            Y,
            sample_weight,
            objective_options=self._objective_options(),
            l1_alpha=self.alpha * self.l1_ratio,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
            # As scikit-learn: scipy sees a non-finite loss; non-finite parameters are
            # reported after the search.
            nonfinite="pass",
            verbose=self.verbose,
            history=history,
            on_iteration=tasks.observers(),
        )
        self.loss_ = objective.reported_loss()

    def _fit_stochastic(self, X, Y, sample_weight, layer_units, incremental, tasks):
        if self.early_stopping and incremental:
            raise ValueError(
                "partial_fit does not support early_stopping=True; set early_stopping=False "
                "or call fit."
            )
        settings = self._solver_settings()
        if incremental and hasattr(self, "_optimizer"):
            # Continue where the last call stopped: same optimizer state, same buffer.
            params = self._flat_parameters(layer_units, Y.dtype, values=self._optimizer.params)
        else:
            params = self._flat_parameters(layer_units, Y.dtype)
            self._optimizer = make_optimizer(settings, params.values)
            self._schedule = make_schedule(settings)

        early_stopping = None
        if self.early_stopping:
            X, Y, sample_weight, X_val, Y_val, sw_val = validation_split(
                X,
                Y,
                sample_weight,
                fraction=self.validation_fraction,
                random_state=self._random_state,
                stratify=self._stratify(Y),
            )
            if self.validation_scores_ is None:
                # Warm start from a fit without early stopping: start its bookkeeping.
                self.validation_scores_, self.best_validation_score_ = [], -np.inf
                self.best_loss_ = None
            if self._best_parameters is None:
                self._best_parameters = params.values.copy()
            early_stopping = EarlyStopping(
                self._score,
                X_val,
                self._validation_targets(Y_val),
                sw_val,
                self._best_parameters,
            )
            plateau = Plateau(
                self.tol, "max", self.best_validation_score_, self._no_improvement_count
            )
        else:
            plateau = Plateau(self.tol, "min", self.best_loss_, self._no_improvement_count)
        history = TrainingHistory(
            n_iter=0,  # epochs of this call, as scikit-learn counts them
            t=self.t_,
            loss=getattr(self, "loss_", None),
            loss_curve=self.loss_curve_,
            gradient_norms=list(self.gradient_norms_),
            plateau=plateau,
            validation_scores=self.validation_scores_,
        )
        trainer = MinibatchTrainer(
            settings,
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            max_iter=self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            l1_alpha=self.alpha * self.l1_ratio,
            verbose=self.verbose,
        )
        tasks.state = lambda: self._callback_state(history)
        try:
            self._optimizer = trainer.fit(
                params,
                X,
                Y,
                sample_weight,
                objective_options=self._objective_options(self.dropout),
                optimizer=self._optimizer,
                schedule=self._schedule,
                history=history,
                gradient_norms=LayerGradientNorms(params),
                random_state=self._random_state,
                incremental=incremental,
                early_stopping=early_stopping,
                on_epoch_end=tasks.observers(),
            )
        finally:
            self._publish(history, early_stopping, len(layer_units) - 1)

    def _publish(self, history, early_stopping, n_layers):
        """Set the fitted attributes from the trainer's history."""
        self.n_iter_ = history.n_iter
        self.t_ = history.t
        self.loss_ = np.nan if history.loss is None else history.loss
        self.loss_curve_ = history.loss_curve
        self.gradient_norms_ = np.array(history.gradient_norms).reshape(-1, n_layers)
        self._no_improvement_count = history.plateau.n_bad
        if early_stopping is not None:
            self.best_validation_score_ = history.plateau.best
            self._best_parameters = early_stopping.best_parameters
        else:
            self.best_loss_ = history.plateau.best
