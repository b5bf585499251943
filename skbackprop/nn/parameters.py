"""All of a network's parameters in one flat buffer, with per-layer views.

The buffer is laid out as scikit-learn packs an MLP for L-BFGS: every weight matrix
(row-major), then every bias vector. Each layer's ``W`` and ``b`` are reshaped views into
it, wrapped as autodiff Tensors without copying, so

- an optimizer step is a handful of vectorized calls on one array, whatever the depth;
- the weights are one contiguous prefix, so the L2 gradient, the L1 soft-threshold and
  the gradient norms each touch one slice;
- the flat vector is directly the ``x`` that ``scipy.optimize.minimize`` works on.

A second buffer of the same layout receives the gradient: :attr:`gradients` maps each
layer's ``W`` and ``b`` Tensors to their views of it, for a
:class:`~skbackprop.autodiff.Graph` to write them there.

Two variants serve linear models: without intercepts (the biases are zero constants,
outside the buffer), and with the weights split into a positive and a negative part,
``W = W_pos - W_neg`` with both bounded below by 0, where L-BFGS-B's bounds give the L1
penalty exact zeros. The graph then computes with ``W`` itself, in a buffer of its own
that :meth:`update_weights` refreshes from the parts, and its gradient ``dJ/dW`` lands in
:attr:`weight_grad`; the chain rule through ``W = W_pos - W_neg`` is the objective's.
"""

import itertools

import numpy as np

from ..autodiff import Tensor

__all__ = ["FlatParameters"]


class FlatParameters:
    """One flat parameter buffer and one flat gradient buffer for a layered network.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input first, output last.
    dtype : dtype
        float32 or float64; both buffers use it.
    values : ndarray of shape (n_parameters,), optional
        An existing buffer to lay the views over (e.g. the one an optimizer already owns
        when training continues); a new zeroed one by default.
    fit_intercept : bool, default=True
        Whether the biases are parameters; if not they are zero constants.
    split_weights : bool, default=False
        Store every weight as two non-negative parts, ``W = W_pos - W_neg`` (see
        :meth:`bounds`).

    Attributes
    ----------
    values : ndarray of shape (n_parameters,)
        Every weight (or the positive parts, then the negative parts), then every bias.
    grad : ndarray of shape (n_parameters,)
        The gradient, same layout; filled by the objective's graph.
    n_weights : int
        The number of weights (of ``W``, not of its parts).
    weights, weight_grad : ndarray of shape (n_weights,)
        Every weight matrix, one after the other, and ``dJ/dW``: the prefixes of
        ``values`` and ``grad`` (views), or with ``split_weights`` buffers of their own.
    coefs, intercepts : list of ndarray
        Per-layer views into ``weights`` and ``values`` (zero arrays for intercepts that
        are not fitted).
    coef_tensors, intercept_tensors : list of Tensor
        The layers' weights and biases as leaves of the computation graph.
    gradients : dict of Tensor to ndarray
        Each differentiable leaf's view of ``weight_grad`` or ``grad``: the ``gradients``
        of a :class:`~skbackprop.autodiff.Graph`.
    weight_slices : list of slice
        Where each layer's weights sit in ``weights`` and ``weight_grad``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.nn import FlatParameters
    >>> params = FlatParameters([2, 3, 1], np.float64)
    >>> params.values.shape, params.n_weights
    ((13,), 9)
    >>> params.values[:] = np.arange(13)
    >>> params.coefs[1].ravel(), params.intercepts[0]
    (array([6., 7., 8.]), array([ 9., 10., 11.]))
    """

    def __init__(
        self, layer_units, dtype, values=None, *, fit_intercept=True, split_weights=False
    ):
        layer_units = [int(n) for n in layer_units]
        shapes = list(itertools.pairwise(layer_units))
        n_weights = sum(n_in * n_out for n_in, n_out in shapes)
        n_stored = 2 * n_weights if split_weights else n_weights
        weight_slices = _consecutive([n_in * n_out for n_in, n_out in shapes], 0)
        bias_slices = _consecutive(
            [n_out for _, n_out in shapes] if fit_intercept else [], n_stored
        )
        size = bias_slices[-1].stop if fit_intercept else n_stored
        if values is None:
            values = np.zeros(size, dtype=dtype)
        elif values.shape != (size,) or values.dtype != dtype:
            raise ValueError(
                f"values must be a flat {np.dtype(dtype)} array of {size} elements; "
                f"got {values.dtype} of shape {values.shape}."
            )
        self.layer_units = layer_units
        self.fit_intercept = fit_intercept
        self.split_weights = split_weights
        self.values = values
        self.grad = np.zeros_like(values)
        self.n_weights = n_weights
        self.weight_slices = weight_slices
        if fit_intercept:
            self.intercepts = [values[s] for s in bias_slices]
        else:
            self.intercepts = [np.zeros(n_out, dtype=dtype) for _, n_out in shapes]
        self.intercept_tensors = [
            Tensor(b, requires_grad=fit_intercept, name=f"b{i + 1}")
            for i, b in enumerate(self.intercepts)
        ]
        if split_weights:
            self.weights, self.weight_grad = np.zeros(n_weights, dtype), np.zeros(n_weights, dtype)
            self.update_weights()
        else:
            self.weights, self.weight_grad = values[:n_weights], self.grad[:n_weights]
        self.coefs = [self.weights[s].reshape(shape) for s, shape in zip(weight_slices, shapes)]
        self.coef_tensors = [
            Tensor(c, requires_grad=True, name=f"W{i + 1}") for i, c in enumerate(self.coefs)
        ]
        self.gradients = {
            tensor: self.weight_grad[s].reshape(tensor.value.shape)
            for tensor, s in zip(self.coef_tensors, weight_slices)
        } | {tensor: self.grad[s] for tensor, s in zip(self.intercept_tensors, bias_slices)}

    @property
    def dtype(self):
        return self.values.dtype

    def update_weights(self):
        """With ``split_weights``, recompute ``weights`` as ``W_pos - W_neg`` from
        ``values`` (after an optimizer moved them); nothing to do otherwise."""
        if self.split_weights:
            n = self.n_weights
            np.subtract(self.values[:n], self.values[n : 2 * n], out=self.weights)

    def load(self, coefs, intercepts):
        """Copy per-layer arrays (e.g. a previous fit's ``coefs_``) into the buffer."""
        if self.split_weights:
            n = self.n_weights
            flat = np.concatenate([np.ravel(c) for c in coefs])
            np.maximum(flat, 0.0, out=self.values[:n])
            np.maximum(-flat, 0.0, out=self.values[n : 2 * n])
            self.update_weights()
        else:
            for view, array in zip(self.coefs, coefs):
                view[...] = array
        if self.fit_intercept:
            for view, array in zip(self.intercepts, intercepts):
                view[...] = array

    def coef_values(self):
        """The weight matrices as new arrays (``W_pos - W_neg`` when split)."""
        self.update_weights()
        return [c.copy() for c in self.coefs]

    def bounds(self):
        """L-BFGS-B bounds: the split weight parts are >= 0, the rest is free; None when
        nothing is bounded."""
        if not self.split_weights:
            return None
        n_free = self.values.size - 2 * self.n_weights
        return [(0.0, None)] * (2 * self.n_weights) + [(None, None)] * n_free


def _consecutive(sizes, start):
    """Slices of the given sizes, one after the other from ``start``."""
    ends = np.cumsum([start, *sizes]).tolist()
    return [slice(a, b) for a, b in itertools.pairwise(ends)]
