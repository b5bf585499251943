"""The ONNX graph of a fitted MLPRegressor or MLPClassifier: its forward pass, layer by layer.

skl2onnx's own MLP converters read the same ``coefs_``, ``intercepts_``, ``activation``
and ``out_activation_``, but they take one activation name for every hidden layer, have
no ``'exp'`` output (``MLPRegressor(loss='poisson')``), and give a regressor a single output
column. Ours differs in exactly these, so the forward pass is written here once, for both
estimators: a ``MatMul``, an ``Add`` and the layer's activation per layer, which is what
:func:`skbackprop.nn.predict_output` computes on arrays. Dropout needs nothing: it is
inverted dropout, applied only while training.

skl2onnx is imported at the top: this module is imported only by
:func:`skbackprop.onnx.register_converters`, once the extra is known to be installed.
"""

import numpy as np
from skl2onnx.algebra.onnx_ops import (
    OnnxAdd,
    OnnxArgMax,
    OnnxCast,
    OnnxConcat,
    OnnxExp,
    OnnxGather,
    OnnxGreater,
    OnnxIdentity,
    OnnxMatMul,
    OnnxRelu,
    OnnxSigmoid,
    OnnxSoftmax,
    OnnxSub,
    OnnxTanh,
)
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
from skl2onnx.common.utils_classifier import get_label_classes
from skl2onnx.proto import onnx_proto

from ..nn import layer_activations

__all__ = [
    "calculate_mlp_regressor_output_shapes",
    "convert_mlp_classifier",
    "convert_mlp_regressor",
    "hidden_activations",
]

# The ONNX operator of each activation of skbackprop.nn.activations.
HIDDEN_OPERATORS = {
    "identity": None,
    "logistic": OnnxSigmoid,
    "tanh": OnnxTanh,
    "relu": OnnxRelu,
}
OUTPUT_OPERATORS = {
    "identity": None,
    "exp": OnnxExp,
    "logistic": OnnxSigmoid,
    "softmax": OnnxSoftmax,
}


def hidden_activations(model):
    """The activation of each hidden layer of a fitted MLP, checked against ONNX's.

    ``activation`` is one name for every hidden layer, or a list or tuple of names, one per
    hidden layer.
    """
    activation = model.activation
    names = [activation] if isinstance(activation, str) else list(activation)
    _check_supported(names, HIDDEN_OPERATORS, "hidden activation")
    _check_supported([model.out_activation_], OUTPUT_OPERATORS, "output activation")
    return layer_activations(activation, len(model.coefs_) - 1)


def _check_supported(names, table, what):
    unsupported = sorted({name for name in names if name not in table})
    if unsupported:
        raise NotImplementedError(
            f"The ONNX export does not support the {what} {unsupported}; supported are "
            f"{sorted(table)}."
        )


def _dtype(variable):
    """Compute in float64 for a double input, in float32 otherwise (as scikit-learn's does)."""
    return np.float64 if isinstance(variable.type, DoubleTensorType) else np.float32


def _network_output(operator, container):
    """``f(X)``: the last layer's output activation applied, shape (n_samples, n_outputs)."""
    model = operator.raw_operator
    opv = container.target_opset
    X = operator.inputs[0]
    dtype = _dtype(X)
    activations = [*hidden_activations(model), model.out_activation_]
    tables = [HIDDEN_OPERATORS] * (len(activations) - 1) + [OUTPUT_OPERATORS]

    if not isinstance(X.type, (FloatTensorType, DoubleTensorType)):
        X = OnnxCast(X, to=onnx_proto.TensorProto.FLOAT, op_version=opv)
    a = X
    for W, b, name, table in zip(model.coefs_, model.intercepts_, activations, tables):
        z = OnnxAdd(
            OnnxMatMul(a, W.astype(dtype), op_version=opv),
            b.astype(dtype).reshape(1, -1),
            op_version=opv,
        )
        node = table[name]
        if node is None:
            a = z
        elif node is OnnxSoftmax:
            a = node(z, axis=1, op_version=opv)
        else:
            a = node(z, op_version=opv)
    return a, dtype


def convert_mlp_regressor(scope, operator, container):
    """skl2onnx converter of :class:`skbackprop.MLPRegressor`: one output column per target."""
    output, _ = _network_output(operator, container)
    OnnxIdentity(
        output, output_names=operator.outputs[:1], op_version=container.target_opset
    ).add_to(scope, container)


def calculate_mlp_regressor_output_shapes(operator):
    """Shape of the regressor's output: (n_samples, n_outputs_)."""
    X = operator.inputs[0]
    tensor_type = DoubleTensorType if isinstance(X.type, DoubleTensorType) else FloatTensorType
    operator.outputs[0].type = tensor_type(
        [X.get_first_dimension(), operator.raw_operator.n_outputs_]
    )


def convert_mlp_classifier(scope, operator, container):
    """skl2onnx converter of :class:`skbackprop.MLPClassifier`.

    The outputs are those of ``predict`` and ``predict_proba``: a logistic output ``p`` (two
    classes) becomes the columns ``1 - p, p``; a multilabel network's labels are ``p > 0.5``
    per label; otherwise the label is the class of the largest probability.
    """
    model = operator.raw_operator
    opv = container.target_opset
    output, dtype = _network_output(operator, container)
    label_name, proba_name = operator.outputs[0], operator.outputs[1]
    multilabel = model._label_binarizer.y_type_ == "multilabel-indicator"

    if multilabel:
        labels = OnnxCast(
            OnnxGreater(output, np.array([0.5], dtype=dtype), op_version=opv),
            to=onnx_proto.TensorProto.INT64,
            op_version=opv,
            output_names=[label_name],
        )
    else:
        if model.out_activation_ == "logistic":
            output = OnnxConcat(
                OnnxSub(np.array([1], dtype=dtype), output, op_version=opv),
                output,
                axis=1,
                op_version=opv,
            )
        # The classes, or their indices with the option nocl=True.
        labels = _class_labels(get_label_classes(scope, model), output, opv, label_name)
    OnnxIdentity(output, output_names=[proba_name], op_version=opv).add_to(scope, container)
    labels.add_to(scope, container)


def _class_labels(classes, proba, opv, output_name):
    """``classes[argmax(proba)]``: ties go to the first class, as numpy's argmax."""
    index = OnnxArgMax(proba, axis=1, keepdims=0, op_version=opv)
    if np.issubdtype(classes.dtype, np.number) or classes.dtype == np.bool_:
        # Classifiers accept whole numbers only (scikit-learn calls other floats continuous
        # targets), so float labels convert exactly.
        table = classes.astype(np.int64)
    else:
        table = np.array([str(c) for c in classes], dtype=object)
    return OnnxGather(table, index, axis=0, op_version=opv, output_names=[output_name])
