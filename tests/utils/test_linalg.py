"""The shared linear-algebra helpers: syrk Gram matrices, Cholesky and its fallback."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy import linalg

from skbackprop.utils.linalg import (
    block_rows,
    cholesky_solve,
    column_sums,
    eigh_solve,
    solve_psd,
    symmetric_eigenvalues,
    weighted_gram,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n_samples = 3 * block_rows(4) + 17  # several blocks and a ragged last one
    X = rng.standard_normal((n_samples, 4)) + np.array([0.0, 3.0, -2.0, 100.0])
    Y = rng.standard_normal((n_samples, 2))
    weights = rng.uniform(0, 2, n_samples)
    weights[:10] = 0
    return X, Y, weights


def _reference(X, Y, weights, center, Y_center):
    Xc = X - center
    Yc = Y - Y_center
    return Xc.T @ (weights[:, None] * Xc), Xc.T @ (weights[:, None] * Yc)


@pytest.mark.parametrize("n_features", [1, 63, 64, 65, 150])
def test_weighted_gram_is_symmetric_across_the_mirrors_bands(n_features):
    # The upper triangle syrk fills is mirrored a band of rows at a time: every count of
    # features, at and around a band's edge, gives the exact mirror image.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, n_features))
    gram, _ = weighted_gram(X, center=X.mean(axis=0))
    assert gram.flags.c_contiguous
    np.testing.assert_array_equal(gram, gram.T)
    Xc = X - X.mean(axis=0)
    assert_allclose(gram, Xc.T @ Xc, rtol=1e-12, atol=1e-12 * np.abs(gram).max())


@pytest.mark.parametrize("layout", ["C", "F", "strided", "float32", "sparse"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("centered", [False, True])
def test_weighted_gram_matches_the_dense_formula(data, layout, weighted, centered):
    X, Y, weights = data
    center = X.mean(axis=0) if centered else np.zeros(X.shape[1])
    Y_center = Y.mean(axis=0) if centered else np.zeros(Y.shape[1])
    X_in = {
        "C": X,
        "F": np.asfortranarray(X),
        "strided": np.repeat(X, 2, axis=1)[:, ::2],
        "float32": X.astype(np.float32),
        "sparse": sp.csr_matrix(np.where(np.abs(X) > 1, X, 0.0)),
    }[layout]
    X_dense = X_in.toarray() if sp.issparse(X_in) else np.asarray(X_in, dtype=np.float64)
    w = weights if weighted else np.ones(len(X))
    expected_gram, expected_cross = _reference(X_dense, Y, w, center, Y_center)
    gram, cross = weighted_gram(
        X_in,
        weights if weighted else None,
        center if centered else None,
        Y=Y,
        Y_center=Y_center if centered else None,
    )
    assert gram.dtype == np.float64
    assert_allclose(gram, gram.T, rtol=0, atol=0)  # exactly symmetric
    assert_allclose(gram, expected_gram, rtol=1e-10, atol=1e-8)
    assert_allclose(cross, expected_cross, rtol=1e-10, atol=1e-8)
    assert weighted_gram(X_in)[1] is None


@pytest.mark.parametrize("layout", ["C", "F", "sparse"])
@pytest.mark.parametrize("weighted", [False, True])
def test_weighted_gram_sums_come_with_the_cross_product(data, layout, weighted):
    # sums=True: the cross product's first column is (X - c)^T W 1, from the same read of
    # X, and Y's centered sums 1^T W (Y - Y_center) come third. Y is centered block by
    # block: several blocks and a ragged last one here.
    X, Y, weights = data
    Y = np.repeat(Y, 40, axis=1) * np.arange(1, 81)  # wide Y: blocks sized by both widths
    center = None if layout == "sparse" else X[:100].mean(axis=0)
    Y_center = Y.mean(axis=0) + 0.5
    X_in = {
        "C": X,
        "F": np.asfortranarray(X),
        "sparse": sp.csr_matrix(np.where(np.abs(X) > 1, X, 0.0)),
    }[layout]
    X_dense = X_in.toarray() if sp.issparse(X_in) else X
    w = weights if weighted else np.ones(len(X))
    shift = np.zeros(X.shape[1]) if center is None else center
    Xc = X_dense - shift
    gram, cross, Y_sums = weighted_gram(
        X_in, weights if weighted else None, center, Y=Y, Y_center=Y_center, sums=True
    )
    expected_gram, expected_cross = _reference(X_dense, Y, w, shift, Y_center)
    assert_allclose(gram, expected_gram, rtol=1e-10, atol=1e-8)
    assert_allclose(cross[:, 0], Xc.T @ w, rtol=1e-10, atol=1e-8)
    assert_allclose(cross[:, 1:], expected_cross, rtol=1e-10, atol=1e-6)
    assert_allclose(Y_sums, w @ (Y - Y_center), rtol=1e-10, atol=1e-6)
    assert weighted_gram(X_in, Y=Y, Y_center=Y_center)[1].shape == (4, 80)


@pytest.mark.parametrize("columns", [1, 4])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "empty"])
@pytest.mark.parametrize("weighted", [False, True])
def test_column_sums_are_numpys_sums(data, layout, weighted, columns):
    X, _, weights = data
    X = X[:, :columns]
    X_in = {
        "C": np.ascontiguousarray(X),
        "F": np.asfortranarray(X),
        "strided": np.repeat(X, 2, axis=1)[:, ::2],
        "empty": X[:0],
    }[layout]
    w = weights[: len(X_in)] if weighted else None
    expected = (X_in if w is None else X_in * w[:, None]).sum(axis=0)
    sums = column_sums(X_in, w)
    assert sums.shape == (columns,)
    assert_allclose(sums, expected, rtol=1e-12, atol=1e-9)


def test_column_sums_propagate_nan_and_infinity():
    A = np.array([[1.0, np.inf, np.nan, np.inf], [2.0, 1.0, 1.0, -np.inf]])
    with np.errstate(invalid="ignore"):  # inf - inf, as numpy's sum warns of it
        assert_allclose(column_sums(A), A.sum(axis=0), rtol=0, atol=0, equal_nan=True)


def test_centering_is_exact_where_the_uncentered_formula_cancels():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((1000, 3)) + 1e8
    center = X.mean(axis=0)
    gram, _ = weighted_gram(X, center=center)
    exact = (X - center).T @ (X - center)
    assert_allclose(gram, exact, rtol=1e-12)
    uncentered = X.T @ X - len(X) * np.outer(center, center)
    assert not np.allclose(uncentered, exact, rtol=1e-3)  # why centering by blocks matters


def test_cholesky_solve_is_unit_invariant_and_reports_conditioning():
    rng = np.random.default_rng(2)
    M = rng.standard_normal((50, 4))
    A = M.T @ M
    b = rng.standard_normal((4, 2))
    x, rcond = cholesky_solve(A, b)
    assert_allclose(A @ x, b, rtol=1e-12, atol=1e-12)
    units = np.diag([1e-6, 1.0, 1e3, 1e6])
    x_units, rcond_units = cholesky_solve(units @ A @ units, units @ b)
    assert_allclose(units @ x_units, x, rtol=1e-10)
    assert rcond_units == pytest.approx(rcond, rel=1e-6)  # equilibration removes the units
    x_ridge, _ = cholesky_solve(A, b[:, 0], ridge=2.0)
    assert_allclose((A + 2 * np.eye(4)) @ x_ridge, b[:, 0], rtol=1e-12, atol=1e-12)
    nearly = A + 0.0
    nearly[3] = nearly[:, 3] = nearly[2] * (1 + 1e-9)
    nearly[3, 3] = nearly[2, 2] * (1 + 1e-9) ** 2 + 1e-12
    try:
        _, small = cholesky_solve(nearly, b)
        assert small < 1e-10
    except np.linalg.LinAlgError:
        pass  # also an acceptable verdict on a numerically singular matrix


def test_cholesky_solve_rejects_indefinite_matrices():
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        cholesky_solve(np.array([[1.0, 2.0], [2.0, 1.0]]), np.ones(2))
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        cholesky_solve(np.array([[1.0, 0.0], [0.0, 0.0]]), np.ones(2))


def test_eigh_solve_gives_the_pseudo_inverse_solution():
    rng = np.random.default_rng(3)
    M = rng.standard_normal((30, 5))
    M[:, 4] = M[:, 0] + M[:, 1]  # rank 4
    A = M.T @ M
    b = M.T @ rng.standard_normal(30)
    x, eigenvalues = eigh_solve(A, b, cutoff=1e-10 * np.abs(A).max())
    assert_allclose(x, np.linalg.pinv(A, rcond=1e-10) @ b, rtol=1e-8)
    assert eigenvalues[0] == pytest.approx(0, abs=1e-10)
    x_ridge, _ = eigh_solve(A, b, ridge=0.5)
    assert_allclose((A + 0.5 * np.eye(5)) @ x_ridge, b, rtol=1e-10)


def test_solve_psd_falls_back_only_when_cholesky_is_inaccurate():
    A = np.array([[2.0, 1.0], [1.0, 2.0]])
    x, method = solve_psd(A, np.array([3.0, 3.0]))
    assert method == "cholesky"
    assert_allclose(x, [1.0, 1.0])
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])
    x, method = solve_psd(singular, np.array([2.0, 2.0]), cutoff=1e-12)
    assert method == "eigh"
    assert_allclose(x, [1.0, 1.0])


@pytest.mark.parametrize(
    "name", ["gram", "large offset", "rank-deficient", "one by one", "empty", "float32"]
)
def test_symmetric_eigenvalues_are_scipys_eigvalsh_bit_for_bit(name):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 30))
    A = {
        "gram": X.T @ X,
        "large offset": (X + 1e6).T @ (X + 1e6),
        "rank-deficient": (X[:, :5] @ X[:5]).T @ (X[:, :5] @ X[:5]),  # rank 5 of 30
        "one by one": np.array([[2.5]]),
        "empty": np.zeros((0, 0)),
        "float32": (X.T @ X).astype(np.float32),
    }[name]
    got, expected = symmetric_eigenvalues(A), linalg.eigvalsh(A, check_finite=False)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_cholesky_solve_is_scipys_cho_solve_bit_for_bit():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((100, 6))
    A, B = X.T @ X, rng.standard_normal((6, 3))
    x, _ = cholesky_solve(A, B)
    scale = 1.0 / np.sqrt(A.diagonal())
    factor = linalg.cholesky(A * scale[:, None] * scale[None, :])
    expected = linalg.cho_solve((factor, False), B * scale[:, None]) * scale[:, None]
    np.testing.assert_array_equal(x, expected)
