"""Helpers shared by several estimators (linear algebra in :mod:`skbackprop.utils.linalg`,
the rollback rule of a failed fit in :func:`rollback_on_error`, the fast validation of a
prediction's input in :func:`check_predict_input`)."""

from ._validation import check_predict_input
from .rollback import rollback_on_error

__all__ = ["check_predict_input", "rollback_on_error"]
