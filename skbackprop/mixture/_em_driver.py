"""The EM loop of a Gaussian mixture, over any source of sufficient statistics.

EM never needs the rows themselves, only sums over them (see :mod:`._em_steps`): the
statistics of the initial responsibilities, and those of each E-step. A *source* computes
those sums wherever the rows live -- in memory (:mod:`._memory_source`) or on a Dask
cluster (:mod:`._em_dask`) -- and this module runs everything else: the ``n_init`` starts,
the M-steps, the stopping rule, ``warm_start``, the verbose lines and the float64 retry.

A source has the attributes ``n_samples``, ``n_features``, ``dtype`` and ``shift`` (the
point the features are centred on) and three methods:

``initial_statistics(n_components, init_params, random_state)``
    ``(stats, rule)``: the :class:`~._em_steps.SufficientStatistics` of the initial
    responsibilities that ``init_params`` names, and the rule that gives them again.
``e_step(theta)``
    The statistics of the E-step under the natural parameters ``theta``; ``theta`` is
    also the rule of its responsibilities.
``centred_second_moments(rule, means, components)``
    ``sum_i r_ik (x_i - mean_k)(x_i - mean_k)^T`` for the listed components (shaped by the
    covariance type, see :func:`~._em_steps.centred_second_moments`), the
    responsibilities being those ``rule`` gives.
"""

import warnings
from dataclasses import dataclass
from time import time

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ..utils import FitTasks
from ._em_steps import m_step, uncentred_variance_term
from ._initialization import check_means, check_precisions, check_weights, rewind_random_state
from ._log_prob import natural_parameters
from ._precisions import (
    CollapsedComponentError,
    collapse_floor,
    covariances_from_precisions,
    precisions_cholesky,
    precisions_cholesky_from_precisions,
    precisions_from_cholesky,
    unresolved_components,
)


@dataclass(frozen=True)
class EMResult:
    """What a fit stores: the best start's parameters and its history."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    precisions_cholesky: np.ndarray
    converged: bool
    n_iter: int
    lower_bound: float
    lower_bounds: list
    stopped: bool = False  # a callback asked to stop

    def astype(self, dtype):
        scalar = np.dtype(dtype).type
        return EMResult(
            self.weights.astype(dtype),
            self.means.astype(dtype),
            self.covariances.astype(dtype),
            self.precisions_cholesky.astype(dtype),
            self.converged,
            self.n_iter,
            scalar(self.lower_bound),
            [scalar(bound) for bound in self.lower_bounds],
            self.stopped,
        )


def store_result(estimator, result):
    """Set the fitted attributes of a GaussianMixtureEM from an :class:`EMResult`, then
    warn, as scikit-learn does, if the best start did not converge."""
    covariance_type = estimator.covariance_type
    estimator.weights_ = result.weights
    estimator.means_ = result.means
    estimator.covariances_ = result.covariances
    estimator.precisions_cholesky_ = result.precisions_cholesky
    estimator.precisions_ = precisions_from_cholesky(result.precisions_cholesky, covariance_type)
    estimator.converged_ = result.converged
    estimator.n_iter_ = result.n_iter
    estimator.lower_bound_ = result.lower_bound
    estimator.lower_bounds_ = result.lower_bounds
    estimator._inference_cache = (
        _inference_key(estimator, result.means.dtype),
        *(inference_parameters(estimator, result.means.dtype)),
    )
    if not result.converged and estimator.max_iter > 0 and not result.stopped:
        warnings.warn(
            "Best performing initialization did not converge. Try different init "
            "parameters, or increase max_iter, tol, or check for degenerate data.",
            ConvergenceWarning,
        )


def _inference_key(estimator, dtype):
    return (
        np.dtype(dtype),
        estimator.covariance_type,
        estimator.weights_.tobytes(),
        estimator.means_.tobytes(),
        estimator.precisions_cholesky_.tobytes(),
    )


def inference_parameters(estimator, dtype):
    """``(shift, theta)`` with which a fitted GaussianMixtureEM scores samples of ``dtype``.

    The features are centred on the mixture's own mean: a fitted quantity, so each row's
    result does not depend on which other rows are scored with it. Computed once at fit
    for the fit's dtype (a prediction on one row costs less than computing them); the
    stored copy is used only while the fitted arrays hold the values it came from.
    """
    cache = getattr(estimator, "_inference_cache", None)
    if cache is not None and cache[0] == _inference_key(estimator, dtype):
        return cache[1], cache[2]
    shift = (estimator.weights_ @ estimator.means_).astype(dtype)
    theta = natural_parameters(
        estimator.weights_.astype(dtype, copy=False),
        estimator.means_.astype(dtype, copy=False),
        estimator.precisions_cholesky_.astype(dtype, copy=False),
        estimator.covariance_type,
        shift,
    )
    return shift, theta


def fit_with_float64_retry(X, fit, random_state, verbose):
    """``fit(X)``; for float32 ``X`` whose fit raised a collapse, ``fit`` again on a float64
    copy from the same random draws, and the result in float32.

    The statistics are sums of moments (second moment minus N mean^2): in float32 a
    variance below about 1e-7 of a squared distance from the data's mean is lost to
    round-off, in the M-step and in the E-step's features alike, where scikit-learn's
    per-component centred sums keep it; float64 sums resolve it.
    """
    rewind = rewind_random_state(random_state)
    try:
        return fit(X)
    except CollapsedComponentError:
        if X.dtype != np.float32:
            raise
    if verbose >= 1:
        print(
            "float32 round-off left a component's covariance unresolved: fitting again "
            "in float64 (the fitted attributes stay float32)."
        )
    rewind()
    return fit(X.astype(np.float64)).astype(np.float32)


def run_em(estimator, source, tasks=None):
    """EM from each of the estimator's starts over ``source``; the best as an EMResult.

    Reads the estimator's parameters and, with ``warm_start``, its fitted attributes; it
    sets nothing, so a fit that raises leaves the estimator as it was. ``tasks``
    (:class:`~skbackprop.utils.FitTasks`) reports each start and each EM iteration to the
    callbacks; a callback that asks to stop ends that level's loop.
    """
    covariance_type = estimator.covariance_type
    dtype = source.dtype
    inits = _checked_inits(estimator, source.n_features, dtype)
    do_init = not (estimator.warm_start and hasattr(estimator, "converged_"))
    n_init = estimator.n_init if do_init else 1
    random_state = check_random_state(estimator.random_state)
    report = _Verbose(estimator.verbose, estimator.verbose_interval)
    max_lower_bound = -np.inf
    best = None
    stopped = False
    reporting = tasks is not None and tasks.active
    for init in range(n_init):
        report.init_begin(init)
        if reporting:
            tasks.begin(max_subtasks=estimator.max_iter)
            em_tasks = FitTasks(
                estimator,
                parent=tasks,
                max_subtasks=estimator.max_iter,
                subtask_name="em_iteration",
            )
        if do_init:
            params = _initial_parameters(estimator, source, inits, random_state)
        else:
            params = tuple(
                np.asarray(getattr(estimator, name), dtype=dtype)
                for name in ("weights_", "means_", "covariances_", "precisions_cholesky_")
            )
        lower_bound = -np.inf if do_init else estimator.lower_bound_
        lower_bounds = []
        if estimator.max_iter == 0:
            best = (params, False, 0, lower_bounds)
            if reporting:
                tasks.state = _fitted_view(estimator, params, 0, dtype)
                stopped = tasks.iteration_ends(begin_next=False) or stopped
            continue
        converged = False
        for n_iter in range(1, estimator.max_iter + 1):
            previous = lower_bound
            if reporting:
                em_tasks.state = _fitted_view(estimator, params, n_iter - 1, dtype)
                em_tasks.begin()
            weights, means, _, prec_chol = params
            theta = natural_parameters(weights, means, prec_chol, covariance_type, source.shift)
            stats = source.e_step(theta)
            lower_bound = stats.log_likelihood / stats.n_samples
            params = m_step_parameters(estimator, source, stats, theta)
            params = (params[0] / params[0].sum(), *params[1:])
            lower_bounds.append(lower_bound)
            change = lower_bound - previous
            report.iter_end(n_iter, change)
            if abs(change) < estimator.tol:
                converged = True
            if reporting:
                em_tasks.state = _fitted_view(estimator, params, n_iter, dtype)
                if em_tasks.iteration_ends(begin_next=False) and not converged:
                    stopped = True
                    break
            if converged:
                break
        report.init_end(lower_bound, converged)
        if lower_bound > max_lower_bound or max_lower_bound == -np.inf:
            max_lower_bound = lower_bound
            best = (params, converged, n_iter, lower_bounds)
        if reporting:
            tasks.state = _fitted_view(estimator, params, n_iter, dtype)
            if tasks.iteration_ends(begin_next=False):
                stopped = True
                break

    params, converged, n_iter, lower_bounds = best
    # numpy scalars of the fit's precision, as scikit-learn stores them.
    scalar = np.dtype(dtype).type
    return EMResult(
        *params,
        converged,
        n_iter,
        scalar(max_lower_bound),
        [scalar(bound) for bound in lower_bounds],
        stopped,
    )


def _fitted_view(estimator, params, n_iter, dtype):
    """``state()`` for the callbacks: the fitted attributes of the mixture as it stands
    after ``n_iter`` EM steps of the current start (their ``fitted_estimator``)."""

    def state():
        weights, means, covariances, prec_chol = (np.array(p, dtype=dtype) for p in params)
        return {
            "weights_": weights,
            "means_": means,
            "covariances_": covariances,
            "precisions_cholesky_": prec_chol,
            "precisions_": precisions_from_cholesky(prec_chol, estimator.covariance_type),
            "n_iter_": n_iter,
            "_inference_cache": None,
        }

    return state


def m_step_parameters(estimator, source, stats, rule):
    """``(nk, means, covariances, precisions_cholesky)`` of the M-step on ``stats``.

    ``nk`` are the responsibility totals (the caller turns them into weights); the means
    are in the data's coordinates.
    """
    covariance_type = estimator.covariance_type
    reg_covar = estimator.reg_covar
    nk, shifted_means, covariances, raw = m_step(
        stats, covariance_type, reg_covar, source.n_features
    )
    suspect, lower = unresolved_components(covariances, covariance_type, raw)
    if suspect.size:
        # Sums of moments cancel for a tight component far from the data's mean; its
        # covariance is summed again from centred rows, as scikit-learn computes it.
        sums = source.centred_second_moments(rule, shifted_means[suspect], suspect)
        covariances = _replace_covariances(
            covariances, covariance_type, suspect, sums, nk, reg_covar, source.n_features
        )
        lower = None
    # The mean in the data's coordinates is (S1 + S0 shift) / N, with N = S0 + 10 eps: the
    # shift enters scaled by S0 / N, which is 1 but for a component holding almost no row,
    # whose mean then goes to the origin as scikit-learn's does.
    means = shifted_means + (stats.moments[:, :1] / nk[:, None]) * source.shift
    covariances = uncentred_variance_term(covariances, covariance_type, stats, nk, means)
    # In float32, a variance the features cannot resolve is a collapse: the fit is then
    # redone in float64 (see fit_with_float64_retry).
    floor = collapse_floor(raw, source.dtype, covariance_type)
    prec_chol = precisions_cholesky(covariances, covariance_type, floor, lower)
    return nk, means, covariances, prec_chol


def _replace_covariances(
    covariances, covariance_type, components, sums, nk, reg_covar, n_features
):
    """``covariances`` with those of ``components`` from their centred ``sums``, by
    scikit-learn's formulas (``reg_covar`` added to the variances)."""
    covariances = covariances.copy()
    if covariance_type == "full":
        new = sums / nk[components, None, None]
        new[:, np.arange(n_features), np.arange(n_features)] += reg_covar
        covariances[components] = new
    elif covariance_type == "diag":
        covariances[components] = sums / nk[components, None] + reg_covar
    else:
        covariances[components] = sums / (nk[components] * n_features) + reg_covar
    return covariances.astype(nk.dtype, copy=False)


def _initial_parameters(estimator, source, inits, random_state):
    """The user's initial parameters, the missing ones from an M-step on the statistics of
    the initial responsibilities."""
    weights, means, precisions = inits
    covariances = prec_chol = None
    if any(init is None for init in inits):
        stats, rule = source.initial_statistics(
            estimator.n_components, estimator.init_params, random_state
        )
        nk, initial_means, covariances, prec_chol = m_step_parameters(
            estimator, source, stats, rule
        )
        if weights is None:
            weights = nk / source.n_samples
        if means is None:
            means = initial_means
    if precisions is not None:
        prec_chol = precisions_cholesky_from_precisions(precisions, estimator.covariance_type)
        covariances = covariances_from_precisions(precisions, estimator.covariance_type)
    return weights, means, covariances, prec_chol


def _checked_inits(estimator, n_features, dtype):
    """The user's initial weights, means and precisions, validated and in ``dtype``."""
    weights = means = precisions = None
    n_components = estimator.n_components
    if estimator.weights_init is not None:
        weights = check_weights(estimator.weights_init, n_components, dtype)
    if estimator.means_init is not None:
        means = check_means(estimator.means_init, n_components, n_features, dtype)
    if estimator.precisions_init is not None:
        precisions = check_precisions(
            estimator.precisions_init, estimator.covariance_type, n_components, n_features, dtype
        )
    return weights, means, precisions


class _Verbose:
    """scikit-learn's verbose lines: 1 prints each start and iteration, 2 adds timings."""

    def __init__(self, verbose, interval):
        self.verbose, self.interval = verbose, interval

    def init_begin(self, n_init):
        if self.verbose >= 1:
            print(f"Initialization {n_init}")
        if self.verbose >= 2:
            self.init_time = self.iter_time = time()

    def iter_end(self, n_iter, diff_ll):
        if n_iter % self.interval == 0:
            if self.verbose == 1:
                print(f"  Iteration {n_iter}")
            elif self.verbose >= 2:
                now = time()
                print(
                    f"  Iteration {n_iter}\t time lapse {now - self.iter_time:.5f}s\t "
                    f"ll change {diff_ll:.5f}"
                )
                self.iter_time = now

    def init_end(self, lower_bound, converged):
        message = "converged" if converged else "did not converge"
        if self.verbose == 1:
            print(f"Initialization {message}.")
        elif self.verbose >= 2:
            print(
                f"Initialization {message}. time lapse {time() - self.init_time:.5f}s\t "
                f"lower bound {lower_bound:.5f}."
            )
