"""Helpers shared by several estimators (linear algebra in :mod:`skbackprop.utils.linalg`,
the rollback rule of a failed fit in :func:`rollback_on_error`)."""

from .rollback import rollback_on_error

__all__ = ["rollback_on_error"]
