"""skbackprop: scikit-learn estimators trained by their own backpropagation engine.

Each estimator joins the public API, and with it ``tests/test_common.py`` and the
``python -m skbackprop`` demo, by one import line and one ``__all__`` entry here.
"""

from ._version import __version__
from .linear_model import LogisticBackprop, NormalEquationRegressor
from .mixture import GaussianMixtureEM
from .neural_network import MLPClassifier, MLPRegressor

__all__ = [
    "GaussianMixtureEM",
    "LogisticBackprop",
    "MLPClassifier",
    "MLPRegressor",
    "NormalEquationRegressor",
    "__version__",
]
