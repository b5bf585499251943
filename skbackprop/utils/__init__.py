"""Helpers shared by several estimators (linear algebra in :mod:`skbackprop.utils.linalg`,
the rollback rule of a failed fit in :func:`rollback_on_error`, scikit-learn's callbacks
on the iterations of a fit in :mod:`skbackprop.utils.callbacks`)."""

from .callbacks import CallbackSupportMixin, FitTasks, with_callbacks
from .rollback import rollback_on_error

__all__ = ["CallbackSupportMixin", "FitTasks", "rollback_on_error", "with_callbacks"]
