"""GaussianMixtureEM: scikit-learn's GaussianMixture, with every EM step a few BLAS calls.

The model (user guide, :ref:`gaussian_mixture`): a latent ``z ~ Multinomial(phi)`` picks the
Gaussian ``N(mu_z, Sigma_z)`` each sample comes from.  EM alternates

- the E-step: responsibilities ``r_ik = p(z_i = k | x_i)``, computed in log space with a
  stable log-sum-exp;
- the M-step: ``phi_k``, ``mu_k`` and ``Sigma_k`` from the responsibilities' sufficient
  statistics.

Both are written over all components at once (see :mod:`._em_steps`), where scikit-learn
loops over the components in Python.
"""

import math
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..autodiff.softmax import stable_logsumexp
from ..utils import (
    CallbackSupportMixin,
    FitTasks,
    check_fit_input,
    check_predict_input,
    rolls_back,
    with_callbacks,
)
from ..utils._dask import is_dask_array
from ._em_driver import (
    InMemorySource,
    fit_with_float64_retry,
    inference_parameters,
    run_em,
    store_inference_cache,
    store_result,
)
from ._em_steps import (
    DirectComponents,
    block_rows,
    feature_map,
    log_prob_by_distances,
    log_prob_by_products,
    n_quadratic_features,
    responsibilities,
    tiled_rows,
    use_distances,
    use_map,
    weighted_log_prob,
)


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

    # Fit assigns new arrays to these and never writes into the old ones: a failed refit
    # restores them by reference (utils/rollback.py), with no copy of K d^2 numbers.
    _replaced_by_fit = frozenset(
        {"weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_"}
    )

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

    @rolls_back
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

    @rolls_back
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
        X = check_fit_input(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        n_samples = X.shape[0]
        if n_samples < self.n_components:
            raise ValueError(
                f"Expected n_samples >= n_components but got n_components = "
                f"{self.n_components}, n_samples = {n_samples}; pass more samples or "
                "reduce n_components."
            )
        _refuse_overflowing(X)
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        tasks = FitTasks(
            self, *callback_data, max_subtasks=self.n_init if do_init else 1, subtask_name="init"
        )

        def fit(data, dtype):
            if dtype is not None:  # the float64 retry runs unreported; the root task ends as usual
                tasks.deactivate()
            source = InMemorySource(
                data, self.covariance_type, self.n_components, self.max_iter, dtype
            )
            return run_em(self, source, tasks)

        result = fit_with_float64_retry(X, fit, self.random_state, self.verbose)
        store_result(self, result)
        tasks.finish()
        # Labels from the stored parameters (scikit-learn's final E-step), so that they are
        # predict(X)'s, also when the fit ran in float64.
        return most_probable(self._weighted_log_prob(X)) if predict else None

    # --------------------------------------------------------------- inference

    def _validate_for_inference(self, X):
        X = check_predict_input(self, X, dtype=(np.float64, np.float32))
        return X.astype(np.result_type(X.dtype, self.means_.dtype), copy=False)

    def _weighted_log_prob(self, X):
        """``log weight_k + log N(x_i | component k)``, shape (n_components, n_samples)."""
        n_samples, n_features = X.shape
        covariance_type, n_components = self.covariance_type, self.n_components
        # Samples so far out that their squared distances overflow have log-density -inf
        # (the precisions are positive definite), as in scikit-learn; the features'
        # overflow would otherwise give inf - inf = NaN, with numpy's warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            # One pass: the map would serve once (see use_distances). Distances take all
            # rows at once, as scikit-learn does (a few products of n x d).
            if use_distances(n_features, n_components, covariance_type, passes=1):
                # The rows as they are, against the unshifted means: no shifted copy of X.
                # The fitted arrays are all the distances need (nothing to cache).
                fitted = (self.weights_, self.means_, self.precisions_cholesky_)
                every = DirectComponents.every(
                    *(array.astype(X.dtype, copy=False) for array in fitted), covariance_type
                )
                out = log_prob_by_distances(X, every)
            else:
                shift, theta = inference_parameters(self, X.dtype)
                width = 1 + n_features + n_quadratic_features(n_features, covariance_type)
                out = np.empty((n_components, n_samples), dtype=X.dtype)
                # The map in blocks as large as X itself (memory within scikit-learn's), at
                # least cache-sized: fewer, larger products share the BLAS threads better.
                # The two products are cheaper on cache-sized blocks, whose rows minus the
                # shift and squares stay in cache (bench_shapes).
                by_map = use_map(covariance_type, kept=False)
                rows = block_rows(width, n_components)
                if by_map:
                    rows = max(rows, n_samples * n_features // width)
                elif shift is not None:
                    # The rows minus the shift go block after block into one buffer. With
                    # it and the tiled shift, two more arrays of the block's size: half
                    # the rows keep the pass's arrays in cache (bench_shapes).
                    rows //= 2
                    tiled = tiled_rows(shift, min(rows, n_samples))
                    centered = np.empty_like(tiled)
                for start in range(0, n_samples, rows):
                    block = X[start : start + rows]
                    if by_map:
                        log_prob = weighted_log_prob(
                            feature_map(block, covariance_type, 0 if shift is None else shift),
                            theta,
                        )
                    else:  # no map: the rows (minus the shift) and their squares
                        if shift is not None:
                            block = np.subtract(
                                block, tiled[: len(block)], out=centered[: len(block)]
                            )
                        log_prob = log_prob_by_products(block, theta, covariance_type)
                    out[:, start : start + rows] = log_prob
        out[np.isnan(out)] = -np.inf
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
        return stable_logsumexp(self._weighted_log_prob(X), axis=0, keepdims=False)

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
        if self.means_.shape[0] == 1:
            # The only component is every sample's most probable one (numpy's argmax of
            # one value, -inf or NaN included, is 0): no log-probabilities to compute.
            return np.zeros(X.shape[0], dtype=np.intp)
        return most_probable(self._weighted_log_prob(X))

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
        with np.errstate(invalid="ignore"):  # NaN where every density is 0, as in sklearn
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
        rng = check_random_state(self.random_state)
        # scikit-learn's draws, one call per component in the same order.
        counts = rng.multinomial(n_samples, self.weights_.astype(np.float64))
        means = self.means_.astype(np.float64)
        covariances = self.covariances_.astype(np.float64)
        if self.covariance_type == "tied":
            covariances = [covariances] * self.n_components
        if self.covariance_type in ("full", "tied"):
            parts = [
                rng.multivariate_normal(mean, cov, int(count))
                for mean, cov, count in zip(means, covariances, counts)
            ]
        else:
            parts = [
                mean + rng.standard_normal(size=(count, means.shape[1])) * np.sqrt(cov)
                for mean, cov, count in zip(means, covariances, counts)
            ]
        labels = np.repeat(np.arange(self.n_components, dtype=np.int64), counts)
        return np.vstack(parts), labels

    def _n_parameters(self):
        """Number of free parameters of the model: weights, means and covariances."""
        n_components, n_features = self.means_.shape
        covariance_parameters = {
            "full": n_components * n_features * (n_features + 1) / 2.0,
            "tied": n_features * (n_features + 1) / 2.0,
            "diag": n_components * n_features,
            "spherical": n_components,
        }[self.covariance_type]
        return int(covariance_parameters + n_features * n_components + n_components - 1)

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
        n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
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
        n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
        return -2 * self.score(X) * n_samples + 2 * self._n_parameters()

    def __getstate__(self):
        # The natural parameters cached for inference are not saved: they are rebuilt from
        # the fitted arrays, and a saved model then holds no private type
        # (docs/saving.rst).
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        state.pop("_inference_cache", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if hasattr(self, "means_") and "_inference_cache" not in self.__dict__:
            store_inference_cache(self)


def _refuse_overflowing(X):
    """Raise ValueError if the squares of ``X``'s deviations from its mean overflow.

    EM sums them (the second moments, in float64 at least); past float64's range the
    statistics become infinite and the fit would fail as if components had collapsed.
    Values below 1e100 cannot overflow, whatever the number of rows, so the careful
    check runs only above.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        largest = float(np.abs(X).max())
        if largest < 1e100:
            return
        deviations = X.astype(np.float64) - X.mean(axis=0, dtype=np.float64)
        if np.isfinite(np.einsum("ij,ij->", deviations, deviations)):
            return
    raise ValueError(
        "Fitting the mixture model failed because the data's values overflowed: the "
        "squares of their deviations from the mean exceed the float64 range (the largest "
        f"magnitude is {largest:.3g}). Scale the data (e.g. StandardScaler) before fitting."
    )


def most_probable(log_prob):
    """``log_prob.argmax(axis=0)`` of the (n_components, n_samples) log-probabilities: in
    each column, the first component of the largest value.

    numpy's argmax along the first axis of a C-ordered array reads each column's few
    numbers far apart in memory, one column at a time; the columns' maxima and one
    comparison per component, each over a contiguous row, cost less (docs/performance.rst,
    "Fast paths"). A column with NaN (argmax gives its first NaN) is left to numpy.
    """
    largest = log_prob.max(axis=0)
    if np.isnan(largest).any():
        return log_prob.argmax(axis=0)
    labels = np.zeros(log_prob.shape[1], dtype=np.intp)
    equal = np.empty(log_prob.shape[1], dtype=bool)
    # From the last component to the first, so the first of equal values wins.
    for component in range(log_prob.shape[0] - 1, -1, -1):
        np.equal(log_prob[component], largest, out=equal)
        np.copyto(labels, component, where=equal)
    return labels
