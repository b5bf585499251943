"""What the tabular MLP classifier and regressor share: parameters, encoding, network,
training and prediction."""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..nn import TabularNetwork
from ..optim import STEP_SCHEDULES
from ..utils import CallbackSupportMixin, FitTasks
from ..utils._threadpool import numpy_blas_single_thread
from ._encoding import TabularEncoder, categorical_mask
from ._training import ScheduledTraining, train_tabular

__all__ = ["BaseTabularMLP"]

_SCHEDULES = StrOptions(set(STEP_SCHEDULES))

# The reference's parameter groups (learning-rate factor, weight-decay factor). Its
# decoupled weight decay multiplies each parameter by 1 - lr wd (lr_f wd_f)^2, the group's
# factors counted twice; the effective weight-decay factor below is that product over the
# learning-rate factor that GroupedAdam does not apply to the decay.
_LR_FACTORS = {
    "weights": 1.0,
    "biases": 0.1,
    "scale": 6.0,
    "numeric_embedding": 0.1,
    "alpha": 0.1,
    "category_embedding": 1.0,
}
_WD_FACTORS = {
    "weights": 1.0,
    "biases": 0.0,
    "scale": 36.0,
    "numeric_embedding": 0.01,
    "alpha": 0.01,
    "category_embedding": 1.0,
}


class BaseTabularMLP(CallbackSupportMixin, BaseEstimator):
    """Shared implementation; see TabularMLPClassifier and TabularMLPRegressor."""

    _parameter_constraints: ClassVar[dict] = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"selu", "mish"})],
        "parametric_activation": ["boolean"],
        "numeric_embedding": ["boolean"],
        "scaling_layer": ["boolean"],
        "data_init": ["boolean"],
        "robust_scale": ["boolean"],
        "smooth_clip": ["boolean"],
        "max_one_hot_categories": [Interval(Integral, 1, None, closed="left")],
        "categorical_features": [None, "array-like", StrOptions({"from_dtype"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_schedule": [_SCHEDULES],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "weight_decay_schedule": [_SCHEDULES],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "dropout_schedule": [_SCHEDULES],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if np.ndim(sizes) == 0 else list(sizes)
        if any(int(s) < 1 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    # ------------------------------------------------------------------ input
    def _check_fit_input(self, X, y):
        """Validate the parameters and ``X``, and refuse a missing ``y``."""
        self._validate_params()
        X = self._check_X(X, reset=True)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        return X

    def _check_X(self, X, reset):
        """Validate ``X`` keeping its columns' types (a DataFrame stays one)."""
        if hasattr(X, "iloc"):
            validate_data(self, X=X, skip_check_array=True, reset=reset)
            if X.shape[0] < 1:
                raise ValueError(
                    f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
                    "is required."
                )
            return X
        mask = self.categorical_features
        dtype = None if mask is not None and not isinstance(mask, str) else "numeric"
        return validate_data(self, X=X, reset=reset, dtype=dtype, ensure_all_finite="allow-nan")

    # ------------------------------------------------------------------ fitting
    def _fit(self, X, y, sample_weight, Y, loss, validation_error, stratify=None):
        # The public fit rolls back on any error (``rolls_back``). As in the reference
        # implementation, what is fitted to data (the encoder's statistics, the
        # regression targets' scaling) is fitted on the training rows only: the held-out
        # rows that choose the epoch are not seen before they score it.
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        rng = np.random.default_rng(seed)
        train, held_out = self._split(len(Y), seed, stratify)
        self.encoder_ = TabularEncoder(
            categorical_mask(X, self.categorical_features),
            self.max_one_hot_categories,
            robust_scale=self.robust_scale,
            clip=self.smooth_clip,
        ).fit(X, rows=train)
        parts = self.encoder_.transform(X)
        Y = self._fit_targets(Y, train).astype(np.float32)
        sw = None
        if sample_weight is not None:
            sw = _check_sample_weight(sample_weight, parts[0], dtype=np.float32)
        train_parts = tuple(a[train] for a in parts)
        self.network_ = network = self._network(Y.shape[1], rng, train_parts)
        validation = None
        if held_out is not None:
            val_parts = tuple(a[held_out] for a in parts)
            val_w = None if sw is None else sw[held_out]

            def validation():
                return validation_error(network.predict(*val_parts), Y[held_out], val_w)

        tasks = FitTasks(
            self, X, y, sample_weight, max_subtasks=self.max_iter, subtask_name="epoch"
        )
        # The callbacks' view of the model mid-training: a copy of the parameters.
        tasks.state = lambda: {"network_": network.astype(network.dtype)}
        data = (*train_parts, Y[train], None if sw is None else sw[train])
        # Minibatch products of a few hundred rows: one BLAS thread, whose peers would
        # otherwise spin-wait on every call (benchmarks/RESULTS.md, "Tabular MLPs").
        with np.errstate(over="ignore", under="ignore"), numpy_blas_single_thread():
            record = train_tabular(
                network,
                data,
                loss,
                self._settings(),
                rng,
                validation=validation,
                verbose=self.verbose,
                on_epoch_end=tasks.observers(),
            )
        self.loss_curve_ = record["loss_curve"]
        self.validation_scores_ = None
        if held_out is not None:
            self.validation_scores_ = [
                self._validation_score(e) for e in record["validation_errors"]
            ]
        self.best_iteration_ = record["best_epoch"]
        self.n_iter_ = record["n_iter"]
        tasks.finish(self.n_iter_)
        return self

    def _fit_targets(self, Y, train):
        """The network's targets for every row, from ``Y`` and the training rows ``train``
        (the classifier's are ``Y`` as it is)."""
        return Y

    def _split(self, n, seed, stratify):
        """Training and held-out rows (None when too few rows to hold any out).

        Stratified by class for the classifier, as scikit-learn's MLP early-stopping
        split is. The reference implementation splits at random when it holds out one
        split, and stratifies its cross-validation folds: stratifying keeps every class
        in the rows that choose the epoch, and the error they measure less noisy.
        """
        rows = np.arange(n)
        n_val = round(self.validation_fraction * n)
        if n_val < 1 or n - n_val < 1:
            return rows, None
        try:
            return train_test_split(rows, test_size=n_val, random_state=seed, stratify=stratify)
        except ValueError:  # a class too small to stratify
            return train_test_split(rows, test_size=n_val, random_state=seed)

    def _network(self, n_outputs, rng, train_parts):
        """The network for the encoded columns, initialised on the training rows."""
        encoder = self.encoder_
        network = TabularNetwork(
            n_numeric=encoder.n_numeric_,
            n_dense=encoder.n_dense_,
            category_sizes=encoder.category_sizes_,
            n_outputs=n_outputs,
            hidden_layer_sizes=self._hidden_sizes(),
            activation=self.activation,
            parametric_activation=self.parametric_activation,
            numeric_embedding=self.numeric_embedding,
            scaling_layer=self.scaling_layer,
            lr_factors=_LR_FACTORS,
            wd_factors=_WD_FACTORS,
        )
        if self.data_init:
            network.initialize(rng, *train_parts)
        else:
            network.initialize(rng, *train_parts, n_init=1)
            _plain_init(network, rng)
        return network

    def _settings(self):
        return ScheduledTraining(
            epochs=self.max_iter,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate_init,
            learning_rate_schedule=self.learning_rate_schedule,
            weight_decay=self.weight_decay,
            weight_decay_schedule=self.weight_decay_schedule,
            dropout=self.dropout,
            dropout_schedule=self.dropout_schedule,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
        )

    def _raw_output(self, X):
        check_is_fitted(self, "network_")
        X = self._check_X(X, reset=False)
        with np.errstate(over="ignore", under="ignore"):
            # In float64, so that a row's prediction does not depend on the rows around it
            # (float32 products round differently with the batch's shape).
            network = self.network_.astype(np.float64)
            return network.predict(*self.encoder_.transform(X, dtype=np.float64))

    def __getstate__(self):
        # BaseEstimator's __getstate__ and __setstate__, extended. The network and the
        # encoder are saved as arrays and builtins (their state dicts), rebuilt on load,
        # so that a saved model holds no private type (docs/saving.rst).
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        if isinstance(state.get("network_"), TabularNetwork):
            state["network_"] = state["network_"].state_dict()
        if isinstance(state.get("encoder_"), TabularEncoder):
            state["encoder_"] = state["encoder_"].state_dict()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if isinstance(self.__dict__.get("network_"), dict):
            self.network_ = TabularNetwork.from_state_dict(self.network_)
        if isinstance(self.__dict__.get("encoder_"), dict):
            self.encoder_ = TabularEncoder.from_state_dict(self.encoder_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags


def _plain_init(network, rng):
    """Without data-driven initialisation: unit-scale NTK weights and zero biases."""
    for name, array in network.arrays.items():
        if name.startswith("W"):
            array[...] = rng.standard_normal(array.shape) / np.sqrt(array.shape[0])
        elif name.startswith("b") and name[1:].isdigit():
            array[...] = 0.0
