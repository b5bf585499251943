"""NormalEquationRegressor: agreement with LinearRegression and Ridge, fallback, partial_fit."""

import pickle
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.linalg import LinAlgWarning
from scipy.optimize import nnls
from scipy.sparse.linalg import LinearOperator
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.estimator_checks import parametrize_with_checks

import skbackprop.linear_model._normal_equation as normal_equation_module
import skbackprop.linear_model._sparse_lsqr as sparse_lsqr
from skbackprop import NormalEquationRegressor
from skbackprop.linear_model._least_squares import formulation, sufficient_statistics
from skbackprop.linear_model._sparse_lsqr import lsqr_iterations


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    rng = np.random.default_rng(0)
    weights = rng.uniform(0.0, 3.0, size=len(y))
    Y = np.column_stack([y, np.sqrt(y), X[:, 2] * 40 - y])
    return X, y, Y, weights


def _assert_same_model(ours, theirs, rtol=1e-8):
    scale = np.abs(theirs.coef_).max()
    assert ours.coef_.shape == theirs.coef_.shape
    assert_allclose(ours.coef_, theirs.coef_, rtol=rtol, atol=rtol * scale)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("multi_output", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_agrees_with_linear_regression_on_diabetes(
    diabetes, fit_intercept, weighted, multi_output, sparse
):
    X, y, Y, weights = diabetes
    target = Y if multi_output else y
    sample_weight = weights if weighted else None
    theirs = LinearRegression(fit_intercept=fit_intercept).fit(X, target, sample_weight)
    X_fit = sp.csr_matrix(X) if sparse else X
    # On sparse X, 'auto' may take LinearRegression's LSQR (test_sparse_fit_is_...):
    # 'cholesky' solves the normal equations of sparse X, exactly.
    ours = NormalEquationRegressor(
        fit_intercept=fit_intercept, solver="cholesky" if sparse else "auto"
    ).fit(X_fit, target, sample_weight=sample_weight)
    _assert_same_model(ours, theirs)
    assert ours.rank_ == theirs.rank_
    assert_allclose(ours.singular_, theirs.singular_, rtol=1e-8)
    assert_allclose(ours.predict(X_fit), theirs.predict(X), rtol=1e-8)


@pytest.mark.parametrize("alpha", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_agrees_with_ridge_on_diabetes(diabetes, alpha, weighted, sparse):
    X, _, Y, weights = diabetes
    sample_weight = weights if weighted else None
    X_fit = sp.csr_matrix(X) if sparse else X
    # Ridge on sparse input iterates; a tight tol makes its answer the exact one.
    theirs = Ridge(alpha=alpha, tol=1e-12).fit(X_fit, Y, sample_weight=sample_weight)
    ours = NormalEquationRegressor(alpha=alpha).fit(X_fit, Y, sample_weight=sample_weight)
    _assert_same_model(ours, theirs)


def test_sparse_matches_sparse_linear_regression(diabetes):
    X, y, _, weights = diabetes
    theirs = LinearRegression(tol=1e-14).fit(sp.csr_matrix(X), y, sample_weight=weights)
    ours = NormalEquationRegressor(tol=1e-14).fit(sp.csr_matrix(X), y, sample_weight=weights)
    _assert_same_model(ours, theirs, rtol=1e-9)  # lsqr stops at its own tolerance


def _sparse_problem(n_samples, n_features, density, n_targets=1, smallest_scale=1.0, seed=0):
    """Sparse X with standard normal nonzeros, its columns scaled from 1 down to
    ``smallest_scale`` (geometrically), and targets of a linear model with noise."""
    rng = np.random.default_rng(seed)
    X = sp.random(n_samples, n_features, density=density, format="csr", rng=rng)
    X.data = rng.standard_normal(X.nnz)
    X = (X @ sp.diags(np.geomspace(1.0, smallest_scale, n_features))).tocsr()
    Y = X @ rng.standard_normal((n_features, n_targets)) + 3.0
    Y += rng.standard_normal(Y.shape)
    return X, Y[:, 0] if n_targets == 1 else Y, rng.uniform(0.0, 3.0, n_samples)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_targets", [1, 2])
def test_sparse_fit_is_linear_regressions_lsqr(fit_intercept, weighted, n_targets):
    # Where X^T X costs more than LSQR's iterations, the fit is LinearRegression's own
    # computation on sparse X, hence its answer bit for bit; Ridge(solver='lsqr') alike.
    X, y, weights = _sparse_problem(2000, 300, 0.05, n_targets)
    sample_weight = weights if weighted else None
    ours = NormalEquationRegressor(fit_intercept=fit_intercept).fit(X, y, sample_weight)
    theirs = LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight)
    assert ours.solver_ == "lsqr"
    assert_array_equal(ours.coef_, theirs.coef_)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-12, atol=1e-12)
    # The normal equations' exact solution, to LSQR's tolerance (tol=1e-6).
    exact = NormalEquationRegressor(fit_intercept=fit_intercept, solver="cholesky")
    _assert_same_model(ours, exact.fit(X, y, sample_weight), rtol=1e-5)
    # Ridge scales the columns first: the exact solution and Ridge's LSQR, to tol.
    ridge = NormalEquationRegressor(alpha=2.0, fit_intercept=fit_intercept)
    ridge.fit(X, y, sample_weight)
    assert ridge.solver_ == "lsqr"
    exact = NormalEquationRegressor(alpha=2.0, fit_intercept=fit_intercept, solver="cholesky")
    _assert_same_model(ridge, exact.fit(X, y, sample_weight), rtol=1e-5)
    theirs = Ridge(alpha=2.0, fit_intercept=fit_intercept, solver="lsqr", tol=1e-6)
    _assert_same_model(ridge, theirs.fit(X, y, sample_weight), rtol=1e-5)
    # LinearRegression on sparse X has no rank_ or singular_, and LSQR computes neither.
    for name in ("rank_", "singular_"):
        with pytest.raises(AttributeError, match=r"sparse X by LSQR.*solver='cholesky'"):
            getattr(ours, name)


@pytest.mark.parametrize("weighted", [False, True])
def test_float32_sparse_fit_is_linear_regressions_float32_lsqr(weighted, monkeypatch):
    # LinearRegression solves float32 sparse X in float32 (its targets, means and weights
    # too): the same bits, and every product of X with a float32 vector (scipy converts
    # all of X's values to float64 for a float64 vector).
    X, y, weights = _sparse_problem(2000, 300, 0.05, 1)
    X32 = X.astype(np.float32)
    sample_weight = weights if weighted else None
    vectors = []
    centered_rows = sparse_lsqr._centered_rows

    def recording(*args):
        rows = centered_rows(*args)

        def matvec(b):
            vectors.append(b.dtype)
            return rows.matvec(b)

        def rmatvec(r):
            vectors.append(r.dtype)
            return rows.rmatvec(r)

        return LinearOperator(rows.shape, matvec=matvec, rmatvec=rmatvec, dtype=rows.dtype)

    monkeypatch.setattr(sparse_lsqr, "_centered_rows", recording)
    ours = NormalEquationRegressor().fit(X32, y, sample_weight)
    theirs = LinearRegression().fit(X32, y, sample_weight)
    assert vectors
    assert set(vectors) == {np.dtype(np.float32)}
    assert ours.solver_ == "lsqr"
    assert ours.coef_.dtype == np.float32
    assert_array_equal(ours.coef_, theirs.coef_)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-6)
    # Within float32's reach of the exact solution; ridge too.
    exact = NormalEquationRegressor(solver="cholesky").fit(X, y, sample_weight)
    assert_allclose(ours.coef_, exact.coef_, rtol=0, atol=1e-5 * np.abs(exact.coef_).max())
    ridge = NormalEquationRegressor(alpha=2.0).fit(X32, y, sample_weight)
    exact = NormalEquationRegressor(alpha=2.0, solver="cholesky").fit(X, y, sample_weight)
    assert ridge.solver_ == "lsqr"
    assert_allclose(ridge.coef_, exact.coef_, rtol=0, atol=1e-5 * np.abs(exact.coef_).max())


@pytest.mark.parametrize("weighted", [False, True])
def test_csc_is_fitted_as_given(weighted, monkeypatch):
    # LinearRegression runs LSQR on CSC X itself: the same bits, without a CSR copy; the
    # normal equations (solver='cholesky') read it as CSR; predict takes it as it is.
    X, y, weights = _sparse_problem(2000, 300, 0.05, 1)
    X_csc = X.tocsc()
    sample_weight = weights if weighted else None
    solved = []
    lsqr_solve = normal_equation_module.lsqr_solve

    def recording(X, *args, **kwargs):
        solved.append(X)
        return lsqr_solve(X, *args, **kwargs)

    monkeypatch.setattr(normal_equation_module, "lsqr_solve", recording)
    ours = NormalEquationRegressor().fit(X_csc, y, sample_weight)
    theirs = LinearRegression().fit(X_csc, y, sample_weight)
    assert ours.solver_ == "lsqr"
    assert_array_equal(ours.coef_, theirs.coef_)
    assert solved[0] is X_csc  # no CSR copy
    exact = NormalEquationRegressor(solver="cholesky")
    assert_array_equal(
        exact.fit(X_csc, y, sample_weight).coef_, exact.fit(X, y, sample_weight).coef_
    )
    predictions = ours.predict(X)
    assert_allclose(ours.predict(X_csc), predictions, atol=1e-12 * np.abs(predictions).max())


def test_sparse_fit_takes_the_normal_equations_where_they_cost_less_or_are_exact():
    # Small X: forming X^T X costs less than LSQR's iterations.
    X, y, _ = _sparse_problem(200, 10, 0.3)
    assert lsqr_iterations(X, 1, 0.0, True) == 0
    assert NormalEquationRegressor().fit(X, y).solver_ == "cholesky"
    X, y, _ = _sparse_problem(2000, 300, 0.05)
    assert 10 <= lsqr_iterations(X, 1, 0.0, True) <= 600  # at most 2 n_features
    assert lsqr_iterations(X, 1, 0.0, True) > lsqr_iterations(X, 2, 0.0, True)
    # Columns of scales 1 to 1e-2 slow LSQR down: at the cost model's limit (fewer than
    # 2 n_features iterations) the normal equations answer.
    X, y, _ = _sparse_problem(2000, 300, 0.05, smallest_scale=1e-2)
    ours = NormalEquationRegressor(tol=1e-12).fit(X, y)
    assert ours.solver_ == "cholesky"
    exact = NormalEquationRegressor(solver="cholesky").fit(X, y)
    _assert_same_model(ours, exact, rtol=1e-12)
    # A column 1e10 standard deviations from zero: LSQR's centering would cancel more
    # than half the digits.
    shifted = sp.hstack([X, sp.csr_matrix(1e9 + np.arange(2000.0)[:, None] / 2000)]).tocsr()
    offset = NormalEquationRegressor().fit(shifted, y)
    assert offset.solver_ == "cholesky"
    _assert_same_model(offset, LinearRegression().fit(shifted.toarray(), y), rtol=1e-8)


def test_one_hot_columns_take_lsqr():
    # OneHotEncoder's columns: a category in nearly every row (mean near 1, tiny spread)
    # and one in every row (a constant column) cost LSQR's centering no digit that
    # matters, so the fit is LinearRegression's, bit for bit.
    X, y = load_digits(return_X_y=True)
    X = OneHotEncoder(handle_unknown="ignore").fit_transform(X).tocsr()
    ours = NormalEquationRegressor().fit(X, y)
    assert ours.solver_ == "lsqr"
    assert_array_equal(ours.coef_, LinearRegression().fit(X, y).coef_)


@pytest.mark.parametrize("smallest_scale", [1e-2, 1e-3])
def test_sparse_ridge_scales_the_columns(smallest_scale):
    # Columns of scales 1 down to smallest_scale: plain LSQR would need more iterations
    # than the normal equations cost (and leave the fit to them); on the columns scaled to
    # unit norm it converges within them, to the exact solution.
    X, y, _ = _sparse_problem(2000, 300, 0.05, smallest_scale=smallest_scale)
    ridge = NormalEquationRegressor(alpha=1e-3).fit(X, y)
    assert ridge.solver_ == "lsqr"
    exact = NormalEquationRegressor(alpha=1e-3, solver="cholesky").fit(X, y)
    _assert_same_model(ridge, exact, rtol=1e-4)


def test_lsqr_at_linear_regressions_limit_warns_and_keeps_its_answer():
    # Rows of 80 nonzeros make X^T X costly, so LSQR may run to LinearRegression's own
    # limit, 2 n_features, which ill-conditioned columns reach; it warns there.
    X, y, _ = _sparse_problem(2000, 200, 0.4, smallest_scale=1e-3)
    assert lsqr_iterations(X, 1, 0.0, True) == 400
    with pytest.warns(ConvergenceWarning, match=r"LSQR did not converge in 400"):
        ours = NormalEquationRegressor(tol=1e-15).fit(X, y)
    theirs = LinearRegression(tol=1e-15).fit(X, y)
    assert ours.solver_ == "lsqr"
    assert_array_equal(ours.coef_, theirs.coef_)


def test_lsqr_fit_pickles_and_refuses_partial_fit():
    X, y, _ = _sparse_problem(2000, 300, 0.05)
    ours = NormalEquationRegressor().fit(X, y)
    assert ours.solver_ == "lsqr"
    loaded = pickle.loads(pickle.dumps(ours))
    assert_array_equal(loaded.predict(X), ours.predict(X))
    coef = ours.coef_
    with pytest.raises(ValueError, match=r"partial_fit cannot continue.*solver='cholesky'"):
        loaded.partial_fit(X[:10], y[:10])
    assert_array_equal(loaded.coef_, coef)
    # With solver='cholesky' the fit keeps its sums, and partial_fit continues it.
    chunked = NormalEquationRegressor(solver="cholesky").fit(X[:1000], y[:1000])
    chunked.partial_fit(X[1000:], y[1000:])
    _assert_same_model(chunked, NormalEquationRegressor(solver="cholesky").fit(X, y))


def test_float32_stays_float32_like_linear_regression(diabetes):
    X, y, _, _ = diabetes
    X32 = X.astype(np.float32)
    theirs = LinearRegression().fit(X32, y)
    ours = NormalEquationRegressor().fit(X32, y)
    assert ours.coef_.dtype == theirs.coef_.dtype == np.float32
    assert type(ours.intercept_) is type(theirs.intercept_)
    assert ours.predict(X32).dtype == theirs.predict(X32).dtype
    # Accumulated in float64, so closer to the float64 answer than LinearRegression's float32.
    exact = LinearRegression().fit(X, y)
    assert_allclose(ours.coef_, exact.coef_, rtol=1e-5, atol=1e-5 * np.abs(exact.coef_).max())


def _with_singular_values(singular, n_samples=300, offset=5.0, seed=0):
    rng = np.random.default_rng(seed)
    n_features = len(singular)
    U, _ = np.linalg.qr(rng.standard_normal((n_samples, n_features)))
    V, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
    X = (U * singular) @ V.T + offset
    y = rng.standard_normal(n_samples) + X @ rng.standard_normal(n_features)
    return X, y


@pytest.mark.parametrize(
    ("singular", "solver"),
    [
        # Below tol (1e-6) times the largest: the directions kept are too ill-conditioned
        # for the Gram matrix's pseudo-inverse, and only the SVD drops the others.
        (np.logspace(0, -12, 8), "lstsq"),
        # Cholesky of the Gram matrix misses its error bound (condition number 1e10), and
        # its answer refined through the rows reaches the SVD's.
        (np.logspace(0, -5, 8), "cholesky"),
        # Exactly rank 5: the Gram matrix's pseudo-inverse over the five directions.
        (np.r_[np.ones(5), 0.0, 0.0], "eigh"),
    ],
    ids=["cond1e12", "cond1e5", "rank5"],
)
def test_ill_conditioned_inputs_give_linear_regressions_predictions(singular, solver):
    X, y = _with_singular_values(singular)
    theirs = LinearRegression().fit(X, y)
    ours = NormalEquationRegressor().fit(X, y)
    assert ours.solver_ == solver
    assert ours.rank_ == theirs.rank_
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10, atol=1e-10)
    _assert_same_model(ours, theirs, rtol=1e-10)


@pytest.mark.parametrize(
    ("alpha", "case"),
    [(0.0, case) for case in ("plain", "weighted", "offset 1e3", "copy_X=False", "1e200")]
    # Ridge's SVD overflows on 1e200 (its answer is zero), so it is no reference there.
    + [(1e-12, case) for case in ("plain", "weighted", "offset 1e3", "copy_X=False")],
)
def test_ill_conditioned_normal_equations_are_refined_through_the_rows(alpha, case):
    # Condition number 1e5 (1e10 for the Gram matrix): Cholesky misses its bound, and the
    # refinement through the rows must use the same centering, weights and scaling as the
    # statistics it refines.
    X, y = _with_singular_values(
        np.logspace(0, -5, 8), offset=1e3 if case == "offset 1e3" else 5.0
    )
    if case == "1e200":
        X, y = X * 1e200, y * 1e200  # squares beyond float64: statistics scaled by 2^-e
    rng = np.random.default_rng(1)
    sample_weight = rng.uniform(0.5, 2.0, X.shape[0]) if case == "weighted" else None
    theirs = LinearRegression() if alpha == 0 else Ridge(alpha=alpha, solver="svd")
    with warnings.catch_warnings():  # scipy's residuals overflow at 1e200, not its answer
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs.fit(X, y, sample_weight=sample_weight)
    ours = NormalEquationRegressor(alpha=alpha, copy_X=case != "copy_X=False")
    X_in = X.copy()
    ours.fit(X_in, y, sample_weight=sample_weight)
    assert ours.solver_ == "cholesky"
    _assert_same_model(ours, theirs, rtol=1e-9)
    if case != "copy_X=False":
        assert_array_equal(X_in, X)


@pytest.mark.parametrize("case", ["plain", "weighted", "offset 1e3", "copy_X=False", "targets"])
def test_one_hot_columns_beside_the_intercept_take_the_pseudo_inverse(case):
    # All the categories of a one-hot encoding sum to one, the intercept's column: X is
    # rank-deficient by one, and its other directions are well conditioned.
    rng = np.random.default_rng(2)
    n_samples = 2_000
    one_hot = np.eye(6)[rng.integers(0, 6, n_samples)]
    X = np.hstack([rng.standard_normal((n_samples, 4)), one_hot])
    if case == "offset 1e3":
        X[:, :4] += 1e3
    targets = 3 if case == "targets" else 1
    y = X @ rng.standard_normal((10, targets)) + rng.standard_normal((n_samples, targets))
    y = y.ravel() if targets == 1 else y
    sample_weight = rng.uniform(0.5, 2.0, n_samples) if case == "weighted" else None
    theirs = LinearRegression().fit(X, y, sample_weight=sample_weight)
    ours = NormalEquationRegressor(copy_X=case != "copy_X=False")
    ours.fit(X.copy(), y, sample_weight=sample_weight)
    assert ours.solver_ == "eigh"
    assert ours.rank_ == theirs.rank_ == 9
    _assert_same_model(ours, theirs, rtol=1e-10)


def test_rank_deficient_with_a_direction_near_tol_takes_the_svd():
    # A singular value just above tol (1e-6) times the largest, beside an exact zero: the
    # pseudo-inverse's directions would be too ill-conditioned to trust, so the SVD decides.
    X, y = _with_singular_values(np.r_[np.ones(4), 1.5e-6, 0.0])
    theirs = LinearRegression().fit(X, y)
    ours = NormalEquationRegressor().fit(X, y)
    assert ours.solver_ == "lstsq"
    assert ours.rank_ == theirs.rank_ == 5
    _assert_same_model(ours, theirs, rtol=1e-10)


@pytest.fixture
def eigenvalue_calls(monkeypatch):
    """The calls the fits make to the Gram matrix's eigenvalues (a list, appended to)."""
    from skbackprop.linear_model import _least_squares

    calls = []
    original = _least_squares.singular_values
    monkeypatch.setattr(
        _least_squares, "singular_values", lambda *args: calls.append(args) or original(*args)
    )
    return calls


def test_least_squares_takes_cholesky_without_the_eigenvalues(eigenvalue_calls):
    # Well-conditioned rows: the factor's bound shows every direction above tol, so the fit
    # computes no eigenvalues; rank_ and singular_ are computed when first read.
    calls = eigenvalue_calls
    X, y = _with_singular_values(np.geomspace(1.0, 1e-2, 8))
    ours = NormalEquationRegressor().fit(X, y)
    assert ours.solver_ == "cholesky"
    assert not calls
    theirs = LinearRegression().fit(X, y)
    assert ours.rank_ == theirs.rank_ == 8
    assert_allclose(ours.singular_, theirs.singular_, rtol=1e-10)
    _assert_same_model(ours, theirs, rtol=1e-10)


def test_the_svd_answers_without_the_eigenvalues_where_it_costs_less(eigenvalue_calls):
    # Rank-deficient rows with fewer than 1.6 rows per feature: the SVD of the rows costs
    # less than the eigenvalues that might have offered the pseudo-inverse, and
    # solver='lstsq' always takes the SVD. Neither computes the Gram matrix's eigenvalues.
    calls = eigenvalue_calls
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 60)) @ rng.standard_normal((60, 100))  # rank 60
    y = rng.standard_normal(120)
    theirs = LinearRegression().fit(X, y)
    for solver in ("auto", "lstsq"):
        ours = NormalEquationRegressor(solver=solver).fit(X, y)
        assert ours.solver_ == "lstsq"
        assert ours.rank_ == theirs.rank_ == 60
        _assert_same_model(ours, theirs, rtol=1e-10)
    assert not calls
    # Many rows per feature: the eigenvalues come first (they may offer the
    # pseudo-inverse, which then costs less than the SVD).
    tall = np.tile(X, (2, 1))
    NormalEquationRegressor().fit(tall, np.tile(y, 2))
    assert calls


@pytest.mark.parametrize(("ratio", "rank"), [(0.5, 4), (2.0, 5)])
def test_least_squares_direction_near_tol_is_kept_as_linear_regression_keeps_it(ratio, rank):
    # The smallest singular value half or twice tol times the largest. Cholesky's answer
    # would be accurate either way and keep it; the factor's bound leaves such a direction
    # to the eigenvalues, and the fit drops it exactly where LinearRegression's SVD does.
    tol = 1e-3
    X, y = _with_singular_values(np.r_[np.ones(4), ratio * tol])
    theirs = LinearRegression(tol=tol).fit(X, y)
    ours = NormalEquationRegressor(tol=tol).fit(X, y)
    assert ours.rank_ == theirs.rank_ == rank
    _assert_same_model(ours, theirs, rtol=1e-9)


def test_duplicated_and_constant_columns_and_fewer_samples_than_features():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 4))
    X = np.column_stack([X, 2 * X[:, 0], X[:, 1] - X[:, 2], np.full(40, 7.0)])
    y = rng.standard_normal(40)
    for rows in (slice(None), slice(0, 5)):
        theirs = LinearRegression().fit(X[rows], y[rows])
        ours = NormalEquationRegressor().fit(X[rows], y[rows])
        assert ours.rank_ == theirs.rank_ < X.shape[1]
        assert ours.singular_.shape == theirs.singular_.shape
        _assert_same_model(ours, theirs, rtol=1e-10)
    # Without the data (sparse or partial_fit) the minimum-norm solve uses the Gram matrix.
    theirs = LinearRegression().fit(X, y)
    sparse = NormalEquationRegressor().fit(sp.csr_matrix(X), y)
    chunked = NormalEquationRegressor().partial_fit(X[:20], y[:20]).partial_fit(X[20:], y[20:])
    for ours in (sparse, chunked):
        assert ours.solver_ == "eigh"
        _assert_same_model(ours, theirs, rtol=1e-9)


def test_auto_uses_cholesky_when_it_is_accurate(diabetes):
    X, y, _, _ = diabetes
    # Wildly different units do not make the equilibrated system ill-conditioned.
    scaled = X * np.logspace(-2, 2, X.shape[1])
    ours = NormalEquationRegressor().fit(scaled, y)
    assert ours.solver_ == "cholesky"
    _assert_same_model(ours, LinearRegression().fit(scaled, y))


def test_large_offsets_are_centered_exactly(diabetes):
    X, y, _, weights = diabetes
    shifted = X + 1e6  # mean / std ~ 2e7: X^T X - n mean mean^T would lose every digit
    theirs = LinearRegression().fit(shifted, y, sample_weight=weights)
    for X_fit in (shifted, sp.csr_matrix(shifted)):
        ours = NormalEquationRegressor(solver="cholesky").fit(X_fit, y, sample_weight=weights)
        _assert_same_model(ours, theirs, rtol=1e-8)
    # Sparse X by LSQR: its centered products lose eps * 2e7 of their result, and the
    # answer keeps LSQR's tolerance.
    ours = NormalEquationRegressor().fit(sp.csr_matrix(shifted), y, sample_weight=weights)
    assert ours.solver_ == "lsqr"
    _assert_same_model(ours, theirs, rtol=1e-6)


def test_forced_solvers(diabetes):
    X, y, _, _ = diabetes
    theirs = LinearRegression().fit(X, y)
    for solver in ("cholesky", "lstsq"):
        ours = NormalEquationRegressor(solver=solver).fit(X, y)
        assert ours.solver_ == solver
        _assert_same_model(ours, theirs)
    collinear = np.column_stack([X, X[:, 0]])
    with pytest.raises(ValueError, match=r"not positive definite.*solver='auto'"):
        NormalEquationRegressor(solver="cholesky").fit(collinear, y)
    nearly, y_nearly = _with_singular_values(np.logspace(0, -5, 6))
    with pytest.warns(LinAlgWarning, match="ill-conditioned"):
        NormalEquationRegressor(solver="cholesky").fit(nearly, y_nearly)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_partial_fit_in_chunks_equals_one_shot_fit(diabetes, sparse, alpha):
    X, _, Y, weights = diabetes
    X = X * 10 + 3  # not centered, so the merge of chunk means matters
    X_fit = sp.csr_matrix(X) if sparse else X
    full = NormalEquationRegressor(alpha=alpha).fit(X_fit, Y, sample_weight=weights)
    chunked = NormalEquationRegressor(alpha=alpha)
    for start in range(0, X.shape[0], 97):
        rows = slice(start, start + 97)
        chunked.partial_fit(X_fit[rows], Y[rows], sample_weight=weights[rows])
    assert_allclose(chunked.coef_, full.coef_, rtol=1e-10, atol=1e-10)
    assert_allclose(chunked.intercept_, full.intercept_, rtol=1e-10, atol=1e-10)
    assert_allclose(chunked.singular_, full.singular_, rtol=1e-10)
    assert chunked.rank_ == full.rank_


def test_statistics_of_blocks_add_up_to_the_statistics_of_all_rows(diabetes):
    X, _, Y, weights = diabetes
    whole = sufficient_statistics(X, Y, weights)
    parts = [sufficient_statistics(X[i::3], Y[i::3], weights[i::3]) for i in range(3)]
    added = parts[0] + parts[1] + parts[2]
    assert added.n_samples == whole.n_samples
    for name in ("sum_weights", "mean_X", "mean_y", "scatter_XX", "scatter_Xy"):
        assert_allclose(getattr(added, name), getattr(whole, name), rtol=1e-12, atol=1e-12)


def test_zero_weight_rows_are_ignored_and_integer_weights_repeat(diabetes):
    X, y, _, _ = diabetes
    weights = np.ones(len(y))
    weights[:50] = 0
    weights[50:60] = 2
    ours = NormalEquationRegressor().fit(X, y, sample_weight=weights)
    repeated = np.r_[np.arange(50, len(y)), np.arange(50, 60)]
    expected = NormalEquationRegressor().fit(X[repeated], y[repeated])
    _assert_same_model(ours, expected, rtol=1e-10)


def test_bad_input_errors_name_the_fix(diabetes):
    X, y, _, _ = diabetes
    model = NormalEquationRegressor()
    with pytest.raises(ValueError, match=r"sum to zero.*positive weight"):
        model.fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(
        ValueError, match=r"Negative values in data passed to `sample_weight`.*>= 0"
    ):
        model.fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.where(X > 0.1, np.nan, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="0 sample"):
        model.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="alpha"):
        NormalEquationRegressor(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="solver"):
        NormalEquationRegressor(solver="qr").fit(X, y)
    with pytest.raises(ValueError, match=r"could not convert|numeric"):
        model.fit(X, np.array(["a"] * len(y), dtype=object))


def _error_of(call):
    with pytest.raises(ValueError, match="Input X contains") as raised:
        call()
    return str(raised.value)


@pytest.mark.parametrize("shape", [(60, 4), (30, 80), (50, 60)], ids=["gram", "kernel", "svd"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("weights", [None, "positive", "zero", "negative"])
@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_non_finite_x_gets_scikit_learns_error_first(shape, bad, weights, alpha):
    # fit tests X for NaN and infinity only once its sums are not finite, or before any
    # other error; the error is still scikit-learn's, and comes first, on every path
    # (the normal equations, the kernel, the SVD).
    rng = np.random.default_rng(0)
    X = rng.standard_normal(shape)
    y = rng.standard_normal(shape[0])
    X[shape[0] // 2, -1] = bad
    sample_weight = {
        None: None,
        "positive": rng.uniform(0.5, 2.0, shape[0]),
        "zero": np.zeros(shape[0]),
        "negative": -np.ones(shape[0]),
    }[weights]
    theirs = LinearRegression() if alpha == 0 else Ridge(alpha=alpha)
    expected = _error_of(lambda: theirs.fit(X, y, sample_weight=sample_weight))
    warnings.simplefilter("error", RuntimeWarning)  # no numpy warning before the error
    ours = NormalEquationRegressor(alpha=alpha)
    message = _error_of(lambda: ours.fit(X, y, sample_weight=sample_weight))
    assert message == expected.replace(type(theirs).__name__, "NormalEquationRegressor")
    assert not hasattr(ours, "n_features_in_")


def test_partial_fit_refuses_non_finite_x_in_a_chunk_of_zero_weight(diabetes):
    # A chunk of zero total weight adds nothing to the sums, so they cannot show NaN.
    X, y, _, _ = diabetes
    model = NormalEquationRegressor().partial_fit(X[:200], y[:200])
    statistics = model._statistics
    X_bad = X[200:210].copy()
    X_bad[3, 3] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.partial_fit(X_bad, y[200:210], sample_weight=np.zeros(10))
    assert model._statistics is statistics


def test_failed_partial_fit_leaves_the_model_as_it_was(diabetes):
    X, y, Y, _ = diabetes
    model = NormalEquationRegressor().partial_fit(X[:200], y[:200])
    before = (model.coef_.copy(), model.intercept_, model._statistics)
    with pytest.raises(ValueError, match="same number of targets"):
        model.partial_fit(X[200:], Y[200:])
    with pytest.raises(ValueError, match="expecting 10 features"):
        model.partial_fit(X[200:, :5], y[200:])
    with pytest.raises(ValueError, match="NaN"):
        model.partial_fit(np.full((3, 10), np.nan), y[:3])
    assert_allclose(model.coef_, before[0])
    assert model.intercept_ == before[1]
    assert model._statistics is before[2]


def test_gram_only_fallback_warns_when_it_cannot_be_accurate():
    X, y = _with_singular_values(np.logspace(0, -7, 6))
    model = NormalEquationRegressor()
    with pytest.warns(LinAlgWarning, match="call fit on dense data"):
        model.partial_fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NormalEquationRegressor().fit(X, y)  # the SVD of the data needs no warning


@pytest.mark.parametrize("scale", [1e154, 1e200, 1e300, 1e-200])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_values_whose_squares_leave_float64_fit_like_linear_regression(
    diabetes, scale, fit_intercept
):
    # X^T X overflows (or underflows) float64; LinearRegression's SVD of X does not.
    X, y, _, weights = diabetes
    X = X * scale
    theirs = LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=weights)
    ours = NormalEquationRegressor(fit_intercept=fit_intercept).fit(X, y, sample_weight=weights)
    _assert_same_model(ours, theirs, rtol=1e-8)
    assert ours.rank_ == theirs.rank_
    assert_allclose(ours.singular_, theirs.singular_, rtol=1e-8)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-10)
    chunked = NormalEquationRegressor(fit_intercept=fit_intercept)
    for rows in (slice(0, 150), slice(150, 300), slice(300, None)):
        chunked.partial_fit(X[rows], y[rows], sample_weight=weights[rows])
    _assert_same_model(chunked, theirs, rtol=1e-8)
    sparse = NormalEquationRegressor(fit_intercept=fit_intercept).fit(
        sp.csr_matrix(X), y, sample_weight=weights
    )
    assert sparse.solver_ == "lsqr"
    _assert_same_model(sparse, theirs, rtol=1e-6)  # LSQR stops at tol=1e-6
    sparse = NormalEquationRegressor(fit_intercept=fit_intercept, solver="cholesky").fit(
        sp.csr_matrix(X), y, sample_weight=weights
    )
    _assert_same_model(sparse, theirs, rtol=1e-8)


def test_huge_targets_and_ridge_on_huge_values(diabetes):
    X, y, _, _ = diabetes
    with np.errstate(over="ignore"):  # LinearRegression's residuals overflow
        theirs = LinearRegression().fit(X * 1e200, y * 1e250)
    ours = NormalEquationRegressor().fit(X * 1e200, y * 1e250)
    _assert_same_model(ours, theirs, rtol=1e-8)
    # alpha = 1 is nothing against a Gram matrix of 1e400: the least-squares answer.
    ridge = NormalEquationRegressor(alpha=1.0).fit(X * 1e200, y)
    _assert_same_model(ridge, LinearRegression().fit(X * 1e200, y), rtol=1e-8)


def test_overflow_that_scaling_cannot_remove_is_a_clear_error(diabetes):
    X, y, _, _ = diabetes
    model = NormalEquationRegressor().partial_fit(X, y)
    before = model.coef_.copy()
    with pytest.raises(ValueError, match=r"overflow float64.*sample_weight"):
        model.partial_fit(X * 1e200, y, sample_weight=np.full(len(y), 1e307))
    assert_allclose(model.coef_, before, rtol=0, atol=0)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("multi_output", [False, True])
def test_positive_agrees_with_linear_regression(diabetes, fit_intercept, weighted, multi_output):
    X, y, Y, weights = diabetes
    target = Y if multi_output else y
    sample_weight = weights if weighted else None
    theirs = LinearRegression(positive=True, fit_intercept=fit_intercept).fit(
        X, target, sample_weight
    )
    ours = NormalEquationRegressor(positive=True, fit_intercept=fit_intercept).fit(
        X, target, sample_weight=sample_weight
    )
    assert ours.solver_ == "active-set"  # the unconstrained solution has negative entries
    assert np.all(ours.coef_ >= 0)
    _assert_same_model(ours, theirs, rtol=1e-8)
    assert_array_equal(ours.coef_ == 0, theirs.coef_ == 0)


def _positive_ridge_reference(X, Y, sample_weight, alpha, fit_intercept):
    """Ridge under theta >= 0 as non-negative least squares on the augmented rows
    [sqrt(w) X_c; sqrt(alpha) I], [sqrt(w) y_c; 0] (scipy's nnls on the data)."""
    w = np.ones(len(X)) if sample_weight is None else sample_weight
    Y = Y.reshape(len(Y), -1)
    mean_X = w @ X / w.sum() if fit_intercept else np.zeros(X.shape[1])
    mean_Y = w @ Y / w.sum() if fit_intercept else np.zeros(Y.shape[1])
    root = np.sqrt(w)[:, None]
    rows = np.vstack([(X - mean_X) * root, np.sqrt(alpha) * np.eye(X.shape[1])])
    coef = np.array(
        [
            nnls(rows, np.r_[(Y[:, j] - mean_Y[j]) * root[:, 0], np.zeros(X.shape[1])])[0]
            for j in range(Y.shape[1])
        ]
    )
    return coef, mean_Y - coef @ mean_X


@pytest.mark.parametrize("alpha", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_positive_ridge_agrees_with_a_reference_and_with_ridge(
    diabetes, alpha, fit_intercept, weighted
):
    X, _, Y, weights = diabetes
    sample_weight = weights if weighted else None
    ours = NormalEquationRegressor(alpha=alpha, positive=True, fit_intercept=fit_intercept).fit(
        X, Y, sample_weight=sample_weight
    )
    coef, intercept = _positive_ridge_reference(X, Y, sample_weight, alpha, fit_intercept)
    scale = np.abs(coef).max()
    assert_allclose(ours.coef_, coef, rtol=1e-8, atol=1e-8 * scale)
    assert_allclose(ours.intercept_, intercept if fit_intercept else 0.0, atol=1e-8 * scale)
    # Ridge(positive=True) runs L-BFGS-B, which stops on a relative decrease of the
    # objective below tol: even at tol=1e-12 its coefficients were measured within 1.5e-6
    # of the exact ones (relative to the largest), hence 1e-5 here.
    with warnings.catch_warnings():  # L-BFGS-B may report tol=1e-12 as not reached
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = Ridge(
            alpha=alpha, positive=True, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000
        ).fit(X, Y, sample_weight=sample_weight)
    assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-5 * scale)


def test_positive_keeps_a_non_negative_closed_form_solution(diabetes):
    X, y, _, _ = diabetes
    target = X @ np.arange(1.0, 11.0) + 1  # an exact fit with positive coefficients
    unconstrained = NormalEquationRegressor().fit(X, target)
    ours = NormalEquationRegressor(positive=True).fit(X, target)
    assert ours.solver_ == "cholesky"
    assert_allclose(ours.coef_, unconstrained.coef_, rtol=0, atol=0)
    # Rank-deficient X: the coefficients are not unique, the predictions are.
    duplicated = np.column_stack([X, X[:, 2]])
    theirs = LinearRegression(positive=True).fit(duplicated, y)
    ours = NormalEquationRegressor(positive=True).fit(duplicated, y)
    assert np.all(ours.coef_ >= 0)
    assert_allclose(ours.predict(duplicated), theirs.predict(duplicated), rtol=1e-8)


def test_positive_with_partial_fit_sparse_and_n_jobs(diabetes):
    X, _, Y, weights = diabetes
    full = NormalEquationRegressor(positive=True).fit(X, Y, sample_weight=weights)
    chunked = NormalEquationRegressor(positive=True)
    for start in range(0, len(X), 150):
        rows = slice(start, start + 150)
        chunked.partial_fit(X[rows], Y[rows], sample_weight=weights[rows])
    sparse = NormalEquationRegressor(positive=True).fit(sp.csr_matrix(X), Y, weights)
    with_jobs = NormalEquationRegressor(positive=True, n_jobs=2).fit(X, Y, weights)
    for other in (chunked, sparse, with_jobs):
        _assert_same_model(other, full, rtol=1e-10)
    with pytest.raises(ValueError, match="positive"):
        NormalEquationRegressor(positive="yes").fit(X, Y)
    with pytest.raises(ValueError, match="n_jobs"):
        NormalEquationRegressor(n_jobs="all").fit(X, Y)


@parametrize_with_checks(
    [
        NormalEquationRegressor(positive=True),
        NormalEquationRegressor(alpha=1.0, positive=True, n_jobs=2, fit_intercept=False),
    ]
)
def test_non_default_configurations_pass_the_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_predict_refuses_non_finite_x_even_where_the_coefficient_is_zero(bad):
    # predict tests X for NaN and infinity only when a prediction is not finite; a zero
    # coefficient still turns them into NaN (0 * inf, 0 * NaN), so the error is
    # scikit-learn's, whichever column holds them.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X[:, 1] - 2 * X[:, 2]
    ours = NormalEquationRegressor(positive=True).fit(X * [-1.0, 1.0, -1.0], -y)
    assert ours.coef_[0] == 0.0
    theirs = LinearRegression(positive=True).fit(X * [-1.0, 1.0, -1.0], -y)
    X_bad = X.copy()
    X_bad[7, 0] = bad
    warnings.simplefilter("error", RuntimeWarning)  # no numpy warning before the error
    with pytest.raises(ValueError, match="Input X contains") as expected:
        theirs.predict(X_bad)
    with pytest.raises(ValueError, match=re.escape(str(expected.value).splitlines()[0])):
        ours.predict(X_bad)


def test_predict_returns_overflowing_predictions_as_scikit_learn_does():
    X = np.array([[1.0], [2.0], [3.0]])
    X_large = np.array([[1e10], [1.0]])
    with np.errstate(over="ignore"):
        ours = NormalEquationRegressor().fit(X, 1e300 * X[:, 0])
        theirs = LinearRegression().fit(X, 1e300 * X[:, 0])
        expected, predicted = theirs.predict(X_large), ours.predict(X_large)
    np.testing.assert_array_equal(np.isinf(predicted), np.isinf(expected))
    assert np.isinf(expected[0])


# Wide data: with fewer rows than features, fit solves from the weighted rows (their n x n
# kernel matrix, or their SVD). partial_fit always solves the d x d normal equations, so it
# is the reference.


def _wide(n_samples=30, n_features=80, n_targets=1, offset=3.0, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)) + offset
    Y = X[:, :5] @ rng.standard_normal((5, n_targets)) + rng.standard_normal(
        (n_samples, n_targets)
    )
    return X, (Y.ravel() if n_targets == 1 else Y), rng.uniform(0.0, 2.0, n_samples)


def test_cost_model_solves_from_the_rows_when_they_are_fewer_than_the_features():
    for alpha in (0.0, 1.0):
        assert formulation(30, 80, alpha, fit_intercept=True) == "kernel"
        assert formulation(1_000, 2_000, alpha, fit_intercept=False) == "kernel"
        assert formulation(2_000, 1_000, alpha, fit_intercept=True) == "gram"
    assert formulation(500, 500, 1.0, fit_intercept=True) == "gram"  # the kernel copies X
    # Least squares: rank-deficient by its shape (the intercept takes one row), square
    # with an intercept included.
    assert formulation(80, 81, 0.0, fit_intercept=True) == "kernel"
    assert formulation(80, 80, 0.0, fit_intercept=True) == "kernel"
    assert formulation(80, 80, 0.0, fit_intercept=False) == "gram"
    assert formulation(81, 80, 0.0, fit_intercept=True) == "gram"
    assert formulation(500, 600, 0.0, fit_intercept=True) == "kernel"


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_targets", [1, 3])
def test_wide_ridge_agrees_with_the_normal_equations_and_ridge(fit_intercept, weighted, n_targets):
    X, y, weights = _wide(n_targets=n_targets)
    sample_weight = weights if weighted else None
    if weighted:
        sample_weight[:4] = 0.0  # zero-weight rows drop out of both formulations
    params = {"alpha": 0.5, "fit_intercept": fit_intercept}
    ours = NormalEquationRegressor(**params).fit(X, y, sample_weight=sample_weight)
    gram = NormalEquationRegressor(**params).partial_fit(X, y, sample_weight=sample_weight)
    theirs = Ridge(**params, solver="svd").fit(X, y, sample_weight=sample_weight)
    assert ours.solver_ == "cholesky"
    _assert_same_model(ours, gram, rtol=1e-10)
    _assert_same_model(ours, theirs, rtol=1e-10)
    assert ours.rank_ == gram.rank_
    # Both agree with the data's to about sqrt(eps) times the largest (see the class).
    assert_allclose(ours.singular_, gram.singular_, rtol=1e-8, atol=1e-7 * gram.singular_[0])


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_wide_least_squares_through_the_kernel_is_linear_regressions(fit_intercept, weighted):
    X, y, weights = _wide(n_targets=2)
    sample_weight = weights if weighted else None
    ours = NormalEquationRegressor(fit_intercept=fit_intercept)
    ours.fit(X, y, sample_weight=sample_weight)
    theirs = LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sample_weight)
    assert ours.solver_ == "cholesky"
    _assert_same_model(ours, theirs, rtol=1e-10)
    assert ours.rank_ == theirs.rank_
    # Square roots of the kernel's eigenvalues: to about sqrt(eps) times the largest.
    assert_allclose(ours.singular_, theirs.singular_, rtol=1e-8, atol=1e-7 * theirs.singular_[0])
    # The Gram matrix's minimum-norm solve (partial_fit) reaches the same answer.
    gram = NormalEquationRegressor(fit_intercept=fit_intercept)
    gram.partial_fit(X, y, sample_weight=sample_weight)
    _assert_same_model(ours, gram, rtol=1e-8)


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize(
    ("case", "solver", "rank", "rtol"),
    [
        # Singular values from 1 down to 1e-4: the kernel's condition number 1e8 puts
        # its Cholesky error bound beyond 1e-9 (its answer alone is off by about 1e-8);
        # refined through the rows, it reaches the SVD's answer to cond(X) eps.
        ("ill-conditioned", "cholesky", 30, 1e-11),
        # From 1 down to 1e-7: the smallest fall below tol (1e-6) times the largest, and
        # only the SVD drops them.
        ("below tol", "lstsq", 25, 1e-12),
        # Twenty between 1 and 1/2, ten of 1e-9: singular to working precision.
        ("rank-deficient", "lstsq", 20, 1e-12),
    ],
)
def test_wide_least_squares_refines_the_kernel_or_takes_the_svd(
    fit_intercept, case, solver, rank, rtol
):
    rng = np.random.default_rng(3)
    n_samples, n_features = 30, 80
    U = np.linalg.qr(rng.standard_normal((n_samples, n_samples)))[0]
    V = np.linalg.qr(rng.standard_normal((n_features, n_samples)))[0]
    singular = {
        "ill-conditioned": np.geomspace(1.0, 1e-4, n_samples),
        "below tol": np.geomspace(1.0, 1e-7, n_samples),
        "rank-deficient": np.r_[np.linspace(1.0, 0.5, 20), np.full(10, 1e-9)],
    }[case]
    X = U @ np.diag(singular) @ V.T
    y = rng.standard_normal(n_samples)
    ours = NormalEquationRegressor(fit_intercept=fit_intercept).fit(X, y)
    theirs = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    assert ours.solver_ == solver
    assert ours.rank_ == theirs.rank_
    if not fit_intercept:  # centering changes the singular values
        assert ours.rank_ == rank
    _assert_same_model(ours, theirs, rtol=rtol)


@pytest.mark.parametrize("weighted", [False, True])
def test_wide_ridge_refines_an_ill_conditioned_kernel(weighted):
    # Singular values from 1 down to 1e-5 and alpha 1e-10: the kernel plus alpha has a
    # condition number near 1e10, beyond the Cholesky bound; refined through the rows the
    # answer is Ridge's SVD answer, without the d x d normal equations.
    rng = np.random.default_rng(5)
    n_samples, n_features = 40, 120
    U = np.linalg.qr(rng.standard_normal((n_samples, n_samples)))[0]
    V = np.linalg.qr(rng.standard_normal((n_features, n_samples)))[0]
    X = U @ np.diag(np.geomspace(1.0, 1e-5, n_samples)) @ V.T + 1.0
    y = rng.standard_normal(n_samples)
    sample_weight = rng.uniform(0.5, 2.0, n_samples) if weighted else None
    ours = NormalEquationRegressor(alpha=1e-10).fit(X, y, sample_weight=sample_weight)
    theirs = Ridge(alpha=1e-10, solver="svd").fit(X, y, sample_weight=sample_weight)
    assert ours.solver_ == "cholesky"
    _assert_same_model(ours, theirs, rtol=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_wide_least_squares_truncates_below_tol_as_linear_regression(fit_intercept, weighted):
    # Singular values from 1 down to 1e-2: the kernel's Cholesky is accurate, but tol=0.05
    # asks for the directions below 0.05 times the largest to be dropped, which only the
    # SVD does (LinearRegression passes tol to lstsq as cond). The default tol keeps them
    # all, and the kernel answers.
    rng = np.random.default_rng(4)
    n_samples, n_features = 30, 80
    U = np.linalg.qr(rng.standard_normal((n_samples, n_samples)))[0]
    V = np.linalg.qr(rng.standard_normal((n_features, n_samples)))[0]
    X = U @ np.diag(np.geomspace(1.0, 1e-2, n_samples)) @ V.T
    y = rng.standard_normal(n_samples)
    if fit_intercept:
        X, y = X + 2.0, y + 2.0
    sample_weight = rng.uniform(0.5, 2.0, n_samples) if weighted else None
    full_rank = n_samples - int(fit_intercept)
    for tol, solver, truncated in [(0.05, "lstsq", True), (1e-6, "cholesky", False)]:
        params = {"fit_intercept": fit_intercept, "tol": tol}
        ours = NormalEquationRegressor(**params).fit(X, y, sample_weight=sample_weight)
        theirs = LinearRegression(**params).fit(X, y, sample_weight=sample_weight)
        assert ours.solver_ == solver
        assert ours.rank_ == theirs.rank_
        assert (theirs.rank_ < full_rank) == truncated
        _assert_same_model(ours, theirs, rtol=1e-10)


def test_wide_least_squares_with_zero_weights_takes_the_svd():
    # Rows of weight zero are zero rows of the kernel: no Cholesky factor, the SVD answers.
    X, y, weights = _wide()
    weights[:3] = 0.0
    ours = NormalEquationRegressor().fit(X, y, sample_weight=weights)
    theirs = LinearRegression().fit(X, y, sample_weight=weights)
    assert ours.solver_ == "lstsq"
    _assert_same_model(ours, theirs, rtol=1e-12)


def test_wide_ridge_keeps_float32():
    X, y, _ = _wide()
    ours = NormalEquationRegressor(alpha=1.0).fit(X.astype(np.float32), y)
    assert ours.coef_.dtype == np.float32
    reference = NormalEquationRegressor(alpha=1.0).partial_fit(X.astype(np.float32), y)
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-6)


def test_solver_lstsq_on_wide_data_is_linear_regressions_svd():
    X, y, weights = _wide(n_samples=40, n_features=45)
    ours = NormalEquationRegressor(solver="lstsq").fit(X, y, sample_weight=weights)
    theirs = LinearRegression().fit(X, y, sample_weight=weights)
    assert NormalEquationRegressor().fit(X, y, sample_weight=weights).solver_ == "cholesky"
    assert ours.solver_ == "lstsq"
    _assert_same_model(ours, theirs, rtol=1e-12)
    assert ours.rank_ == theirs.rank_ == 39
    assert_allclose(ours.singular_, theirs.singular_, rtol=1e-12)


@pytest.mark.parametrize("n_samples", [40, 400])
def test_square_least_squares_with_an_intercept_through_the_refined_kernel(n_samples):
    # Centered square rows are square less one: at 400 random rows their condition number
    # puts the kernel's Cholesky bound out of reach, and the refinement answers.
    X, y, weights = _wide(n_samples=n_samples, n_features=n_samples)
    ours = NormalEquationRegressor().fit(X, y, sample_weight=weights)
    theirs = LinearRegression().fit(X, y, sample_weight=weights)
    assert ours.solver_ == "cholesky"
    _assert_same_model(ours, theirs, rtol=1e-11)  # about 5e-11 unrefined, at 400 rows
    assert ours.rank_ == theirs.rank_ == n_samples - 1
    assert_allclose(ours.singular_, theirs.singular_, rtol=1e-8, atol=1e-7 * theirs.singular_[0])


def test_partial_fit_continues_a_wide_fit_and_pickles():
    X, y, weights = _wide()
    ours = NormalEquationRegressor(alpha=0.5).fit(X[:20], y[:20], sample_weight=weights[:20])
    restored = pickle.loads(pickle.dumps(ours))
    assert_array_equal(restored.predict(X), ours.predict(X))
    assert_allclose(restored.singular_, ours.singular_, rtol=1e-12)
    for model in (ours, restored):
        model.partial_fit(X[20:], y[20:], sample_weight=weights[20:])
        all_rows = NormalEquationRegressor(alpha=0.5).partial_fit(X, y, sample_weight=weights)
        _assert_same_model(model, all_rows, rtol=1e-10)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
@pytest.mark.parametrize("scale", [1e200, 1e-200])
def test_partial_fit_continues_a_wide_fit_on_values_whose_squares_leave_float64(scale, alpha):
    X, y, _ = _wide(offset=0.0)
    X = X * scale
    ours = NormalEquationRegressor(alpha=alpha).fit(X[:20], y[:20]).partial_fit(X[20:], y[20:])
    all_rows = NormalEquationRegressor(alpha=alpha).partial_fit(X, y)
    _assert_same_model(ours, all_rows, rtol=1e-10)


@pytest.mark.parametrize("scale", [1e200, 1e-200])
def test_wide_ridge_on_values_whose_squares_leave_float64(scale):
    # The kernel matrix overflows (and falls back to the scaled normal equations) or
    # underflows (and alpha dominates it, as in the normal equations).
    X, y, _ = _wide(offset=0.0)
    ours = NormalEquationRegressor(alpha=1.0).fit(X * scale, y)
    gram = NormalEquationRegressor(alpha=1.0).partial_fit(X * scale, y)
    assert np.all(np.isfinite(ours.coef_))
    _assert_same_model(ours, gram, rtol=1e-10)
