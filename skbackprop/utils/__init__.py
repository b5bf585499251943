"""Helpers shared by several estimators (linear algebra in :mod:`skbackprop.utils.linalg`,
the rollback rule of a failed fit in :func:`rollback_on_error` and :func:`rolls_back`,
scikit-learn's callbacks on the iterations of a fit in :mod:`skbackprop.utils.callbacks`,
the fast validation of a prediction's input in :func:`check_predict_input` and of a fit's
in :func:`check_fit_input` and :func:`classes_of_targets`, probabilities from scores in
:func:`softmax_rows` and :func:`log_softmax_rows`)."""

from ..autodiff.softmax import log_softmax_rows, softmax_rows
from ._validation import check_fit_input, check_predict_input, classes_of_targets
from .callbacks import CallbackSupportMixin, FitTasks, with_callbacks
from .rollback import rollback_on_error, rolls_back

__all__ = [
    "CallbackSupportMixin",
    "FitTasks",
    "check_fit_input",
    "check_predict_input",
    "classes_of_targets",
    "log_softmax_rows",
    "rollback_on_error",
    "rolls_back",
    "softmax_rows",
    "with_callbacks",
]
