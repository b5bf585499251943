"""The loss of a minibatch of a :class:`~skbackprop.nn.TabularNetwork`, as a fixed graph.

Built once per batch length: leaves for the inputs, the targets, the sample weights and
the dropout masks hold preallocated buffers that each minibatch is written into, and a
:class:`~skbackprop.autodiff.Graph` is replayed. After the backward pass each parameter's
gradient is copied into its view of the network's flat gradient buffer.
"""

import numpy as np

from ..autodiff import Graph, Tensor, softmax_cross_entropy, squared_error

__all__ = ["TabularObjective"]

LOSSES = {"softmax_cross_entropy": softmax_cross_entropy, "squared_error": squared_error}


class TabularObjective:
    """The mean loss of ``n_rows`` samples and its gradient.

    Parameters
    ----------
    network : TabularNetwork
    n_rows : int
    loss : {'softmax_cross_entropy', 'squared_error'}
        Cross-entropy of the softmax against (possibly smoothed) probability rows, or half
        the squared error.
    weighted : bool, default=False
        Whether batches come with sample weights.
    dropout : bool, default=False
        Whether the hidden activations are multiplied by masks (:meth:`draw_dropout`).

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.nn import TabularNetwork, TabularObjective
    >>> net = TabularNetwork(n_numeric=2, n_dense=0, category_sizes=[], n_outputs=1,
    ...                      hidden_layer_sizes=(4,), activation="mish")
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((8, 2)), rng.standard_normal((8, 1))
    >>> net.initialize(rng, X, None, np.zeros((8, 0), int))
    >>> objective = TabularObjective(net, 8, "squared_error")
    >>> objective.load_batch((X, None, np.zeros((8, 0), int), y, None), slice(0, 8))
    >>> loss = objective()
    >>> bool(np.abs(net.grad).sum() > 0)
    True
    """

    def __init__(self, network, n_rows, loss, *, weighted=False, dropout=False):
        dtype = network.dtype
        self.network = network
        self.n_rows = n_rows
        self.X_num = (
            Tensor(np.zeros((n_rows, network.n_numeric), dtype)) if network.n_numeric else None
        )
        self.X_dense = (
            Tensor(np.zeros((n_rows, network.n_dense), dtype)) if network.n_dense else None
        )
        self.codes = [Tensor(np.zeros(n_rows, np.intp)) for _ in network.category_sizes]
        self.Y = Tensor(np.zeros((n_rows, network.layer_units[-1]), dtype))
        self.sample_weight = Tensor(np.ones(n_rows, dtype)) if weighted else None
        self.dropout_masks = None
        if dropout:
            self.dropout_masks = [
                Tensor(np.ones((n_rows, units), dtype)) for units in network.layer_units[1:-1]
            ]
        z = network.forward(self.X_num, self.X_dense, self.codes, self.dropout_masks)
        self.loss = LOSSES[loss](z, self.Y, self.sample_weight)
        self.graph = Graph(self.loss)
        self._copies = [(network.tensors[name], network.grads[name]) for name in network.tensors]

    def load_batch(self, data, rows):
        """Make rows ``rows`` of ``data = (X_num, X_dense, codes, Y, sample_weight)`` the
        current batch (views when ``rows`` is a slice)."""
        X_num, X_dense, codes, Y, sample_weight = data
        if self.X_num is not None:
            self.X_num.value = X_num[rows]
        if self.X_dense is not None:
            self.X_dense.value = X_dense[rows]
        for j, leaf in enumerate(self.codes):
            leaf.value = codes[rows, j]
        self.Y.value = Y[rows]
        if self.sample_weight is not None:
            self.sample_weight.value = sample_weight[rows]

    def draw_dropout(self, p, random_state):
        """New inverted-dropout masks: 0 with probability ``p``, else ``1 / (1 - p)``."""
        for mask in self.dropout_masks:
            keep = random_state.random(mask.value.shape, dtype=np.float32) >= p
            np.multiply(keep, 1.0 / (1.0 - p), out=mask.value)

    def __call__(self):
        """Forward and backward; the gradient lands in ``network.grad``. Returns the loss."""
        loss = float(self.graph.forward())
        self.graph.backward()
        for leaf, out in self._copies:
            if leaf.grad is None:
                out.fill(0)
            else:
                out[...] = leaf.grad
        return loss
