"""The loss of a minibatch of a :class:`~skbackprop.nn.TabularNetwork`, as a fixed graph.

Built once per batch length: leaves for the inputs, the targets, the sample weights and
the dropout masks hold preallocated buffers that each minibatch is gathered into, and a
:class:`~skbackprop.autodiff.Graph` is replayed that writes each parameter's gradient into
its view of the network's flat gradient buffer. It has the interface the one training
loop (:class:`~skbackprop.training.MinibatchTrainer`) drives: ``load_batch``,
``draw_dropout``, a call for the forward and backward pass, ``reported_loss``.

The trainer hands it one 2-D array per batch: the network's inputs packed side by side
by :meth:`TabularNetwork.pack` (numbers, dense columns, then the categorical codes as
exact floats).
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
    dropout : float or callable, default=0.0
        The dropout probability after each hidden activation, or a function returning
        the current one (a schedule over the steps of the fit); 0 builds no masks.

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
    >>> objective.load_batch(net.pack(X, None, np.zeros((8, 0), int)), y, None, np.arange(8))
    >>> loss = objective()
    >>> bool(np.abs(net.grad).sum() > 0)
    True
    """

    def __init__(self, network, n_rows, loss, *, weighted=False, dropout=0.0):
        dtype = network.dtype
        self.network = network
        self.n_rows = n_rows
        self._inputs = np.zeros((n_rows, network.n_packed), dtype)
        self._targets = np.zeros((n_rows, network.layer_units[-1]), dtype)
        X_num, X_dense, codes = network.unpack(self._inputs)
        self.X_num = Tensor(X_num) if network.n_numeric else None
        self.X_dense = Tensor(X_dense) if network.n_dense else None
        self.codes = [Tensor(column) for column in codes.T]
        self.Y = Tensor(self._targets)
        self.sample_weight = None
        if weighted:
            self._weights = np.ones(n_rows, dtype)
            self.sample_weight = Tensor(self._weights)
        self.dropout = dropout
        self.dropout_masks = None
        if callable(dropout) or dropout > 0:
            self._keep = [np.ones((n_rows, units), bool) for units in network.layer_units[1:-1]]
            self.dropout_masks = [
                Tensor(np.ones((n_rows, units), dtype)) for units in network.layer_units[1:-1]
            ]
        z = network.forward(self.X_num, self.X_dense, self.codes, self.dropout_masks)
        self.loss = LOSSES[loss](z, self.Y, self.sample_weight)
        gradients = {network.tensors[name]: network.grads[name] for name in network.tensors}
        self.graph = Graph(self.loss, gradients=gradients)

    def load_batch(self, X, Y, sample_weight, rows):
        """Gather rows ``rows`` of the packed inputs ``X``, the targets and the weights
        into the batch's buffers; return the batch's total weight (None unweighted)."""
        X.take(rows, axis=0, out=self._inputs, mode="clip")
        Y.take(rows, axis=0, out=self._targets, mode="clip")
        if self.sample_weight is None:
            return None
        sample_weight.take(rows, axis=0, out=self._weights, mode="clip")
        return self._weights.sum()

    def draw_dropout(self, random_state):
        """New inverted-dropout masks: 0 with probability ``p``, else ``1 / (1 - p)``.

        ``random_state`` is a ``numpy.random.Generator``.
        """
        p = self.dropout() if callable(self.dropout) else self.dropout
        # Drawn as 16-bit integers (p to 1/65536), half the time of float draws.
        threshold = round(p * 65536)
        scale = 65536 / (65536 - threshold)
        for mask, keep in zip(self.dropout_masks, self._keep, strict=True):
            draw = random_state.integers(0, 65536, mask.value.shape, dtype=np.uint16)
            np.greater_equal(draw, threshold, out=keep)
            np.multiply(keep, scale, out=mask.value)

    def __call__(self):
        """Forward and backward; the gradient lands in ``network.grad``. Returns the loss."""
        loss = self.graph.forward()
        self.graph.backward()
        return loss

    def reported_loss(self):
        """The current batch's loss."""
        return float(self.loss.value)
