"""What MLPRegressor and MLPClassifier share: parameters, validation, fit and predict.

The parts of a fit live elsewhere: the training loops in :mod:`skbackprop.training`, the
network pieces in :mod:`skbackprop.nn`; the translation for the trainer in
``_training.py``, the flat parameter buffer and its pickling in ``_flat_state.py``, the
prediction path in ``_predict.py``. This class holds scikit-learn's public surface
(constructor parameters and their constraints, fitted attributes, ``warm_start`` and
``partial_fit`` semantics) and translates it for the trainer.
"""

import itertools
from abc import ABC, abstractmethod
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight

from ..nn import HIDDEN_ACTIVATIONS, LOSSES, glorot_uniform, layer_activations
from ..training import SOLVERS, STOCHASTIC_SOLVERS
from ..utils import CallbackSupportMixin, FitTasks, rollback_on_error
from ._flat_state import FlatParametersMixin
from ._predict import forward_pass_fast
from ._training import TrainingMixin

__all__ = ["BaseMultilayerPerceptron"]


class BaseMultilayerPerceptron(
    TrainingMixin, FlatParametersMixin, CallbackSupportMixin, BaseEstimator, ABC
):
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

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        loss,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        dropout,
        l1_ratio,
    ):
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.l1_ratio = l1_ratio

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _validate_input(self, X, y, incremental, reset):
        """Validate X and y; return X and the targets as a 2-D array."""

    @abstractmethod
    def _loss_name(self):
        """The key of :data:`skbackprop.nn.LOSSES` this estimator minimizes."""

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
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        if np.any(np.array(sizes) <= 0):
            raise ValueError(
                f"hidden_layer_sizes must be > 0, got {sizes}. Give every hidden layer at "
                "least one unit."
            )
        return [int(n) for n in sizes]

    def _fit(self, X, y, sample_weight=None, incremental=False):
        with rollback_on_error(self), np.errstate(all="ignore"):
            # Overflow during a diverging step ends in scikit-learn's non-finite weights
            # error after training, so numpy's floating-point warnings are silenced here.
            self._fit_checked(X, y, sample_weight, incremental)
        return self

    def _fit_checked(self, X, y, sample_weight, incremental):
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
        if sparse.issparse(X):
            X = X.tocsr()

        self.n_outputs_ = Y.shape[1]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(Y, layer_units, dtype)

        tasks = FitTasks(
            self,
            *callback_data,
            task_name="partial_fit" if incremental else "fit",
            max_subtasks=0 if incremental else self.max_iter,
            subtask_name="epoch" if self.solver in STOCHASTIC_SOLVERS else "lbfgs_iteration",
        )
        if self.solver in STOCHASTIC_SOLVERS:
            self._fit_stochastic(X, Y, sample_weight, layer_units, incremental, tasks)
        else:
            self._fit_lbfgs(X, Y, sample_weight, layer_units, tasks)

        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            # scikit-learn's error, word for word; the rollback restores the fitted state.
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed."
            )
        tasks.finish(self.n_iter_)

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

    def _training_loss(self):
        """The :class:`~skbackprop.nn.Loss` the objective minimizes: by default the
        table's entry of :meth:`_loss_name`; an estimator with loss parameters or a
        callable loss returns it bound or wrapped."""
        return LOSSES[self._loss_name()]

    def _out_activation(self):
        return self._training_loss().out_activation

    def _initialize(self, Y, layer_units, dtype):
        """Set the fitted attributes of a fresh network, as scikit-learn's MLP does."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._out_activation()
        self.coefs_, self.intercepts_ = glorot_uniform(
            self._random_state, layer_units, self.activation, dtype
        )
        self._best_parameters = None
        if self.solver in STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self.gradient_norms_ = np.zeros((0, len(layer_units) - 1))
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    # ------------------------------------------------------------------ prediction
    def _forward_pass_fast(self, X, check_input=True):
        """The network's output: ``f(X)`` with the output activation applied.

        See :func:`skbackprop.neural_network._predict.forward_pass_fast`.
        """
        return forward_pass_fast(self, X, check_input=check_input)

    def _score_with_function(self, X, y, sample_weight, score_function):
        """Score without input validation (validation would drop feature names)."""
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
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
