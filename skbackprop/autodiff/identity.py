"""The identity as a graph node: ``f(x) = x``, whose local derivative is 1.

Computing with a value needs no identity node, so training never builds one. A drawing
does: a network whose output activation is the identity still ends in a node named
``y_hat``, as every other network does (see :func:`skbackprop.inspection.forward_graph`).
"""

from .operation import Operation, apply

__all__ = ["identity"]


class Identity(Operation):
    __slots__ = ()
    label = "identity"

    def forward(self, a):
        return a

    def backward(self, grad, needs):
        return (grad,)


def identity(x):
    """``x`` itself, as a new node of the graph; the gradient passes through unchanged.

    Examples
    --------
    >>> from skbackprop.autodiff import Tensor, identity
    >>> x = Tensor([1.0, -2.0], requires_grad=True, name="x")
    >>> y = identity(x)
    >>> y.op.label, y.parents == (x,)
    ('identity', True)
    >>> y.sum().backward()
    >>> x.grad
    array([1., 1.])
    """
    return apply(Identity(), x)
