"""Weight penalties over any number of weight matrices, and the L1 term's subgradient.

A regularized cost adds ``scale / 2 * sum_ij w_ij^2`` (L2, weight decay), whose gradient
is ``scale * W``, or ``scale * sum_ij |w_ij|`` (L1, which drives weights to exactly zero),
whose subgradient is ``scale * sign(W)``. Both are compositions of the engine's
operations. A training loop adds them to its flat gradient directly instead (see
:class:`~skbackprop.nn.MinibatchObjective`).
"""

import numpy as np

from .elementwise import abs as absolute

__all__ = ["l1_min_norm_subgradient", "l1_penalty", "l2_penalty"]


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
    squares = [(w * w).sum() for w in weights]
    return 0.5 * scale * sum(squares[1:], squares[0])


def l1_penalty(*weights, scale=1.0):
    """``scale * sum of absolute values of every weight``; subgradient ``scale * sign(W)``."""
    if not weights:
        raise ValueError("l1_penalty needs at least one weight Tensor.")
    sizes = [absolute(w).sum() for w in weights]
    return scale * sum(sizes[1:], sizes[0])


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
    g = smooth_grad + scale * np.sign(w)
    zero = w == 0
    # Soft thresholding of smooth_grad by scale, the projection onto [-scale, scale].
    at_zero = smooth_grad[zero]
    g[zero] = np.sign(at_zero) * np.maximum(np.abs(at_zero) - scale, 0.0)
    return g
