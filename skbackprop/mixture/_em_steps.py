"""The E-step and M-step of a Gaussian mixture, over all components at once.

A Gaussian's log-density is linear in a fixed feature map of the sample,
``phi(x) = [1, x, quadratic terms of x]`` (the Gaussian is an exponential family), so the
weighted log-probability of every sample under every component is one matrix product::

    log(phi_k) + log N(x | mu_k, Sigma_k) = phi(x) @ theta[:, k]

and the M-step's sufficient statistics for every component are the other one::

    responsibilities.T @ phi(X)        # (n_components, n_features_phi)

Column 0 sums the responsibilities (N_k), the next ``n_features`` columns give
``sum_i r_ik x_i`` and the rest the second moments whose shape depends on the covariance
type: the upper triangle of ``x x^T`` ('full', 'tied'), ``x * x`` ('diag') or ``|x|^2``
('spherical').  A fixed ``shift`` (the data's mean) is subtracted from ``x`` first so that
``second moment - N mu mu^T`` loses few digits to cancellation. The quadratic part of
'diag' and 'spherical' is element-wise, so their product splits into two over contiguous
arrays, ``x @ linear + x**2 @ quadratic`` (:func:`log_prob_by_products`), and no map is built.

That expansion, ``c - 0.5 x^T P x + x^T P mu``, sums terms of size ``P |mu|^2`` to get a
result of order one: for a component whose precision is huge at a distance from the data's
mean (a component that holds one sample, a tight cluster far away) the round-off,
``eps P |mu|^2``, swamps the result.  Those few components are computed again from
distances, ``c - 0.5 |U^T (x - mu)|^2``, which do not cancel (:class:`DirectComponents`).

Statistics of disjoint row blocks add, so :func:`e_step_statistics` can be mapped over
chunks and reduced with ``+``.
"""

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..autodiff.softmax import exp_and_sum
from ._precisions import log_det_cholesky, precisions_from_cholesky

# Rows per block are chosen so that a block's features and log-probabilities (about this
# many elements) stay in cache across the few passes the E-step makes over them
# (docs/performance.rst, "Fast paths").
_BLOCK_ELEMENTS = 1 << 17

# Beyond this distance below the maximum, exp of a log-probability minus the maximum is 0
# (past the smallest subnormal, at -745.1 in float64 and -103.3 in float32), with a margin.
_EXPONENT_RANGE = {
    dtype: 2.0 - float(np.log(np.nextafter(dtype(0), dtype(1), dtype=dtype)))
    for dtype in (np.float64, np.float32)
}


def n_quadratic_features(n_features, covariance_type):
    """Number of second-moment columns of the feature map."""
    if covariance_type in ("full", "tied"):
        return n_features * (n_features + 1) // 2
    return n_features if covariance_type == "diag" else 1


# Relative costs per number of the formulations' element-wise passes, in flops of a
# matrix product (which runs in BLAS): the feature map is built column slice by column
# slice, the distances' differences and squares are whole contiguous arrays.
_MAP_ELEMENT_COST = 48
_DISTANCE_ELEMENT_COST = 8


def use_distances(n_features, n_components, covariance_type, passes):
    """Whether per-component distances cost less than the expansion in features.

    The one cost model of the mixture. Per row, the expansion costs ``passes`` products
    with the natural parameters (``2 W K`` flops each over ``W = 1 + d + n_quadratic``
    features; 'tied' multiplies its quadratic columns by one shared vector) and the
    features' construction: for 'full' and 'tied' one element-wise pass over the feature
    map's columns, for 'diag' and 'spherical' the rows minus the shift and their squares,
    two passes over ``d`` numbers per use, whose two products
    (:func:`log_prob_by_products`) need no map. The distances cost, every pass and for each
    component, ``(x - mu) @ U`` (``2 d^2`` flops for 'full'; 'tied' makes one product
    ``x @ U`` for all the components) and three element-wise passes over ``d`` numbers.
    ``passes`` is how many times one construction of the map would be used: 1 for a
    prediction, 2 per EM iteration (E-step and statistics), times the iterations when the
    map of all rows is kept.
    """
    d, k = n_features, n_components
    width = 1 + d + n_quadratic_features(d, covariance_type)
    linear = 1 + d if covariance_type == "tied" else width
    expansion = passes * 2 * (linear * k + width - linear)
    if covariance_type in ("full", "tied"):
        expansion += _MAP_ELEMENT_COST * width
        product = 2 * d * d
    else:
        expansion += passes * 2 * _DISTANCE_ELEMENT_COST * d
        product = 0
    # 'tied' multiplies the rows by its one U once for all components (x U - mu_k U).
    products = product if covariance_type == "tied" else k * product
    distance_cost = passes * (products + k * 3 * _DISTANCE_ELEMENT_COST * d)
    return distance_cost < expansion


def use_map(covariance_type, kept):
    """Whether the expansion multiplies the feature map, or (for 'diag' and 'spherical')
    the rows and their squares in two products (:func:`log_prob_by_products`).

    Part of the cost model: a map built for one pass costs more than the two products (see
    :func:`use_distances`). The map of all rows kept between EM iterations pays for
    'spherical', two columns wider than the rows, as it saves squaring the rows on each
    pass; not for 'diag', twice as wide as the rows: kept, it is over the memory bound
    (twice scikit-learn's peak) and slower to read from memory than squaring the rows
    again (``benchmarks/bench_gmm.py``).
    """
    return covariance_type in ("full", "tied") or (kept and covariance_type == "spherical")


def use_entry_selection(covariance_type, n_components, n_listed, n_features):
    """Whether the components listed for distances (:class:`DirectComponents`) are
    computed again only at the samples where they can count
    (:meth:`DirectComponents._entries_that_count`), for 'diag' and 'spherical'.

    Part of the cost model: the selection costs about a dozen element-wise passes over the
    listed components' log-probabilities and one over all of them; each listed entry it
    leaves out saves three passes over ``d`` numbers, and where it pays nearly all are
    left out (one entry per sample usually counts).
    """
    if covariance_type not in ("diag", "spherical"):
        return False
    return 3 * n_features * n_listed > 12 * n_listed + n_components


def feature_map(X, covariance_type, shift, out=None):
    """The Gaussian's sufficient-statistic features ``[1, x - shift, quadratic(x - shift)]``.

    The quadratic part is the upper triangle of the outer product (row by row, as
    ``numpy.triu_indices`` orders it) for 'full' and 'tied', the squares for 'diag', the
    squared norm for 'spherical'.  Returns an array of shape
    (n_samples, 1 + n_features + n_quadratic) in the wider dtype of ``X`` and ``shift``
    (``out`` if given).
    """
    n_samples, n_features = X.shape
    width = 1 + n_features + n_quadratic_features(n_features, covariance_type)
    dtype = np.result_type(X, shift)
    phi = np.empty((n_samples, width), dtype=dtype) if out is None else out
    phi[:, 0] = 1.0
    centered = phi[:, 1 : 1 + n_features]
    np.subtract(X, shift, out=centered)
    quadratic = phi[:, 1 + n_features :]
    if covariance_type in ("full", "tied"):
        # One product per feature (not per component): row j of the upper triangle.
        start = 0
        for j in range(n_features):
            stop = start + n_features - j
            np.multiply(centered[:, j : j + 1], centered[:, j:], out=quadratic[:, start:stop])
            start = stop
    elif covariance_type == "diag":
        np.square(centered, out=quadratic)
    else:
        np.einsum("ij,ij->i", centered, centered, out=quadratic[:, 0])
    return phi


@dataclass(frozen=True)
class DirectComponents:
    """The components whose log-probabilities are computed from distances.

    A component is listed when the expansion's round-off near its mean, ``eps P |mu|^2``,
    could exceed ``sqrt(eps)`` in log units (half the digits lost, the rule the M-step
    applies to covariances).  Components with ordinary spread stay far below it, so the
    fits scikit-learn's formulas resolve take the one-product path unchanged.

    Attributes
    ----------
    indices : ndarray of int
    constants : ndarray of shape (n_direct,)
        ``log weight + log det U - d/2 log(2 pi)``.
    means : ndarray of shape (n_direct, n_features)
        Minus the features' shift.
    precisions_cholesky : ndarray
        Their ``U`` (the shared one for 'tied').
    covariance_type : str
    """

    indices: np.ndarray
    constants: np.ndarray
    means: np.ndarray
    precisions_cholesky: np.ndarray
    covariance_type: str

    @classmethod
    def of(cls, mahalanobis_of_mean, constants, means, precisions_cholesky, covariance_type):
        """Those of the components that need it, or None (the usual case)."""
        eps = np.finfo(means.dtype).eps
        with np.errstate(invalid="ignore"):  # NaN is never far
            far = eps * np.abs(mahalanobis_of_mean) > np.sqrt(eps)
        if not far.any():
            return None
        indices = np.flatnonzero(far)
        if covariance_type != "tied" and indices.size < far.size:  # all of them: no copy
            precisions_cholesky = precisions_cholesky[indices]
        return cls(
            indices, constants[indices], means[indices], precisions_cholesky, covariance_type
        )

    @classmethod
    def every(cls, weights, means, precisions_cholesky, covariance_type):
        """All the components, in the distance formulation: all that scoring by distances
        needs of the parameters (no precision matrices, as scikit-learn's scoring)."""
        n_components, n_features = means.shape
        log_weight_det = _log_weight_det(weights, precisions_cholesky, covariance_type, n_features)
        constants = log_weight_det - 0.5 * _log_2pi(n_features)
        indices = np.arange(n_components)
        return cls(indices, constants, means, precisions_cholesky, covariance_type)

    def overwrite(self, out, centered, expanded=True):
        """Rows ``indices`` of ``out`` (K, n) from the samples ``centered`` (n, d).

        ``expanded``: ``out`` holds the expansion's values of every component, and for
        'diag' and 'spherical' only the entries that can count are computed again
        (:meth:`_entries_that_count`); the others keep the expansion's value.
        """
        by_differences = range(len(self.indices))
        if self.covariance_type in ("full", "tied"):
            by_differences = self._overwrite_from_images(out, centered)
        if len(by_differences) == 0:
            return
        counting = [None] * len(self.indices)
        n_listed, n_features = len(self.indices), centered.shape[1]
        selects = use_entry_selection(self.covariance_type, out.shape[0], n_listed, n_features)
        if expanded and selects:
            counting = self._entries_that_count(out, centered.shape[1])
        # One buffer for the differences, reused: a fresh one per component would be
        # allocated while the previous one is still held. A cache-sized block of rows at a
        # time; for 'diag' and 'spherical', whose differences are all the work, at most a
        # quarter of the rows, as one of all of them would double the memory they take
        # ('full' and 'tied' keep blocks large enough for their products to run fast).
        n_rows, n_features = centered.shape
        block = min(_BLOCK_ELEMENTS, centered.size)
        if self.covariance_type in ("diag", "spherical"):
            block = min(block, centered.size // 4)
        step = min(n_rows, max(16, block // max(n_features, 1)))
        buffer = np.empty((step, n_features), dtype=centered.dtype)
        for row in by_differences:
            samples = counting[row]  # None: all of them
            source = centered if samples is None else centered[samples]
            target = out[self.indices[row]]
            for first in range(0, source.shape[0], step):
                rows = source[first : first + step]
                diff = np.subtract(rows, self.means[row], out=buffer[: len(rows)])
                if self.covariance_type == "full":
                    diff = diff @ self.precisions_cholesky[row]
                elif self.covariance_type == "tied":
                    diff = diff @ self.precisions_cholesky
                elif self.covariance_type == "diag":
                    diff *= self.precisions_cholesky[row]
                squares = np.einsum("ij,ij->i", diff, diff)
                if self.covariance_type == "spherical":
                    # One precision for every feature: scale the n squared norms, not
                    # the n x d differences (a pass over the rows fewer).
                    squares *= self.precisions_cholesky[row] ** 2
                where = (
                    slice(first, first + step)
                    if samples is None
                    else samples[first : first + step]
                )
                target[where] = self.constants[row] - 0.5 * squares

    def _entries_that_count(self, out, n_features):
        """For each listed 'diag' or 'spherical' component, the samples whose exact
        log-probability can change a result, or None for all of them.

        ``out`` holds the expansion's value ``a`` of every component; of a listed one it
        is ``t = c - D/2`` (``c`` its constant, ``D = sum_j P_j (x_j - mu_j)^2``) up to a
        round-off below ``g (2 D + 3 S)``, where ``S = sum_j P_j mu_j^2`` and ``g`` is a
        few ``d eps``: the expansion's terms are at most ``sum_j P_j x_j^2 + S``, and
        ``sum_j P_j x_j^2 <= 2 D + 2 S``. So ``D`` is at most ``(c - a + 3 g S) /
        (1/2 - 2 g)``, and ``t`` within ``E = g (2 D + 3 S)`` of ``a``. Where ``a + E``
        lies more than the exponent range below a lower bound of the sample's largest
        log-probability, ``exp`` of both ``t`` and ``a`` minus that maximum is exactly 0:
        responsibilities, log-likelihoods, labels and probabilities are the same bits
        with either. Components started on one sample are listed in the first E-step, and
        only a few samples near each can count.
        """
        dtype = out.dtype
        g = 4 * (n_features + 4) * np.finfo(dtype).eps
        listed = out[self.indices]
        scaled_means = self.means * (
            self.precisions_cholesky[:, None]
            if self.covariance_type == "spherical"
            else self.precisions_cholesky
        )
        S = np.einsum("ki,ki->k", scaled_means, scaled_means)[:, None]
        constants = self.constants[:, None]
        with np.errstate(invalid="ignore", over="ignore"):
            D = np.maximum(constants - listed + 3 * g * S, 0) / (0.5 - 2 * g)
            E = g * (2 * D + 3 * S)
            # A lower bound of the largest log-probability, whether an unlisted component
            # (exact as it is) or a listed one (at least a - E) holds it.
            largest = out.max(axis=0) - E.max(axis=0)
            # NaN, infinity and a maximum that is not finite: every sample counts.
            counts = ~(listed + E < largest - _EXPONENT_RANGE[dtype.type])
            counts |= ~np.isfinite(largest) | ~np.isfinite(listed)
        return [None if mask.all() else np.flatnonzero(mask) for mask in counts]

    def _overwrite_from_images(self, out, centered):
        """'full' and 'tied' as scikit-learn writes them, ``x U_k - mu_k U_k``, with the
        images of the rows under every ``U_k`` in one product (one ``U`` for 'tied'), a
        cache-sized block of rows at a time. Returns the rows of ``indices`` left to the
        differences ``(x - mu_k) U_k``.

        One wide product runs faster in BLAS than one narrow product per component, and the
        blocks' differences and squares stay in cache. The images' difference carries a
        round-off of ``eps |mu_k U_k|``; the components where the expansion's rule
        (:meth:`of`) finds that large are left to the differences, which do not cancel.
        """
        upper = self.precisions_cholesky
        n_features = self.means.shape[1]
        if self.covariance_type == "tied":
            images = self.means @ upper
        else:
            images = np.einsum("ki,kij->kj", self.means, upper)
        eps = np.finfo(images.dtype).eps
        near = eps * np.einsum("ki,ki->k", images, images) <= np.sqrt(eps)
        rows_near = np.flatnonzero(near)
        if rows_near.size == 0:
            return np.flatnonzero(~near)
        components, constants = self.indices[rows_near], self.constants[rows_near, None]
        images = images[rows_near]
        n_rows, n_near = centered.shape[0], rows_near.size
        tied = self.covariance_type == "tied"
        per_row = 1 if tied else n_near  # images per row
        panels = _column_panels(upper if tied else upper[rows_near], n_features)
        widest = max(stop - start for start, stop, _ in panels)
        # Blocks no larger than the cache, nor than the rows themselves (the memory bound);
        # their buffers are reused, as fresh ones would be page-faulted in on every block.
        step = min(n_rows, max(16, min(_BLOCK_ELEMENTS, centered.size) // (n_near * n_features)))
        image_buffer = np.empty((step, per_row * widest), dtype=centered.dtype)
        diff_buffer = np.empty((step, n_near, widest), dtype=centered.dtype)
        squares = np.empty((2, n_near, step), dtype=centered.dtype)
        for first in range(0, n_rows, step):
            rows = centered[first : first + step]
            size = rows.shape[0]
            total, panel_squares = squares[0, :, :size], squares[1, :, :size]
            total[...] = 0.0
            for start, stop, weights in panels:
                width = stop - start
                image = np.matmul(
                    rows[:, :stop], weights, out=image_buffer[:size, : per_row * width]
                ).reshape(size, per_row, width)
                diff = np.subtract(image, images[:, start:stop], out=diff_buffer[:size, :, :width])
                total += np.einsum("rkd,rkd->kr", diff, diff, out=panel_squares)
            out[components, first : first + step] = constants - 0.5 * total
        return np.flatnonzero(~near)


# Columns per panel of the triangular products (see _column_panels): about this wide,
# BLAS keeps its speed while the panels skip most of U's zero triangle.
_PANEL_WIDTH = 100


def _column_panels(upper, n_features):
    """``[(start, stop, weights)]``: the product with the upper-triangular ``upper``, (d, d)
    or stacked (k, d, d), in column panels.

    Columns ``start:stop`` of ``x @ U`` need only the first ``stop`` rows of ``U`` (the
    rest are zeros), so ``P`` panels cost ``(P + 1) / 2P`` of the whole product.
    ``weights`` is ``U[:stop, start:stop]``, side by side for every stacked ``U``.
    """
    n_panels = max(1, round(n_features / _PANEL_WIDTH))
    edges = np.linspace(0, n_features, n_panels + 1).astype(int)
    stacked = upper if upper.ndim == 3 else upper[None]
    return [
        (start, stop, np.concatenate(stacked[:, :stop, start:stop], axis=1))
        for start, stop in itertools.pairwise(edges)
    ]


@dataclass(frozen=True)
class NaturalParameters:
    """Coefficients turning features into weighted log-probabilities.

    ``phi[:, :n_per_component] @ per_component + (phi[:, n_per_component:] @ shared)[:, None]``
    is ``log weight_k + log N(x | mean_k, covariance_k)`` for every sample and component.
    ``shared`` is only used by 'tied', whose quadratic term is the same for all components;
    ``direct`` lists the components computed again from distances, and ``all_components``
    is every component in the distance formulation (:func:`log_prob_by_distances`).
    """

    per_component: np.ndarray
    shared: np.ndarray | None
    n_features: int
    direct: "DirectComponents | None" = None
    all_components: "DirectComponents | None" = None


def _log_weight_det(weights, precisions_cholesky, covariance_type, n_features):
    """``log weight_k + log det U_k``: each component's log-probability at its mean, up
    to the ``d/2 log(2 pi)`` of the normal density."""
    with np.errstate(divide="ignore"):  # a zero weight gives log 0 = -inf, as in sklearn
        log_weights = np.log(weights)
    return log_weights + log_det_cholesky(precisions_cholesky, covariance_type, n_features)


def _log_2pi(n_features):
    return n_features * math.log(2 * math.pi)


def natural_parameters(weights, means, precisions_cholesky, covariance_type, shift):
    """The :class:`NaturalParameters` of a mixture for features computed with ``shift``.

    ``precisions_cholesky`` is shaped as scikit-learn's ``precisions_cholesky_`` for the
    covariance type (upper-triangular ``U`` with ``precision = U U^T``).
    """
    n_components, n_features = means.shape
    dtype = means.dtype
    m = means - shift
    precisions = precisions_from_cholesky(precisions_cholesky, covariance_type)
    if covariance_type == "full":
        linear = np.einsum("kij,kj->ki", precisions, m)
    elif covariance_type == "tied":
        linear = m @ precisions
    elif covariance_type == "diag":
        linear = precisions * m
    else:
        linear = precisions[:, None] * m
    mahalanobis_of_mean = np.einsum("ki,ki->k", linear, m)
    log_weight_det = _log_weight_det(weights, precisions_cholesky, covariance_type, n_features)
    constant = log_weight_det - 0.5 * (_log_2pi(n_features) + mahalanobis_of_mean)

    shared = None
    if covariance_type in ("full", "tied"):
        rows, cols = np.triu_indices(n_features)
        # x^T P x counts each off-diagonal entry twice; the feature holds it once.
        factor = np.where(rows == cols, -0.5, -1.0).astype(dtype)
        if covariance_type == "full":
            quadratic = precisions[:, rows, cols] * factor
        else:
            shared = precisions[rows, cols] * factor
            quadratic = np.empty((n_components, 0), dtype=dtype)
    elif covariance_type == "diag":
        quadratic = -0.5 * precisions
    else:
        quadratic = -0.5 * precisions[:, None]
    # One row per feature, one column per component: contiguous as the products read it.
    per_component = np.concatenate([constant[None, :], linear.T, quadratic.T], dtype=dtype)
    # All the components: the distance formulation of the log-probabilities.
    every = DirectComponents.every(weights, m, precisions_cholesky, covariance_type)
    direct = DirectComponents.of(
        mahalanobis_of_mean, every.constants, m, precisions_cholesky, covariance_type
    )
    return NaturalParameters(per_component, shared, n_features, direct, every)


def weighted_log_prob(phi, theta):
    """``log weight_k + log N(x_i | component k)``, component-major: shape (K, n_rows).

    Components run along the first axis so that the log-sum-exp's reductions over them are
    elementwise operations between contiguous rows, not reductions along short rows.
    """
    width = theta.per_component.shape[0]
    out = theta.per_component.T @ phi[:, :width].T
    if theta.shared is not None:
        out += phi[:, width:] @ theta.shared
    if theta.direct is not None:
        theta.direct.overwrite(out, phi[:, 1 : 1 + theta.n_features])
    return out


def log_prob_by_distances(centered, components):
    """:func:`weighted_log_prob` from per-component distances ``|U^T (x - mu)|^2`` of the
    rows ``centered`` (minus the features' shift) to the means of ``components``, the
    :class:`DirectComponents` of every component, without the feature map."""
    out = np.empty((len(components.indices), centered.shape[0]), dtype=centered.dtype)
    components.overwrite(out, centered, expanded=False)
    return out


def tiled_rows(vector, n_rows):
    """``vector`` as ``n_rows`` identical rows, C-contiguous: subtracted from a block of
    rows. numpy runs a broadcast vector with one inner loop per row, slow on short rows;
    against the tiled block the subtraction is one contiguous loop (docs/performance.rst,
    "Fast paths")."""
    return np.tile(vector, (n_rows, 1))


def quadratic_features(centered, covariance_type):
    """The quadratic columns of the 'diag' and 'spherical' feature map: the squares of the
    rows ``centered``, or their squared norm as one column."""
    if covariance_type == "diag":
        return centered * centered
    return np.einsum("ij,ij->i", centered, centered)[:, None]


def log_prob_by_products(centered, theta, covariance_type):
    """:func:`weighted_log_prob` of 'diag' and 'spherical' without the map: its one product
    split in two over contiguous arrays, ``centered @ linear + quadratic @ coefficients``
    (``quadratic`` from :func:`quadratic_features`), with the same :class:`DirectComponents`.
    """
    d = theta.n_features
    # The squares, a temporary of this statement, are freed before the direct components'
    # differences are made: two arrays of the rows' size are never held together.
    out = theta.per_component[1 + d :].T @ quadratic_features(centered, covariance_type).T
    out += theta.per_component[1 : 1 + d].T @ centered.T
    out += theta.per_component[0][:, None]
    if theta.direct is not None:
        theta.direct.overwrite(out, centered)
    return out


def responsibilities(weighted):
    """In place: ``weighted`` (K, n) becomes the responsibilities; returns ``log p(x_i)``."""
    _, total, top = exp_and_sum(weighted, axis=0, out=weighted)
    weighted /= total
    with np.errstate(divide="ignore"):
        return (np.log(total) + top)[0]


@dataclass
class SufficientStatistics:
    """Sums over a set of rows from which the M-step builds the next parameters.

    Statistics of disjoint row blocks add (``a + b``) to those of their union.

    Attributes
    ----------
    n_samples : int
        Rows seen.
    log_likelihood : float
        ``sum_i log p(x_i)`` under the parameters the E-step used.
    moments : ndarray of shape (n_components, width)
        ``responsibilities.T @ phi``; for 'tied' only the constant and linear columns.
    shared_moments : ndarray of shape (n_quadratic,) or None
        'tied' only: the column sums of the quadratic features, which is what the tied
        covariance needs (summed over components the responsibilities are 1).
    """

    n_samples: int
    log_likelihood: float
    moments: np.ndarray
    shared_moments: np.ndarray | None = None

    def __add__(self, other):
        shared = None
        if self.shared_moments is not None:
            shared = self.shared_moments + other.shared_moments
        return SufficientStatistics(
            self.n_samples + other.n_samples,
            self.log_likelihood + other.log_likelihood,
            self.moments + other.moments,
            shared,
        )


def statistics_from_responsibilities(phi, resp, covariance_type, n_features, log_likelihood=0.0):
    """Sufficient statistics of the rows ``phi`` given their responsibilities ``resp``
    (component-major, (n_components, n_rows))."""
    linear_width = 1 + n_features if covariance_type == "tied" else phi.shape[1]
    shared = phi[:, linear_width:].sum(axis=0) if covariance_type == "tied" else None
    moments = resp @ phi[:, :linear_width]
    return SufficientStatistics(phi.shape[0], log_likelihood, moments, shared)


def row_statistics(centered, resp, covariance_type, log_likelihood, shared=None):
    """:func:`statistics_from_responsibilities` from the centred rows, without the map:
    for 'diag' and 'spherical' products with the rows and their :func:`quadratic_features`,
    for 'full' weighted products, one per component, for 'tied' ``shared`` (the rows'
    :func:`tied_second_moments`, computed here if not given)."""
    n_rows, n_features = centered.shape
    linear = [resp.sum(axis=1)[:, None], resp @ centered]
    if covariance_type in ("diag", "spherical"):
        quadratic = resp @ quadratic_features(centered, covariance_type)
        moments = np.concatenate([*linear, quadratic], axis=1)
        return SufficientStatistics(n_rows, log_likelihood, moments)
    linear = np.concatenate(linear, axis=1)
    if covariance_type == "tied":
        shared = tied_second_moments(centered) if shared is None else shared
        return SufficientStatistics(n_rows, log_likelihood, linear, shared)
    rows, cols = np.triu_indices(n_features)
    # sqrt(r) x on both sides: numpy multiplies a matrix by its own transpose with syrk,
    # half the flops of a general product.
    weighted = (np.sqrt(r)[:, None] * centered for r in resp)
    second = [(w.T @ w)[rows, cols] for w in weighted]
    moments = np.concatenate([linear, np.array(second, dtype=centered.dtype)], axis=1)
    return SufficientStatistics(n_rows, log_likelihood, moments)


def tied_second_moments(centered):
    """``sum_i x_i x_i^T`` of the rows, its upper triangle: what the 'tied' covariance
    needs of the second moments, the same in every EM iteration (summed over the
    components, the responsibilities are 1)."""
    rows, cols = np.triu_indices(centered.shape[1])
    return (centered.T @ centered)[rows, cols]


def row_block_statistics(centered, theta, covariance_type, by_distances, shared=None):
    """:func:`block_statistics` from the centred rows, without the map: the
    log-probabilities by distances or, for 'diag' and 'spherical', by two products.
    ``shared``: the rows' :func:`tied_second_moments` if already known ('tied')."""
    if by_distances:
        weighted = log_prob_by_distances(centered, theta.all_components)
    else:
        weighted = log_prob_by_products(centered, theta, covariance_type)
    log_likelihood = float(responsibilities(weighted).sum(dtype=np.float64))
    return row_statistics(centered, weighted, covariance_type, log_likelihood, shared)


def block_rows(width, n_components):
    """Rows per block for the E-step and the statistics."""
    return max(256, _BLOCK_ELEMENTS // max(width, n_components, 1))


def block_statistics(phi, theta, covariance_type):
    """E-step on one block of rows ``phi``, reduced to its :class:`SufficientStatistics`."""
    weighted = weighted_log_prob(phi, theta)
    log_likelihood = float(responsibilities(weighted).sum(dtype=np.float64))
    return statistics_from_responsibilities(
        phi, weighted, covariance_type, theta.n_features, log_likelihood
    )


def e_step_statistics(phi, theta, covariance_type):
    """:func:`block_statistics` over all rows, block by block so each block stays in cache."""
    rows = block_rows(phi.shape[1], theta.per_component.shape[1])
    total = None
    for start in range(0, phi.shape[0], rows):
        stats = block_statistics(phi[start : start + rows], theta, covariance_type)
        total = stats if total is None else total + stats
    return total


def centred_block_moments(centered, resp, means, components, covariance_type):
    """``sum_i r_ik (x_i - mean_k)(x_i - mean_k)^T`` over the rows ``centered`` (minus the
    shift), one listed component at a time: the covariances' sums with no cancellation,
    for components whose sums of moments (see :func:`m_step`) are too close to round-off.

    ``resp`` are the rows' responsibilities (n_components, n_rows); ``means`` the listed
    components' means minus the shift. Returns (n_listed, d, d) for 'full', (n_listed, d)
    for 'diag', (n_listed,) summed over the features for 'spherical'.
    """
    n_listed, n_features = means.shape
    shape = (n_listed, n_features, n_features) if covariance_type == "full" else means.shape
    out = np.empty(shape, dtype=centered.dtype)
    for row, k in enumerate(components):
        rows = _weighted_rows(resp[k])
        weights, diff = resp[k][rows], centered[rows] - means[row]
        if covariance_type == "full":
            diff *= np.sqrt(weights)[:, None]  # sqrt(r) on both sides: syrk
            out[row] = diff.T @ diff
        else:
            out[row] = weights @ diff**2
    return out.sum(axis=1) if covariance_type == "spherical" else out


def _weighted_rows(weights):
    """The rows a weighted sum needs: those of nonzero weight when they are at most half
    (a tight component's responsibilities underflow to 0 elsewhere; gathering them costs
    one pass over them, the sum three over all rows), else all (``slice(None)``)."""
    nonzero = np.flatnonzero(weights)
    return nonzero if 2 * nonzero.size <= weights.size else slice(None)


def m_step(stats, covariance_type, reg_covar, n_features):
    """Weights, means and covariances from the sufficient statistics.

    The formulas are scikit-learn's: ``N_k = sum_i r_ik + 10 eps``, ``mean_k = S1_k / N_k``,
    ``cov_k = sum_i r_ik (x_i - mean_k)(x_i - mean_k)^T / N_k + reg_covar I``, written in
    terms of the sums: ``(S2_k - (2 N_k - S0_k) mean_k mean_k^T) / N_k``.

    Returns
    -------
    nk : ndarray of shape (n_components,)
        The (slightly inflated) responsibility totals; the caller normalizes them.
    means : ndarray of shape (n_components, n_features)
        Means in the shifted coordinates of the features.
    covariances : ndarray
        Shaped as scikit-learn's ``covariances_`` for the covariance type.
    raw_second_moments : ndarray of shape (n_components, n_features) or (n_features,)
        ``S2 / N`` on the diagonal: the scale against which round-off in the covariances is
        judged (see :func:`~skbackprop.mixture._precisions.precisions_cholesky`).
    """
    moments = stats.moments
    dtype = moments.dtype
    s0 = moments[:, 0]
    nk = s0 + 10 * np.finfo(dtype).eps
    means = moments[:, 1 : 1 + n_features] / nk[:, None]
    # sum_i r (x - mu)(x - mu)^T = S2 - 2 mu S1^T + S0 mu mu^T = S2 - (2 N - S0) mu mu^T
    excess = 2 * nk - s0
    if covariance_type == "full":
        s2 = _unpack_upper(moments[:, 1 + n_features :], n_features)
        raw = np.diagonal(s2, axis1=1, axis2=2) / nk[:, None]
        # In place: K d^2 numbers per array, which can outweigh the data.
        outer = np.multiply(means[:, :, None], means[:, None, :])
        covariances = np.subtract(s2, np.multiply(excess[:, None, None], outer, out=outer), out=s2)
        del outer
        covariances /= nk[:, None, None]
        covariances[:, np.arange(n_features), np.arange(n_features)] += reg_covar
    elif covariance_type == "tied":
        s2 = _unpack_upper(stats.shared_moments[None, :], n_features)[0]
        covariances = (s2 - (excess[:, None] * means).T @ means) / nk.sum()
        raw = np.diagonal(s2) / nk.sum()
        covariances.flat[:: n_features + 1] += reg_covar
    elif covariance_type == "diag":
        s2 = moments[:, 1 + n_features :]
        covariances = (s2 - excess[:, None] * means**2) / nk[:, None] + reg_covar
        raw = s2 / nk[:, None]
    else:
        s2 = moments[:, -1]
        sq_norm = np.einsum("ki,ki->k", means, means)
        covariances = (s2 - excess * sq_norm) / (nk * n_features) + reg_covar
        raw = (s2 / (nk * n_features))[:, None]
    return nk, means, covariances.astype(dtype, copy=False), raw


def uncentred_variance_term(covariances, covariance_type, stats, nk, means):
    """'diag' and 'spherical' variances as scikit-learn's formula gives them.

    scikit-learn forms these variances from moments, ``S2 / N - mean^2``, with
    ``N = S0 + 10 eps``; :func:`m_step` forms them centred, ``sum_i r (x_i - mean)^2 / N``.
    The two differ by exactly ``(N - S0) mean^2 / N``, with the mean in the data's own
    coordinates. That term is negligible for any component with real spread, but for a
    component holding a single row it is the whole variance scikit-learn fits with (about
    ``10 eps x^2 / N``), where the centred sum is zero. Adding it here, to the centred sum,
    gives scikit-learn's value without its cancellation.

    Returns ``covariances`` unchanged for 'full' and 'tied', which scikit-learn sums as
    :func:`m_step` does, and in float32: there the term (``10 eps x^2`` with float32's eps)
    is no larger than the round-off of scikit-learn's own float32 sums; a float32 variance
    that small counts as collapsed and the fit is redone in float64 (see
    :func:`~._precisions.collapse_floor`).
    """
    if covariance_type not in ("diag", "spherical") or covariances.dtype == np.float32:
        return covariances
    inflation = (nk - stats.moments[:, 0]) / nk
    if covariance_type == "diag":
        term = inflation[:, None] * means**2
    else:
        term = inflation * np.einsum("ki,ki->k", means, means) / means.shape[1]
    return covariances + term.astype(covariances.dtype, copy=False)


def _unpack_upper(packed, n_features):
    """Symmetric (k, d, d) matrices from their upper triangles packed row by row."""
    rows, cols = np.triu_indices(n_features)
    full = np.empty((packed.shape[0], n_features, n_features), dtype=packed.dtype)
    full[:, rows, cols] = packed
    full[:, cols, rows] = packed
    return full
