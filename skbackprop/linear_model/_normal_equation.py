"""NormalEquationRegressor: least squares and ridge regression in closed form.

The normal equation (user guide, :ref:`normal_equation`) sets the gradient of
``J(theta) = (X theta - y)^T W (X theta - y) + alpha ||theta||^2`` to zero::

    (X^T W X + alpha I) theta = X^T W y

The estimator gathers the sufficient statistics of the rows and solves the equations from
them (:mod:`~skbackprop.linear_model._least_squares`), in memory, chunk by chunk
(``partial_fit``) or on a dask array, whose row blocks are reduced to their statistics on
the workers: only ``O(n_features^2)`` numbers come back to the client.
"""

import dataclasses
from contextlib import contextmanager
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import assert_all_finite
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import _check_sample_weight, check_array, validate_data

from ..utils import check_fit_input, check_predict_input
from ..utils._dask import check_numeric_dtype, is_dask_array, map_reduce, row_blocks
from ..utils._threadpool import scipy_blas_threads
from ..utils._validation import sum_is_finite
from ..utils.linalg import block_rows
from ._least_squares import (
    SufficientStatistics,
    WeightedRows,
    formulation,
    matrix_rank,
    singular_values,
    solve_from_rows,
    solve_normal_equations,
    sufficient_statistics,
)
from ._sparse_lsqr import LsqrFit, lsqr_solve

__all__ = ["NormalEquationRegressor"]


class NormalEquationRegressor(RegressorMixin, BaseEstimator):
    """Least squares or ridge regression solved in closed form by the normal equation.

    Solves ``(X^T W X + alpha I) theta = X^T W y`` where ``W`` holds the sample weights; with
    ``fit_intercept`` the columns are centered first, so the intercept is not penalized. The
    Gram matrix ``X^T W X`` is symmetric, so it is formed with one symmetric rank-k update
    (BLAS ``syrk``) and solved by Cholesky factorization; this costs one pass over ``X`` and
    no copy of it, far less than the SVD of ``X`` that
    :class:`~sklearn.linear_model.LinearRegression` computes. On wide data (fewer rows than
    features), where that matrix is the larger one, ``fit`` solves the equivalent ``n x n``
    problem of the kernel matrix ``X W X^T`` instead, by Cholesky, refined through the rows
    where the kernel matrix's error bound is missed (for least squares, the SVD of the rows
    where that fails or ``tol`` drops directions; user guide, :ref:`normal_equation_wide`).

    The normal equations square the condition number of ``X``.  The ``'auto'`` solver checks
    both ways this can go wrong and then falls back to a minimum-norm least-squares solve:

    - ``X`` is rank-deficient in LinearRegression's sense (a singular value of the centered,
      weighted ``X`` at or below ``tol`` times the largest, with ``alpha=0``): the answer is
      LinearRegression's minimum-norm solution, which the Cholesky solve cannot give;
    - the Cholesky error bound ``eps / rcond`` of the equilibrated Gram matrix exceeds 1e-9.

    In ``fit`` on dense data an ill-conditioned ``X`` of full rank first gets its Cholesky
    answer refined through the rows (a step or two of two products with them, which reach
    the SVD's accuracy), a rank-deficient ``X`` whose remaining directions are well
    conditioned gets the Gram matrix's pseudo-inverse where that costs less than the SVD
    (``solver_`` ``'eigh'``; user guide, :ref:`normal_equation_unstable`), and the
    fallback is
    the SVD of the centered data (LAPACK ``gelsd`` through :func:`scipy.linalg.lstsq` with
    ``cond=tol``: LinearRegression's own computation, hence its answer); on sparse data and
    after ``partial_fit``, where the rows are not at
    hand, it is the eigendecomposition of the accumulated Gram matrix, and a
    :class:`~scipy.linalg.LinAlgWarning` says so when the coefficients may have lost accuracy.

    On sparse ``X``, forming ``X^T W X`` fills in and its factorization costs ``d^3 / 3``;
    where that costs more than LSQR's iterations (a cost model), ``fit`` with
    ``solver='auto'`` solves by LSQR instead, as LinearRegression does on sparse data
    (``solver_`` ``'lsqr'``; user guide, :ref:`normal_equation_sparse`): for least squares
    the same computation, so the same coefficients, accurate to about ``tol`` rather than
    to rounding; for ridge on tall ``X`` on the columns scaled to unit norm. Such a
    model keeps no sums of the rows, so ``partial_fit`` cannot continue it, and has no
    ``rank_`` or ``singular_`` (as LinearRegression on sparse data); ``solver='cholesky'``
    solves the normal equations of sparse ``X`` exactly.

    Parameters
    ----------
    alpha : float, default=0.0
        L2 penalty ``alpha * ||theta||^2`` (user guide, :ref:`normal_equation`); 0 is
        ordinary least squares, a positive value is :class:`~sklearn.linear_model.Ridge`
        with the same ``alpha``.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept by centering ``X`` and ``y``.
    copy_X : bool, default=True
        The statistics never modify ``X``; only the dense SVD fallback centers ``X`` in place
        when this is False (as LinearRegression does), to save a copy.
    solver : {'auto', 'cholesky', 'lstsq'}, default='auto'
        ``'cholesky'`` always solves the normal equations by Cholesky (raising if the Gram
        matrix is not positive definite and warning if it is ill-conditioned); ``'lstsq'``
        always uses the minimum-norm solve described above; ``'auto'`` uses Cholesky when it
        is accurate and the minimum-norm solve otherwise, and on sparse data LSQR where it
        costs less.
    tol : float, default=1e-6
        Singular values of the centered, weighted ``X`` at or below ``tol`` times the largest
        are treated as zero, as ``tol`` (the ``cond`` of :func:`scipy.linalg.lstsq`) does in
        LinearRegression on dense data.  Used when ``alpha=0``.  On sparse data solved by
        LSQR it is LSQR's ``atol`` and ``btol``, as in LinearRegression (and, for ridge,
        on the columns scaled to unit norm; user guide, :ref:`normal_equation_sparse`).
    n_jobs : int, default=None
        Accepted for compatibility with :class:`~sklearn.linear_model.LinearRegression` and
        ignored.  There it runs one job per target (``positive=True`` or sparse
        multi-output); here every target shares one Gram matrix, whose product and solves
        run on the BLAS library's threads (set them with ``threadpoolctl``).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (not the intercept), as in
        LinearRegression and Ridge.  A target whose unconstrained solution is already
        non-negative keeps it (it is then the constrained optimum, in closed form); the
        others are solved on the Gram matrix by Lawson and Hanson's active-set method, and
        ``solver_`` is ``'active-set'``.  Unlike LinearRegression, sparse ``X``,
        ``partial_fit`` and dask arrays are supported.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients; 2-D when ``y`` was 2-D.  Same dtype as ``X`` (float32 stays float32,
        and float16 gives float16, as in LinearRegression; the solve is in float64, but
        for sparse float32 ``X`` solved by LSQR, in float32 as LinearRegression's).
    intercept_ : float or ndarray of shape (n_targets,)
        Independent term; ``0.0`` when ``fit_intercept=False``.
    rank_ : int
        Rank of the centered, weighted ``X``: the number of singular values above ``tol``
        times the largest.  Absent after a fit by LSQR, as ``singular_``.
    singular_ : ndarray of shape (min(n_samples, n_features),)
        Singular values of the centered, weighted ``X``, descending.  When the SVD fallback
        ran they come from it; otherwise they are ``sqrt`` of the eigenvalues of the Gram
        matrix (of the kernel matrix on wide data), which agree with the SVD's down to
        about ``sqrt(eps) * singular_[0]`` (1.5e-8 times the largest); smaller ones are
        only known to be that small.
    solver_ : {'cholesky', 'lstsq', 'eigh', 'active-set', 'lsqr'}
        The solve that produced ``coef_``: Cholesky, the SVD of the data, the
        eigendecomposition, (``positive=True``) the active-set method, or on sparse data
        LSQR. The eigendecomposition is of the Gram matrix ``X^T W X``; Cholesky is of it,
        or on wide data of the kernel matrix ``X W X^T`` (user guide,
        :ref:`normal_equation_wide`).
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when ``X`` has string feature names.

    See Also
    --------
    sklearn.linear_model.LinearRegression : Least squares by the SVD of ``X``.
    sklearn.linear_model.Ridge : L2-penalized least squares.

    Notes
    -----
    ``partial_fit`` keeps the sufficient statistics (``O(n_features^2)`` memory,
    independent of the number of rows) and re-solves after every chunk, so a model fitted
    chunk by chunk equals the model fitted on all rows at once: exact out-of-core least
    squares. (On sparse data where ``fit`` takes LSQR, the two agree to LSQR's ``tol``.)

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop import NormalEquationRegressor
    >>> X = np.array([[1, 1], [1, 2], [2, 2], [2, 3]])
    >>> y = np.dot(X, np.array([1, 2])) + 3
    >>> reg = NormalEquationRegressor().fit(X, y)
    >>> reg.coef_
    array([1., 2.])
    >>> reg.intercept_
    np.float64(3.0)
    >>> reg.predict(np.array([[3, 5]]))
    array([16.])
    >>> chunked = NormalEquationRegressor()
    >>> for rows in (slice(0, 2), slice(2, 4)):
    ...     chunked = chunked.partial_fit(X[rows], y[rows])
    >>> chunked.coef_
    array([1., 2.])
    """

    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "solver": [StrOptions({"auto", "cholesky", "lstsq"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [None, Integral],
        "positive": ["boolean"],
    }

    def __init__(
        self,
        alpha=0.0,
        *,
        fit_intercept=True,
        copy_X=True,
        solver="auto",
        tol=1e-6,
        n_jobs=None,
        positive=False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.solver = solver
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the linear model on all rows at once.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        with _restored_on_error(self):
            if is_dask_array(X):  # the statistics are reduced on the dask cluster
                return self._fit_dask(X, y, sample_weight)
            return self._update(X, y, sample_weight, reset=True, keep_data=True)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Add a chunk of rows to the sufficient statistics and re-solve.

        After any number of calls, the model equals :meth:`fit` on all the chunks' rows
        stacked together (to rounding; to LSQR's ``tol`` where that fit takes LSQR on
        sparse data). It cannot continue a fit by LSQR, which keeps no sums of the rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its targets; the same number of targets in every call.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        reset = not hasattr(self, "_statistics")
        with _restored_on_error(self):
            return self._update(X, y, sample_weight, reset=reset, keep_data=False)

    def _update(self, X, y, sample_weight, reset, keep_data):
        if not (sp.issparse(X) or is_dask_array(X)) and np.asarray(X).dtype.kind in "SUV":
            # validate_data's float dtypes would parse numbers written as strings;
            # LinearRegression validates dtype='numeric', which refuses them.
            raise ValueError(
                "dtype='numeric' is not compatible with arrays of bytes/strings.Convert your "
                "data to numeric values explicitly instead."
            )
        # float16 input is solved in float64 and gives float16 coefficients, as
        # LinearRegression's do (and then float16 predictions on float16 input).
        half = getattr(X, "dtype", None) == np.float16
        # X is tested for NaN and infinity only when the fit raises (one pass over X fewer,
        # docs/performance.rst): they make its sums non-finite, and sufficient_statistics
        # then raises. The test comes before that error or any other, as scikit-learn's
        # test of X comes first.
        X, y = check_fit_input(
            self,
            X,
            y,
            reset=reset,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            y_numeric=True,
            multi_output=True,
            check_finite=False,
        )
        try:
            return self._fit_checked(X, y, sample_weight, reset, keep_data, half)
        except Exception:
            _check_finite_X(self, X)
            raise

    def _fit_checked(self, X, y, sample_weight, reset, keep_data, half):
        """_update after the check of X and y, with X perhaps not yet tested for NaN and
        infinity."""
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight,
                X,
                dtype=np.float64,
                allow_all_zero_weights=True,  # a chunk may; the total may not (below)
            )
            _check_nonnegative(sample_weight)
        y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
        previous = None if reset else _as_statistics(self._statistics)
        if previous is not None and (
            (y.ndim == 1) != (self.coef_.ndim == 1) or y_2d.shape[1] != previous.mean_y.shape[0]
        ):
            raise ValueError(
                f"y has shape {y.shape} but earlier calls to partial_fit had "
                f"{previous.mean_y.shape[0]} target(s) with y of ndim "
                f"{1 if self.coef_.ndim == 1 else 2}; pass y with the same number of "
                "targets in every call, or call fit to start over."
            )
        n_samples, n_features = X.shape
        dtype = np.float16 if half else X.dtype
        method = self._formulation(X, sample_weight) if keep_data else "gram"
        if method != "gram" or (sample_weight is not None and not sample_weight.any()):
            # Only the normal equations' sums, of rows of some weight, would show them.
            _check_finite_X(self, X)
        if method == "lsqr":
            coef, solved = lsqr_solve(
                X,
                y_2d,
                sample_weight,
                alpha=self.alpha,
                fit_intercept=self.fit_intercept,
                tol=self.tol,
            )
            if coef is not None:
                return self._set_solution(coef, solved, "lsqr", dtype, y.ndim)
        elif method != "gram":
            coef, rank, singular, solver, rows = solve_from_rows(
                X,
                y_2d,
                sample_weight,
                alpha=self.alpha,
                fit_intercept=self.fit_intercept,
                tol=self.tol,
                kernel=method == "kernel" and self.solver == "auto",
            )
            if coef is not None:
                return self._set_solution(coef, rows, solver, dtype, y.ndim, rank, singular)
        if sp.issparse(X) and X.format != "csr":
            X = X.tocsr()  # the normal equations read row blocks; LSQR reads X as given
        # The products run a row block at a time (weighted_gram): each BLAS call's size
        # decides whether it is worth sharing between the threads.
        rows = min(n_samples, block_rows(n_features))
        with scipy_blas_threads(rows * n_features * (n_features + y_2d.shape[1])):
            statistics = sufficient_statistics(X, y_2d, sample_weight)
        if previous is not None:
            statistics = previous + statistics
        # All the rows are at hand (and dense) only in a fit; then the minimum-norm fallback
        # can be the SVD of the data itself rather than the eigendecomposition of the Gram
        # matrix.  partial_fit always solves from the statistics, chunk after chunk alike.
        data = (X, y_2d, sample_weight) if keep_data and not sp.issparse(X) else None
        return self._fit_statistics(statistics, data, dtype, y.ndim)

    def _formulation(self, X, sample_weight):
        """How ``fit`` solves: from the Gram matrix (``'gram'``), on wide dense data from
        the rows' ``'kernel'`` (the cost model is
        :func:`~skbackprop.linear_model._least_squares.formulation`), or on sparse data by
        ``'lsqr'`` where :func:`~skbackprop.linear_model._sparse_lsqr.lsqr_iterations`
        finds it cheaper."""
        if self.positive or (sample_weight is not None and not sample_weight.sum() > 0):
            return "gram"
        if sp.issparse(X):
            return "lsqr" if self.solver == "auto" else "gram"
        if self.solver == "auto" or (self.solver == "lstsq" and self.alpha == 0):
            return formulation(*X.shape, self.alpha, self.fit_intercept)
        return "gram"

    def _fit_statistics(self, statistics, data, dtype, y_ndim):
        """Solve the normal equations of ``statistics`` and set the fitted attributes.

        Shared by the in-memory and the dask fits, which differ only in how they gather
        the statistics.

        Parameters
        ----------
        statistics : SufficientStatistics
            Of every row seen.
        data : tuple of (X, y_2d, sample_weight) or None
            The rows themselves, when at hand, for the SVD fallback.
        dtype : numpy dtype
            The precision of X, that of the fitted coefficients.
        y_ndim : int
            1 gives a 1D ``coef_`` and a scalar ``intercept_``.

        Returns
        -------
        self : object
        """
        if statistics.sum_weights == 0:
            raise ValueError(
                "The sample weights sum to zero, so there is nothing to fit; give at least "
                "one sample a positive weight."
            )
        if not statistics.is_finite():
            raise ValueError(
                "The sums of squares of the rows seen overflow float64: the chunks given to "
                "partial_fit differ by many orders of magnitude. Scale X and y (for example "
                "with StandardScaler fitted on a first chunk), or fit all rows at once."
            )
        # The statistics may be those of X 2^-e and y 2^-f (see SufficientStatistics):
        # solve in those units, where nothing overflows, and scale back.
        if self.alpha > 0 and statistics.x_exponent < 0:
            # Tiny X was scaled up; its penalty alpha 2^-2e would overflow as alpha dwarfs
            # X's Gram matrix.  The unscaled problem is then the one float64 can hold.
            statistics = statistics.rescaled(0, statistics.y_exponent)
        x_exponent = statistics.x_exponent
        coef, rank, singular, solver, statistics = solve_normal_equations(
            statistics,
            data,
            alpha=np.ldexp(float(self.alpha), -2 * x_exponent),
            fit_intercept=self.fit_intercept,
            solver=self.solver,
            tol=self.tol,
            copy_X=self.copy_X,
            positive=self.positive,
        )
        return self._set_solution(coef, statistics, solver, dtype, y_ndim, rank, singular)

    def _set_solution(self, coef, statistics, solver, dtype, y_ndim, rank=None, singular=None):
        """Set the fitted attributes from the solution ``coef`` (n_features, n_targets) of
        the rows that ``statistics`` (SufficientStatistics or WeightedRows) describe."""
        x_exponent, y_exponent = statistics.x_exponent, statistics.y_exponent
        if singular is not None:
            self._rank, self._singular = rank, self._scaled_singular(singular, x_exponent, dtype)
        else:  # computed when first read: the Cholesky answer needed no eigenvalues
            self._rank = self._singular = None

        # (n_targets, n_features)
        coef = np.ldexp(coef.T, y_exponent - x_exponent).astype(dtype, copy=False)
        if self.fit_intercept:
            scaled_coef = np.ldexp(coef.astype(np.float64), x_exponent - y_exponent)
            intercept = np.ldexp(statistics.mean_y - scaled_coef @ statistics.mean_X, y_exponent)
            intercept = intercept.astype(dtype)
        else:
            intercept = 0.0
        if y_ndim == 1:
            coef = coef.ravel()
            if self.fit_intercept:
                intercept = intercept[0]
        self.coef_ = coef
        self.intercept_ = intercept
        self.solver_ = solver
        self._statistics = statistics
        return self

    @property
    def rank_(self):
        """Rank of the centered, weighted ``X``: singular values above ``tol`` times the
        largest."""
        if self._rank is None:
            self._rank = matrix_rank(self._gram_singular_values(), self.tol)
        return self._rank

    @property
    def singular_(self):
        """Singular values of the centered, weighted ``X``, descending (see the class)."""
        if self._singular is None:
            self._singular = self._scaled_singular(
                self._gram_singular_values(), self._statistics.x_exponent, self.coef_.dtype
            )
        return self._singular

    def _gram_singular_values(self):
        if isinstance(self._statistics, LsqrFit):
            raise AttributeError(
                "The singular values and rank of X are not known: this model was fitted on "
                "sparse X by LSQR (solver_='lsqr'), which does not compute them, as "
                "LinearRegression on sparse X does not. Fit with solver='cholesky' or "
                "'lstsq' to have rank_ and singular_."
            )
        if isinstance(self._statistics, WeightedRows):
            return self._statistics.singular_values()
        A, _ = self._statistics.normal_equations(self.fit_intercept)
        return singular_values(A, self._statistics.n_samples)[0]

    @staticmethod
    def _scaled_singular(singular, x_exponent, dtype):
        with np.errstate(over="ignore"):  # only the singular values of sqrt(W) X may be inf
            return np.ldexp(singular, x_exponent).astype(dtype, copy=False)

    def _fit_dask(self, X, y, sample_weight):
        """Fit on dask arrays: each row block's statistics on its worker, added there.

        The coefficients equal an in-memory fit's to rounding whenever that fit solves the
        normal equations (``solver_`` 'cholesky'); where it would fall back to the SVD of
        the data, this path, which never holds the rows, uses the eigendecomposition of
        the Gram matrix, as ``partial_fit`` does.
        """
        if y is None:
            raise ValueError(
                "NormalEquationRegressor requires y to be passed, but the target y is None; "
                "pass the targets as a dask or numpy array."
            )
        check_numeric_dtype(X)
        # Only the shape is read here; the blocks are checked on the workers.
        validate_data(self, X, reset=True, skip_check_array=True)
        y_ndim = len(np.shape(y))
        if y_ndim not in (1, 2):
            raise ValueError(
                f"y must be 1D or 2D, got ndim={y_ndim}; pass y of shape (n_samples,) or "
                "(n_samples, n_targets)."
            )
        dtype = np.float32 if X.dtype == np.float32 else np.float64
        statistics = map_reduce(_block_statistics, row_blocks(X, y, sample_weight))
        return self._fit_statistics(statistics, None, dtype, y_ndim)

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        """
        dtype = (np.float64, np.float32, np.float16)
        X = check_predict_input(
            self, X, accept_sparse=["csr", "csc"], dtype=dtype, check_finite=False
        )
        # NaN or infinity in X always makes a prediction NaN or infinite (0 * inf is NaN),
        # so X is tested for them only then, with scikit-learn's error: one pass over X
        # fewer (docs/performance.rst). Finite X whose predictions overflow passes. The
        # product's "invalid value" warning comes only from such X, which the test refuses.
        with np.errstate(invalid="ignore"):
            prediction = safe_sparse_dot(X, self.coef_.T, dense_output=True)
            # In place: the product is a fresh array of the result's dtype, which the
            # intercept (of the coefficients' dtype) does not widen.
            prediction += self.intercept_
        if not sum_is_finite(prediction):
            check_predict_input(self, X, accept_sparse=["csr", "csc"], dtype=dtype)
        return prediction

    def score(self, X, y, sample_weight=None):
        """The coefficient of determination R^2 of the predictions on ``X`` for ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            True values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R^2 of ``self.predict(X)`` against ``y``; -inf where the squared errors
            overflow (numpy's warnings then are silenced: the value says it).
        """
        with np.errstate(over="ignore", invalid="ignore"):
            return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags

    def __getstate__(self):
        # The statistics partial_fit continues from are saved as a dict of arrays and
        # numbers: a saved model holds no private type (docs/saving.rst).
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        if "_statistics" in state:
            state["_statistics"] = dataclasses.asdict(state["_statistics"])
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        saved = self.__dict__.get("_statistics")
        if isinstance(saved, dict):
            if "rows" in saved:
                kind = WeightedRows
            elif "scatter_XX" in saved:
                kind = SufficientStatistics
            else:
                kind = LsqrFit
            self._statistics = kind(**saved)


def _as_statistics(solved):
    """The sufficient statistics of the rows a fit solved from (formed now after a fit
    through the kernel matrix, which kept the rows instead)."""
    if isinstance(solved, LsqrFit):
        raise ValueError(
            "partial_fit cannot continue this model: it was fitted on sparse X by LSQR "
            "(solver_='lsqr'), which keeps no sums of the rows to add a chunk to. Fit with "
            "solver='cholesky' to keep them, or give every chunk to partial_fit from the "
            "start."
        )
    return solved.sufficient_statistics() if isinstance(solved, WeightedRows) else solved


@contextmanager
def _restored_on_error(estimator):
    """A failed (partial_)fit leaves the fitted state exactly as it was (the same objects)."""
    saved = dict(vars(estimator))
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(saved)
        raise


def _check_finite_X(estimator, X):
    """scikit-learn's error for NaN or infinity in the training data ``X``."""
    assert_all_finite(X, estimator_name=type(estimator).__name__, input_name="X")


def _check_nonnegative(sample_weight):
    if np.any(sample_weight < 0):
        raise ValueError(
            "Negative values in data passed to `sample_weight`. Weights must be >= 0: "
            "drop those samples or give them weight 0."
        )


def _block_statistics(X, y, sample_weight):
    """Validate one row block of a dask fit on its worker and return its statistics."""
    name = "NormalEquationRegressor"
    X = check_array(
        X, dtype=[np.float64, np.float32], ensure_min_samples=0, estimator=name, input_name="X"
    )
    y = check_array(y, ensure_2d=False, ensure_min_samples=0, dtype=np.float64, input_name="y")
    if sample_weight is not None:
        sample_weight = check_array(
            sample_weight,
            ensure_2d=False,
            ensure_min_samples=0,
            dtype=np.float64,
            input_name="sample_weight",
        ).reshape(-1)
        _check_nonnegative(sample_weight)
    return sufficient_statistics(X, y.reshape(len(y), -1), sample_weight)
