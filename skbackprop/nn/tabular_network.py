"""The RealMLP network (Holzmueller et al., 2024) as a composition of autodiff operations.

From the encoded columns to the output's pre-activation:

1. numerical features ``x`` (n, d): PBLD embeddings, per feature ``j``
   ``h_j = feature_linear(cos(2 pi w_j x_j + b_j))`` (k frequencies -> m values), then
   the raw ``x`` appended ("densenet" style): ``m + 1`` inputs per feature;
2. dense columns (one-hot codes, missing indicators) as they are, and an embedding
   lookup per high-cardinality categorical column;
3. a learned scale per input (initialised to 1);
4. hidden layers ``a = g(h W + b)`` with ``g`` the parametric activation
   ``x + alpha (f(x) - x)`` and dropout after it; a last affine layer.

All parameters live in one flat buffer with a view per array; beside it, per-element
learning-rate and weight-decay factors (the parameter groups of
:class:`~skbackprop.optim.GroupedAdam`). The NTK parametrisation ``h (W / sqrt(k)) + b``
with ``W`` of unit scale is trained as ``h V + b`` with ``V = W / sqrt(k)`` and a
learning-rate factor ``1 / sqrt(k)`` on ``V``: Adam's step is invariant to the gradient's
scale, so the two follow the same trajectory (up to Adam's epsilon), and the layer is one
:func:`~skbackprop.autodiff.affine` node.

Initialisation is data-driven (the reference's 'std' and 'he+5'): layer by layer on a
sample of the training inputs, each column of ``V`` is drawn from N(0, 1) and divided by
the standard deviation of its pre-activation ``h V``, and each bias is minus a random
convex combination (Dirichlet(1, ..., 1) weights) of 5 samples' pre-activations, so each
unit's kink or curve starts somewhere inside the data.
"""

import itertools
import math

import numpy as np

from ..autodiff import (
    Tensor,
    affine,
    concatenate,
    cos_embedding,
    embedding_lookup,
    feature_linear,
    parametric_activation,
    reshape,
)
from ..autodiff.smooth_activations import SMOOTH_ACTIVATIONS

__all__ = ["TabularNetwork"]


class TabularNetwork:
    """The parameters and forward pass of a RealMLP-style network.

    Parameters
    ----------
    n_numeric : int
        Numerical features (embedded when ``numeric_embedding``).
    n_dense : int
        Columns used as they are (one-hot codes, missing indicators).
    category_sizes : sequence of int
        Categories (missing included) of each embedded categorical column.
    n_outputs : int
    hidden_layer_sizes : sequence of int, default=(256, 256, 256)
    activation : {'selu', 'mish'}, default='selu'
    parametric_activation : bool, default=True
        Learn ``alpha`` per unit (initialised to 1); otherwise ``g = f``.
    numeric_embedding : bool, default=True
        PBLD embeddings of the numerical features; otherwise they enter as they are.
    n_frequencies, embedding_dims, frequency_scale : int, int, float, default=16, 3, 0.1
        The cos embedding's frequencies ``k`` (drawn from N(0, frequency_scale^2)),
        the values ``m`` of each feature's linear map.
    category_embedding_size : int, default=8
    scaling_layer : bool, default=True
        The learned per-input scale.
    lr_factors, wd_factors : dict, optional
        Per group ('weights', 'biases', 'scale', 'numeric_embedding', 'alpha',
        'category_embedding') multipliers of the learning rate and the weight decay.
    dtype : dtype, default=np.float32

    Attributes
    ----------
    values, grad, lr_factors, wd_factors : ndarray of shape (n_parameters,)
    tensors : dict of str to Tensor
        Each parameter array as a differentiable leaf over ``values``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.nn import TabularNetwork
    >>> net = TabularNetwork(n_numeric=2, n_dense=1, category_sizes=[12], n_outputs=3,
    ...                      hidden_layer_sizes=(8,))
    >>> rng = np.random.default_rng(0)
    >>> X_num, X_dense = rng.standard_normal((50, 2)), rng.standard_normal((50, 1))
    >>> codes = rng.integers(0, 12, (50, 1))
    >>> net.initialize(rng, X_num, X_dense, codes)
    >>> net.predict(X_num, X_dense, codes).shape
    (50, 3)
    """

    def __init__(
        self,
        *,
        n_numeric,
        n_dense,
        category_sizes,
        n_outputs,
        hidden_layer_sizes=(256, 256, 256),
        activation="selu",
        parametric_activation=True,
        numeric_embedding=True,
        n_frequencies=16,
        embedding_dims=3,
        frequency_scale=0.1,
        category_embedding_size=8,
        scaling_layer=True,
        lr_factors=None,
        wd_factors=None,
        dtype=np.float32,
    ):
        if activation not in SMOOTH_ACTIVATIONS:
            raise ValueError(f"Unknown activation {activation!r}; use 'selu' or 'mish'.")
        self.n_numeric, self.n_dense = int(n_numeric), int(n_dense)
        self.category_sizes = [int(c) for c in category_sizes]
        self.activation = activation
        self.parametric = parametric_activation
        self.numeric_embedding = numeric_embedding and self.n_numeric > 0
        self.frequency_scale = frequency_scale
        self.scaling_layer = scaling_layer
        k, m, e = n_frequencies, embedding_dims, category_embedding_size
        n_inputs = self.n_numeric * ((m + 1) if self.numeric_embedding else 1)
        n_inputs += self.n_dense + e * len(self.category_sizes)
        if n_inputs == 0:
            raise ValueError("The network needs at least one input column.")
        units = [n_inputs, *[int(h) for h in hidden_layer_sizes], int(n_outputs)]
        self.layer_units = units
        self.specs = self._parameter_specs(k, m, e, n_inputs)
        size = sum(math.prod(shape) for _, shape, _ in self.specs)
        self.lr_factors, self.wd_factors = self._group_factors(size, lr_factors, wd_factors, dtype)
        self._lay_out(np.zeros(size, dtype=dtype))

    def _parameter_specs(self, k, m, e, n_inputs):
        """``(name, shape, group)`` of every parameter array, in the flat buffer's order."""
        specs = []
        if self.numeric_embedding:
            d = self.n_numeric
            specs += [
                ("frequencies", (d, k), "numeric_embedding"),
                ("phases", (d, k), "numeric_embedding"),
                ("embedding_weights", (d, k, m), "numeric_embedding"),
                ("embedding_biases", (d, m), "numeric_embedding"),
            ]
        for i, size in enumerate(self.category_sizes):
            specs.append((f"category_table{i}", (size, e), "category_embedding"))
        if self.scaling_layer:
            specs.append(("scale", (n_inputs,), "scale"))
        units = self.layer_units
        for i, (fan_in, fan_out) in enumerate(itertools.pairwise(units)):
            specs += [(f"W{i + 1}", (fan_in, fan_out), "weights")]
            specs += [(f"b{i + 1}", (fan_out,), "biases")]
            if self.parametric and i < len(units) - 2:
                specs += [(f"alpha{i + 1}", (fan_out,), "alpha")]
        return specs

    def _group_factors(self, size, lr_factors, wd_factors, dtype):
        """Per-element learning-rate and weight-decay factors from the groups' factors."""
        lr_out, wd_out = np.ones(size, dtype=dtype), np.ones(size, dtype=dtype)
        lr_factors, wd_factors = dict(lr_factors or {}), dict(wd_factors or {})
        offset = 0
        for _, shape, group in self.specs:
            where = slice(offset, offset + math.prod(shape))
            offset = where.stop
            lr = lr_factors.get(group, 1.0)
            if group == "weights":
                lr = lr / math.sqrt(shape[0])  # the NTK parametrisation (module docstring)
            lr_out[where] = lr
            wd_out[where] = wd_factors.get(group, 1.0)
        return lr_out, wd_out

    def _lay_out(self, values):
        """Views of ``values`` (and of a gradient buffer like it) per parameter array."""
        self.values = values
        self.grad = np.zeros_like(values)
        self.arrays, self.grads, self.tensors = {}, {}, {}
        offset = 0
        for name, shape, _ in self.specs:
            where = slice(offset, offset + math.prod(shape))
            offset = where.stop
            self.arrays[name] = values[where].reshape(shape)
            self.grads[name] = self.grad[where].reshape(shape)
            self.tensors[name] = Tensor(self.arrays[name], requires_grad=True, name=name)

    def state_dict(self):
        """The network as numpy arrays and Python builtins: its settings, layout and
        parameter values, without the views and Tensors that :meth:`from_state_dict`
        rebuilds over them.

        What an estimator saves in place of the network, so that a saved model holds no
        private type (skops loads it trusting only the estimator's class).

        Examples
        --------
        >>> import numpy as np
        >>> from skbackprop.nn import TabularNetwork
        >>> net = TabularNetwork(n_numeric=2, n_dense=0, category_sizes=[], n_outputs=1,
        ...                      hidden_layer_sizes=(4,))
        >>> net.values[:] = np.arange(net.values.size)
        >>> rebuilt = TabularNetwork.from_state_dict(net.state_dict())
        >>> bool((rebuilt.arrays["W1"] == net.arrays["W1"]).all())
        True
        """
        rebuilt = ("grad", "arrays", "grads", "tensors")
        return {k: v for k, v in vars(self).items() if k not in rebuilt}

    @classmethod
    def from_state_dict(cls, state):
        """The network that :meth:`state_dict` described (its gradient buffer zero)."""
        network = object.__new__(cls)
        state = dict(state)
        values = state.pop("values")
        vars(network).update(state)
        network._lay_out(values)
        return network

    def astype(self, dtype):
        """A copy of the network with its parameters in ``dtype``."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy._lay_out(self.values.astype(dtype))
        return copy

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def n_packed(self):
        """Columns of :meth:`pack`'s array."""
        return self.n_numeric + self.n_dense + len(self.category_sizes)

    def pack(self, X_num, X_dense, codes, dtype=None):
        """The inputs side by side in one array of ``dtype`` (the network's by default):
        numbers, dense columns, then the categorical codes (exact as floats)."""
        n = len(codes)
        parts = [
            np.zeros((n, 0)) if X_num is None else X_num,
            np.zeros((n, 0)) if X_dense is None else X_dense,
            codes,
        ]
        return np.concatenate(parts, axis=1).astype(dtype or self.dtype)

    def unpack(self, packed):
        """Views of :meth:`pack`'s array: ``(X_num, X_dense, codes)``."""
        d, q = self.n_numeric, self.n_dense
        return packed[:, :d], packed[:, d : d + q], packed[:, d + q :]

    # ------------------------------------------------------------------ forward
    def inputs(self, X_num, X_dense, codes):
        """The first layer's input: embeddings, dense columns, scale."""
        t = self.tensors
        parts = []
        if self.n_numeric:
            if self.numeric_embedding:
                h = cos_embedding(X_num, t["frequencies"], t["phases"])
                h = feature_linear(h, t["embedding_weights"], t["embedding_biases"])
                n, d, m = h.shape
                parts.append(reshape(h, (n, d * m)))
            parts.append(X_num)
        if self.n_dense:
            parts.append(X_dense)
        for i, column in enumerate(codes):
            parts.append(embedding_lookup(t[f"category_table{i}"], column))
        h = parts[0] if len(parts) == 1 else concatenate(parts)
        if self.scaling_layer:
            h = h * t["scale"]
        return h

    def hidden(self, h, i):
        """Hidden layer ``i`` (1-based) without dropout."""
        z = affine(h, self.tensors[f"W{i}"], self.tensors[f"b{i}"])
        return self.activate(z, i)

    def activate(self, z, i):
        if self.parametric:
            return parametric_activation(z, self.tensors[f"alpha{i}"], self.activation)
        from ..autodiff.smooth_activations import mish, selu

        return selu(z) if self.activation == "selu" else mish(z)

    def forward(self, X_num, X_dense, codes, dropout_masks=None):
        """The output's pre-activation; ``codes`` is a list of index Tensors."""
        h = self.inputs(X_num, X_dense, codes)
        n_layers = len(self.layer_units) - 1
        for i in range(1, n_layers):
            h = self.hidden(h, i)
            if dropout_masks is not None:
                h = h * dropout_masks[i - 1]
        t = self.tensors
        return affine(h, t[f"W{n_layers}"], t[f"b{n_layers}"])

    def predict(self, X_num, X_dense, codes, batch_size=4096):
        """The output's pre-activation for arrays (no dropout), in chunks."""
        n = X_num.shape[0] if X_num is not None else X_dense.shape[0]
        outputs = []
        for start in range(0, max(n, 1), batch_size):
            rows = slice(start, start + batch_size)
            leaves = self._leaves(X_num, X_dense, codes, rows)
            outputs.append(self.forward(*leaves).value)
        return np.concatenate(outputs) if outputs else np.zeros((0, self.layer_units[-1]))

    def _leaves(self, X_num, X_dense, codes, rows=slice(None)):
        def leaf(a):
            return Tensor(np.ascontiguousarray(a[rows], dtype=self.dtype))

        num = leaf(X_num) if self.n_numeric else None
        dense = leaf(X_dense) if self.n_dense else None
        columns = [np.ascontiguousarray(codes[rows, j]) for j in range(len(self.category_sizes))]
        return num, dense, columns

    # ------------------------------------------------------------------ initialisation
    def initialize(self, rng, X_num, X_dense, codes, n_init=4096):
        """Draw every parameter; the layers' from ``n_init`` training rows (see module)."""
        a = self.arrays
        if self.numeric_embedding:
            a["frequencies"][...] = self.frequency_scale * rng.standard_normal(
                a["frequencies"].shape
            )
            a["phases"][...] = rng.uniform(-np.pi, np.pi, a["phases"].shape)
            k = a["embedding_weights"].shape[1]
            bound = 1.0 / math.sqrt(k)
            for name in ("embedding_weights", "embedding_biases"):
                a[name][...] = rng.uniform(-bound, bound, a[name].shape)
        for i in range(len(self.category_sizes)):
            table = a[f"category_table{i}"]
            table[...] = rng.standard_normal(table.shape)
        if self.scaling_layer:
            a["scale"][...] = 1.0
        for name in a:
            if name.startswith("alpha"):
                a[name][...] = 1.0
        n = X_num.shape[0] if self.n_numeric else X_dense.shape[0]
        rows = rng.choice(n, size=min(n, n_init), replace=False) if n > n_init else slice(None)
        h = self.inputs(*self._leaves(X_num, X_dense, codes, rows)).value
        n_layers = len(self.layer_units) - 1
        for i in range(1, n_layers + 1):
            W, b = a[f"W{i}"], a[f"b{i}"]
            W[...] = rng.standard_normal(W.shape)
            std = (h @ W).std(axis=0)
            W /= np.where(std > 0, std, 1.0)
            z = h @ W
            b[...] = -_random_convex_combinations(rng, z, 5)
            if i < n_layers:
                h = self.activate(Tensor(z + b), i).value


def _random_convex_combinations(rng, z, n_points):
    """Per column of ``z``: a Dirichlet(1, ..., 1)-weighted mean of ``n_points`` random
    rows' values (a random point of the data's range, denser where the data is)."""
    n, m = z.shape
    rows = rng.integers(0, n, size=(n_points, m))
    weights = rng.exponential(1.0, size=(n_points, m))
    weights /= weights.sum(axis=0)
    return (z[rows, np.arange(m)] * weights).sum(axis=0)
