"""What MLPRegressor and MLPClassifier share: parameters, validation, fit and predict.

The training loops live in :mod:`skbackprop.training` and the network pieces in
:mod:`skbackprop.nn`. This class holds scikit-learn's public surface (constructor
parameters and their constraints, fitted attributes, ``warm_start`` and ``partial_fit``
semantics), translates it for the trainer, and keeps ``coefs_`` and ``intercepts_`` as
views of the optimizer's flat parameter buffer.
"""

import itertools
from abc import ABC, abstractmethod
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_sample_weight, column_or_1d, validate_data

from ..nn import (
    HIDDEN_ACTIVATIONS,
    glorot_uniform,
    layer_activations,
    predict_output,
)
from ..optim import Plateau
from ..training import (
    SOLVERS,
    STOCHASTIC_SOLVERS,
    EarlyStopping,
    LayerGradientNorms,
    NetworkFitMixin,
    SolverSettings,
    TrainingHistory,
    validation_split,
)
from ..utils import (
    CallbackSupportMixin,
    FitTasks,
    check_predict_input,
    rolls_back,
    with_callbacks,
)
from ..utils._threadpool import scipy_blas_single_thread

__all__ = ["BaseMultilayerPerceptron"]


class BaseMultilayerPerceptron(NetworkFitMixin, CallbackSupportMixin, BaseEstimator, ABC):
    """Base class of the MLP estimators; use MLPRegressor or MLPClassifier."""

    _parameter_constraints: ClassVar[dict] = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        # A list or tuple names one activation per hidden layer; its names and length are
        # checked in fit (skbackprop.nn.layer_activations), against hidden_layer_sizes.
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), list, tuple],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
    }

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _check_targets(self, y, incremental):
        """Check the validated targets ``y``; return them as training takes them."""

    @abstractmethod
    def _score(self, X, y, sample_weight=None):
        """The validation score used by early stopping (no input validation)."""

    def _stratify(self, Y):
        """Labels to stratify the validation split by; None for regressors."""
        return None

    def _validation_targets(self, Y_val):
        """Targets in the form ``score`` expects (classes for a classifier)."""
        return Y_val

    def _weigh_samples(self, X, Y, sample_weight):
        """The sample weights training uses (a classifier multiplies in class weights)."""
        return sample_weight

    # ------------------------------------------------------------------ fitting
    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if np.any(np.array(sizes) <= 0):
            raise ValueError(
                f"hidden_layer_sizes must be > 0, got {sizes}. Give every hidden layer at "
                "least one unit."
            )
        return [int(n) for n in sizes]

    @rolls_back
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data. float32 input trains and predicts in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values: for the classifier, class labels or a label indicator
            matrix (multilabel classification).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (for the classifier, multiplied by the class weights when
            ``class_weight`` is set).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    @rolls_back
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _fit(self, X, y, sample_weight=None, incremental=False):
        # The public fit and partial_fit roll back on any error (``rolls_back``). Overflow
        # during a diverging step ends in scikit-learn's non-finite weights error after
        # training, so numpy's floating-point warnings are silenced here.
        with np.errstate(all="ignore"):
            # What the callbacks see: the data as passed (ScoringMonitor predicts on it).
            callback_data = X, y, sample_weight
            hidden_layer_sizes = self._hidden_layer_sizes()
            layer_activations(self.activation, len(hidden_layer_sizes))  # one per hidden layer
            first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
            X, Y = self._validate_input(X, y, incremental, reset=first_pass)
            if Y.ndim == 1:
                Y = Y.reshape(-1, 1)
            _n_samples, n_features = X.shape
            layer_units = [n_features, *hidden_layer_sizes, Y.shape[1]]
            if not first_pass:
                self._check_continuation(layer_units)
                dtype = self.coefs_[0].dtype
                X = X.astype(dtype, copy=False)
            else:
                dtype = X.dtype
            sample_weight = self._weigh_samples(X, Y, sample_weight)
            if sample_weight is not None:
                sample_weight = _check_sample_weight(sample_weight, X, dtype=dtype)
            Y = np.ascontiguousarray(Y, dtype=dtype)
            # Sparse X is read as given (CSR or CSC), as scikit-learn's MLP reads it: a CSR
            # copy of CSC would gather minibatches faster but hold a second X for the fit.

            self.n_outputs_ = Y.shape[1]
            self._random_state = check_random_state(self.random_state)
            if first_pass:
                self._initialize(layer_units, dtype)

            tasks = FitTasks(
                self,
                *callback_data,
                task_name="partial_fit" if incremental else "fit",
                max_subtasks=0 if incremental else self.max_iter,
                subtask_name="epoch" if self.solver in STOCHASTIC_SOLVERS else "lbfgs_iteration",
            )
            if self.solver in STOCHASTIC_SOLVERS:
                stayed_finite = self._fit_stochastic(
                    X, Y, sample_weight, layer_units, incremental, tasks
                )
            else:
                stayed_finite = self._fit_lbfgs(X, Y, sample_weight, layer_units, tasks)

            weights_finite = all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_)
            if not (stayed_finite and weights_finite):
                # scikit-learn's error, word for word; the rollback restores the fitted state.
                # Also on a non-finite loss or gradient where the weights stayed finite (Adam's
                # and RMSProp's steps are bounded whatever the gradient): the weights are then
                # meaningless, where scikit-learn's MLP returns them (docs/compatibility.rst).
                raise ValueError(
                    "Solver produced non-finite parameter weights. The input data may contain "
                    "large values and need to be preprocessed."
                )
            tasks.finish(self.n_iter_)
        return self

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=is_regressor(self),
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, self._check_targets(y, incremental)

    def _check_continuation(self, layer_units):
        """Refuse to continue training a network of another shape."""
        shapes = [c.shape for c in self.coefs_]
        expected = list(itertools.pairwise(layer_units))
        if shapes != expected:
            what = (
                f"y has {layer_units[-1]} outputs but the model has {self.n_outputs_}"
                if shapes[:-1] == expected[:-1]
                else f"hidden_layer_sizes={self.hidden_layer_sizes!r} does not match the "
                f"fitted layers {[s[1] for s in shapes[:-1]]}"
            )
            raise ValueError(
                f"Cannot continue training: {what}. Pass data of the same shape, or fit "
                "from scratch (warm_start=False, or fit instead of partial_fit)."
            )

    @abstractmethod
    def _training_loss(self):
        """The :class:`~skbackprop.nn.Loss` the objective minimizes: an entry of
        :data:`skbackprop.nn.LOSSES`, bound to the loss's parameters, or a callable loss
        wrapped."""

    def _initialize(self, layer_units, dtype):
        """Set the fitted attributes of a fresh network, as scikit-learn's MLP does."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._training_loss().out_activation
        self.coefs_, self.intercepts_ = glorot_uniform(
            self._random_state, layer_units, self.activation, dtype
        )
        self._best_parameters = None
        if self.solver in STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self.gradient_norms_ = np.zeros((0, len(layer_units) - 1))
            self._no_improvement_count = 0
            # Set by the first epoch; None is the Plateau's "no best yet". Early stopping
            # starts its own record (_split_validation).
            self.validation_scores_ = self.best_validation_score_ = self.best_loss_ = None

    # ------------------------------------------------------------------ prediction
    def _forward_pass_fast(self, X, check_input=True):
        """The network's output ``f(X)``, from :func:`skbackprop.nn.predict_output`."""
        if check_input:
            X = check_predict_input(
                self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32)
            )
        return predict_output(
            X, self.coefs_, self.intercepts_, self.activation, self.out_activation_
        )

    def _score_with_function(self, X, y, sample_weight, score_function):
        """Score without input validation (validation would drop feature names)."""
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        with np.errstate(over="ignore", invalid="ignore"):  # huge predictions: R^2 -> -inf
            return score_function(y, y_pred, sample_weight=sample_weight)

    def _check_solver(self):
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} "
                "is not stochastic."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------------ training
    def _fitted_state(self, params, history):
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
        # No proximal step here: the L1 term enters with its subgradient.
        objective, history = self._train_lbfgs(
            params,
            X,
            Y,
            sample_weight,
            tasks,
            objective_options=self._objective_options(),
            l1_alpha=self.alpha * self.l1_ratio,
            max_fun=self.max_fun,
            blas_limit=scipy_blas_single_thread(),
            # As scikit-learn: scipy sees a non-finite loss; non-finite parameters are
            # reported after the search.
            nonfinite="pass",
        )
        self.n_iter_ = history.n_iter
        self.loss_ = objective.reported_loss()
        # A search that never got past a non-finite loss returns its starting point.
        stuck = history.n_nonfinite > 0 and self.n_iter_ == 0
        return bool(np.isfinite(self.loss_) and np.isfinite(params.grad).all() and not stuck)

    def _fit_stochastic(self, X, Y, sample_weight, layer_units, incremental, tasks):
        if self.early_stopping and incremental:
            raise ValueError(
                "partial_fit does not support early_stopping=True; set early_stopping=False "
                "or call fit."
            )
        settings = self._solver_settings()
        # partial_fit continues where the last call stopped: same optimizer, same buffer.
        params = self._flat_parameters(layer_units, Y.dtype, settings, continuing=incremental)
        early_stopping = None
        if self.early_stopping:
            X, Y, sample_weight, early_stopping = self._split_validation(
                X, Y, sample_weight, params
            )
        plateau = Plateau(
            self.tol,
            "max" if self.early_stopping else "min",
            self.best_validation_score_ if self.early_stopping else self.best_loss_,
            self._no_improvement_count,
        )
        history = TrainingHistory(
            n_iter=0,  # epochs of this call, as scikit-learn counts them
            t=self.t_,
            loss=getattr(self, "loss_", None),
            loss_curve=self.loss_curve_,
            gradient_norms=list(self.gradient_norms_),
            plateau=plateau,
            validation_scores=self.validation_scores_,
        )
        fit_options = {
            "objective_options": self._objective_options(self.dropout),
            "history": history,
            "gradient_norms": LayerGradientNorms(params),
            "random_state": self._random_state,
            "incremental": incremental,
            "early_stopping": early_stopping,
        }
        n_epochs_before = len(history.loss_curve)
        self._train_minibatch(
            params,
            X,
            Y,
            sample_weight,
            tasks,
            fit_options,
            solver=settings,
            shuffle=self.shuffle,
            n_iter_no_change=self.n_iter_no_change,
            l1_alpha=self.alpha * self.l1_ratio,
        )
        # This call's losses and gradient norms (the epoch that made the weights
        # non-finite, if any, is not recorded: the weights say it).
        losses = history.loss_curve[n_epochs_before:]
        norms = history.gradient_norms[n_epochs_before:]
        return bool(np.isfinite(losses).all() and np.isfinite(norms).all())

    def _split_validation(self, X, Y, sample_weight, params):
        """Hold out scikit-learn's validation split; return the training part and the
        :class:`~skbackprop.training.EarlyStopping` that scores the held-out part."""
        X, Y, sample_weight, X_val, Y_val, sw_val = validation_split(
            X,
            Y,
            sample_weight,
            fraction=self.validation_fraction,
            random_state=self._random_state,
            stratify=self._stratify(Y),
        )
        if self.validation_scores_ is None:
            # A fresh fit, or a warm start from a fit without early stopping.
            self.validation_scores_, self.best_loss_ = [], None
        if self._best_parameters is None:
            self._best_parameters = params.values.copy()
        early_stopping = EarlyStopping(
            self._score, X_val, self._validation_targets(Y_val), sw_val, self._best_parameters
        )
        return X, Y, sample_weight, early_stopping

    def _publish(self, params, history, early_stopping):
        """Set the fitted attributes from the trainer's history."""
        self.n_iter_ = history.n_iter
        self.t_ = history.t
        self.loss_ = np.nan if history.loss is None else history.loss
        self.loss_curve_ = history.loss_curve
        self.gradient_norms_ = np.array(history.gradient_norms).reshape(-1, len(self.coefs_))
        self._no_improvement_count = history.plateau.n_bad
        if early_stopping is not None:
            self.best_validation_score_ = history.plateau.best
            self._best_parameters = early_stopping.best_parameters
        else:
            self.best_loss_ = history.plateau.best

    # ------------------------------------------------------------------ flat buffer
    def _flat_parameters(self, layer_units, dtype, settings=None, continuing=False):
        """Put the current ``coefs_``/``intercepts_`` into one flat buffer (see
        :meth:`~skbackprop.training.NetworkFitMixin._network_parameters`).

        ``coefs_`` and ``intercepts_`` become views of it, so what the optimizer updates
        in place is what the user reads.
        """
        weights = self.coefs_, self.intercepts_
        params = self._network_parameters(layer_units, dtype, weights, settings, continuing)
        self.coefs_, self.intercepts_ = params.coefs, params.intercepts
        return params

    def __getstate__(self):
        # NetworkFitMixin's, extended. coefs_ and intercepts_ are views of the optimizer's
        # flat buffer, and pickle saves every view as its own copy: the buffer is left out
        # and rebuilt on load.
        state = super().__getstate__()
        if state.get("_optimizer") is not None:
            state["_optimizer"]["params"] = None
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        optimizer = self.__dict__.get("_optimizer")
        if optimizer is not None and optimizer.params is None:
            # partial_fit loads coefs_ and intercepts_ into this buffer before each step.
            layer_units = [self.coefs_[0].shape[0], *(c.shape[1] for c in self.coefs_)]
            optimizer.params = self._flat_parameters(layer_units, self.coefs_[0].dtype).values
