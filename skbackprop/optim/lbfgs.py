"""A thin driver of scipy's L-BFGS-B over a flat float64 parameter vector."""

import contextlib
import time
import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

__all__ = ["minimize_lbfgs"]


def minimize_lbfgs(
    fun_and_grad,
    x0,
    *,
    max_iter=100,
    tol=1e-4,
    max_fun=15000,
    max_ls=50,
    max_corrections=10,
    ftol=None,
    bounds=None,
    callback=None,
    verbose=0,
    solver_name="lbfgs",
    blas_limit=None,
    nonfinite="raise",
):
    """Minimize ``fun_and_grad`` with scipy's L-BFGS-B, warning like scikit-learn.

    ``fun_and_grad(x)`` returns ``(loss, flat_gradient)`` for a flat float64 ``x``; in
    skbackprop it replays an autodiff graph built once, so each call is one forward and one
    backward pass. A ``ConvergenceWarning`` is raised when L-BFGS stops before converging
    (``max_iter`` or ``max_fun`` reached, or the line search failed), as scikit-learn does;
    a non-finite loss raises a ``ValueError`` (``nonfinite='raise'``).

    Parameters
    ----------
    fun_and_grad : callable
        ``fun_and_grad(x) -> (float, ndarray of shape (n_params,))``.
    x0 : array-like of shape (n_params,)
        The starting point, converted to float64.
    max_iter : int, default=100
        Maximum number of L-BFGS iterations.
    tol : float, default=1e-4
        ``gtol``: stop when the largest projected gradient component is at most this.
    max_fun : int, default=15000
        Maximum number of function evaluations.
    max_ls : int, default=50
        Maximum number of line-search steps per iteration (scikit-learn uses 50).
    max_corrections : int, default=10
        Number of (step, gradient change) pairs L-BFGS keeps for its curvature model
        (scipy's ``maxcor``). More pairs cost ``O(max_corrections * n_params)`` memory and
        arithmetic per iteration and often save function evaluations.
    ftol : float, optional
        Relative decrease of the loss below which to stop. Default: 64 times the float64
        machine epsilon, as scikit-learn's ``LogisticRegression``.
    bounds : sequence of (low, high), optional
        Box constraints on the parameters.
    callback : callable, optional
        Called after each iteration as ``callback(intermediate_result)``, an
        ``OptimizeResult`` with the iterate ``x`` and its loss ``fun``. If it raises
        ``StopIteration``, the search ends at the current iterate without a warning.
    verbose : int, default=0
        When positive, print the loss and the time since the start after each
        iteration.
    solver_name : str, default='lbfgs'
        Name used in the warning message.
    blas_limit : context manager, optional
        The minimization runs inside it: the caller's thread-pool limit. The estimators
        pass ``skbackprop.utils._threadpool.scipy_blas_single_thread()``, which runs
        L-BFGS-B's own short vector operations on one thread of scipy's BLAS when scipy
        ships one separate from numpy's.
    nonfinite : {'raise', 'pass'}, default='raise'
        What a non-finite loss does: 'raise' raises ValueError naming the fix; 'pass'
        hands it to scipy, whose line search then backs off or ends the search, as in
        scikit-learn's MLP (which then checks the parameters it got).

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        scipy's result (``x``, ``fun``, ``jac``, ``nit``, ``status``, ``message``).
    n_iter : int
        Number of iterations, capped at ``max_iter``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.optim import minimize_lbfgs
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]])
    >>> b = np.array([1.0, -1.0])
    >>> def quadratic(x):
    ...     return 0.5 * x @ A @ x - b @ x, A @ x - b
    >>> result, n_iter = minimize_lbfgs(quadratic, np.zeros(2), tol=1e-10)
    >>> np.allclose(result.x, np.linalg.solve(A, b))
    True
    """
    x0 = np.asarray(x0, dtype=np.float64).ravel()
    iteration = [0]
    options = {
        "maxiter": max_iter,
        "maxfun": max_fun,
        "maxls": max_ls,
        "maxcor": max_corrections,
        "gtol": tol,
        "ftol": 64 * np.finfo(float).eps if ftol is None else ftol,
    }

    def checked(x):
        loss, grad = fun_and_grad(x)
        loss = float(loss)
        if nonfinite == "raise" and not np.isfinite(loss):
            raise ValueError(
                f"{solver_name}: the loss became {loss} (non-finite). Scale the input "
                "features (e.g. StandardScaler) or increase the regularization."
            )
        # A float64 copy: scipy may hold on to the array while the caller reuses its buffer.
        return loss, np.array(grad, dtype=np.float64)

    def report(intermediate_result):
        iteration[0] += 1
        if verbose:
            print(
                f"{solver_name} iteration {iteration[0]}: loss = {intermediate_result.fun:.8g}, "
                f"time = {time.perf_counter() - start:.2f}s"
            )
        if callback is not None:
            callback(intermediate_result)

    needs_callback = verbose or callback is not None
    start = time.perf_counter()
    with contextlib.nullcontext() if blas_limit is None else blas_limit:
        result = _minimize(checked, x0, bounds, report if needs_callback else None, options)
    n_iter = min(result.nit, max_iter)
    # Status 99: ``callback`` raised StopIteration, the caller's own request to stop.
    if result.status not in (0, 99):
        _warn_not_converged(result, n_iter, max_iter, solver_name)
    return result, n_iter


def _warn_not_converged(result, n_iter, max_iter, solver_name):
    message = (
        f"{solver_name} failed to converge after {n_iter} iteration(s) "
        f"(status={result.status}):\n{result.message}\n"
    )
    if n_iter == max_iter:
        message += (
            f"\nIncrease the number of iterations to improve the convergence "
            f"(max_iter={max_iter})."
        )
    message += (
        "\nYou might also want to scale the data as shown in:\n"
        "    https://scikit-learn.org/stable/modules/preprocessing.html"
    )
    warnings.warn(message, ConvergenceWarning, stacklevel=3)


def _minimize(fun, x0, bounds, callback, options):
    return scipy.optimize.minimize(
        fun, x0, method="L-BFGS-B", jac=True, bounds=bounds, callback=callback, options=options
    )
