"""Per-feature maps: periodic embeddings, a linear map per feature, concatenation.

Numerical features embedded one by one (Gorishniy et al., 2022, "On Embeddings for
Numerical Features in Tabular Deep Learning"): each feature ``x_j`` becomes ``k`` values
``cos(2 pi w_jl x_j + b_jl)``, then a small linear map of its own turns those ``k``
values into ``m``. Written for a batch as array operations over a feature axis:

- :func:`cos_embedding`: ``h[i, j, l] = cos(2 pi x[i, j] w[j, l] + b[j, l])``, with
  ``dh/dw = -2 pi x sin(.)``, ``dh/db = -sin(.)`` and ``dh/dx = -2 pi w sin(.)``;
- :func:`feature_linear`: ``o[i, j, :] = h[i, j, :] @ W[j] + c[j]``, a batched product
  with ``dL/dW[j] = h[:, j]^T delta[:, j]``, ``dL/dc[j] = sum_i delta[i, j]`` and
  ``dL/dh[:, j] = delta[:, j] W[j]^T``;
- :func:`concatenate`: the inputs side by side along the last axis; each input's
  gradient is its slice of the output's.
"""

import numpy as np

from .operation import Operation, apply

__all__ = ["concatenate", "cos_embedding", "feature_linear"]

TWO_PI = 2 * np.pi


class CosEmbedding(Operation):
    __slots__ = ("sine", "w", "x")
    label = "cos embedding"

    def forward(self, x, w, b):
        self.x, self.w = x, w
        z = x[:, :, None] * (TWO_PI * w)
        z += b
        self.sine = np.sin(z)
        return np.cos(z, out=z)

    def backward(self, grad, needs):
        s = grad * self.sine
        np.negative(s, out=s)  # dL/dz = -grad sin(z)
        grad_x = grad_w = grad_b = None
        if needs[0]:
            grad_x = TWO_PI * np.einsum("ijl,jl->ij", s, self.w)
        if needs[1]:
            grad_w = TWO_PI * np.einsum("ijl,ij->jl", s, self.x)
        if needs[2]:
            grad_b = s.sum(axis=0)
        return grad_x, grad_w, grad_b


class FeatureLinear(Operation):
    __slots__ = ("W", "h")
    label = "feature linear"

    def forward(self, h, W, c):
        # (n, d, k) -> (d, n, k): one matrix product per feature, batched by matmul.
        self.h, self.W = h, W
        out = np.matmul(h.transpose(1, 0, 2), W).transpose(1, 0, 2)
        out += c
        return out

    def backward(self, grad, needs):
        delta = grad.transpose(1, 0, 2)  # (d, n, m)
        grad_h = grad_W = grad_c = None
        if needs[0]:
            grad_h = np.matmul(delta, self.W.transpose(0, 2, 1)).transpose(1, 0, 2)
        if needs[1]:
            grad_W = np.matmul(self.h.transpose(1, 2, 0), delta)
        if needs[2]:
            grad_c = grad.sum(axis=0)
        return grad_h, grad_W, grad_c


class Concatenate(Operation):
    __slots__ = ("bounds",)
    label = "concatenate"

    def forward(self, *values):
        sizes = [v.shape[-1] for v in values]
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        return np.concatenate(values, axis=-1)

    def backward(self, grad, needs):
        b = self.bounds
        return tuple(grad[..., b[i] : b[i + 1]] if need else None for i, need in enumerate(needs))


def cos_embedding(x, frequencies, phases):
    """``cos(2 pi x[:, j] w[j, l] + b[j, l])`` for every feature ``j`` and frequency ``l``.

    Parameters
    ----------
    x : Tensor of shape (n, d)
    frequencies, phases : Tensor of shape (d, k)

    Returns
    -------
    Tensor of shape (n, d, k)

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, cos_embedding
    >>> x = Tensor(np.array([[0.25, 0.5]]))
    >>> w = Tensor(np.ones((2, 1)), requires_grad=True)
    >>> np.round(cos_embedding(x, w, np.zeros((2, 1))).value.ravel(), 6)
    array([ 0., -1.])
    """
    return apply(CosEmbedding(), x, frequencies, phases)


def feature_linear(h, weights, biases):
    """A linear map of each feature's own: ``h[:, j, :] @ W[j] + c[j]``.

    Parameters
    ----------
    h : Tensor of shape (n, d, k)
    weights : Tensor of shape (d, k, m)
    biases : Tensor of shape (d, m)

    Returns
    -------
    Tensor of shape (n, d, m)

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, feature_linear
    >>> h = Tensor(np.ones((1, 2, 3)))
    >>> W = Tensor(np.stack([np.ones((3, 1)), 2 * np.ones((3, 1))]))
    >>> feature_linear(h, W, np.zeros((2, 1))).value.ravel()
    array([3., 6.])
    """
    return apply(FeatureLinear(), h, weights, biases)


def concatenate(tensors):
    """The tensors side by side along their last axis.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Tensor, concatenate
    >>> concatenate([Tensor(np.zeros((1, 2))), Tensor(np.ones((1, 1)))]).value
    array([[0., 0., 1.]])
    """
    if len(tensors) == 0:
        raise ValueError("concatenate needs at least one Tensor.")
    return apply(Concatenate(), *tensors)
