"""GaussianMixtureEM: scikit-learn's GaussianMixture, with every EM step a few BLAS calls.

The model (the mixture-model notes): a latent ``z ~ Multinomial(phi)`` picks the Gaussian
``N(mu_z, Sigma_z)`` each sample comes from.  EM alternates

- the E-step: responsibilities ``r_ik = p(z_i = k | x_i)``, computed in log space with a
  stable log-sum-exp;
- the M-step: ``phi_k``, ``mu_k`` and ``Sigma_k`` from the responsibilities' sufficient
  statistics.

Both are written over all components at once (see :mod:`._em_steps`), where scikit-learn
loops over the components in Python.
"""

import math
import warnings
from contextlib import nullcontext
from numbers import Integral, Real
from time import time
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ..utils import CallbackSupportMixin, FitTasks, with_callbacks
from ..utils._dask import is_dask_array
from ._em_steps import (
    block_rows,
    e_step_statistics,
    feature_map,
    log_normalize,
    m_step,
    n_quadratic_features,
    natural_parameters,
    responsibilities,
    statistics_from_responsibilities,
    weighted_log_prob,
)
from ._initialization import (
    check_means,
    check_precisions,
    check_weights,
    initial_responsibilities,
    rewind_random_state,
)
from ._precisions import (
    CollapsedComponentError,
    covariances_from_precisions,
    precisions_cholesky,
    precisions_cholesky_from_precisions,
    precisions_from_cholesky,
)

# The features of all training rows are kept between EM iterations when they take at most
# this many bytes; beyond it (many features under 'full') each block is rebuilt per pass.
_MAX_CACHED_FEATURE_BYTES = 1 << 28
# Feature maps up to this wide are multiplied on one BLAS thread (see _blas_threads).
_MAX_SINGLE_THREAD_WIDTH = 512


class GaussianMixtureEM(CallbackSupportMixin, DensityMixin, BaseEstimator):
    """Gaussian mixture fitted by expectation-maximization, a drop-in for GaussianMixture.

    Accepts the parameters of :class:`sklearn.mixture.GaussianMixture` with the same
    meanings and defaults and exposes the same fitted attributes and methods; swapping the
    import keeps a script working.  Each E-step is one matrix product of the samples'
    sufficient-statistic features with the natural parameters of all components and one
    log-sum-exp; each M-step is one product of the responsibilities with those features.
    float32 input is fitted in float32 and its fitted attributes are float32. Where float32
    round-off cannot resolve a component's covariance from those sums (a component started
    on a single sample, as 'k-means++' and 'random_from_data' do, or a tight cluster far
    from the data's mean), the fit is redone in float64 and its results stored in float32;
    the retry costs a float64 copy of ``X`` and every start again, and the float32
    attempt's warnings and verbose lines come before the retry's own.

    Parameters
    ----------
    n_components : int, default=1
        The number of mixture components.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        'full': each component has its own general covariance matrix; 'tied': all share one
        general covariance matrix; 'diag': each has its own diagonal covariance matrix;
        'spherical': each has its own single variance.
    tol : float, default=1e-3
        Convergence threshold: EM stops when the change of the lower bound (the average
        log-likelihood) between iterations is below it.
    reg_covar : float, default=1e-6
        Non-negative regularization added to the diagonal of the covariances, so that they
        stay positive definite.
    max_iter : int, default=100
        The number of EM iterations to perform.
    n_init : int, default=1
        The number of initializations; the best result (largest lower bound) is kept.
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, default='kmeans'
        How the responsibilities of the first M-step are initialized: 'kmeans' from k-means
        labels, 'k-means++' from the k-means++ seeds, 'random' at random, and
        'random_from_data' from randomly chosen samples as the initial means.
    weights_init : array-like of shape (n_components,), default=None
        User-provided initial weights; None initializes them with ``init_params``.
    means_init : array-like of shape (n_components, n_features), default=None
        User-provided initial means; None initializes them with ``init_params``.
    precisions_init : array-like, default=None
        User-provided initial precisions (inverse covariances); None initializes them with
        ``init_params``.  Shape (n_components,) if 'spherical', (n_features, n_features) if
        'tied', (n_components, n_features) if 'diag', (n_components, n_features,
        n_features) if 'full'.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialization and :meth:`sample`.
    warm_start : bool, default=False
        If True, each ``fit`` starts from the previous solution and ``n_init`` is ignored
        after the first call.
    verbose : int, default=0
        1 prints the initialization and each iteration step; 2 also prints the lower bound
        change and the time per step.
    verbose_interval : int, default=10
        Number of iterations between two prints.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        The weight ``phi_k`` of each component.
    means_ : ndarray of shape (n_components, n_features)
        The mean of each component.
    covariances_ : ndarray
        The covariance of each component; shaped as ``precisions_init``.
    precisions_ : ndarray
        The precision matrices (inverse covariances); shaped as ``precisions_init``.
    precisions_cholesky_ : ndarray
        Upper-triangular ``U`` with ``precisions_ = U U^T`` (the square root for 'diag' and
        'spherical'); shaped as ``precisions_init``.
    converged_ : bool
        True when the best initialization reached the convergence threshold.
    n_iter_ : int
        Number of EM steps the best initialization used.
    lower_bound_ : numpy.float32 or numpy.float64
        Average log-likelihood of the training data at the best initialization's last
        E-step (the lower bound EM maximizes), in the precision of the fit.
    lower_bounds_ : list of numpy.float32 or numpy.float64 of length n_iter_
        The lower bound at each iteration of the best initialization.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :term:`fit`, when they are all strings.

    See Also
    --------
    sklearn.mixture.GaussianMixture : The reference implementation, one component at a time.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop import GaussianMixtureEM
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> gm = GaussianMixtureEM(n_components=2, random_state=0).fit(X)
    >>> gm.means_
    array([[10.,  2.],
           [ 1.,  2.]])
    >>> gm.predict([[0, 0], [12, 3]])
    array([1, 0])
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "covariance_type": [StrOptions({"full", "tied", "diag", "spherical"})],
        "tol": [Interval(Real, 0.0, None, closed="left")],
        "reg_covar": [Interval(Real, 0.0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "init_params": [StrOptions({"kmeans", "random", "random_from_data", "k-means++"})],
        "weights_init": ["array-like", None],
        "means_init": ["array-like", None],
        "precisions_init": ["array-like", None],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "verbose_interval": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval

    # ------------------------------------------------------------------ fitting

    @with_callbacks
    def fit(self, X, y=None):
        """Estimate the model parameters with the EM algorithm.

        Fits ``n_init`` times and keeps the initialization with the largest lower bound;
        each runs at most ``max_iter`` EM steps, stopping when the lower bound changes by
        less than ``tol`` (otherwise a ``ConvergenceWarning`` is raised).  With
        ``warm_start``, later calls continue from the previous solution.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted mixture.
        """
        self._fit(X, predict=False, y=y)
        return self

    @with_callbacks
    def fit_predict(self, X, y=None):
        """Estimate the model parameters with EM, then predict the labels of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Component labels, the same as ``fit(X).predict(X)``.
        """
        return self._fit(X, predict=True, y=y)

    @_fit_context(prefer_skip_nested_validation=True)
    def _fit(self, X, predict, y=None):
        if is_dask_array(X):  # each EM iteration's statistics are reduced on the cluster
            from ._em_dask import fit_dask

            return fit_dask(self, X, predict)
        callback_data = X, y  # as passed (y is ignored, but ScoringMonitor needs one)
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        n_samples = X.shape[0]
        if n_samples < self.n_components:
            raise ValueError(
                f"Expected n_samples >= n_components but got n_components = "
                f"{self.n_components}, n_samples = {n_samples}; pass more samples or "
                "reduce n_components."
            )
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        tasks = FitTasks(
            self, *callback_data, max_subtasks=self.n_init if do_init else 1, subtask_name="init"
        )
        self._fit_with_float64_retry(
            X, lambda X: self._fit_in_dtype(X, tasks), before_retry=tasks.deactivate
        )
        tasks.finish()
        # Labels from the stored parameters (scikit-learn's final E-step), so that they are
        # predict(X)'s, also when the fit ran in float64.
        return self._weighted_log_prob(X).argmax(axis=0) if predict else None

    def _fit_with_float64_retry(self, X, fit, before_retry=None):
        """``fit(X)``; for float32 ``X`` whose fit raised a collapse, ``fit`` again on a
        float64 copy from the same random draws, with the fitted attributes in float32.

        The statistics are sums of moments (second moment minus N mean^2): in float32 a
        variance below about 1e-7 of a squared distance from the data's mean is lost to
        round-off, where scikit-learn's per-component centred sums keep it; float64 sums
        resolve it. Shared by the in-memory and the dask fits (``before_retry`` lets the
        latter restore its state first).
        """
        rewind = rewind_random_state(self.random_state)
        try:
            return fit(X)
        except CollapsedComponentError:
            if X.dtype != np.float32:
                raise
        if before_retry is not None:
            before_retry()
        self._print_verbose_msg_float64_retry()
        rewind()
        result = fit(X.astype(np.float64))
        self._cast_fitted_attributes(np.float32)
        return result

    def _fit_in_dtype(self, X, tasks=None):
        """EM on validated in-memory ``X``, in ``X``'s precision."""
        inits = self._checked_inits(X.shape[1], X.dtype)
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        n_init = self.n_init if do_init else 1
        random_state = check_random_state(self.random_state)
        # The data's mean: the features are centered on it so that second moments minus
        # mean products lose few digits (the mixture itself is shift-invariant).
        shift = X.mean(axis=0, dtype=np.float64).astype(X.dtype)
        features = _Features(X, self.covariance_type, shift)
        with _blas_threads(features.width):
            self._fit_initializations(
                lambda: self._initial_parameters(X, features, random_state, inits),
                lambda params: self._em_step(features, params),
                n_init,
                do_init,
                X.dtype,
                tasks,
            )

    def _cast_fitted_attributes(self, dtype):
        for name in ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_"):
            setattr(self, name, getattr(self, name).astype(dtype))
        scalar = np.dtype(dtype).type
        self.lower_bound_ = scalar(self.lower_bound_)
        self.lower_bounds_ = [scalar(bound) for bound in self.lower_bounds_]

    def _fit_initializations(
        self, initial_parameters, em_step, n_init, do_init, dtype, tasks=None
    ):
        """EM from each of ``n_init`` starts; keep the best, then set the fitted attributes.

        Shared by the in-memory and the dask fits, which differ only in where the rows of
        an initialization or an EM step are read.

        Parameters
        ----------
        initial_parameters : callable
            ``initial_parameters()`` gives the (weights, means, covariances,
            precisions_cholesky) of a new start.
        em_step : callable
            ``em_step(params)`` runs one E-step and M-step and gives ``(lower_bound,
            params)``, the lower bound being that of the ``params`` passed in.
        n_init : int
        do_init : bool
            False continues from the fitted attributes (``warm_start``).
        dtype : numpy dtype
            The precision of the fit.
        tasks : FitTasks, optional
            Reports each start and each EM iteration to the callbacks.
        """
        max_lower_bound = -np.inf
        best_lower_bounds = []
        best_converged = False
        best_params = None
        best_n_iter = 0
        stopped = False  # a callback asked to stop
        reporting = tasks is not None and tasks.active
        for init in range(n_init):
            self._print_verbose_msg_init_beg(init)
            if reporting:
                tasks.begin(max_subtasks=self.max_iter)
                em_tasks = FitTasks(
                    self, parent=tasks, max_subtasks=self.max_iter, subtask_name="em_iteration"
                )
            if do_init:
                params = initial_parameters()
            else:
                params = tuple(
                    np.asarray(p, dtype=dtype)
                    for p in (
                        self.weights_,
                        self.means_,
                        self.covariances_,
                        self.precisions_cholesky_,
                    )
                )
            lower_bound = -np.inf if do_init else self.lower_bound_
            current_lower_bounds = []

            if self.max_iter == 0:
                best_params, best_n_iter = params, 0
                if reporting:
                    stopped = tasks.iteration_ends(begin_next=False) or stopped
                continue
            converged = False
            for n_iter in range(1, self.max_iter + 1):
                previous = lower_bound
                if reporting:
                    em_tasks.state = self._callback_state(params, n_iter - 1, dtype)
                    em_tasks.begin()
                lower_bound, params = em_step(params)
                current_lower_bounds.append(lower_bound)
                change = lower_bound - previous
                self._print_verbose_msg_iter_end(n_iter, change)
                if abs(change) < self.tol:
                    converged = True
                if reporting:
                    em_tasks.state = self._callback_state(params, n_iter, dtype)
                    if em_tasks.iteration_ends(begin_next=False) and not converged:
                        stopped = True
                        break
                if converged:
                    break
            self._print_verbose_msg_init_end(lower_bound, converged)
            if reporting:
                tasks.state = self._callback_state(params, n_iter, dtype)
                stop_inits = tasks.iteration_ends(begin_next=False)
            if lower_bound > max_lower_bound or max_lower_bound == -np.inf:
                max_lower_bound = lower_bound
                best_params = params
                best_n_iter = n_iter
                best_lower_bounds = current_lower_bounds
                best_converged = converged
            if reporting and stop_inits:
                stopped = True
                break

        # Only now, with every step done, does the estimator's state change: a fit that
        # raises leaves the previous fit intact.
        self._set_parameters(best_params)
        self.converged_ = best_converged
        self.n_iter_ = best_n_iter
        # numpy scalars of the fit's precision, as scikit-learn stores them.
        scalar = np.dtype(dtype).type
        self.lower_bound_ = scalar(max_lower_bound)
        self.lower_bounds_ = [scalar(bound) for bound in best_lower_bounds]
        if not best_converged and self.max_iter > 0 and not stopped:
            warnings.warn(
                "Best performing initialization did not converge. Try different init "
                "parameters, or increase max_iter, tol, or check for degenerate data.",
                ConvergenceWarning,
            )

    def _checked_inits(self, n_features, dtype):
        """The user's initial weights, means and precisions, validated and in ``dtype``."""
        weights = means = precisions = None
        if self.weights_init is not None:
            weights = check_weights(self.weights_init, self.n_components, dtype)
        if self.means_init is not None:
            means = check_means(self.means_init, self.n_components, n_features, dtype)
        if self.precisions_init is not None:
            precisions = check_precisions(
                self.precisions_init, self.covariance_type, self.n_components, n_features, dtype
            )
        return weights, means, precisions

    def _initial_parameters(self, X, features, random_state, inits):
        """Parameters before the first E-step: an M-step on the initial responsibilities."""
        n_samples, n_features = X.shape
        stats = None
        if any(init is None for init in inits):
            resp = initial_responsibilities(X, self.n_components, self.init_params, random_state)
            for phi, rows in features.blocks(resp.shape[1]):
                block = statistics_from_responsibilities(
                    phi, resp[rows].T, self.covariance_type, n_features
                )
                stats = block if stats is None else stats + block
        return self._parameters_from_inits(inits, stats, n_samples, n_features, features.shift)

    def _parameters_from_inits(self, inits, stats, n_samples, n_features, shift):
        """The user's initial parameters, the missing ones from an M-step on ``stats``.

        Shared by the in-memory and the dask fits, which differ only in how they sum the
        statistics of the initial responsibilities.

        Parameters
        ----------
        inits : tuple of (weights, means, precisions)
            From :meth:`_checked_inits`; None where the user gave none.
        stats : SufficientStatistics or None
            Of the initial responsibilities; None when all three are given.
        n_samples, n_features : int
        shift : ndarray of shape (n_features,)
            The shift the statistics' features were computed with.

        Returns
        -------
        params : tuple of (weights, means, covariances, precisions_cholesky)
        """
        weights, means, precisions = inits
        covariances = prec_chol = None
        if stats is not None:
            nk, shifted_means, covariances, raw = m_step(
                stats, self.covariance_type, self.reg_covar, n_features
            )
            if weights is None:
                weights = nk / n_samples
            if means is None:
                means = shifted_means + shift
            if precisions is None:
                prec_chol = precisions_cholesky(covariances, self.covariance_type, raw)
        if precisions is not None:
            prec_chol = precisions_cholesky_from_precisions(precisions, self.covariance_type)
            covariances = covariances_from_precisions(precisions, self.covariance_type)
        return weights, means, covariances, prec_chol

    def _em_step(self, features, params):
        """One E-step (returning the lower bound of ``params``) and the M-step after it."""
        weights, means, _, prec_chol = params
        theta = natural_parameters(weights, means, prec_chol, self.covariance_type, features.shift)
        stats = None
        for phi, _ in features.blocks(self.n_components):
            block = e_step_statistics(phi, theta, self.covariance_type)
            stats = block if stats is None else stats + block
        return self._m_step(stats, features.n_features, features.shift)

    def _m_step(self, stats, n_features, shift):
        """The lower bound the E-step's ``stats`` give, and the parameters of the M-step.

        Shared by the in-memory and the dask fits.
        """
        lower_bound = stats.log_likelihood / stats.n_samples
        nk, shifted_means, covariances, raw = m_step(
            stats, self.covariance_type, self.reg_covar, n_features
        )
        prec_chol = precisions_cholesky(covariances, self.covariance_type, raw)
        return lower_bound, (nk / nk.sum(), shifted_means + shift, covariances, prec_chol)

    def _callback_state(self, params, n_iter, dtype):
        """``state()`` for the callbacks: the mixture as it stands after ``n_iter`` EM
        steps from this start (its ``fitted_estimator``)."""

        def state():
            weights, means, covariances, prec_chol = (np.array(p, dtype=dtype) for p in params)
            return {
                "weights_": weights,
                "means_": means,
                "covariances_": covariances,
                "precisions_cholesky_": prec_chol,
                "precisions_": precisions_from_cholesky(prec_chol, self.covariance_type),
                "n_iter_": n_iter,
            }

        return state

    def _set_parameters(self, params):
        self.weights_, self.means_, self.covariances_, self.precisions_cholesky_ = params
        self.precisions_ = precisions_from_cholesky(
            self.precisions_cholesky_, self.covariance_type
        )

    # --------------------------------------------------------------- inference

    def _validate_for_inference(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return X.astype(np.result_type(X.dtype, self.means_.dtype), copy=False)

    def _weighted_log_prob(self, X):
        """``log weight_k + log N(x_i | component k)``, shape (n_components, n_samples)."""
        # Center on the mixture's own mean: a fitted quantity, so each row's result does
        # not depend on which other rows are scored with it.
        shift = (self.weights_ @ self.means_).astype(X.dtype)
        theta = natural_parameters(
            self.weights_.astype(X.dtype, copy=False),
            self.means_.astype(X.dtype, copy=False),
            self.precisions_cholesky_.astype(X.dtype, copy=False),
            self.covariance_type,
            shift,
        )
        features = _Features(X, self.covariance_type, shift)
        out = np.empty((self.n_components, X.shape[0]), dtype=X.dtype)
        with _blas_threads(features.width):
            for phi, rows in features.blocks(self.n_components):
                out[:, rows] = weighted_log_prob(phi, theta)
        return out

    def score_samples(self, X):
        """Log-likelihood ``log p(x)`` of each sample under the mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            Log-likelihood of each sample; low values flag out-of-distribution samples.
        """
        X = self._validate_for_inference(X)
        return log_normalize(self._weighted_log_prob(X))

    def score(self, X, y=None):
        """Average log-likelihood of the samples in ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        log_likelihood : float
            Mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X)))

    def predict(self, X):
        """Most probable component of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Component labels.
        """
        X = self._validate_for_inference(X)
        return self._weighted_log_prob(X).argmax(axis=0)

    def predict_proba(self, X):
        """Responsibilities: the posterior probability of each component for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            ``p(z = k | x)``; each row sums to 1.
        """
        X = self._validate_for_inference(X)
        resp = self._weighted_log_prob(X)
        responsibilities(resp)
        return np.ascontiguousarray(resp.T)

    def sample(self, n_samples=1):
        """Draw samples from the fitted mixture.

        The draws are scikit-learn's, one call per component in the same order, so the same
        ``random_state`` and parameters give the same samples.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to generate.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The samples, grouped by component.
        y : ndarray of shape (n_samples,)
            The component each sample was drawn from.
        """
        check_is_fitted(self)
        if n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples}. The sampling requires at least "
                "one sample; pass n_samples >= 1."
            )
        _, n_features = self.means_.shape
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_.astype(np.float64))
        means = self.means_.astype(np.float64)
        covariances = self.covariances_.astype(np.float64)
        if self.covariance_type == "full":
            parts = [
                rng.multivariate_normal(mean, cov, int(count))
                for mean, cov, count in zip(means, covariances, counts)
            ]
        elif self.covariance_type == "tied":
            parts = [
                rng.multivariate_normal(mean, covariances, int(count))
                for mean, count in zip(means, counts)
            ]
        else:
            parts = [
                mean + rng.standard_normal(size=(count, n_features)) * np.sqrt(cov)
                for mean, cov, count in zip(means, covariances, counts)
            ]
        labels = np.repeat(np.arange(self.n_components, dtype=np.int64), counts)
        return np.vstack(parts), labels

    # --------------------------------------------------------- model selection

    def _n_parameters(self):
        """Number of free parameters of the model."""
        _, n_features = self.means_.shape
        if self.covariance_type == "full":
            cov_params = self.n_components * n_features * (n_features + 1) / 2.0
        elif self.covariance_type == "diag":
            cov_params = self.n_components * n_features
        elif self.covariance_type == "tied":
            cov_params = n_features * (n_features + 1) / 2.0
        else:
            cov_params = self.n_components
        mean_params = n_features * self.n_components
        return int(cov_params + mean_params + self.n_components - 1)

    def bic(self, X):
        """Bayesian information criterion of the model on ``X`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        bic : float
            ``-2 log L + n_parameters log(n_samples)``.
        """
        n_samples = _num_rows(X)
        return -2 * self.score(X) * n_samples + self._n_parameters() * math.log(n_samples)

    def aic(self, X):
        """Akaike information criterion of the model on ``X`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        aic : float
            ``-2 log L + 2 n_parameters``.
        """
        return -2 * self.score(X) * _num_rows(X) + 2 * self._n_parameters()

    # ----------------------------------------------------------------- verbose

    def _print_verbose_msg_float64_retry(self):
        if self.verbose >= 1:
            print(
                "float32 round-off left a component's covariance unresolved: fitting again "
                "in float64 (the fitted attributes stay float32)."
            )

    def _print_verbose_msg_init_beg(self, n_init):
        if self.verbose >= 1:
            print(f"Initialization {n_init}")
        if self.verbose >= 2:
            self._init_prev_time = time()
            self._iter_prev_time = self._init_prev_time

    def _print_verbose_msg_iter_end(self, n_iter, diff_ll):
        if n_iter % self.verbose_interval == 0:
            if self.verbose == 1:
                print(f"  Iteration {n_iter}")
            elif self.verbose >= 2:
                now = time()
                print(
                    f"  Iteration {n_iter}\t time lapse {now - self._iter_prev_time:.5f}s\t "
                    f"ll change {diff_ll:.5f}"
                )
                self._iter_prev_time = now

    def _print_verbose_msg_init_end(self, lower_bound, converged):
        message = "converged" if converged else "did not converge"
        if self.verbose == 1:
            print(f"Initialization {message}.")
        elif self.verbose >= 2:
            elapsed = time() - self._init_prev_time
            print(
                f"Initialization {message}. time lapse {elapsed:.5f}s\t lower bound "
                f"{lower_bound:.5f}."
            )


def _blas_threads(width):
    """One BLAS thread for the narrow products of EM (``width`` features by K components).

    Such products are too thin for OpenBLAS's threads to share well: they synchronize on
    every call and, when other processes hold the cores, their spin-waits cost several
    times the product itself.  Wide feature maps (many features, 'full') keep all threads.
    """
    if width <= _MAX_SINGLE_THREAD_WIDTH:
        return threadpool_limits(limits=1, user_api="blas")
    return nullcontext()


def _num_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


class _Features:
    """The feature map of a data set, kept whole when small, else rebuilt block by block."""

    def __init__(self, X, covariance_type, shift):
        self.X = X
        self.covariance_type = covariance_type
        self.shift = shift
        self.n_features = X.shape[1]
        self.width = 1 + self.n_features + n_quadratic_features(self.n_features, covariance_type)
        nbytes = X.shape[0] * self.width * X.dtype.itemsize
        self.cached = None
        if nbytes <= _MAX_CACHED_FEATURE_BYTES:
            self.cached = feature_map(X, covariance_type, shift)

    def blocks(self, n_components):
        """Yield ``(phi, rows)``: the features of consecutive row slices."""
        n_samples = self.X.shape[0]
        if self.cached is not None:
            yield self.cached, slice(0, n_samples)
            return
        rows = block_rows(self.width, n_components)
        buffer = np.empty((min(rows, n_samples), self.width), dtype=self.X.dtype)
        for start in range(0, n_samples, rows):
            stop = min(start + rows, n_samples)
            phi = feature_map(
                self.X[start:stop], self.covariance_type, self.shift, out=buffer[: stop - start]
            )
            yield phi, slice(start, stop)
