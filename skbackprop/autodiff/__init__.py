"""Reverse-mode automatic differentiation on numpy arrays.

Build the computation graph by computing with :class:`Tensor`; :meth:`Tensor.backward`
visits it in reverse topological order and adds each node's contribution to the
derivative of each of its inputs (see the user guide's page on the computation graph).
Every gradient in skbackprop comes from here.
"""

from .arithmetic import add, divide, multiply, negative, power, subtract
from .dense import affine, dense
from .dot import to_dot
from .elementwise import (
    abs,
    cos,
    exp,
    identity,
    log,
    maximum,
    minimum,
    relu,
    sigmoid,
    sin,
    sqrt,
    square,
    tanh,
)
from .embedding import embedding_lookup
from .feature_maps import concatenate, cos_embedding, feature_linear
from .gradcheck import check_grad, numerical_grad
from .graph import Graph, topological_order
from .linalg import matmul, reshape, transpose
from .losses import (
    absolute_error,
    huber,
    pinball,
    poisson_deviance_exp,
    sigmoid_binary_cross_entropy,
    softmax_cross_entropy,
    squared_error,
)
from .operation import Operation, apply, unbroadcast
from .penalties import l1_min_norm_subgradient, l1_penalty, l2_penalty
from .reductions import max_ as max
from .reductions import mean
from .reductions import min_ as min
from .reductions import sum_ as sum
from .smooth_activations import mish, parametric_activation, selu
from .softmax import log_softmax, logsumexp, softmax
from .tensor import Tensor, as_tensor

__all__ = [
    "Graph",
    "Operation",
    "Tensor",
    "abs",
    "absolute_error",
    "add",
    "affine",
    "apply",
    "as_tensor",
    "check_grad",
    "concatenate",
    "cos",
    "cos_embedding",
    "dense",
    "divide",
    "embedding_lookup",
    "exp",
    "feature_linear",
    "huber",
    "identity",
    "l1_min_norm_subgradient",
    "l1_penalty",
    "l2_penalty",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mish",
    "multiply",
    "negative",
    "numerical_grad",
    "parametric_activation",
    "pinball",
    "poisson_deviance_exp",
    "power",
    "relu",
    "reshape",
    "selu",
    "sigmoid",
    "sigmoid_binary_cross_entropy",
    "sin",
    "softmax",
    "softmax_cross_entropy",
    "sqrt",
    "square",
    "squared_error",
    "subtract",
    "sum",
    "tanh",
    "to_dot",
    "topological_order",
    "transpose",
    "unbroadcast",
]
