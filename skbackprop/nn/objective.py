"""The regularized cost of one minibatch, built once and replayed for every batch.

The graph from the input batch to the cost is built when training starts, for a fixed
number of rows. Each minibatch is then gathered into the input leaves' preallocated buffers
and the :class:`~skbackprop.autodiff.Graph` is replayed: no node is created per step. The
Graph knows the parameters are views of one flat buffer and fills the flat gradient buffer
that the optimizer reads.

The cost is scikit-learn's MLP's: the fused data loss (weighted mean over the rows) plus
``alpha / 2 * ||W||^2 / n``, where ``n`` is the batch's number of rows or, with sample
weights, their sum. An optional L1 term ``l1_alpha * sum |W| / n`` is included when the
optimizer cannot take a proximal step (L-BFGS); the stochastic solvers apply it as a
soft-threshold instead, which gives exact zeros. With ``penalty_scale`` a number, the
penalties are multiplied by it instead of divided by ``n``: scikit-learn's
``LogisticRegression`` objective divided by ``C`` times the total sample weight is then
the data loss plus ``alpha / 2 * ||W||^2`` with ``alpha`` already divided. Over split
weights (``W = W_pos - W_neg >= 0`` parts) the L1 term is the linear
``l1_alpha * (sum W_pos + sum W_neg)``, smooth for L-BFGS-B.
"""

import numpy as np
from scipy import sparse

from ..autodiff import Graph, Tensor, l1_penalty, l2_penalty
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
    data_loss, cost : Tensor
        The fused loss node and the regularized cost (the graph's output).
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
        dtype = params.dtype
        n_features, n_outputs = params.layer_units[0], params.layer_units[-1]
        self.params = params
        self.n_rows = n_rows
        self.sparse_input = sparse_input
        self.loss = get_loss(loss)
        self.alpha, self.l1_alpha = alpha, l1_alpha
        self._X_buffer = np.zeros((n_rows, n_features), dtype=dtype)
        self._Y_buffer = np.zeros((n_rows, n_outputs), dtype=dtype)
        x0 = sparse.csr_matrix((n_rows, n_features), dtype=dtype) if sparse_input else None
        self.X = Tensor(self._X_buffer if x0 is None else x0, name="X")
        self.Y = Tensor(self._Y_buffer, name="Y")
        self.sample_weight = None
        per_batch = penalty_scale == "batch"
        if weighted:
            self._weight_buffer = np.ones(n_rows, dtype=dtype)
            self.sample_weight = Tensor(self._weight_buffer, name="sample_weight")
        self._inverse_total = None
        if weighted and per_batch:
            # 1 / sum of the batch's weights: the penalty's share, refreshed per batch.
            self._inverse_total = Tensor(np.asarray(1.0 / n_rows, dtype=dtype), name="1/n")

        self.dropout = dropout
        self.dropout_masks = None
        if dropout > 0:
            self._keep = [np.ones((n_rows, n), dtype=bool) for n in params.layer_units[1:-1]]
            self.dropout_masks = [
                Tensor(np.ones((n_rows, n), dtype=dtype), name=f"mask{i + 1}")
                for i, n in enumerate(params.layer_units[1:-1])
            ]

        z = forward(
            self.X,
            params.coef_tensors,
            params.intercept_tensors,
            activation,
            self.dropout_masks,
        )
        self.data_loss = self.loss.node(z, self.Y, self.sample_weight)
        cost = self.data_loss
        weights = params.weights_tensor
        l1 = _split_l1_penalty(params) if params.split_weights else l1_penalty
        for strength, penalty in ((alpha, l2_penalty), (l1_alpha, l1)):
            if strength <= 0:
                continue
            if self._inverse_total is not None:
                term = penalty(weights, scale=strength) * self._inverse_total
            elif per_batch:
                term = penalty(weights, scale=strength / n_rows)
            else:
                term = penalty(weights, scale=strength * penalty_scale)
            cost = cost + term
        self.cost = cost
        # The Graph sums the gradients of the leaves over the same parameters (the layers'
        # weights and the penalties' vector of every weight) into params.grad.
        self.graph = Graph(cost, parameters=params.values, gradient=params.grad)

    def load_batch(self, X, Y, sample_weight, rows):
        """Make rows ``rows`` (an index array or a slice) of the data the current batch.

        Dense rows are gathered into the preallocated buffers with ``np.take(out=)``;
        a slice of dense data is used as a view, without copying.

        Returns the batch's total sample weight when weighted (else None).
        """
        if self.sparse_input or isinstance(rows, slice):
            self.X.value = X[rows]
        else:
            self.X.value = X.take(rows, axis=0, out=self._X_buffer)
        if isinstance(rows, slice):
            self.Y.value = Y[rows]
        else:
            self.Y.value = Y.take(rows, axis=0, out=self._Y_buffer)
        if self.sample_weight is None:
            return None
        if isinstance(rows, slice):
            self.sample_weight.value = sample_weight[rows]
        else:
            self.sample_weight.value = np.take(
                sample_weight, rows, axis=0, out=self._weight_buffer
            )
        total = self.sample_weight.value.sum()
        if total > 0 and self._inverse_total is not None:
            self._inverse_total.value = np.asarray(1.0 / total, dtype=self.params.dtype)
        return total

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
        ``params.grad``. Returns the cost (a 0-d array)."""
        cost = self.graph.forward()
        self.graph.backward()
        return cost

    def reported_loss(self):
        """The current batch's cost as scikit-learn reports it in ``loss_``."""
        cost = float(self.cost.value)
        scale = self.loss.report_scale(self.params.layer_units[-1])
        if scale == 1.0:
            return cost
        return cost - (1.0 - scale) * float(self.data_loss.value)


def _split_l1_penalty(params):
    """The L1 term over split weights: ``scale * (sum W_pos + sum W_neg)``.

    Linear on the bounded parts, so its gradient is ``scale`` even at 0, where L-BFGS-B
    must see it to keep the coefficient there.
    """

    def penalty(weights, scale):
        return scale * (params.positive.sum() + params.negative.sum())

    return penalty
