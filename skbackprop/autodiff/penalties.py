"""Weight penalties as single graph nodes over any number of weight matrices.

The regularization notes' cost adds ``lambda * sum_ij w_ij^2`` (L2, weight decay) or
``lambda * sum_ij |w_ij|`` (L1, which drives weights to exactly zero). A network has one
weight matrix per layer; one fused node over all of them costs one Python call per
minibatch instead of three per layer.
"""

import numpy as np
from scipy.linalg import blas

from .operation import Operation, apply

__all__ = ["l1_min_norm_subgradient", "l1_penalty", "l2_penalty"]


_AXPY = {np.dtype(np.float64): blas.daxpy, np.dtype(np.float32): blas.saxpy}

# Elements per axpy call. OpenBLAS runs an axpy of at most 10,000 elements on the calling
# thread; a longer one wakes scipy's own BLAS thread pool, which then fights numpy's
# (spinning after the products) for the cores: several times slower on shared cores.
_AXPY_CHUNK = 10_000


def add_scaled(out, factor, x):
    """``out += factor * x`` in place, in one pass and without a temporary.

    numpy needs two passes and an array for ``factor * x``; BLAS ``axpy`` reads ``x`` and
    ``out`` once (``benchmarks/profile_mlp.py --layouts`` times both on a network's
    weights). Falls back to numpy for anything BLAS cannot take in place.
    """
    axpy = _AXPY.get(out.dtype)
    if (
        axpy is None
        or x.dtype != out.dtype
        or x.shape != out.shape
        or x.size == 0  # f2py's axpy rejects an offset into an empty array
        or not (x.flags.c_contiguous and out.flags.c_contiguous and out.flags.writeable)
    ):
        out += factor * x
        return out
    flat_x, flat_out, a = x.reshape(-1), out.reshape(-1), float(factor)
    size = flat_out.size
    if size <= _AXPY_CHUNK:
        axpy(flat_x, flat_out, size, a)  # in place: f2py passes the contiguous array on
        return out
    for start in range(0, size, _AXPY_CHUNK):
        axpy(flat_x, flat_out, min(_AXPY_CHUNK, size - start), a, start, 1, start, 1)
    return out


class L2Penalty(Operation):
    __slots__ = ("scale", "weights")
    label = "l2_penalty"

    def __init__(self, scale):
        self.scale = scale

    def forward(self, *weights):
        self.weights = weights
        if len(weights) == 1:  # a network's weights as one flat vector: one dot product
            flat = weights[0].ravel()
            total = float(np.dot(flat, flat))
        else:
            total = sum(float(np.dot(w.ravel(), w.ravel())) for w in weights)
        return np.asarray(0.5 * self.scale * total, dtype=weights[0].dtype)

    def backward(self, grad, needs):
        factor = self.scale * grad
        if len(needs) == 1:
            return (self.weights[0] * factor if needs[0] else None,)
        return tuple(w * factor if n else None for w, n in zip(self.weights, needs))

    @property
    def accumulated_parents(self):
        """Every input: its gradient ``scale * grad * W`` can be added into a flat
        gradient buffer by :meth:`add_gradient` (a Graph plans when), never made as an
        array."""
        return range(len(self.weights))

    def add_gradient(self, grad, position, out):
        """Add ``d penalty / d weights[position] * grad`` into ``out`` in place."""
        add_scaled(out, self.scale * float(grad), self.weights[position])


def _l1_subgradient(w, factor):
    """The L1 term's subgradient ``factor * sign(w)``, with 0 at ``w = 0``."""
    return np.sign(w) * factor


class L1Penalty(Operation):
    __slots__ = ("scale", "weights")
    label = "l1_penalty"

    def __init__(self, scale):
        self.scale = scale

    def forward(self, *weights):
        self.weights = weights
        total = sum(float(np.abs(w).sum()) for w in weights)
        return np.asarray(self.scale * total, dtype=weights[0].dtype)

    def backward(self, grad, needs):
        # The subgradient sign(w), with 0 at w = 0: exact zeros come from a proximal step
        # in the optimizer, not from this derivative.
        factor = self.scale * grad
        return tuple(
            _l1_subgradient(w, factor) if n else None for w, n in zip(self.weights, needs)
        )


def l2_penalty(*weights, scale=1.0):
    """``scale / 2 * sum of squares of every weight``; its gradient is ``scale * W``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, l2_penalty
    >>> W1 = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    >>> W2 = Tensor(np.array([3.0]), requires_grad=True)
    >>> J = l2_penalty(W1, W2, scale=0.1)
    >>> round(float(J.value), 10)
    0.7
    >>> J.backward()
    >>> W1.grad, W2.grad
    (array([[0.1, 0.2]]), array([0.3]))
    """
    if not weights:
        raise ValueError("l2_penalty needs at least one weight Tensor.")
    return apply(L2Penalty(scale), *weights)


def l1_penalty(*weights, scale=1.0):
    """``scale * sum of absolute values of every weight``; subgradient ``scale * sign(W)``."""
    if not weights:
        raise ValueError("l1_penalty needs at least one weight Tensor.")
    return apply(L1Penalty(scale), *weights)


def l1_min_norm_subgradient(smooth_grad, w, scale):
    """The smallest element of ``smooth_grad + scale * d||w||_1``: 0 exactly at an optimum.

    Where ``w != 0`` the L1 term is differentiable, with derivative ``scale * sign(w)``;
    where ``w == 0`` its subdifferential is ``[-scale, scale]``, so the smallest
    subgradient there is ``smooth_grad`` soft-thresholded by ``scale``. This is the
    convergence measure of an L1-penalized fit (its ``gradient_norms_``), where the
    subgradient :func:`l1_penalty` backpropagates (0 at 0) would not vanish.

    Parameters
    ----------
    smooth_grad : ndarray
        The gradient of the rest of the cost with respect to ``w`` (the engine's).
    w : ndarray
        The weights, same shape.
    scale : float
        The L1 strength; 0 returns ``smooth_grad`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import l1_min_norm_subgradient
    >>> l1_min_norm_subgradient(np.array([0.5, 0.5, -2.0]), np.array([1.0, 0.0, 0.0]), 1.0)
    array([ 1.5,  0. , -1. ])
    """
    if scale == 0:
        return smooth_grad
    g = smooth_grad + _l1_subgradient(w, scale)
    zero = w == 0
    # Soft thresholding of smooth_grad by scale, the projection onto [-scale, scale].
    at_zero = smooth_grad[zero]
    g[zero] = np.sign(at_zero) * np.maximum(np.abs(at_zero) - scale, 0.0)
    return g
