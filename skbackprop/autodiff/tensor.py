"""The Tensor: a node of the computation graph.

A leaf Tensor holds a value given by the user (a parameter or a constant); any other Tensor
is the output of an :class:`~skbackprop.autodiff.operation.Operation` applied to its
``parents``. Every operator and method below builds one such node; the derivative rules live
with the operations, never here.
"""

import numpy as np
from scipy import sparse

__all__ = ["Tensor", "as_tensor"]


def _check_value(value):
    """Return ``value`` as a float ndarray (or a scipy sparse matrix), or raise TypeError."""
    if sparse.issparse(value):
        return value
    array = np.asarray(value)
    kind = array.dtype.kind
    if kind == "f":
        return array
    if kind in "biu":
        # Integers and booleans have no tangent space; differentiate in float64.
        return array.astype(np.float64)
    raise TypeError(
        f"A Tensor holds numbers (bool, int or float); got an array of dtype {array.dtype}. "
        "Convert the data first, e.g. np.asarray(value, dtype=float)."
    )


class Tensor:
    """A numpy array that remembers how it was computed.

    Parameters
    ----------
    value : array-like or scipy.sparse matrix
        The value: any shape, scalars included. Booleans and integers become float64;
        float32 stays float32. The array is not copied, so a Tensor can be a view into a
        larger buffer (the estimators keep all parameters in one flat buffer). A scipy
        sparse matrix is accepted as a constant input to ``@`` and :func:`affine`.
    requires_grad : bool, default=False
        Whether :meth:`backward` computes ``d output / d self``. Parameters set it; data
        and constants do not.
    name : str, default=None
        The variable's name, shown by :func:`~skbackprop.autodiff.to_dot`.

    Attributes
    ----------
    value : ndarray
        The value computed on the forward pass.
    grad : ndarray or None
        ``d output / d self`` after the last :meth:`backward` that reached this node, with
        the shape of ``value``; None before. Gradients of different nodes may share
        memory: treat them as read-only.
    op : Operation or None
        The operation that produced this node; None for a leaf.
    parents : tuple of Tensor
        The operation's inputs; empty for a leaf.

    Examples
    --------
    The worked example ``J = cos(sin(x^2) + 3 x^2)`` at ``x = 2``:

    >>> from skbackprop.autodiff import Tensor, sin, cos
    >>> x = Tensor(2.0, requires_grad=True, name="x")
    >>> t = x ** 2
    >>> J = cos(sin(t) + 3 * t)
    >>> J.backward()
    >>> round(float(x.grad), 6)
    9.099149
    """

    __slots__ = ("grad", "name", "needs", "op", "parents", "requires_grad", "value")
    # Make numpy hand ``ndarray <op> Tensor`` to our reflected operators.
    __array_ufunc__ = None

    def __init__(self, value, requires_grad=False, name=None):
        if isinstance(value, Tensor):
            value = value.value
        self.value = _check_value(value)
        if requires_grad and sparse.issparse(self.value):
            raise TypeError(
                "A sparse matrix can only be a constant Tensor (requires_grad=False); "
                "convert it with .toarray() to differentiate with respect to it."
            )
        self.requires_grad = bool(requires_grad)
        self.name = name
        self.grad = None
        self.op = None
        self.parents = ()
        self.needs = ()

    @classmethod
    def _from_op(cls, value, op, parents):
        """Make the node holding ``op``'s output; skips __init__'s checks on the hot path."""
        node = cls.__new__(cls)
        node.value = value
        node.op = op
        node.parents = parents
        node.needs = tuple(p.requires_grad for p in parents)
        node.requires_grad = any(node.needs)
        node.name = None
        node.grad = None
        return node

    # ------------------------------------------------------------------ description
    @property
    def shape(self):
        return self.value.shape

    @property
    def ndim(self):
        return self.value.ndim

    @property
    def dtype(self):
        return self.value.dtype

    @property
    def size(self):
        return int(np.prod(self.value.shape))

    def __len__(self):
        return len(self.value) if not sparse.issparse(self.value) else self.value.shape[0]

    def __repr__(self):
        parts = [np.array2string(np.asarray(self.value), precision=4, threshold=8)]
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        if self.op is not None:
            parts.append(f"op={self.op.label!r}")
        elif self.requires_grad:
            parts.append("requires_grad=True")
        return f"Tensor({', '.join(parts)})"

    def __bool__(self):
        raise TypeError("The truth value of a Tensor is ambiguous; compare its .value instead.")

    # Identity semantics: Tensors are graph nodes and are hashed by identity.
    __hash__ = object.__hash__

    # ------------------------------------------------------------------ differentiation
    def backward(self, grad=None):
        """Backpropagate from this node: fill ``.grad`` of every node it depends on.

        Parameters
        ----------
        grad : array-like, default=None
            The seed ``d loss / d self``. May be omitted only when this node is a scalar
            (then it is 1).
        """
        from .graph import Graph

        Graph(self).backward(grad)

    def detach(self):
        """A new leaf with the same value and no history."""
        return Tensor(self.value, name=self.name)

    # ------------------------------------------------------------------ arithmetic
    # +, -, *, /, ** and @ (and their reflections), unary - and indexing are bound after
    # the class, below.
    def __pos__(self):
        return self

    # ------------------------------------------------------------------ shape and reductions
    # sum, mean, max and min are the reductions themselves, bound below.
    @property
    def T(self):
        return transpose(self)

    def transpose(self, *axes):
        return transpose(self, axes or None)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return reshape(self, shape)


def as_tensor(value, like=None):
    """Return ``value`` as a Tensor; a Python number takes the dtype of ``like``'s value.

    Matching the dtype keeps float32 graphs in float32: ``x * 2`` must not become float64.
    """
    if isinstance(value, Tensor):
        return value
    if like is not None and isinstance(value, int | float) and like.value.dtype.kind == "f":
        return Tensor(np.asarray(value, dtype=like.value.dtype))
    return Tensor(value)


# The operations import Tensor, so they are bound here, after the class exists.
from .arithmetic import add, divide, multiply, negative, power, subtract  # noqa: E402
from .indexing import getitem  # noqa: E402
from .linalg import matmul, reshape, transpose  # noqa: E402
from .reductions import max_, mean, min_, sum_  # noqa: E402


def _reflected(operation):
    """``other <op> tensor``: the operation with its operands in the written order."""
    return lambda self, other: operation(other, self)


_BINARY = {"add": add, "sub": subtract, "mul": multiply, "truediv": divide, "pow": power}
for _name, _operation in {**_BINARY, "matmul": matmul}.items():
    setattr(Tensor, f"__{_name}__", _operation)
    setattr(Tensor, f"__r{_name}__", _reflected(_operation))
_METHODS = {"sum": sum_, "mean": mean, "max": max_, "min": min_}
for _name, _method in {**_METHODS, "__neg__": negative, "__getitem__": getitem}.items():
    setattr(Tensor, _name, _method)
