"""Full-batch training with L-BFGS (solver='lbfgs').

scipy's L-BFGS-B drives the search over the flat parameter vector; every function value
and gradient it asks for is one forward and one backward pass of the autodiff graph over
the whole training set, built once. Over split weights (``FlatParameters(...,
split_weights=True)``) the parts are bounded below by 0, and the projection onto the bounds
sets L1-penalized coefficients exactly to 0.
"""

import math

import numpy as np

from ..nn import MinibatchObjective
from ..optim import minimize_lbfgs
from .history import notify

__all__ = ["train_lbfgs"]


def train_lbfgs(
    params,
    X,
    Y,
    sample_weight,
    *,
    objective_options,
    l1_alpha=0.0,
    penalty_scale="batch",
    max_iter,
    tol,
    max_fun=15000,
    max_corrections=10,
    nonfinite="raise",
    verbose=0,
    history=None,
    on_iteration=(),
    blas_limit=None,
):
    """Minimize the full-batch objective over ``params`` in place.

    Parameters
    ----------
    params : FlatParameters
        The starting point; holds the solution on return.
    X, Y, sample_weight
        The training data.
    objective_options : dict
        Passed to :class:`~skbackprop.nn.MinibatchObjective`.
    l1_alpha : float, default=0.0
        The L1 strength, in the graph (its subgradient, or linear over split weights).
    penalty_scale : 'batch' or float, default='batch'
        See :class:`~skbackprop.nn.MinibatchObjective`.
    max_iter, tol, max_fun, max_corrections, nonfinite, verbose
        Passed to :func:`~skbackprop.optim.minimize_lbfgs`.
    history : TrainingHistory, optional
        With observers: ``n_iter`` and ``loss_curve`` are updated after each iteration.
    on_iteration : sequence of callable, default=()
        Observers called after each iteration as ``observer(history)``, with the
        objective last evaluated at the iterate (so ``params.grad`` and the graph's
        ``.grad`` are the iterate's); True stops the search.
    blas_limit : context manager, optional
        Passed to :func:`~skbackprop.optim.minimize_lbfgs`: the estimators hand it the
        package's one thread limit for scipy's BLAS.

    Returns
    -------
    objective : MinibatchObjective
        Evaluated at the solution.
    n_iter : int
        L-BFGS iterations, capped at ``max_iter``.
    """
    objective = MinibatchObjective(
        params,
        X.shape[0],
        l1_alpha=l1_alpha,
        weighted=sample_weight is not None,
        sparse_input=not isinstance(X, np.ndarray),
        penalty_scale=penalty_scale,
        **objective_options,
    )
    objective.load_batch(X, Y, sample_weight, slice(None))

    def cost_and_gradient(x):
        params.values[...] = x
        loss = float(objective())
        if history is not None and not math.isfinite(loss):
            history.n_nonfinite += 1
        return loss, params.grad

    callback = _iteration_callback(params, cost_and_gradient, history, on_iteration)
    # Warns (ConvergenceWarning) like scikit-learn when max_iter or max_fun is reached.
    result, n_iter = minimize_lbfgs(
        cost_and_gradient,
        params.values,
        max_iter=max_iter,
        max_fun=max_fun,
        tol=tol,
        max_corrections=max_corrections,
        bounds=params.bounds(),
        callback=callback,
        verbose=verbose,
        nonfinite=nonfinite,
        blas_limit=blas_limit,
    )
    # The graph must hold the result's cost and gradient (an MLP reports its loss_ from
    # it); L-BFGS-B's last evaluation is normally at the result already, and then a
    # second full-batch pass would only cost time.
    if not np.array_equal(result.x, params.values):
        params.values[...] = result.x
        objective()
    return objective, n_iter


def _iteration_callback(params, cost_and_gradient, history, on_iteration):
    """scipy's per-iteration callback: the history updated and the observers told, or
    None without observers."""
    if not on_iteration:
        return None

    def callback(intermediate_result):
        # L-BFGS-B's last evaluation is normally at the accepted iterate already.
        if not np.array_equal(intermediate_result.x, params.values):
            cost_and_gradient(intermediate_result.x)
        history.n_iter += 1
        history.loss = float(intermediate_result.fun)
        history.loss_curve.append(history.loss)
        if notify(on_iteration, history):
            raise StopIteration  # scipy ends the search at the current iterate

    return callback
