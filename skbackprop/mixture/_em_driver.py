"""The EM loop of a Gaussian mixture, over any source of sufficient statistics.

EM never needs the rows themselves, only sums over them (see :mod:`._em_steps`): the
statistics of the initial responsibilities, and those of each E-step. A *source* computes
those sums wherever the rows live -- in memory (:class:`InMemorySource`) or on a Dask
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
    ``sum_i r_ik (x_i - mean_k)(x_i - mean_k)^T`` for the listed components (see
    :func:`~._em_steps.centred_block_moments`), the responsibilities being those ``rule``
    gives.

The starting responsibilities and the checks of user-given initial parameters match
scikit-learn's GaussianMixture call for call (the same random draws in the same order).
"""

import dataclasses
import functools
import warnings
from time import time

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array

from ..utils import FitTasks
from ..utils._random import seeded_random_state
from ._em_steps import (
    block_rows,
    block_statistics,
    centred_block_moments,
    feature_map,
    log_prob_by_distances,
    log_prob_by_products,
    m_step,
    n_quadratic_features,
    natural_parameters,
    responsibilities,
    row_block_statistics,
    row_statistics,
    statistics_from_responsibilities,
    tied_second_moments,
    uncentred_variance_term,
    use_distances,
    use_map,
    weighted_log_prob,
)
from ._precisions import (
    CollapsedComponentError,
    collapse_floor,
    covariances_from_precisions,
    precisions_cholesky,
    precisions_cholesky_from_precisions,
    precisions_from_cholesky,
    unresolved_components,
)

_PARAMETERS = ("weights_", "means_", "covariances_", "precisions_cholesky_")

# The features of all training rows are kept between EM iterations when they take at most
# this many bytes; beyond it (many features under 'full') each block is rebuilt per pass.
_MAX_CACHED_FEATURE_BYTES = 1 << 28


@dataclasses.dataclass(frozen=True)
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
        """The result in ``dtype``: arrays, and the bounds as numpy scalars of that precision
        (as scikit-learn stores them)."""
        arrays = (self.weights, self.means, self.covariances, self.precisions_cholesky)
        scalar = np.dtype(dtype).type
        return EMResult(
            *(array.astype(dtype) for array in arrays),
            self.converged,
            self.n_iter,
            scalar(self.lower_bound),
            [scalar(bound) for bound in self.lower_bounds],
            self.stopped,
        )


def store_result(estimator, result):
    """Set the fitted attributes of a GaussianMixtureEM from an :class:`EMResult`, then
    warn, as scikit-learn does, if the best start did not converge."""
    params = (result.weights, result.means, result.covariances, result.precisions_cholesky)
    # The parameters, precisions_ and n_iter_, as the callbacks see them mid-fit.
    state = _fitted_view(estimator, params, result.n_iter, result.means.dtype)
    vars(estimator).update(state())
    estimator.converged_ = result.converged
    estimator.lower_bound_ = result.lower_bound
    estimator.lower_bounds_ = result.lower_bounds
    store_inference_cache(estimator)
    if not result.converged and estimator.max_iter > 0 and not result.stopped:
        warnings.warn(
            "Best performing initialization did not converge. Try different init "
            "parameters, or increase max_iter, tol, or check for degenerate data.",
            ConvergenceWarning,
        )


class InferenceCache:
    """What inference by the expansion needs (:func:`inference_parameters`), kept by the
    first call that needs it, for as long as the fitted arrays hold the values it came
    from. Inference by distances reads the fitted arrays themselves and keeps nothing:
    checking the key would read the ``K d^2`` numbers of 'full' precisions on every call.

    A fit stores an empty one (a fit that is never scored pays nothing); ``predict`` fills
    it without changing the estimator's attributes. Its contents are only read: a deep copy
    (as the rollback of every refit makes, :func:`skbackprop.utils.rollback_on_error`) gets
    a holder of its own with the same contents, not copies of their arrays.
    """

    def __init__(self, entry=None):
        self.entry = entry  # (key, shift, theta), or None until the first call

    def __deepcopy__(self, memo):
        return InferenceCache(self.entry)


def store_inference_cache(estimator):
    """Give a fitted GaussianMixtureEM an empty :class:`InferenceCache`."""
    estimator._inference_cache = InferenceCache()


def _inference_key(estimator, dtype):
    fitted = (getattr(estimator, name).tobytes() for name in _PARAMETERS[:2] + _PARAMETERS[3:])
    return (np.dtype(dtype), estimator.covariance_type, *fitted)


def inference_parameters(estimator, dtype):
    """``(shift, theta)`` with which a fitted GaussianMixtureEM scores samples of ``dtype``
    by the expansion.

    ``shift`` is subtracted from the rows before the expansion, or is None (the rows as
    they are, see :func:`_needs_shift`). It is a fitted quantity, so each row's result does
    not depend on which other rows are scored with it. Kept in the estimator's
    :class:`InferenceCache` by the first call (docs/performance.rst, "Fast paths"), and
    used only while the fitted arrays hold the values it came from.
    """
    cache = getattr(estimator, "_inference_cache", None)
    key = None if cache is None else _inference_key(estimator, dtype)
    entry = None if cache is None else cache.entry  # read once: another thread may refill it
    if entry is not None and entry[0] == key:
        return entry[1:]
    mean = estimator.weights_ @ estimator.means_
    shift = mean.astype(dtype) if _needs_shift(estimator, mean) else None
    theta = natural_parameters(
        estimator.weights_.astype(dtype, copy=False),
        estimator.means_.astype(dtype, copy=False),
        estimator.precisions_cholesky_.astype(dtype, copy=False),
        estimator.covariance_type,
        0 if shift is None else shift,
    )
    if cache is not None:
        cache.entry = (key, shift, theta)
    return shift, theta


def _needs_shift(estimator, mean):
    """Whether inference centres the rows on the mixture's mean before the expansion.

    The expansion's terms are of size ``P |x - shift|^2``, and so is their round-off. Where
    the mixture's mean is within its spread of the origin, ``|mean|^2 <= sum_k w_k
    (tr Sigma_k + |mu_k - mean|^2)`` (its total variance), leaving the rows uncentred at
    most doubles those terms on average, and saves a pass over the rows; farther out it
    would lose digits, and the rows are centred. Components whose terms still cancel are
    computed from distances either way (:class:`~skbackprop.mixture._em_steps.DirectComponents`).
    """
    covariances, covariance_type = estimator.covariances_, estimator.covariance_type
    n_features = mean.shape[0]
    if covariance_type == "full":
        traces = np.trace(covariances, axis1=1, axis2=2)
    elif covariance_type == "tied":
        traces = np.trace(covariances)
    elif covariance_type == "diag":
        traces = covariances.sum(axis=1)
    else:
        traces = n_features * covariances
    spread = np.sum((estimator.means_ - mean) ** 2, axis=1) + traces
    return mean @ mean > estimator.weights_ @ spread


def fit_with_float64_retry(X, fit, random_state, verbose):
    """``fit(X, None)``; for float32 ``X`` whose fit raised a collapse, ``fit(X, float64)``
    from the same random draws, and the result in float32.

    ``fit(X, dtype)`` runs EM with sums in ``dtype`` (None: X's own) and returns an
    :class:`EMResult`; the retry reads the float32 rows and widens them as it sums, so it
    holds no float64 copy of ``X``.

    The statistics are sums of moments (second moment minus N mean^2): in float32 a
    variance below about 1e-7 of a squared distance from the data's mean is lost to
    round-off, in the M-step and in the E-step's features alike, where scikit-learn's
    per-component centred sums keep it; float64 sums resolve it.
    """
    # A RandomState instance is put back to its current draws for the retry (a seed or None
    # gives the same draws again by itself).
    instance = isinstance(random_state, np.random.RandomState)
    draws = random_state.get_state() if instance else None
    try:
        return fit(X, None)
    except CollapsedComponentError:
        if X.dtype != np.float32:
            raise
    if verbose >= 1:
        print(
            "float32 round-off left a component's covariance unresolved: fitting again "
            "in float64 (the fitted attributes stay float32)."
        )
    if instance:
        random_state.set_state(draws)
    return fit(X, np.float64).astype(np.float32)


def run_em(estimator, source, tasks=None):
    """EM from each of the estimator's starts over ``source``; the best as an EMResult.

    Reads the estimator's parameters and, with ``warm_start``, its fitted attributes; it
    sets nothing, so a fit that raises leaves the estimator as it was. ``tasks``
    (:class:`~skbackprop.utils.FitTasks`) reports each start and each EM iteration to the
    callbacks; a callback that asks to stop ends that level's loop.
    """
    # Only the starts draw from the generator and none keeps it: a seed's can be reused.
    with seeded_random_state(estimator.random_state) as random_state:
        return _best_start(estimator, source, tasks, random_state)


def _best_start(estimator, source, tasks, random_state):
    """:func:`run_em` with the estimator's ``random_state`` as a generator."""
    dtype = source.dtype
    inits = _checked_inits(estimator, source.n_features, dtype)
    do_init = not (estimator.warm_start and hasattr(estimator, "converged_"))
    report = _Verbose(estimator.verbose, estimator.verbose_interval)
    reporting = tasks is not None and tasks.active
    max_lower_bound, best, stopped = -np.inf, None, False
    for init in range(estimator.n_init if do_init else 1):
        report.init_begin(init)
        if reporting:
            tasks.begin(max_subtasks=estimator.max_iter)
        if do_init:
            start = functools.partial(_initial_parameters, estimator, source, inits, random_state)
        else:
            start = functools.partial(_fitted_parameters, estimator, dtype)
        if estimator.max_iter == 0:
            params = start()
            best = (params, False, 0, [])
            if reporting:
                tasks.state = _fitted_view(estimator, params, 0, dtype)
                stopped = tasks.iteration_ends(begin_next=False) or stopped
            continue
        lower_bound = -np.inf if do_init else estimator.lower_bound_
        em_tasks = None
        if reporting:
            em_tasks = FitTasks(
                estimator,
                parent=tasks,
                max_subtasks=estimator.max_iter,
                subtask_name="em_iteration",
            )
        params, converged, n_iter, lower_bounds, stopped_early = _em_iterations(
            estimator, source, start, lower_bound, em_tasks, report
        )
        stopped = stopped or stopped_early
        lower_bound = lower_bounds[-1]
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
    return EMResult(*params, converged, n_iter, max_lower_bound, lower_bounds, stopped).astype(
        dtype
    )


def _fitted_parameters(estimator, dtype):
    """The fitted parameters a warm start continues from, in ``dtype``."""
    return tuple(np.asarray(getattr(estimator, name), dtype=dtype) for name in _PARAMETERS)


def _em_iterations(estimator, source, start, lower_bound, em_tasks, report):
    """One start's EM steps from the parameters ``start()`` makes: ``(params, converged,
    n_iter, lower_bounds, stopped)``.

    Made here, the starting parameters are held only here, and each iteration's are freed
    once the next are made: with 'full' covariances they can outweigh the data.
    """
    params = start()
    lower_bounds = []
    converged = stopped = False
    for n_iter in range(1, estimator.max_iter + 1):
        previous = lower_bound
        if em_tasks is not None:
            em_tasks.state = _fitted_view(estimator, params, n_iter - 1, source.dtype)
            em_tasks.begin()
        weights, means, prec_chol = params[0], params[1], params[3]
        theta = natural_parameters(
            weights, means, prec_chol, estimator.covariance_type, source.shift
        )
        params = None  # the previous covariances go before the M-step makes new ones
        stats = source.e_step(theta)
        lower_bound = stats.log_likelihood / stats.n_samples
        params = m_step_parameters(estimator, source, stats, theta)
        params = (params[0] / params[0].sum(), *params[1:])
        lower_bounds.append(lower_bound)
        change = lower_bound - previous
        report.iter_end(n_iter, change)
        converged = abs(change) < estimator.tol
        if em_tasks is not None:
            em_tasks.state = _fitted_view(estimator, params, n_iter, source.dtype)
            if em_tasks.iteration_ends(begin_next=False) and not converged:
                stopped = True
                break
        if converged:
            break
    return params, converged, n_iter, lower_bounds, stopped


def _fitted_view(estimator, params, n_iter, dtype):
    """``state()`` for the callbacks: the fitted attributes of the mixture as it stands
    after ``n_iter`` EM steps of the current start (their ``fitted_estimator``)."""

    def state():
        arrays = [np.array(p, dtype=dtype) for p in params]
        precisions = precisions_from_cholesky(arrays[3], estimator.covariance_type)
        return {
            **dict(zip(_PARAMETERS, arrays)),
            "precisions_": precisions,
            "n_iter_": n_iter,
            "_inference_cache": None,
        }

    return state


def m_step_parameters(estimator, source, stats, rule):
    """``(nk, means, covariances, precisions_cholesky)`` of the M-step on ``stats``.

    ``nk`` are the responsibility totals (the caller turns them into weights); the means
    are in the data's coordinates.
    """
    covariance_type, reg_covar = estimator.covariance_type, estimator.reg_covar
    n_features = source.n_features
    nk, shifted_means, covariances, raw = m_step(stats, covariance_type, reg_covar, n_features)
    suspect, lower = unresolved_components(covariances, covariance_type, raw)
    if suspect.size:
        # Sums of moments cancel for a tight component far from the data's mean; its
        # covariance is summed again from centred rows, as scikit-learn computes it (the
        # factors of the covariances about to change are freed first).
        lower = None
        sums = source.centred_second_moments(rule, shifted_means[suspect], suspect)
        if covariance_type == "full":
            new = sums / nk[suspect, None, None]
            new[:, np.arange(n_features), np.arange(n_features)] += reg_covar
        elif covariance_type == "diag":
            new = sums / nk[suspect, None] + reg_covar
        else:
            new = sums / (nk[suspect] * n_features) + reg_covar
        covariances[suspect] = new
        del sums, new  # before the factors, which need as much memory again
        covariances = covariances.astype(nk.dtype, copy=False)
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
        weights = nk / source.n_samples if weights is None else weights
        means = initial_means if means is None else means
    if precisions is not None:
        prec_chol = precisions_cholesky_from_precisions(precisions, estimator.covariance_type)
        covariances = covariances_from_precisions(precisions, estimator.covariance_type)
    return weights, means, covariances, prec_chol


def _checked_inits(estimator, n_features, dtype):
    """The user's initial weights, means and precisions, validated and in ``dtype``."""
    k, covariance_type = estimator.n_components, estimator.covariance_type
    weights = means = precisions = None
    if estimator.weights_init is not None:
        weights = _checked(estimator.weights_init, (k,), "weights")
        if np.any(weights < 0.0) or np.any(weights > 1.0):
            raise ValueError(
                "The parameter 'weights' should be in the range [0, 1], but got max value "
                f"{weights.max():.5f}, min value {weights.min():.5f}."
            )
        atol = 1e-6 if weights.dtype == np.float32 else 1e-8
        if not np.allclose(abs(1.0 - weights.sum()), 0.0, atol=atol):
            raise ValueError(
                "The parameter 'weights' should be normalized, but got sum(weights) = "
                f"{weights.sum():.5f}; divide weights_init by its sum."
            )
        weights = weights.astype(dtype, copy=True)
    if estimator.means_init is not None:
        means = _checked(estimator.means_init, (k, n_features), "means").astype(dtype)
    if estimator.precisions_init is not None:
        precisions = _checked_precisions(
            estimator.precisions_init, covariance_type, k, n_features
        ).astype(dtype)
    return weights, means, precisions


def _checked(array, shape, name, allow_nd=False):
    array = check_array(array, dtype=[np.float64, np.float32], ensure_2d=False, allow_nd=allow_nd)
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got {array.shape}; "
            f"pass an array of shape {shape}."
        )
    return array


def _checked_precisions(precisions, covariance_type, n_components, n_features):
    shape = {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[covariance_type]
    precisions = _checked(
        precisions, shape, f"{covariance_type} precision", allow_nd=covariance_type == "full"
    )
    if covariance_type in ("full", "tied"):
        symmetric = np.allclose(precisions, np.swapaxes(precisions, -1, -2))
        if not symmetric or not np.all(np.linalg.eigvalsh(precisions) > 0.0):
            raise ValueError(
                f"'{covariance_type} precision' should be symmetric, positive-definite; "
                "pass the inverse of a covariance matrix."
            )
    elif np.any(precisions <= 0.0):
        raise ValueError(f"'{covariance_type} precision' should be positive.")
    return precisions


class InMemorySource:
    """The EM driver's statistics of a validated ndarray ``X``, in ``X``'s precision.

    The log-probabilities come from the expansion in features or from per-component
    distances, whichever :func:`~._em_steps.use_distances` finds cheaper for the shape. The
    expansion of 'full' and 'tied' multiplies the quadratic feature map, kept for all rows
    between EM iterations when it is no wider than twice scikit-learn's working memory per
    row (responsibilities, log-probabilities and a few copies of the row) and under a fixed
    size, otherwise rebuilt per block and pass. 'spherical' keeps its map (two columns wider
    than the rows) likewise; otherwise, and always for 'diag', the expansion is two products
    with the rows minus the shift, kept as the distances keep them, and each block's squares.
    """

    def __init__(self, X, covariance_type, n_components, max_iter, dtype=None):
        self.X = X
        self.covariance_type = covariance_type
        self.n_samples, self.n_features = X.shape
        # The precision of the sums; wider than X's for the float64 retry, whose rows are
        # widened as they are read instead of in a copy of X.
        self.dtype = np.dtype(X.dtype if dtype is None else dtype)
        # The data's mean: the features are centred on it so that second moments minus
        # mean products lose few digits (the mixture itself is shift-invariant).
        self.shift = X.mean(axis=0, dtype=np.float64).astype(self.dtype)
        d = self.n_features
        self.width = 1 + d + n_quadratic_features(d, covariance_type)
        keep = (
            self.width <= 2 * (2 * n_components + 3 * d)
            and self.n_samples * self.width * self.dtype.itemsize <= _MAX_CACHED_FEATURE_BYTES
        )
        passes = 2 * max(max_iter, 1) if keep else 2
        self.by_distances = use_distances(d, n_components, covariance_type, passes)
        self.by_map = not self.by_distances and use_map(covariance_type, keep)
        # The feature map when affordable, or the rows minus the shift, kept for every pass.
        if self.by_map:
            self.cached = feature_map(X, covariance_type, self.shift) if keep else None
        else:
            self.cached = X - self.shift
        # 'tied' without the map: the second moments of all rows, one block (see blocks),
        # are the same in every iteration; computed once, when first needed.
        self._tied_second_moments = None

    def blocks(self, n_components):
        """Yield ``(block, rows)``: the feature map or the rows minus the shift of
        consecutive row slices; with distances all rows at once, as scikit-learn does (a
        few products of n x d)."""
        rows = self.n_samples if self.by_distances else block_rows(self.width, n_components)
        for start in range(0, self.n_samples, rows):
            part = slice(start, start + rows)
            if self.cached is not None:
                yield self.cached[part], part
            else:
                yield feature_map(self.X[part], self.covariance_type, self.shift), part

    def initial_statistics(self, n_components, init_params, random_state):
        # The start reads X as given (k-means and k-means++ in X's precision, as
        # scikit-learn starts); the EM sums are in the source's.
        resp = initial_responsibilities(self.X, n_components, init_params, random_state)
        resp = resp.astype(self.dtype, copy=False)

        def statistics(block, rows):
            if self.by_map:
                return statistics_from_responsibilities(
                    block, resp[rows].T, self.covariance_type, self.n_features
                )
            return row_statistics(
                block, resp[rows].T, self.covariance_type, 0.0, self._tied_moments(block)
            )

        return self._sum(statistics, n_components), resp

    def e_step(self, theta):
        def step(block, _):
            if self.by_map:
                return block_statistics(block, theta, self.covariance_type)
            return row_block_statistics(
                block, theta, self.covariance_type, self.by_distances, self._tied_moments(block)
            )

        return self._sum(step, theta.per_component.shape[1])

    def _tied_moments(self, block):
        """For 'tied' and a block of all the rows (as without the map, see
        :meth:`blocks`), their :func:`~._em_steps.tied_second_moments`; else None."""
        if self.covariance_type != "tied" or block.shape[0] != self.n_samples:
            return None
        if self._tied_second_moments is None:
            self._tied_second_moments = tied_second_moments(block)
        return self._tied_second_moments

    def centred_second_moments(self, rule, means, components):
        initial = isinstance(rule, np.ndarray)

        def moments(block, rows):
            centered = block[:, 1 : 1 + self.n_features] if self.by_map else block
            if initial:
                resp = rule[rows].T
            elif self.by_map:
                resp = weighted_log_prob(block, rule)
            elif self.by_distances:
                resp = log_prob_by_distances(block, rule.all_components)
            else:
                resp = log_prob_by_products(block, rule, self.covariance_type)
            if not initial:
                responsibilities(resp)
            return centred_block_moments(centered, resp, means, components, self.covariance_type)

        return self._sum(moments, rule.shape[1] if initial else rule.per_component.shape[1])

    def _sum(self, block_function, n_components):
        total = None
        for block, rows in self.blocks(n_components):
            part = block_function(block, rows)
            total = part if total is None else total + part
        return total


def initial_responsibilities(X, n_components, init_params, random_state):
    """Responsibilities (n_samples, n_components) from which the first M-step starts.

    - 'kmeans': one-hot labels of a k-means fit (``n_init=1``);
    - 'k-means++': one-hot of the k-means++ seeds (one sample per component);
    - 'random': uniform draws normalized per row;
    - 'random_from_data': one-hot of ``n_components`` distinct random samples.
    """
    n_samples = X.shape[0]
    if init_params == "random":
        resp = np.asarray(random_state.uniform(size=(n_samples, n_components)), dtype=X.dtype)
        return resp / resp.sum(axis=1)[:, None]
    resp = np.zeros((n_samples, n_components), dtype=X.dtype)
    if init_params == "kmeans":
        kmeans = KMeans(n_clusters=n_components, n_init=1, random_state=random_state)
        resp[np.arange(n_samples), kmeans.fit(X).labels_] = 1
        return resp
    if init_params == "random_from_data":
        indices = random_state.choice(n_samples, size=n_components, replace=False)
    else:  # 'k-means++'
        _, indices = kmeans_plusplus(X, n_components, random_state=random_state)
    resp[indices, np.arange(n_components)] = 1
    return resp


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
