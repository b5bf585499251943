"""What every operation is: a forward value and its local derivative, side by side.

An :class:`Operation` is one row of a table of derivative rules, ``f`` beside its local
derivative. ``forward`` computes the node's value from its inputs' values and keeps what
the derivative will need; ``backward`` receives ``d loss / d output`` and returns
``d loss / d input`` for each input (the chain rule's product with the local derivative).
The graph calls ``forward`` once per evaluation and ``backward`` once per
backpropagation; accumulation over paths is the graph's job, not the operation's.
"""

import numpy as np

__all__ = ["Operation", "apply", "unbroadcast"]


class Operation:
    """Base class of the computation graph's operations.

    Subclasses set ``label`` (drawn inside the node's box by ``to_dot``) and implement
    ``forward(*values)`` and ``backward(grad, needs)``, where ``needs[i]`` says whether
    input ``i`` requires a gradient; ``backward`` returns one entry per input, None where
    none is needed, so work for constants (the data) is skipped.

    An operation that can write some inputs' gradients into given arrays lists their
    positions in ``in_place_inputs`` and accepts ``backward(grad, needs, out=...)``, one
    array or None per input; a :class:`~skbackprop.autodiff.Graph` passes the arrays its
    caller asked those gradients to go to.
    """

    __slots__ = ()
    label = "op"
    in_place_inputs = ()

    def forward(self, *values):  # pragma: no cover - interface
        raise NotImplementedError

    def backward(self, grad, needs):  # pragma: no cover - interface
        raise NotImplementedError


def apply(op, *inputs):
    """Evaluate ``op`` on Tensors (or numbers) and return the new graph node."""
    from .tensor import Tensor, as_tensor

    like = next((t for t in inputs if isinstance(t, Tensor)), None)
    parents = tuple(as_tensor(t, like) for t in inputs)
    value = op.forward(*[p.value for p in parents])
    return Tensor._from_op(value, op, parents)


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes along which an input of ``shape`` was broadcast.

    Broadcasting copies an input along new or length-1 axes; each copy is a path to the
    same value, so the copies' gradients add up, as the gradients of a value used twice do.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return np.asarray(grad).reshape(shape)
