"""Reverse-mode differentiation over a computation graph, recorded once and replayed.

The forward pass visits the nodes in topological order and computes each value from its
inputs'. The backward pass visits them in reverse and has each node add its contribution
``dy/du * du/dv`` to the derivative of each of its inputs ``v``, so a value used on two
paths receives the sum of both: ``dy/dv = sum over the consumers u of v of dy/du * du/dv``
(derived in the user guide, docs/user_guide/computation_graph.rst, "The backward pass,
line by line").
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
    """A computation graph recorded once and replayed many times.

    Building the topological order costs Python time that does not change between
    minibatches; a Graph pays it once. Change the leaves' values in place (or assign new
    arrays to ``leaf.value``), then call :meth:`forward` and :meth:`backward` again.

    Parameters
    ----------
    output : Tensor
        The node to evaluate and differentiate, usually the scalar loss.
    gradients : dict of Tensor to ndarray, optional
        Where the gradient of some leaves goes: each :meth:`backward` leaves
        ``d output / d leaf`` in the leaf's array (0 where the output does not depend on
        it), and the leaf's ``.grad`` is then that array. An operation that can write an
        input's gradient in place (:func:`~skbackprop.autodiff.dense` writes ``dW`` and
        ``db``) writes it there when it is the leaf's only consumer; every other leaf's
        gradient is copied in after the backward pass. A training loop maps each layer's
        weights and biases to their views of one flat gradient buffer.

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

    The gradient of a leaf can go to an array of the caller's, such as a view of one flat
    buffer holding every parameter's gradient:

    >>> flat_grad = np.zeros(3)
    >>> head, tail = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    >>> loss = (head * head).sum() + tail.sum()
    >>> Graph(loss, gradients={head: flat_grad[:2], tail: flat_grad[2:]}).backward()
    >>> flat_grad
    array([2., 4., 1.])
    """

    def __init__(self, output, gradients=None):
        self.output = output
        self.order = topological_order(output)
        self._computed = [node for node in self.order if node.op is not None]
        differentiated = [node for node in self.order if node.requires_grad]
        self._differentiated = differentiated
        self._reverse = [node for node in reversed(differentiated) if node.op is not None]
        self.gradients = _check_gradients(gradients or {}, differentiated)
        self._outputs = self._gradients_written_in_place()

    def _gradients_written_in_place(self):
        """``id(node) -> {"out": arrays}``: the arrays a node's backward writes its inputs'
        gradients into (None for an input whose gradient it returns as usual).

        A leaf's gradient is written in place by its consumer when that consumer is its
        only one and its operation lists the leaf's position in ``in_place_inputs``.
        """
        consumers = {}
        for node in self._computed:
            for position, parent in enumerate(node.parents):
                consumers.setdefault(id(parent), []).append((node, position))
        outputs = {}
        for leaf, array in self.gradients.items():
            uses = consumers.get(id(leaf), [])
            if len(uses) != 1 or uses[0][1] not in uses[0][0].op.in_place_inputs:
                continue
            node, position = uses[0]
            out = outputs.setdefault(id(node), [None] * len(node.parents))
            out[position] = array
        return {key: {"out": tuple(out)} for key, out in outputs.items()}

    def forward(self):
        """Recompute every node's value from the leaves; return the output's value.

        The computed nodes' gradients, those of the old values, are dropped first: they
        are arrays of the nodes' shapes, which would otherwise stay alive through the
        pass."""
        for node in self._computed:
            node.grad = None
            node.value = node.op.forward(*[parent.value for parent in node.parents])
        return self.output.value

    def backward(self, grad=None):
        """Fill ``.grad`` of every node that requires it with ``d output / d node``.

        Without ``grad`` the seed is ``d output / d output = 1``. A gradient passed on
        unchanged (``x + y`` hands its own gradient to both inputs) is the same array in
        both nodes, so ``.grad`` arrays are to be read, not written in place: the engine
        itself only ever adds them into new arrays.
        """
        output = self.output
        if not output.requires_grad:
            raise ValueError(
                "Nothing to differentiate: no Tensor this output depends on was created "
                "with requires_grad=True."
            )
        for node in self._differentiated:
            node.grad = None
        output.grad = _seed(output.value, grad)
        for node in self._reverse:
            if node.grad is None:
                continue
            grads = node.op.backward(node.grad, node.needs, **self._outputs.get(id(node), {}))
            for parent, g in zip(node.parents, grads, strict=True):
                # A sum into a new array, never +=: gradients may share memory.
                if g is not None:
                    parent.grad = g if parent.grad is None else parent.grad + g
        for leaf, array in self.gradients.items():
            if leaf.grad is not array:
                array[...] = 0 if leaf.grad is None else leaf.grad
                leaf.grad = array


def _seed(value, grad):
    """``d output / d output``: ``grad`` checked against the output, or 1 for a scalar."""
    if grad is None:
        if value.ndim != 0 and value.size != 1:
            raise ValueError(
                "backward() without a seed gradient needs a scalar output, but this "
                f"output has shape {value.shape}. Reduce it first (e.g. .sum() or "
                ".mean()) or pass grad=, an array of that shape."
            )
        # One C call: np.ones_like goes through Python wrappers that cost a few percent
        # of a small network's step (docs/performance.rst, "The autodiff engine").
        return np.array(1, dtype=value.dtype).reshape(value.shape)
    grad = np.asarray(grad, dtype=value.dtype)
    if grad.shape != value.shape:
        raise ValueError(
            f"The seed gradient has shape {grad.shape} but the output has shape "
            f"{value.shape}; they must match."
        )
    return grad


def _check_gradients(gradients, differentiated):
    """``gradients`` as a dict, after checking that each key is a leaf of the graph that
    requires a gradient and each value a writeable array of the leaf's shape."""
    in_graph = {id(node) for node in differentiated}
    for leaf, array in gradients.items():
        if leaf.op is not None or id(leaf) not in in_graph:
            raise ValueError(
                "Graph(gradients=...) maps leaves of the graph that require a gradient "
                "(Tensors created with requires_grad=True that the output depends on) to "
                f"arrays; {leaf!r} is not one."
            )
        if not (isinstance(array, np.ndarray) and array.flags.writeable) or (
            array.shape != leaf.value.shape
        ):
            raise ValueError(
                f"Graph(gradients=...): the array for {leaf!r} must be a writeable ndarray "
                f"of its shape {leaf.value.shape}; got {array!r}."
            )
    return dict(gradients)
