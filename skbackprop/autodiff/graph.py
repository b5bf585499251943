"""Reverse-mode differentiation over a computation graph.

The lecture's algorithm: visit the nodes in topological order to compute values, then in
reverse topological order to compute derivatives, each node incrementing the derivative of
each of its inputs (Backward Computation, Version B). A value used on two paths therefore
receives the sum of both contributions.
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
    """

    def __init__(self, output):
        self.output = output
        self.order = topological_order(output)
        self._computed = [node for node in self.order if node.op is not None]
        self._differentiated = [node for node in self.order if node.requires_grad]
        self._reverse = [node for node in reversed(self._differentiated) if node.op is not None]
        self._release_shared_grad_buffers()
        self._unit_seed = None
        # What each replay looks up, looked up once: a small network's step is a few
        # dozen microseconds, and attribute lookups per node and pass are part of them.
        self._forward_steps = [(node, node.op.forward, node.parents) for node in self._computed]
        self._backward_steps = [
            (node, node.op.backward, node.needs, node.parents) for node in self._reverse
        ]

    def _release_shared_grad_buffers(self):
        """Keep ``grad_out`` buffers only where each serves one parameter of one layer.

        A layer given ``grad_out`` writes its parameters' gradients into those arrays. A
        parameter that feeds several nodes receives several contributions, which Version B
        sums; written into one buffer, each would overwrite the last. Two layers given
        overlapping buffers would overwrite each other's gradients. Such layers compute
        fresh arrays instead (a sum is then a new array too).
        """
        consumers = {}
        for node in self._computed:
            for parent in node.parents:
                consumers[id(parent)] = consumers.get(id(parent), 0) + 1
        buffered = [node for node in self._computed if getattr(node.op, "grad_out", None)]
        release = {
            id(node)
            for node in buffered
            if any(consumers[id(parent)] > 1 for parent in node.parents[1:])
        }
        for i, first in enumerate(buffered):
            for second in buffered[i + 1 :]:
                if any(
                    np.may_share_memory(a, b)
                    for a in first.op.grad_out
                    for b in second.op.grad_out
                ):
                    release.update((id(first), id(second)))
        for node in buffered:
            if id(node) in release:
                node.op.grad_out = None

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
