"""All of a network's parameters in one flat buffer, with per-layer views.

The buffer is laid out as scikit-learn packs an MLP for L-BFGS: every weight matrix
(row-major), then every bias vector. Each layer's ``W`` and ``b`` are reshaped views into
it, wrapped as autodiff Tensors without copying, so

- an optimizer step is a handful of vectorized calls on one array, whatever the depth;
- the weights are one contiguous prefix, so the L2 gradient, the L1 soft-threshold and
  the gradient norms each touch one slice;
- the flat vector is directly the ``x`` that ``scipy.optimize.minimize`` works on.

A second buffer of the same layout receives the gradient after each backward pass.
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

    Attributes
    ----------
    values : ndarray of shape (n_parameters,)
        Every weight, then every bias.
    grad : ndarray of shape (n_parameters,)
        The gradient, same layout; filled by :meth:`gather_grad`.
    weights : ndarray of shape (n_weights,)
        The prefix of ``values`` holding the weight matrices (a view).
    coefs, intercepts : list of ndarray
        Per-layer views into ``values``.
    coef_tensors, intercept_tensors : list of Tensor
        The same views as differentiable leaves of the computation graph.
    weights_tensor : Tensor
        ``weights`` as one differentiable leaf, for the weight penalties.
    weight_slices : list of slice
        Where each layer's weights sit in ``values`` and ``grad``.
    coef_grads, intercept_grads : list of ndarray
        Per-layer views into ``grad``, shaped like ``coefs`` and ``intercepts``: the
        ``grad_out`` buffers the layers write their gradients into.

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

    def __init__(self, layer_units, dtype, values=None):
        layer_units = [int(n) for n in layer_units]
        shapes = list(itertools.pairwise(layer_units))
        sizes = [n_in * n_out for n_in, n_out in shapes] + [n_out for _, n_out in shapes]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        n_layers = len(shapes)
        self.layer_units = layer_units
        if values is None:
            values = np.zeros(offsets[-1], dtype=dtype)
        elif values.shape != (offsets[-1],) or values.dtype != dtype:
            raise ValueError(
                f"values must be a flat {np.dtype(dtype)} array of {offsets[-1]} elements; "
                f"got {values.dtype} of shape {values.shape}."
            )
        self.values = values
        self.grad = np.zeros_like(self.values)
        self.n_weights = offsets[n_layers]
        self.weights = self.values[: self.n_weights]
        self.weight_slices = [slice(offsets[i], offsets[i + 1]) for i in range(n_layers)]
        self.coefs = [
            self.values[offsets[i] : offsets[i + 1]].reshape(shape)
            for i, shape in enumerate(shapes)
        ]
        self.intercepts = [
            self.values[offsets[n_layers + i] : offsets[n_layers + i + 1]] for i in range(n_layers)
        ]
        self.coef_tensors = [
            Tensor(c, requires_grad=True, name=f"W{i + 1}") for i, c in enumerate(self.coefs)
        ]
        self.intercept_tensors = [
            Tensor(b, requires_grad=True, name=f"b{i + 1}") for i, b in enumerate(self.intercepts)
        ]
        self.tensors = self.coef_tensors + self.intercept_tensors
        # The same per-layer views into the gradient buffer, for the layers to write into.
        self.coef_grads = [
            self.grad[offsets[i] : offsets[i + 1]].reshape(shape) for i, shape in enumerate(shapes)
        ]
        self.intercept_grads = [
            self.grad[offsets[n_layers + i] : offsets[n_layers + i + 1]] for i in range(n_layers)
        ]
        self._grad_views = self.coef_grads + self.intercept_grads
        # Every weight at once, over the same memory: a weight penalty is a function of
        # this one vector (one node, one vectorized gradient) instead of one per layer.
        self.weights_tensor = Tensor(self.weights, requires_grad=True, name="weights")

    @property
    def dtype(self):
        return self.values.dtype

    def load(self, coefs, intercepts):
        """Copy per-layer arrays (e.g. a previous fit's ``coefs_``) into the buffer."""
        for view, array in zip(self.coefs + self.intercepts, list(coefs) + list(intercepts)):
            view[...] = array

    def gather_grad(self, penalized=False):
        """Make the flat gradient buffer hold every parameter Tensor's ``.grad``.

        Layers given :attr:`coef_grads` and :attr:`intercept_grads` as their ``grad_out``
        already wrote there; any other gradient is copied in. When a penalty reached the
        weights through :attr:`weights_tensor` as well (``penalized``), its gradient is
        added to the weights' part: the two leaves are the same parameters, so their
        gradients sum, as the gradients of any value reached by two paths do.
        """
        grad = self.grad
        for tensor, view in zip(self.tensors, self._grad_views):
            if tensor.grad is not view:
                # Not written in place by its layer (no buffer given, sparse input, or
                # contributions from several paths): copy it over.
                view[...] = tensor.grad
        if penalized:
            grad[: self.n_weights] += self.weights_tensor.grad
        return grad
