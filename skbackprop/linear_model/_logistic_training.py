"""How LogisticBackprop trains: a network with no hidden layer, through the one trainer.

The model is ``X @ W + b`` in a :class:`~skbackprop.nn.FlatParameters` buffer, its
objective :class:`~skbackprop.nn.MinibatchObjective` with the fused sigmoid or softmax
cross-entropy, and the penalties scaled as scikit-learn's ``LogisticRegression`` objective
divided by ``C`` times the total sample weight (so ``penalty_scale=1``). L-BFGS runs
through :func:`~skbackprop.training.train_lbfgs` (over split weights with an L1 term), the
minibatch solvers through :class:`~skbackprop.training.MinibatchTrainer`.
"""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

from ..nn import FlatParameters
from ..optim import AdaptiveSchedule, Plateau
from ..training import (
    STOCHASTIC_SOLVERS,
    MeanGradientNorm,
    MinibatchTrainer,
    SolverSettings,
    TrainingHistory,
    make_optimizer,
    subgradient_norm,
    train_lbfgs,
)

__all__ = ["fit_lbfgs", "fit_minibatch", "sample_weights", "targets"]

# L-BFGS keeps 20 curvature pairs (scipy's default is 10). Each function evaluation is a
# pass over X, while a pair costs 2 vectors of n_params; on logistic losses the longer
# memory saves about a quarter of the evaluations.
LBFGS_MEMORY = 20


def sample_weights(model, X, y, classes, sample_weight):
    """Sample times class weights, or None when every weight is 1."""
    if sample_weight is None and model.class_weight is None:
        return None
    weights = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    if model.class_weight is not None:
        per_class = compute_class_weight(
            model.class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
        weights = weights * per_class[np.searchsorted(classes, y)]
    if not weights.sum() > 0:
        raise ValueError(
            "The sample weights (times the class weights) sum to 0, so there is nothing "
            "to fit. Give some samples a positive weight."
        )
    return weights


def targets(y_encoded, n_classes):
    """0/1 targets: one column for two classes, one-hot rows for more."""
    if n_classes == 2:
        return y_encoded.astype(np.float64).reshape(-1, 1)
    Y = np.zeros((y_encoded.size, n_classes))
    Y[np.arange(y_encoded.size), y_encoded] = 1.0
    return Y


def _penalty_scales(model, weights, n_samples):
    """``(l2_scale, l1_scale)``: the penalty of ``J``, divided by ``C * sum_i s_i``."""
    C, l1_ratio = model._penalty_strength  # C and l1_ratio as resolved from penalty
    if np.isinf(C):
        return 0.0, 0.0
    total = float(weights.sum()) if weights is not None else float(n_samples)
    strength = 1.0 / (C * total)
    return (1.0 - l1_ratio) * strength, l1_ratio * strength


def _parameters(model, X, Y, split_weights=False, values=None, warm=False):
    """The network with no hidden layer: ``X @ W + b``, W of shape (n_features,
    n_outputs), in one flat buffer (``values``, an optimizer's, when continuing)."""
    params = FlatParameters(
        [X.shape[1], Y.shape[1]],
        np.float64,
        values=values,
        fit_intercept=model.fit_intercept,
        split_weights=split_weights,
    )
    if warm:
        params.load([model.coef_.T], [model.intercept_])
    return params


def _objective_options(Y, l2_scale):
    loss = "binary_log_loss" if Y.shape[1] == 1 else "log_loss"
    return {"loss": loss, "activation": "identity", "alpha": l2_scale}


def callback_state(params, history):
    """The fitted attributes as they stand mid-training (copies), for the callbacks."""
    return {
        "coef_": np.array(params.coef_values()[0].T, order="C"),
        "intercept_": params.intercepts[0].copy(),
        "n_iter_": np.array([history.n_iter], dtype=np.int32),
    }


def fit_lbfgs(model, X, Y, weights, warm, tasks):
    """Minimize J with L-BFGS-B; return ``(params, n_iter, history)``.

    ``tasks`` (:class:`~skbackprop.utils.FitTasks`) reports each iteration to the
    callbacks."""
    l2_scale, l1_scale = _penalty_scales(model, weights, X.shape[0])
    # With an L1 term, L-BFGS-B runs over W = W_pos - W_neg with both parts >= 0.
    params = _parameters(model, X, Y, split_weights=l1_scale > 0, warm=warm)
    history = TrainingHistory()
    tasks.state = lambda: callback_state(params, history)

    def record_gradient_norm(history):
        history.gradient_norms.append(subgradient_norm(params, l1_scale))

    _, n_iter = train_lbfgs(
        params,
        X,
        Y,
        weights,
        objective_options=_objective_options(Y, l2_scale),
        l1_alpha=l1_scale,
        penalty_scale=1.0,  # the scales are already those of J
        max_iter=model.max_iter,
        tol=model.tol,
        max_corrections=LBFGS_MEMORY,
        verbose=model.verbose,
        history=history,
        on_iteration=[record_gradient_norm, *tasks.observers()],
    )
    return params, n_iter, history


def fit_minibatch(model, X, Y, weights, warm, tasks, incremental=False):
    """Minibatch epochs (one if ``incremental``) with the trainer; return ``(params,
    n_iter, history, optimizer)``. ``tasks`` reports each epoch to the callbacks."""
    solver = model.solver if model.solver in STOCHASTIC_SOLVERS else "adam"
    settings = SolverSettings(
        solver=solver, learning_rate_init=model.learning_rate_init, learning_rate="adaptive"
    )
    l2_scale, l1_scale = _penalty_scales(model, weights, X.shape[0])
    optimizer = getattr(model, "_optimizer", None) if incremental and warm else None
    n_params = (X.shape[1] + model.fit_intercept) * Y.shape[1]
    if optimizer is not None and optimizer.params.size == n_params:
        # Continue with the optimizer's state and buffer; the rate starts from
        # learning_rate_init again at the end of the first epoch.
        params = _parameters(model, X, Y, values=optimizer.params)
        optimizer.schedule = AdaptiveSchedule(settings.learning_rate_init)
    else:
        params = _parameters(model, X, Y, warm=warm)
        optimizer = make_optimizer(settings, params.values)
    trainer = MinibatchTrainer(
        settings,
        batch_size=model.batch_size,
        shuffle=True,
        max_iter=model.max_iter,
        tol=model.tol,
        n_iter_no_change=1,  # the rate drops after two epochs without improvement
        l1_alpha=l1_scale,
        penalty_scale=1.0,
        divergence="raise",
        verbose=model.verbose,
    )
    history = TrainingHistory(plateau=Plateau(model.tol))
    tasks.state = lambda: callback_state(params, history)
    # Overflow is detected after each epoch, with a message that says what to do.
    with np.errstate(all="ignore"):
        optimizer = trainer.fit(
            params,
            X,
            Y,
            weights,
            objective_options=_objective_options(Y, l2_scale),
            optimizer=optimizer,
            history=history,
            gradient_norms=MeanGradientNorm(params, l1_scale),
            random_state=check_random_state(model.random_state),
            incremental=incremental,
            on_epoch_end=tasks.observers(),
        )
    return params, history.n_iter, history, optimizer
