"""Finite-difference gradient checks: the test of any derivative rule.

The central difference ``(f(x + eps) - f(x - eps)) / (2 eps)`` has error O(eps^2), so in
float64 with ``eps = 1e-6`` it agrees with a correct analytic gradient to about 1e-9.
"""

import numpy as np

from .tensor import Tensor

__all__ = ["check_grad", "numerical_grad"]


def _scalar(f, inputs):
    out = f(*inputs)
    value = np.asarray(out.value if isinstance(out, Tensor) else out)
    if value.size != 1:
        raise ValueError(
            f"check_grad needs f to return a scalar; it returned shape {value.shape}. "
            "Reduce the output (e.g. .sum()) inside f."
        )
    return float(value.reshape(()))


def _float64_copies(tensors):
    """New float64 leaves with the values of ``tensors``: the caller's are never touched."""
    return [
        Tensor(np.array(t.value, dtype=np.float64), requires_grad=t.requires_grad, name=t.name)
        for t in tensors
    ]


def numerical_grad(f, *tensors, eps=1e-6):
    """Central finite-difference gradients of scalar ``f(*tensors)``, in float64.

    Returns one array per Tensor (None for those without ``requires_grad``).
    """
    inputs = _float64_copies(tensors)
    grads = []
    for t in inputs:
        if not t.requires_grad:
            grads.append(None)
            continue
        flat = t.value.reshape(-1)  # a view: t.value is a fresh contiguous copy
        g = np.empty_like(flat)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + eps
            f_plus = _scalar(f, inputs)
            flat[i] = original - eps
            f_minus = _scalar(f, inputs)
            flat[i] = original
            g[i] = (f_plus - f_minus) / (2 * eps)
        grads.append(g.reshape(t.value.shape))
    return grads


def check_grad(f, *tensors, eps=1e-6):
    """Largest relative error between the engine's gradients and finite differences.

    Parameters
    ----------
    f : callable
        Takes the Tensors and returns a scalar Tensor built from them.
    *tensors : Tensor
        The inputs; those with ``requires_grad=True`` are checked. They are copied to
        float64 first, so the originals are left untouched.
    eps : float, default=1e-6
        The finite-difference step.

    Returns
    -------
    error : float
        ``max |analytic - numeric| / max(1, |analytic|, |numeric|)`` over every checked
        element: a relative error for gradients larger than 1, an absolute one below
        (where a relative error would only measure the finite difference's rounding).

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, check_grad, sigmoid
    >>> w = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    >>> x = Tensor(np.array([2.0, 3.0]))
    >>> check_grad(lambda w, x: sigmoid(w @ x), w, x) < 1e-8
    True
    """
    inputs = _float64_copies(tensors)
    if not any(t.requires_grad for t in inputs):
        raise ValueError("check_grad needs at least one Tensor with requires_grad=True.")
    out = f(*inputs)
    _scalar(lambda *_: out, inputs)
    out.backward()
    analytic = [
        (np.zeros_like(t.value) if t.grad is None else np.asarray(t.grad, dtype=np.float64))
        for t in inputs
    ]
    numeric = numerical_grad(f, *inputs, eps=eps)
    error = 0.0
    for t, a, n in zip(inputs, analytic, numeric, strict=True):
        if n is None or n.size == 0:
            continue
        if a.shape != t.value.shape:
            raise AssertionError(
                f"the engine's gradient has shape {a.shape}, its Tensor {t.value.shape}"
            )
        scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(n)))
        error = max(error, float(np.max(np.abs(a - n) / scale)))
    return error
