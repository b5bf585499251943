"""skbackprop: scikit-learn estimators trained by their own backpropagation engine.

Each estimator joins the public API, and with it ``tests/test_common.py`` and the
``python -m skbackprop`` demo, by one entry in ``_ESTIMATOR_MODULES`` here.
"""

import importlib

from ._version import __version__

# Each public estimator and the subpackage that defines it. They are imported on first use
# (PEP 562), so `python -m skbackprop --help` answers without loading scikit-learn and
# scipy; `from skbackprop import MLPClassifier` works as with an eager import.
_ESTIMATOR_MODULES = {
    "GaussianMixtureEM": ".mixture",
    "LogisticBackprop": ".linear_model",
    "MLPClassifier": ".neural_network",
    "MLPRegressor": ".neural_network",
    "NormalEquationRegressor": ".linear_model",
    "TabularMLPClassifier": ".tabular",
    "TabularMLPRegressor": ".tabular",
}

__all__ = [*_ESTIMATOR_MODULES, "__version__"]


def __getattr__(name):
    if name in _ESTIMATOR_MODULES:
        value = getattr(importlib.import_module(_ESTIMATOR_MODULES[name], __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_ESTIMATOR_MODULES})
