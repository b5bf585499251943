"""Our five estimators in skl2onnx's registry: a name, a shape calculator and a converter each.

skl2onnx converts a Pipeline by looking up each step's class in this registry, so once
:func:`register_converters` has run, ``skl2onnx.to_onnx`` and ``convert_sklearn`` accept our
estimators alone or as steps, like scikit-learn's own.
"""

from skl2onnx import update_registered_converter
from skl2onnx.common.data_types import Int64TensorType, guess_tensor_type
from skl2onnx.common.shape_calculator import (
    calculate_linear_classifier_output_shapes,
    calculate_linear_regressor_output_shapes,
)
from skl2onnx.operator_converters.gaussian_mixture import convert_sklearn_gaussian_mixture
from skl2onnx.operator_converters.linear_classifier import convert_sklearn_linear_classifier
from skl2onnx.operator_converters.linear_regressor import convert_sklearn_linear_regressor
from skl2onnx.shape_calculators.mixture import calculate_gaussian_mixture_output_shapes

from ..linear_model import LogisticBackprop, NormalEquationRegressor
from ..mixture import GaussianMixtureEM
from ..neural_network import MLPClassifier, MLPRegressor
from ._network import (
    calculate_mlp_regressor_output_shapes,
    convert_mlp_classifier,
    convert_mlp_regressor,
)
from ._twins import (
    centering_twin,
    converter_of_twin,
    gaussian_mixture_twin,
    linear_regression_twin,
    logistic_regression_twin,
)

__all__ = ["register"]

# The options of skl2onnx's classifiers: zipmap=False gives probabilities as a plain
# (n_samples, n_classes) tensor, as predict_proba does.
# nocl=True gives labels as class indices.
CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "output_class_labels": [False, True],
    "nocl": [True, False],
}
LOGISTIC_OPTIONS = {**CLASSIFIER_OPTIONS, "raw_scores": [True, False]}
MIXTURE_OPTIONS = {"score_samples": [True, False]}


def _alias(estimator_class):
    """The name skl2onnx registers ``estimator_class`` under."""
    return f"Skbackprop{estimator_class.__name__}"


def _parse_gaussian_mixture(scope, model, inputs, custom_parsers=None):
    """The samples centred on the mixture's mean, then the mixture's outputs.

    The outputs are ``label``, ``probabilities`` and, with ``score_samples=True``,
    ``score_samples``. skl2onnx's default parser gives these to scikit-learn's
    GaussianMixture by its exact class only; a density estimator of another class would get
    one output. Why the centring: see :mod:`skbackprop.onnx._twins`.
    """
    centering = scope.declare_local_operator("SklearnScaler", centering_twin(model))
    centering.inputs = inputs
    centered = scope.declare_local_variable("centered", guess_tensor_type(inputs[0].type))
    centering.outputs.append(centered)

    operator = scope.declare_local_operator(_alias(GaussianMixtureEM), model)
    operator.inputs = [centered]
    names = ["label", "probabilities"]
    if scope.get_options(model, {"score_samples": False})["score_samples"]:
        names.append("score_samples")
    for name in names:
        tensor_type = Int64TensorType() if name == "label" else guess_tensor_type(inputs[0].type)
        operator.outputs.append(scope.declare_local_variable(name, tensor_type))
    return list(operator.outputs)


def register():
    """Register (again: it is idempotent) the five estimators with skl2onnx."""
    classifier_shapes = calculate_linear_classifier_output_shapes
    table = [
        (MLPRegressor, calculate_mlp_regressor_output_shapes, convert_mlp_regressor, {}),
        (MLPClassifier, classifier_shapes, convert_mlp_classifier, CLASSIFIER_OPTIONS),
        (
            LogisticBackprop,
            classifier_shapes,
            converter_of_twin(logistic_regression_twin, convert_sklearn_linear_classifier),
            LOGISTIC_OPTIONS,
        ),
        (
            NormalEquationRegressor,
            calculate_linear_regressor_output_shapes,
            converter_of_twin(linear_regression_twin, convert_sklearn_linear_regressor),
            {},
        ),
    ]
    for estimator_class, shape_calculator, converter, options in table:
        update_registered_converter(
            estimator_class,
            _alias(estimator_class),
            shape_calculator,
            converter,
            options=options or None,
        )
    update_registered_converter(
        GaussianMixtureEM,
        _alias(GaussianMixtureEM),
        calculate_gaussian_mixture_output_shapes,
        converter_of_twin(gaussian_mixture_twin, convert_sklearn_gaussian_mixture),
        parser=_parse_gaussian_mixture,
        options=MIXTURE_OPTIONS,
    )
