"""The regularized cost of one minibatch, built once and replayed for every batch.

The graph from the input batch to the cost is built when training starts, for a fixed
number of rows. Each minibatch is then gathered into buffers kept for the next one (the
full batch of L-BFGS is a view of the data, no copy) and the
:class:`~skbackprop.autodiff.Graph` of the data loss is replayed: no node is created per
step. The Graph writes each layer's gradient into its view of the flat
gradient buffer that the optimizer reads.

The cost is scikit-learn's MLP's: the fused data loss (weighted mean over the rows) plus
``alpha / 2 * ||W||^2 / n``, where ``n`` is the batch's number of rows or, with sample
weights, their sum. The penalty is not in the graph: its value is added to the loss and
its gradient ``alpha / n * W`` to the weights' part of the flat gradient, one numpy call
over every layer's weights, as scikit-learn adds ``alpha * W / n`` to each layer's. An
optional L1 term ``l1_alpha * sum |W| / n``, with subgradient ``l1_alpha / n * sign(W)``,
is included the same way when the optimizer cannot take a proximal step (L-BFGS); the
stochastic solvers apply it as a soft-threshold instead, which gives exact zeros. With
``penalty_scale`` a number, the penalties are multiplied by it instead of divided by
``n``: scikit-learn's ``LogisticRegression`` objective divided by ``C`` times the total
sample weight is then the data loss plus ``alpha / 2 * ||W||^2`` with ``alpha`` already
divided. Over split weights (``W = W_pos - W_neg``, both parts >= 0) the L1 term is the
linear ``l1_alpha * (sum W_pos + sum W_neg)``, smooth for L-BFGS-B, and ``dJ/dW`` reaches
the parts by the chain rule: ``dJ/dW_pos = dJ/dW + l1_alpha``,
``dJ/dW_neg = -dJ/dW + l1_alpha``.
"""

import numpy as np
from scipy import sparse

from ..autodiff import Graph, Tensor
from .losses import get_loss
from .network import forward

__all__ = ["MinibatchObjective"]


class MinibatchObjective:
    """The cost of a minibatch of ``n_rows`` samples and its gradient, as a fixed graph.

    Parameters
    ----------
    params : FlatParameters
        The network's parameters; their Tensors are the graph's differentiable leaves.
    n_rows : int
        Rows per minibatch. A different batch length (the last, short batch of an epoch)
        needs its own objective.
    loss : str or Loss
        A key of :data:`skbackprop.nn.LOSSES` or a :class:`~skbackprop.nn.Loss` (a table
        entry with its parameters bound, or :func:`~skbackprop.nn.custom_loss`). Its node
        is called here, once, on the last pre-activation, the targets' leaf and the
        weights' leaf (or None).
    activation : str or sequence of str
        The hidden activation, or one per hidden layer.
    alpha : float, default=0.0
        L2 strength (scikit-learn's ``alpha``).
    l1_alpha : float, default=0.0
        L1 strength put in the graph (its subgradient); 0 leaves L1 to a proximal step.
    weighted : bool, default=False
        Whether minibatches come with sample weights.
    sparse_input : bool, default=False
        Whether the input batches are scipy sparse matrices.
    dropout : float, default=0.0
        Fraction of hidden units dropped; when positive every hidden activation is
        multiplied by a mask leaf refilled by :meth:`draw_dropout`.
    penalty_scale : 'batch' or float, default='batch'
        'batch' divides the penalties by the batch's number of rows (or total sample
        weight), as scikit-learn's MLP does; a float multiplies them by it.

    Attributes
    ----------
    X, Y : Tensor
        Leaves holding the current minibatch's inputs and targets.
    sample_weight : Tensor or None
        Leaf holding the current minibatch's sample weights.
    data_loss : Tensor
        The fused loss node, the graph's output.
    cost : float or None
        The regularized cost at the last call; None before.
    graph : Graph
        The fixed topological order replayed for every minibatch.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.nn import FlatParameters, MinibatchObjective
    >>> params = FlatParameters([2, 3, 1], np.float64)
    >>> params.values[:] = np.linspace(-1, 1, params.values.size)
    >>> objective = MinibatchObjective(params, 4, loss="squared_error", activation="tanh")
    >>> X, Y = np.arange(8.0).reshape(4, 2), np.ones((4, 1))
    >>> objective.load_batch(X, Y, None, np.array([3, 0, 2, 1]))
    >>> cost = objective()          # forward, backward, gradient into params.grad
    >>> params.grad.shape
    (13,)
    """

    def __init__(
        self,
        params,
        n_rows,
        *,
        loss,
        activation,
        alpha=0.0,
        l1_alpha=0.0,
        weighted=False,
        sparse_input=False,
        dropout=0.0,
        penalty_scale="batch",
    ):
        self.params = params
        self.n_rows = n_rows
        self.sparse_input = sparse_input
        self.loss = get_loss(loss)
        self.alpha, self.l1_alpha = alpha, l1_alpha
        self._make_batch_leaves(weighted)
        self._make_dropout_masks(dropout)
        # The penalties' factor: 1 / rows, 1 / the batch's total sample weight (refreshed
        # by load_batch), or penalty_scale.
        self._share_per_batch = weighted and penalty_scale == "batch"
        self._share = 1.0 / n_rows if penalty_scale == "batch" else float(penalty_scale)
        z = forward(
            self.X,
            params.coef_tensors,
            params.intercept_tensors,
            activation,
            self.dropout_masks,
        )
        self.data_loss = self.loss.node(z, self.Y, self.sample_weight)
        self.graph = Graph(self.data_loss, gradients=params.gradients)
        self.cost = None

    def _make_batch_leaves(self, weighted):
        """The leaves of the inputs, targets and sample weights, holding zeros that take
        no memory until :meth:`load_batch` gives them a batch."""
        n_rows, dtype = self.n_rows, self.params.dtype
        n_features, n_outputs = self.params.layer_units[0], self.params.layer_units[-1]
        # The gather buffers are allocated at the first gathered batch: a full batch (L-BFGS)
        # is a view of the data and needs none.
        self._buffers = {}
        zero = np.zeros((), dtype=dtype)
        if self.sparse_input:
            self.X = Tensor(sparse.csr_matrix((n_rows, n_features), dtype=dtype), name="X")
        else:
            self.X = Tensor(np.broadcast_to(zero, (n_rows, n_features)), name="X")
        self.Y = Tensor(np.broadcast_to(zero, (n_rows, n_outputs)), name="Y")
        self.sample_weight = None
        if weighted:
            self.sample_weight = Tensor(np.broadcast_to(zero + 1, (n_rows,)), name="sample_weight")

    def _make_dropout_masks(self, dropout):
        """One mask leaf per hidden layer when ``dropout`` is positive, else None."""
        self.dropout = dropout
        self.dropout_masks = None
        if dropout > 0:
            hidden = self.params.layer_units[1:-1]
            self._keep = [np.ones((self.n_rows, n), dtype=bool) for n in hidden]
            self.dropout_masks = [
                Tensor(np.ones((self.n_rows, n), dtype=self.params.dtype), name=f"mask{i + 1}")
                for i, n in enumerate(hidden)
            ]

    def load_batch(self, X, Y, sample_weight, rows):
        """Make rows ``rows`` (an index array or a slice) of the data the current batch.

        Dense rows are gathered with ``take(out=)`` into buffers kept for the next batch;
        a slice of dense data is used as a view, without copying.

        Returns the batch's total sample weight when weighted (else None).
        """
        if not self.sparse_input:
            self.X.value = self._gather("X", X, rows)
        else:  # scipy copies the rows of any index, even all of them (L-BFGS's batch)
            every_row = isinstance(rows, slice) and rows == slice(None)
            self.X.value = X if every_row else X[rows]
        self.Y.value = self._gather("Y", Y, rows)
        if self.sample_weight is None:
            return None
        self.sample_weight.value = self._gather("sample_weight", sample_weight, rows)
        total = self.sample_weight.value.sum()
        if total > 0 and self._share_per_batch:
            self._share = 1.0 / float(total)
        return total

    def _gather(self, name, data, rows):
        """``data[rows]``: a view for a slice, else gathered into the buffer ``name``."""
        if isinstance(rows, slice):
            return data[rows]
        buffer = self._buffers.get(name)
        if buffer is None:
            shape = (self.n_rows, *data.shape[1:])
            buffer = self._buffers[name] = np.empty(shape, dtype=self.params.dtype)
        if not data.flags.c_contiguous:
            # take() first copies all of an array that is not C-contiguous (a DataFrame's
            # column-major values), on every batch; indexing reads only the rows.
            buffer[...] = data[rows]
            return buffer
        # mode="clip": the rows are always in range, and with it numpy writes into
        # ``buffer`` directly; the default "raise" gathers into a temporary and copies it.
        return data.take(rows, axis=0, out=buffer, mode="clip")

    def draw_dropout(self, random_state):
        """Draw new inverted-dropout masks: 0 with probability p, else 1 / (1 - p).

        Scaling the kept units by ``1 / (1 - p)`` keeps each unit's expected value, so
        the network is used unchanged (no masks, no rescaling) at prediction time.
        """
        p = self.dropout
        for keep, mask in zip(self._keep, self.dropout_masks):
            np.greater_equal(random_state.random_sample(keep.shape), p, out=keep)
            np.multiply(keep, 1.0 / (1.0 - p), out=mask.value)

    def __call__(self):
        """Forward and backward over the current batch; the gradient lands in
        ``params.grad``. Returns the cost."""
        self.params.update_weights()
        data_loss = float(self.graph.forward())
        self.graph.backward()
        self._add_penalty_gradients()
        self.cost = data_loss + self._penalty_value()
        return self.cost

    def value(self):
        """The current batch's cost at ``params.values``, without the gradient."""
        self.params.update_weights()
        return float(self.graph.forward()) + self._penalty_value()

    def _penalty_value(self):
        params, l2, l1 = self.params, self.alpha * self._share, self.l1_alpha * self._share
        W = params.weights
        value = 0.5 * l2 * float(np.dot(W, W)) if l2 > 0 else 0.0
        if l1 > 0 and params.split_weights:
            n = params.n_weights
            value += l1 * (float(params.values[:n].sum()) + float(params.values[n : 2 * n].sum()))
        elif l1 > 0:
            value += l1 * float(np.abs(W).sum())
        return value

    def _add_penalty_gradients(self):
        """Add the penalties' gradients to ``params.grad``, and over split weights carry
        ``dJ/dW`` to the parts."""
        params, l2, l1 = self.params, self.alpha * self._share, self.l1_alpha * self._share
        W, grad_W = params.weights, params.weight_grad
        if l2 > 0:
            grad_W += l2 * W  # scikit-learn's coef_grads += alpha * W / n, every layer at once
        if params.split_weights:
            n = params.n_weights
            np.add(grad_W, l1, out=params.grad[:n])
            np.subtract(l1, grad_W, out=params.grad[n : 2 * n])
        elif l1 > 0:
            grad_W += l1 * np.sign(W)

    def reported_loss(self):
        """The current batch's cost as scikit-learn reports it in ``loss_``."""
        n_outputs = self.params.layer_units[-1]
        if not self.loss.mean_over_outputs or n_outputs == 1:
            return self.cost
        return self.cost - (1.0 - 1.0 / n_outputs) * float(self.data_loss.value)
