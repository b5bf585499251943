"""Linear algebra shared by the closed-form and EM estimators.

Three pieces, each usable on its own:

- :func:`weighted_gram` forms ``(X - c)^T W (X - c)`` (and the matching cross product with a
  second matrix) with the symmetric rank-k update ``syrk``, walking over row blocks so that
  centering and weighting never copy all of ``X``.
- :func:`cholesky_solve` solves a symmetric positive definite system by Cholesky
  factorization of the Jacobi-equilibrated matrix and returns LAPACK's estimate of its
  reciprocal condition number, so the caller knows how many digits to trust;
  :class:`CholeskyFactor` keeps the factor for more solves (iterative refinement).
- :func:`eigh_solve` is the stable fallback: the minimum-norm solution from the
  eigendecomposition, with eigenvalues under a cutoff treated as zero (the pseudo-inverse of a
  positive semidefinite matrix).

:func:`column_sums` sums the columns of tall data as one matrix-vector product.

:func:`accurate_cholesky_solve` is the one rule for when a Cholesky solution is trusted (its
error bound within ``max_relative_error``), and :func:`solve_psd` chains it with the fallback:
Cholesky when it is accurate, otherwise the minimum-norm solve.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from scipy.linalg import blas, lapack

# Row blocks of about 2 MiB stay in cache between the centering copy and the syrk that
# reads it, so the copy costs one pass over X rather than two.
_BLOCK_BYTES = 1 << 21

# Default accuracy demanded of a Cholesky solve: the forward-error bound eps / rcond of the
# equilibrated system.  Below it the normal equations have lost digits a QR or SVD of the
# data would keep, so solve_psd switches to the eigendecomposition.
DEFAULT_MAX_RELATIVE_ERROR = 1e-9


def block_rows(n_features, itemsize=8):
    """Rows per block so that one block of ``n_features`` columns is about 2 MiB."""
    return max(64, _BLOCK_BYTES // (itemsize * max(1, n_features)))


def column_sums(A, weights=None):
    """``weights @ A``: the (weighted) column sums of a 2-D float64 array.

    Unweighted, a product with a vector of ones (BLAS ``gemv``): numpy's ``A.sum(axis=0)``
    adds the rows of a C-ordered array one after another, a few numbers at a time, which
    costs many times the product when there are few columns (docs/performance.rst, "Fast
    paths"). A single column numpy sums as one vector, faster than the product.

    Parameters
    ----------
    A : ndarray of shape (n_samples, n_columns), float64
        The rows.
    weights : ndarray of shape (n_samples,), default=None
        The rows' weights; None sums them as they are.

    Returns
    -------
    sums : ndarray of shape (n_columns,)

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils.linalg import column_sums
    >>> column_sums(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([4., 6.])
    >>> column_sums(np.array([[1.0, 2.0], [3.0, 4.0]]), weights=np.array([0.5, 1.0]))
    array([3.5, 5. ])
    """
    if (weights is None and A.shape[1] == 1) or A.shape[0] == 0:
        return A.sum(axis=0)
    # scipy's BLAS, as the products that follow in weighted_gram: numpy's threads would
    # still spin against them (utils/_threadpool.py).
    vector = np.ones(A.shape[0]) if weights is None else weights
    if A.flags.f_contiguous and not A.flags.c_contiguous:  # a DataFrame's, say: no copy
        return blas.dgemv(1.0, A, vector, trans=1)
    return blas.dgemv(1.0, A.T, vector)


def weighted_gram(X, weights=None, center=None, *, Y=None, Y_center=None, sums=False):
    """Weighted, optionally centered Gram matrix ``(X - c)^T W (X - c)`` and cross product.

    The Gram matrix is symmetric, so only one triangle is computed (BLAS ``dsyrk``, half the
    flops of a general product) and then mirrored.  Each row block is centered and scaled by
    ``sqrt(weights)`` into one reusable float64 buffer, so ``X`` is never copied as a whole
    and float32 input is accumulated in float64; so is each block of ``Y`` (many targets
    would otherwise make a centered copy of ``Y`` the largest cost).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The data.  Sparse input is multiplied as sparse when ``center`` is None; with a
        ``center`` it is densified one row block at a time (centering destroys sparsity).
    weights : ndarray of shape (n_samples,), default=None
        Non-negative weight of each row; None means all ones.
    center : ndarray of shape (n_features,), default=None
        Subtracted from every row of ``X`` before the product (exactly, without the
        cancellation of ``X^T W X - W c c^T``).
    Y : ndarray of shape (n_samples, n_targets), default=None
        When given, the cross product ``(X - c)^T W (Y - Y_center)`` is returned too.
    Y_center : ndarray of shape (n_targets,), default=None
        Subtracted from every row of ``Y``.
    sums : bool, default=False
        With ``Y``: the cross product gains a first column, the column sums ``(X - c)^T W
        1``, from the same read of ``X``; and ``Y``'s centered column sums ``1^T W (Y -
        Y_center)`` are returned third.

    Returns
    -------
    gram : ndarray of shape (n_features, n_features), float64
        The symmetric matrix ``(X - c)^T W (X - c)``.
    cross : ndarray of shape (n_features, n_targets + sums) or None
        ``(X - c)^T W (Y - Y_center)``, after ``(X - c)^T W 1`` with ``sums``; None when
        ``Y`` is None.
    Y_sums : ndarray of shape (n_targets,)
        Only with ``sums``: ``1^T W (Y - Y_center)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils.linalg import weighted_gram
    >>> X = np.array([[1.0, 2.0], [3.0, 5.0], [5.0, 8.0]])
    >>> gram, _ = weighted_gram(X, center=X.mean(axis=0))
    >>> gram
    array([[ 8., 12.],
           [12., 18.]])
    """
    n_samples, n_features = X.shape
    gram = np.zeros((n_features, n_features), order="F")
    targets = None if Y is None else _TargetBlocks(Y, Y_center, sums)
    sqrt_weights = None if weights is None else np.sqrt(weights)

    if sp.issparse(X) and center is None:
        Xw = X if weights is None else sp.csr_matrix(X.multiply(weights[:, None]))
        gram = np.asarray((X.T @ Xw).toarray(), dtype=np.float64)
        gram = 0.5 * (gram + gram.T)  # the sparse product rounds the two triangles apart
        if targets is None:
            return gram, None
        # X carries no weight here: all of it goes on Y.
        Yw = targets.block(0, n_samples, weights, weights)
        return gram, *targets.result(np.asarray(X.T @ Yw, dtype=np.float64))

    # A block of X and its block of Y together are cache-sized.
    rows = block_rows(n_features + (0 if targets is None else targets.width))
    # The buffer takes X's layout, so that a block of X's columns (a DataFrame's, often)
    # is copied column by column rather than gathered with a stride of n_samples.
    # Each block is a contiguous view of one buffer (BLAS would copy a strided one).
    columns = not sp.issparse(X) and X.flags.f_contiguous and not X.flags.c_contiguous
    buffer = np.empty(min(rows, n_samples) * n_features)
    cross = None if targets is None else np.zeros((n_features, targets.width), order="F")
    for start in range(0, n_samples, rows):
        stop = min(start + rows, n_samples)
        block = X[start:stop].toarray() if sp.issparse(X) else X[start:stop]
        scaled = buffer[: (stop - start) * n_features]
        if columns:
            scaled = scaled.reshape(n_features, stop - start).T
        else:
            scaled = scaled.reshape(stop - start, n_features)
        np.subtract(block, 0.0 if center is None else center, out=scaled)
        if sqrt_weights is not None:
            scaled *= sqrt_weights[start:stop, None]
        # syrk accumulates A A^T (trans=0) or A^T A (trans=1) into the upper triangle of
        # gram in half the flops of numpy's product (docs/performance.rst, "Fast paths"):
        # a C-ordered (rows, p) block is A^T for a Fortran A, a Fortran block is A itself,
        # so neither is copied.
        if columns:
            gram = blas.dsyrk(1.0, scaled, beta=1.0, c=gram, trans=1, overwrite_c=1)
        else:
            gram = blas.dsyrk(1.0, scaled.T, beta=1.0, c=gram, trans=0, overwrite_c=1)
        if targets is not None:
            # scaled already carries one sqrt(w); the block of Y carries the other.
            Y_block = targets.block(start, stop, weights, sqrt_weights)
            # scipy's BLAS for both products: alternating with numpy's (a separate OpenBLAS
            # whose idle threads still spin) block after block costs more than the product.
            # Y_block.T is Fortran-ordered, so neither operand is copied for BLAS.
            A, trans_a = (scaled, 1) if columns else (scaled.T, 0)
            cross = blas.dgemm(
                1.0, A, Y_block.T, beta=1.0, c=cross, overwrite_c=1, trans_a=trans_a, trans_b=1
            )
    gram = _mirror_upper(gram)
    if targets is None:
        return gram, None
    return gram, *targets.result(np.ascontiguousarray(cross))


class _TargetBlocks:
    """Row blocks of ``[1, Y - Y_center]`` (the ones column only with ``sums``) in one
    reused buffer, for :func:`weighted_gram`; with ``sums`` it adds up ``1^T W (Y -
    Y_center)`` block by block."""

    def __init__(self, Y, Y_center, sums):
        self.Y = np.asarray(Y, dtype=np.float64)
        self.center = 0.0 if Y_center is None else Y_center
        self.lead = int(sums)
        self.width = self.lead + self.Y.shape[1]
        self.sums = np.zeros(self.Y.shape[1]) if sums else None
        self.buffer = np.empty((0, self.width))

    def block(self, start, stop, weights, scale):
        """Rows ``start:stop`` of ``[1, Y - Y_center]``, C-ordered, each times its
        ``scale`` (None: as they are); ``weights`` (None: ones) weigh their sums."""
        if self.buffer.shape[0] < stop - start:
            self.buffer = np.empty((stop - start, self.width))
        out = self.buffer[: stop - start]
        if self.lead:
            out[:, 0] = 1.0
        np.subtract(self.Y[start:stop], self.center, out=out[:, self.lead :])
        if self.sums is not None:
            w = np.ones(stop - start) if weights is None else weights[start:stop]
            self.sums += blas.dgemv(1.0, out.T, w)[self.lead :]
        if scale is not None:
            out *= scale[start:stop, None]
        return out

    def result(self, cross):
        """``(cross,)``, or ``(cross, Y_sums)`` with ``sums``."""
        return (cross,) if self.sums is None else (cross, self.sums)


# Bands of 64 rows: the transposed copy reads 64 consecutive numbers (eight cache lines)
# of each row below the band, rather than one number of each.
_MIRROR_BLOCK = 64


def _mirror_upper(matrix):
    """Full symmetric matrix, in place, from the upper triangle that syrk filled in the
    Fortran-ordered ``matrix`` (whose other triangle is zero).

    The transpose is C-ordered and holds the values in its lower triangle. Each band of
    rows above the diagonal is copied from the matching column band below it, a block at a
    time: copying the whole transposed triangle at once reads across the matrix, one
    number per cache line, and costs several times more at a thousand columns
    (docs/performance.rst, "Fast paths").
    """
    full = matrix.T
    n = full.shape[0]
    for start in range(0, n, _MIRROR_BLOCK):
        stop = min(start + _MIRROR_BLOCK, n)
        full[start:stop, stop:] = full[stop:, start:stop].T
        diagonal = full[start:stop, start:stop]
        diagonal += np.tril(diagonal, -1).T
    return full


def cholesky_solve(A, B, *, ridge=0.0, overwrite_a=False):
    """Solve ``(A + ridge * I) x = B`` for symmetric positive definite ``A`` by Cholesky.

    The matrix is first scaled to unit diagonal (Jacobi equilibration), which makes the
    factorization's accuracy depend on how collinear the columns are, not on their units;
    the reciprocal condition number LAPACK estimates (``dpocon``) is that of the equilibrated
    matrix, and ``eps / rcond`` bounds the relative error of the solution.

    Parameters
    ----------
    A : ndarray of shape (n, n)
        Symmetric positive (semi)definite matrix; only its upper triangle is read.
    B : ndarray of shape (n,) or (n, k)
        Right-hand side(s).
    ridge : float, default=0.0
        Added to the diagonal before factoring.
    overwrite_a : bool, default=False
        Whether float64 ``A`` may be overwritten (by its factor), to save a copy.

    Returns
    -------
    x : ndarray of the shape of ``B``
        The solution.
    rcond : float
        Estimated reciprocal 1-norm condition number of the equilibrated matrix.

    Raises
    ------
    numpy.linalg.LinAlgError
        If the matrix is not numerically positive definite (a zero or negative pivot).

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils.linalg import cholesky_solve
    >>> x, rcond = cholesky_solve(np.array([[4.0, 2.0], [2.0, 3.0]]), np.array([2.0, 1.0]))
    >>> x
    array([0.5, 0. ])
    """
    factor = CholeskyFactor.of(A, ridge=ridge, overwrite_a=overwrite_a)
    return factor.solve(B), factor.rcond


@dataclass(frozen=True)
class CholeskyFactor:
    """The Cholesky factor of a Jacobi-equilibrated ``A + ridge * I``, to solve with again.

    ``scale`` is ``1 / sqrt(diag(A + ridge * I))`` and ``upper`` the upper-triangular
    ``U`` with ``U^T U = S (A + ridge * I) S``, ``S = diag(scale)``; ``rcond`` is LAPACK's
    estimate of the reciprocal 1-norm condition number of ``S (A + ridge * I) S``
    (:func:`cholesky_solve`).

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils.linalg import CholeskyFactor
    >>> factor = CholeskyFactor.of(np.array([[4.0, 2.0], [2.0, 3.0]]))
    >>> factor.solve(np.array([2.0, 1.0]))
    array([0.5, 0. ])
    """

    upper: np.ndarray
    scale: np.ndarray
    rcond: float

    @classmethod
    def of(cls, A, *, ridge=0.0, overwrite_a=False):
        """Factor ``A + ridge * I`` (see :func:`cholesky_solve` for the parameters and the
        error raised)."""
        A = np.array(A, dtype=np.float64, copy=not overwrite_a or None)
        n = A.shape[0]
        if ridge:
            A.flat[:: n + 1] += ridge
        diagonal = A.diagonal().copy()
        if n == 0:
            return cls(A, diagonal, 1.0)
        if not np.all(diagonal > 0) or not np.all(np.isfinite(A)):
            raise np.linalg.LinAlgError(
                "matrix is not positive definite (a diagonal entry is <= 0)"
            )
        scale = 1.0 / np.sqrt(diagonal)
        A *= scale[:, None]  # in place: equilibrated, with no n x n temporary
        A *= scale[None, :]
        anorm = np.abs(A).sum(axis=0).max()
        upper, info = lapack.dpotrf(A, lower=0, clean=1, overwrite_a=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"matrix is not positive definite (pivot {info} <= 0)")
        rcond, _ = lapack.dpocon(upper, anorm, uplo="U")
        return cls(upper, scale, float(rcond))

    def solve(self, B):
        """``x`` with ``(A + ridge * I) x = B``, for ``B`` of shape (n,) or (n, k)."""
        B = np.asarray(B, dtype=np.float64)
        if self.scale.size == 0:
            return B.copy()
        scale = self.scale if B.ndim == 1 else self.scale[:, None]
        # LAPACK's potrs, as scipy's cho_solve calls it, without cho_solve's per-call
        # wrappers (docs/performance.rst, "Fast paths").
        x, _ = lapack.dpotrs(self.upper, B * scale, lower=0)  # fails only on checked args
        x *= scale
        return x


def symmetric_eigenvalues(A):
    """The eigenvalues of a symmetric float64 matrix, ascending, read from its lower triangle.

    Bit for bit ``scipy.linalg.eigvalsh(A, check_finite=False)``: the same LAPACK driver
    (``dsyevr``) with the workspace sizes LAPACK asks for, called without scipy's
    per-call wrappers (batching, input checks), which take longer than the decomposition
    of a matrix of a few dozen rows (docs/performance.rst, "Fast paths").

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils.linalg import symmetric_eigenvalues
    >>> symmetric_eigenvalues(np.array([[2.0, 1.0], [1.0, 2.0]]))
    array([1., 3.])
    """
    A = np.asarray(A)
    n = A.shape[0]
    if A.dtype != np.float64 or A.ndim != 2 or n == 0 or A.shape[1] != n:
        return linalg.eigvalsh(A, check_finite=False)
    work, iwork, _ = lapack.dsyevr_lwork(n, lower=1)  # the workspace query (valid for n > 0)
    eigenvalues, _, found, _, info = lapack.dsyevr(
        A, compute_v=0, lower=1, lwork=int(work), liwork=int(iwork)
    )
    if info != 0:
        return linalg.eigvalsh(A, check_finite=False)  # scipy's error or its answer
    return eigenvalues[:found]


def eigh_solve(A, B, *, ridge=0.0, cutoff=0.0):
    """Minimum-norm solution of ``(A + ridge * I) x = B`` for symmetric positive semidefinite A.

    From the eigendecomposition ``A = V diag(lambda) V^T``:
    ``x = V diag(1 / (lambda + ridge)) V^T B`` over the eigenvalues with
    ``lambda + ridge > cutoff``; the other directions get zero, which is the minimum-norm
    least-squares solution (the pseudo-inverse).  Eigenvalues are accurate to about
    ``eps * max(lambda)``, so a cutoff below that leaves noise in the solution.

    Parameters
    ----------
    A : ndarray of shape (n, n)
        Symmetric positive semidefinite matrix.
    B : ndarray of shape (n,) or (n, k)
        Right-hand side(s).
    ridge : float, default=0.0
        Added to every eigenvalue.
    cutoff : float, default=0.0
        Shifted eigenvalues at or below this are treated as zero.

    Returns
    -------
    x : ndarray of the shape of ``B``
        The minimum-norm solution.
    eigenvalues : ndarray of shape (n,)
        The eigenvalues of ``A`` (without ``ridge``), ascending.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils.linalg import eigh_solve
    >>> A = np.array([[1.0, 1.0], [1.0, 1.0]])  # singular
    >>> x, eigenvalues = eigh_solve(A, np.array([2.0, 2.0]), cutoff=1e-12)
    >>> x
    array([1., 1.])
    """
    inverse = PseudoInverse.of(A, ridge=ridge, cutoff=cutoff)
    return inverse.solve(B), inverse.eigenvalues


@dataclass(frozen=True)
class PseudoInverse:
    """The pseudo-inverse of a symmetric positive semidefinite ``A + ridge * I`` from its
    eigendecomposition, over the eigenvalues above a cutoff (:func:`eigh_solve`), to solve
    with again.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils.linalg import PseudoInverse
    >>> inverse = PseudoInverse.of(np.array([[1.0, 1.0], [1.0, 1.0]]), cutoff=1e-12)
    >>> inverse.solve(np.array([2.0, 2.0]))
    array([1., 1.])
    """

    vectors: np.ndarray
    inverse: np.ndarray  # 1 / (eigenvalue + ridge) where kept, else 0
    eigenvalues: np.ndarray  # of A (without ridge), ascending

    @classmethod
    def of(cls, A, *, ridge=0.0, cutoff=0.0):
        """Decompose ``A`` (see :func:`eigh_solve` for the parameters)."""
        eigenvalues, vectors = linalg.eigh(np.asarray(A, dtype=np.float64), check_finite=False)
        shifted = eigenvalues + ridge
        keep = shifted > cutoff
        inverse = np.zeros_like(shifted)
        inverse[keep] = 1.0 / shifted[keep]
        return cls(vectors, inverse, eigenvalues)

    def solve(self, B):
        """The minimum-norm ``x`` of ``(A + ridge * I) x = B`` over the kept directions."""
        B = np.asarray(B, dtype=np.float64)
        projected = self.vectors.T @ B
        projected *= self.inverse if B.ndim == 1 else self.inverse[:, None]
        return self.vectors @ projected


def accurate_cholesky_solve(
    A, B, *, ridge=0.0, max_relative_error=DEFAULT_MAX_RELATIVE_ERROR, overwrite_a=False
):
    """Cholesky's solution of ``(A + ridge * I) x = B`` if it can be trusted, else None.

    Trusted means the factorization succeeded and its forward-error bound ``eps / rcond``
    (see :func:`cholesky_solve`) is at most ``max_relative_error``.  A caller with a better
    fallback than :func:`eigh_solve` (the SVD of the data itself, say) uses this and its own
    fallback; :func:`solve_psd` uses it with the eigendecomposition.

    Parameters
    ----------
    A : ndarray of shape (n, n)
        Symmetric positive semidefinite matrix.
    B : ndarray of shape (n,) or (n, k)
        Right-hand side(s).
    ridge : float, default=0.0
        Added to the diagonal.
    max_relative_error : float, default=1e-9
        Largest accepted Cholesky error bound.
    overwrite_a : bool, default=False
        Whether float64 ``A`` may be overwritten, to save a copy.

    Returns
    -------
    x : ndarray of the shape of ``B``, or None
        The solution, or None when Cholesky failed or is not accurate enough.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils.linalg import accurate_cholesky_solve
    >>> accurate_cholesky_solve(np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([2.0, 3.0]))
    array([1., 3.])
    >>> accurate_cholesky_solve(np.array([[1.0, 1.0], [1.0, 1.0]]), np.ones(2)) is None
    True
    """
    try:
        x, rcond = cholesky_solve(A, B, ridge=ridge, overwrite_a=overwrite_a)
    except np.linalg.LinAlgError:
        return None
    return x if is_accurate(rcond, max_relative_error) else None


def is_accurate(rcond, max_relative_error=DEFAULT_MAX_RELATIVE_ERROR):
    """Whether the Cholesky error bound ``eps / rcond`` is within ``max_relative_error``."""
    return np.finfo(np.float64).eps <= max_relative_error * rcond


def solve_psd(A, B, *, ridge=0.0, cutoff=0.0, max_relative_error=DEFAULT_MAX_RELATIVE_ERROR):
    """Solve ``(A + ridge * I) x = B`` by Cholesky, falling back to a minimum-norm solve.

    Cholesky is tried first; when it fails (the matrix is singular or indefinite in floating
    point) or its error bound ``eps / rcond`` exceeds ``max_relative_error``
    (:func:`accurate_cholesky_solve`), the solution comes from :func:`eigh_solve` with the
    given ``cutoff`` instead.

    Parameters
    ----------
    A : ndarray of shape (n, n)
        Symmetric positive semidefinite matrix.
    B : ndarray of shape (n,) or (n, k)
        Right-hand side(s).
    ridge : float, default=0.0
        Added to the diagonal.
    cutoff : float, default=0.0
        Passed to :func:`eigh_solve` for the fallback.
    max_relative_error : float, default=1e-9
        Largest accepted Cholesky error bound.

    Returns
    -------
    x : ndarray of the shape of ``B``
        The solution.
    method : {'cholesky', 'eigh'}
        Which solve produced it.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils.linalg import solve_psd
    >>> solve_psd(np.array([[2.0, 0.0], [0.0, 0.0]]), np.array([2.0, 0.0]), cutoff=1e-12)
    (array([1., 0.]), 'eigh')
    """
    x = accurate_cholesky_solve(A, B, ridge=ridge, max_relative_error=max_relative_error)
    if x is not None:
        return x, "cholesky"
    x, _ = eigh_solve(A, B, ridge=ridge, cutoff=cutoff)
    return x, "eigh"
