"""Prediction of a fitted MLP: the forward rules of the graph, applied to arrays.

No graph is recorded: prediction needs no derivative, and recording costs more than a
small network's arithmetic.
"""

import numpy as np

from ..autodiff.activation_rules import ACTIVATION_RULES
from ..nn import layer_activations
from ..utils import check_predict_input, softmax_rows

__all__ = ["forward_pass_fast"]


# The output activations of skbackprop.nn.OUTPUT_ACTIVATIONS as in-place array functions,
# for prediction, where no graph is recorded.
_OUTPUT_ACTIVATIONS = {
    "identity": lambda z: z,
    "exp": lambda z: np.exp(z, out=z),
    "logistic": lambda z: ACTIVATION_RULES["logistic"][0](z, out=z),
    "softmax": softmax_rows,
}


def forward_pass_fast(model, X, check_input=True):
    """The network's output: ``f(X)`` with the output activation applied.

    The forward rules of the graph's nodes (the fused layer's ``g(a W + b)`` and the
    output activation), applied to arrays in place without recording a graph:
    prediction needs no derivative, and recording costs more than a small network's
    arithmetic. The values are those of :func:`skbackprop.nn.predict_output`.
    """
    if check_input:
        X = check_predict_input(
            model, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32)
        )
    coefs, intercepts = model.coefs_, model.intercepts_
    # The model's dtype decides: a float32 network predicts in float32.
    a = X.astype(coefs[0].dtype, copy=False)
    activations = layer_activations(model.activation, len(coefs) - 1)
    for W, b, name in zip(coefs[:-1], intercepts[:-1], activations):
        activate = ACTIVATION_RULES[name][0]
        a = a @ W
        a += b
        if activate is not None:
            activate(a, out=a)
    z = a @ coefs[-1]
    z += intercepts[-1]
    with np.errstate(over="ignore"):
        # An exp output may overflow to inf on extreme inputs; that is its value.
        return _OUTPUT_ACTIVATIONS[model.out_activation_](z)
