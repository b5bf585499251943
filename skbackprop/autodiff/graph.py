"""Reverse-mode differentiation over a computation graph.

The lecture's algorithm: visit the nodes in topological order to compute values, then in
reverse topological order to compute derivatives, each node incrementing the derivative of
each of its inputs (Backward Computation, Version B). A value used on two paths therefore
receives the sum of both contributions.

A Graph may also be told that its parameter leaves are views of one flat buffer (every
weight and bias of a network in one array, as the optimizers want them). It then fills a
flat gradient buffer of the same layout itself: leaves viewing the same memory are the same
parameters, so their gradients add up, exactly as the two paths to one value do.
"""

import numpy as np

__all__ = ["Graph", "topological_order"]


def topological_order(output):
    """Nodes that ``output`` depends on, each after all of its inputs.

    Iterative depth-first search, so a chain of any length works (no recursion limit).
    """
    order = []
    visited = set()
    stack = [(output, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        # Reversed, so the first input is visited first and the order reads naturally.
        for parent in reversed(node.parents):
            if parent not in visited:
                stack.append((parent, False))
    return order


class Graph:
    """A computation graph fixed once and evaluated many times.

    Building the topological order costs Python time that does not change between
    minibatches; a Graph pays it once. Change the leaves' values in place (or assign new
    arrays to ``leaf.value``), then call :meth:`forward` and :meth:`backward` again.

    Parameters
    ----------
    output : Tensor
        The node to evaluate and differentiate, usually the scalar loss.
    parameters : ndarray of shape (n_parameters,), optional
        A flat buffer that some differentiable leaves are views of (a network's weights
        and biases). Leaves may overlap (one Tensor over every weight for a penalty, and
        one per layer): they are the same parameters.
    gradient : ndarray like ``parameters``, optional
        Required with ``parameters``. Every :meth:`backward` fills it with
        ``d output / d parameters``: the sum of the gradients of all the leaves viewing
        each element (0 where none does), and each such leaf's ``.grad`` is then its view
        of this buffer. Layers whose parameters feed nothing else write their gradients
        straight into it, with no copy.

    Attributes
    ----------
    order : list of Tensor
        All nodes ``output`` depends on, in topological order.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.autodiff import Graph, Tensor
    >>> w = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="w")
    >>> x = Tensor(np.array([3.0, 4.0]), name="x")
    >>> loss = (w * x).sum()
    >>> graph = Graph(loss)
    >>> graph.backward()
    >>> w.grad
    array([3., 4.])
    >>> x.value[:] = [5.0, 6.0]   # a new minibatch, written into the same buffer
    >>> float(graph.forward())
    17.0
    >>> graph.backward()
    >>> w.grad
    array([5., 6.])

    Two leaves over one flat buffer are the same parameters; their gradients add up:

    >>> flat, flat_grad = np.array([1.0, 2.0, 3.0]), np.zeros(3)
    >>> head = Tensor(flat[:2], requires_grad=True)
    >>> every = Tensor(flat, requires_grad=True)
    >>> loss = (head * head).sum() + every.sum()
    >>> Graph(loss, parameters=flat, gradient=flat_grad).backward()
    >>> flat_grad
    array([3., 5., 1.])
    """

    def __init__(self, output, parameters=None, gradient=None):
        self.output = output
        self.order = topological_order(output)
        self._computed = [node for node in self.order if node.op is not None]
        self._differentiated = [node for node in self.order if node.requires_grad]
        self._reverse = [node for node in reversed(self._differentiated) if node.op is not None]
        self.gradient = gradient
        self._written, self._added, self._accumulated = [], [], []
        self._zero_first = False
        # Inputs a node's backward skips because the node adds their gradient into the
        # flat gradient buffer itself (see _plan_flat_gradient): id(node) -> needs.
        self._needs = {}
        if parameters is not None:
            self._plan_flat_gradient(parameters, gradient)
        self._unit_seed = None
        # What each replay looks up, looked up once: a small network's step is a few
        # dozen microseconds, and attribute lookups per node and pass are part of them.
        self._forward_steps = [(node, node.op.forward, node.parents) for node in self._computed]
        self._backward_steps = [
            (node, node.op.backward, self._needs.get(id(node), node.needs), node.parents)
            for node in self._reverse
        ]

    def _plan_flat_gradient(self, parameters, gradient):
        """Decide, once, how each leaf's gradient reaches the flat gradient buffer.

        A leaf that is the W or b of exactly one layer (:func:`dense`, :func:`affine`) and
        overlaps no other such leaf gets its view of ``gradient`` as the layer's output
        buffer: written in place, no copy. Every other leaf over the buffer is added into
        its view after the backward pass, which is where the gradients of leaves sharing
        memory sum. Elements no written leaf covers are zeroed first, when there are any.

        A leaf whose one consumer can add its gradient into an array itself (an operation
        with ``accumulated_parents`` and ``add_gradient``, such as the L2 penalty's
        ``scale * W``) is not differentiated by that consumer's backward at all: after
        the written gradients are in place, the consumer adds its term straight into the
        leaf's view, one pass over the memory and no temporary.
        """
        if gradient is None or gradient.shape != parameters.shape or parameters.ndim != 1:
            raise ValueError(
                "Graph needs gradient= with parameters=: a flat array of the parameters' "
                f"shape {getattr(parameters, 'shape', None)}; got "
                f"{getattr(gradient, 'shape', None)}."
            )
        consumers = {}
        for node in self._computed:
            for position, parent in enumerate(node.parents):
                consumers.setdefault(id(parent), []).append((node, position))
        covered = np.zeros(parameters.size, dtype=bool)
        leaves = [n for n in self._differentiated if n.op is None]
        added = []
        for leaf in leaves:
            where = _flat_slice(leaf.value, parameters)
            if where is None:
                continue  # not a view of the buffer: its .grad is all there is
            view = gradient[where].reshape(leaf.value.shape)
            uses = consumers.get(id(leaf), [])
            if len(uses) == 1 and not covered[where].any():
                node, position = uses[0]
                buffered = getattr(node.op, "buffered_parents", ())
                if position in buffered:
                    outs = list(node.op.grad_out or (None,) * len(buffered))
                    outs[buffered.index(position)] = view
                    node.op.grad_out = tuple(outs)
                    covered[where] = True
                    self._written.append((leaf, view))
                    continue
            added.append((leaf, view, where))
            if len(uses) == 1:
                node, position = uses[0]
                if position in getattr(node.op, "accumulated_parents", ()):
                    needs = list(self._needs.get(id(node), node.needs))
                    needs[position] = False
                    self._needs[id(node)] = tuple(needs)
                    self._accumulated.append((leaf, view, node, position))
        self._zero_first = any(not covered[where].all() for _, _, where in added)
        deferred = {id(leaf) for leaf, *_ in self._accumulated}
        self._added = [(leaf, view) for leaf, view, _ in added if id(leaf) not in deferred]

    def _gather_flat_gradient(self):
        """Complete the flat gradient after the backward pass; each leaf's ``.grad`` is
        then its view of it."""
        for leaf, view in self._written:
            grad = leaf.grad
            if grad is not view:
                # Not written in place (a sparse batch, mixed dtypes, no gradient at all).
                if grad is None:
                    view.fill(0)
                else:
                    view[...] = grad
                leaf.grad = view
        for leaf, view in self._added:
            if leaf.grad is not None:
                view += leaf.grad
            leaf.grad = view
        for leaf, view, node, position in self._accumulated:
            if node.grad is not None:
                node.op.add_gradient(node.grad, position, view)
            leaf.grad = view

    def forward(self):
        """Recompute every node's value from the leaves; return the output's value."""
        for node, forward, parents in self._forward_steps:
            node.value = forward(*[parent.value for parent in parents])
        return self.output.value

    def backward(self, grad=None):
        """Fill ``.grad`` of every node that requires it with ``d output / d node``.

        Without ``grad`` the seed ``d output / d output = 1`` is one read-only array kept
        across calls; a gradient passed on unchanged (``x + y`` hands its own gradient to
        both inputs) is that very array, so ``.grad`` arrays are to be read, not written in
        place: the engine itself only ever adds them into new arrays.
        """
        output = self.output
        if grad is None:
            if output.value.ndim != 0 and output.value.size != 1:
                raise ValueError(
                    "backward() without a seed gradient needs a scalar output, but this "
                    f"output has shape {output.value.shape}. Reduce it first (e.g. "
                    ".sum() or .mean()) or pass grad=, an array of that shape."
                )
            seed, value = self._unit_seed, output.value
            if seed is None or seed.dtype != value.dtype or seed.shape != value.shape:
                # d output / d output = 1, made once and kept for the next replays.
                seed = self._unit_seed = np.ones_like(output.value)
                seed.flags.writeable = False
            grad = seed
        else:
            grad = np.asarray(grad, dtype=output.value.dtype)
            if grad.shape != output.value.shape:
                raise ValueError(
                    f"The seed gradient has shape {grad.shape} but the output has shape "
                    f"{output.value.shape}; they must match."
                )
        if not output.requires_grad:
            raise ValueError(
                "Nothing to differentiate: no Tensor this output depends on was created "
                "with requires_grad=True."
            )
        for node in self._differentiated:
            node.grad = None
        if self._zero_first:
            self.gradient.fill(0)
        output.grad = grad
        for node, backward, needs, parents in self._backward_steps:
            upstream = node.grad
            if upstream is None:
                continue
            for parent, g in zip(parents, backward(upstream, needs), strict=True):
                if g is None:
                    continue
                if parent.grad is None:
                    parent.grad = g
                else:
                    # A new array, never +=: gradients may share memory with each other.
                    parent.grad = parent.grad + g
        if self._written or self._added or self._accumulated:
            self._gather_flat_gradient()


def _flat_slice(value, parameters):
    """The slice of the 1-D ``parameters`` that ``value`` is a contiguous view of, or None."""
    if not isinstance(value, np.ndarray) or value.dtype != parameters.dtype:
        return None
    if not np.shares_memory(value, parameters) or not value.flags.c_contiguous:
        return None
    offset, remainder = divmod(
        value.__array_interface__["data"][0] - parameters.__array_interface__["data"][0],
        parameters.itemsize,
    )
    if remainder or offset < 0 or offset + value.size > parameters.size:
        return None
    return slice(offset, offset + value.size)
