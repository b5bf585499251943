"""skl2onnx's own converters, handed the scikit-learn twin of one of our estimators.

LogisticBackprop, NormalEquationRegressor and GaussianMixtureEM store scikit-learn's
fitted attributes under scikit-learn's names, so the ONNX graph of their predictions is
skl2onnx's. Two of skl2onnx's converters look at the class as well as the attributes: the
linear classifier gives two-class probabilities a sigmoid only for a ``LogisticRegression``
(any other linear classifier gets a softmax of ``(-z, z)``, which is ``sigmoid(2 z)``), and
the Gaussian mixture converter refuses anything but a ``GaussianMixture``. So each converter
here builds the scikit-learn estimator with our fitted attributes, the *twin*, and lets
skl2onnx convert it in our estimator's place, with the options the user gave for ours.

GaussianMixtureEM scores each sample centred on the mixture's mean (see its
``_weighted_log_prob``), and so does its graph: a ``StandardScaler`` twin that subtracts
that mean feeds a ``GaussianMixture`` twin whose means are shifted by it. The log-density
is the same; in float32 it is far more accurate when the data sit away from the origin
(skl2onnx's 'diag' and 'spherical' graphs expand ``||x - mu||^2``, which cancels there).

NormalEquationRegressor's twin is a ``LinearRegression`` whose ``intercept_`` is always an
array: without an intercept, ours (like scikit-learn's) stores the float ``0.0``, on which
skl2onnx's float64 graph fails.
"""

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

__all__ = [
    "centering_twin",
    "converter_of_twin",
    "gaussian_mixture_twin",
    "linear_regression_twin",
    "logistic_regression_twin",
]


def logistic_regression_twin(model):
    """A ``LogisticRegression`` with the fitted attributes of a LogisticBackprop."""
    twin = LogisticRegression(fit_intercept=model.fit_intercept)
    twin.classes_ = model.classes_
    twin.coef_ = model.coef_
    twin.intercept_ = model.intercept_
    twin.n_features_in_ = model.n_features_in_
    return twin


def linear_regression_twin(model):
    """A ``LinearRegression`` with the fitted attributes of a NormalEquationRegressor."""
    twin = LinearRegression(fit_intercept=model.fit_intercept)
    twin.coef_ = model.coef_
    n_targets = model.coef_.shape[0] if model.coef_.ndim == 2 else ()
    twin.intercept_ = np.broadcast_to(np.asarray(model.intercept_), n_targets).copy()
    twin.n_features_in_ = model.n_features_in_
    return twin


def _mixture_mean(model):
    return model.weights_.astype(np.float64) @ model.means_.astype(np.float64)


def centering_twin(model):
    """A ``StandardScaler`` that subtracts the mean of a GaussianMixtureEM's mixture."""
    shift = _mixture_mean(model)
    twin = StandardScaler(with_std=False)
    twin.mean_, twin.scale_, twin.var_ = shift, None, None
    twin.n_features_in_ = model.n_features_in_
    return twin


def gaussian_mixture_twin(model):
    """A ``GaussianMixture`` with the fitted attributes of a GaussianMixtureEM, for samples
    centred by :func:`centering_twin`."""
    twin = GaussianMixture(n_components=model.n_components, covariance_type=model.covariance_type)
    for name in ("weights_", "covariances_", "precisions_cholesky_", "precisions_"):
        setattr(twin, name, getattr(model, name))
    twin.means_ = model.means_.astype(np.float64) - _mixture_mean(model)
    twin.n_features_in_ = model.n_features_in_
    return twin


def converter_of_twin(make_twin, convert):
    """An skl2onnx converter that runs ``convert`` on ``make_twin(our_estimator)``.

    The user's options for our estimator (keyed by its class or its ``id``) are given to
    the twin for the time of the conversion, in the scope and the container where
    skl2onnx's converters look them up.
    """

    def converter(scope, operator, container):
        ours = operator.raw_operator
        twin = make_twin(ours)
        options = container.get_options(ours, fail=False) or {}
        scope.add_options(id(twin), options)
        container.add_options(id(twin), options)
        operator.raw_operator = twin
        try:
            convert(scope, operator, container)
        finally:
            operator.raw_operator = ours
            # The twin dies with this call: its id must not pass options to a later object.
            for holder in (scope, container):
                if holder.options is not None:
                    holder.options.pop(id(twin), None)

    return converter
