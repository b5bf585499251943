"""minimize_lbfgs: the L-BFGS-B driver."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skbackprop.optim import minimize_lbfgs


def _quadratic(n=20, seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    A = M @ M.T + n * np.eye(n)
    b = rng.standard_normal(n)

    def fun(x):
        Ax = A @ x
        return 0.5 * x @ Ax - b @ x, Ax - b

    return fun, np.linalg.solve(A, b)


def test_minimizes_a_quadratic():
    fun, solution = _quadratic()
    result, n_iter = minimize_lbfgs(fun, np.zeros(solution.size), max_iter=200, tol=1e-10)
    # The default stopping rule includes scikit-learn's relative decrease of the loss
    # (ftol = 64 eps); the gradient is then small, hence the answer close.
    np.testing.assert_allclose(result.x, solution, rtol=1e-5, atol=1e-7)
    assert np.abs(fun(result.x)[1]).max() < 1e-6
    tight, _ = minimize_lbfgs(fun, np.zeros(solution.size), max_iter=200, tol=1e-12, ftol=0.0)
    np.testing.assert_allclose(tight.x, solution, rtol=1e-7, atol=1e-9)
    assert 0 < n_iter <= 200
    assert result.x.dtype == np.float64


def test_warns_when_max_iter_is_reached():
    fun, solution = _quadratic(n=50)
    with pytest.warns(ConvergenceWarning, match=r"max_iter=2"):
        _, n_iter = minimize_lbfgs(fun, np.zeros(solution.size), max_iter=2, tol=1e-12)
    assert n_iter == 2


def test_non_finite_loss_is_a_clear_error():
    def fun(x):
        return np.nan, np.zeros_like(x)

    with pytest.raises(ValueError, match="non-finite"):
        minimize_lbfgs(fun, np.zeros(3))


def test_verbose_prints_iterations(capsys):
    fun, _ = _quadratic(n=5)
    minimize_lbfgs(fun, np.zeros(5), verbose=1, tol=1e-10)
    assert "iteration 1: loss" in capsys.readouterr().out
    minimize_lbfgs(fun, np.zeros(5), verbose=0, tol=1e-10)
    assert capsys.readouterr().out == ""


def test_callback_sees_each_iterate_and_blas_threads_are_restored():
    from threadpoolctl import threadpool_info

    before = [info["num_threads"] for info in threadpool_info()]
    fun, solution = _quadratic(n=10)
    seen = []
    _, n_iter = minimize_lbfgs(
        fun, np.zeros(10), tol=1e-10, max_corrections=3, callback=lambda r: seen.append(r.fun)
    )
    assert len(seen) == n_iter
    assert seen == sorted(seen, reverse=True)  # L-BFGS decreases the loss every iteration
    assert seen[-1] == pytest.approx(fun(solution)[0])
    assert [info["num_threads"] for info in threadpool_info()] == before
