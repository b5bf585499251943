"""The trainer wiring of the estimators that are networks: the MLPs and LogisticBackprop.

Each such estimator keeps what is its own (validation, targets, the penalty's scale, its
fitted attributes) and trains through :class:`NetworkFitMixin`: the flat parameters with
its current weights and the optimizer over them, :func:`train_lbfgs` or
:class:`MinibatchTrainer` with the callbacks' observers, and the results handed back to
the estimator, also when training raised (its rollback then restores the fitted state).
"""

from ..nn import FlatParameters
from ..optim import Optimizer
from .history import TrainingHistory
from .lbfgs import train_lbfgs
from .minibatch import MinibatchTrainer
from .solvers import make_optimizer

__all__ = ["NetworkFitMixin"]


class NetworkFitMixin:
    """Fit an estimator's network with the library's trainer.

    The estimator has the parameters ``max_iter``, ``tol``, ``verbose`` and
    ``batch_size``, and defines two methods:

    - ``_fitted_state(params, history) -> dict``: the fitted attributes as they stand
      mid-training (copies), for the ``fitted_estimator`` the callbacks see;
    - ``_publish(params, history, early_stopping)``: set the fitted attributes from a
      finished (or interrupted) minibatch training.

    The optimizer of the minibatch solvers is kept as ``_optimizer``, so that
    ``partial_fit`` continues with its state.
    """

    def __getstate__(self):
        # BaseEstimator's __getstate__ and __setstate__, extended: the optimizer is saved as
        # arrays and builtins (Optimizer.state_dict), so that a saved model holds no private
        # type (docs/saving.rst).
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        if state.get("_optimizer") is not None:
            state["_optimizer"] = state["_optimizer"].state_dict()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if isinstance(self.__dict__.get("_optimizer"), dict):
            self._optimizer = Optimizer.from_state_dict(self._optimizer)

    def _network_parameters(
        self, layer_units, dtype, weights, settings=None, continuing=False, **flat_options
    ):
        """The :class:`~skbackprop.nn.FlatParameters` of ``layer_units``, holding
        ``weights`` (``(coefs, intercepts)``, or None to keep what the buffer holds).

        ``continuing``, the buffer is ``_optimizer``'s, which goes on with its state (if
        it has a buffer of this size). Otherwise the buffer is new, and with ``settings``
        (a :class:`SolverSettings`) so is the optimizer over it.
        """
        values = getattr(getattr(self, "_optimizer", None), "params", None)
        params = FlatParameters(layer_units, dtype, **flat_options)
        if continuing and values is not None and values.shape == params.values.shape:
            params = FlatParameters(layer_units, dtype, values=values, **flat_options)
        elif settings is not None:
            self._optimizer = make_optimizer(settings, params.values)
        if weights is not None:
            params.load(*weights)
        return params

    def _train_lbfgs(self, params, X, Y, sample_weight, tasks, *, observers=(), **options):
        """Minimize the full-batch objective with L-BFGS; return the objective (evaluated
        at the solution) and the :class:`TrainingHistory` (``n_iter`` the iterations).

        ``options`` go to :func:`train_lbfgs`; ``observers`` run after each iteration,
        before the callbacks' task ends."""
        history = TrainingHistory()
        tasks.state = lambda: self._fitted_state(params, history)
        objective, history.n_iter = train_lbfgs(
            params,
            X,
            Y,
            sample_weight,
            max_iter=self.max_iter,
            tol=self.tol,
            verbose=self.verbose,
            history=history,
            on_iteration=[*observers, *tasks.observers()],
            **options,
        )
        return objective, history

    def _train_minibatch(self, params, X, Y, sample_weight, tasks, fit_options, **trainer_options):
        """Minibatch epochs with :class:`MinibatchTrainer` over ``_optimizer``.

        ``fit_options`` go to :meth:`MinibatchTrainer.fit` (they include the ``history``
        and the ``early_stopping`` handed to ``_publish``), ``trainer_options`` to the
        trainer."""
        trainer = MinibatchTrainer(
            batch_size=self.batch_size,
            max_iter=self.max_iter,
            tol=self.tol,
            verbose=self.verbose,
            **trainer_options,
        )
        history = fit_options["history"]
        tasks.state = lambda: self._fitted_state(params, history)
        try:
            trainer.fit(
                params,
                X,
                Y,
                sample_weight,
                optimizer=self._optimizer,
                on_epoch_end=tasks.observers(),
                **fit_options,
            )
        finally:
            self._publish(params, history, fit_options.get("early_stopping"))
