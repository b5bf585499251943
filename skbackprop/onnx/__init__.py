"""Export fitted estimators to ONNX, to serve them with onnxruntime.

Needs the optional extra ``onnx`` (``pip install "skbackprop[onnx]"``: skl2onnx and
onnxruntime). Importing this module does not import skl2onnx; the functions do, and say how
to install it when it is missing. ``import skbackprop`` never imports this module.

Two entry points, one mechanism:

- :func:`register_converters` registers the five estimators with skl2onnx's converter
  registry. That is the mechanism, and the reason for it: skl2onnx converts a
  :class:`~sklearn.pipeline.Pipeline` (a ``StandardScaler`` then our model, say) by looking
  up each step's class in that registry, so a function of our own that converted only our
  estimators could not export the pipelines models are deployed in. Once registered,
  skl2onnx's own ``to_onnx`` and ``convert_sklearn`` accept our estimators everywhere they
  accept scikit-learn's.
- :func:`to_onnx` is the one call to find: it registers, then calls skl2onnx's
  ``to_onnx`` with outputs that match our estimators' methods (probabilities as a plain
  array, as ``predict_proba`` returns them, and a Gaussian mixture's ``score_samples``).

The converters reuse skl2onnx's wherever our fitted attributes are scikit-learn's
(LogisticBackprop as ``LogisticRegression``, NormalEquationRegressor as
``LinearRegression``, GaussianMixtureEM as ``GaussianMixture``: skl2onnx converts a
scikit-learn twin that holds our fitted attributes), and are written here only
for the MLPs, whose networks go beyond scikit-learn's: an exponential output
(``MLPRegressor(loss='poisson')``), one activation per hidden layer, several regression
outputs. Dropout is applied only while training and needs nothing at inference.
"""

__all__ = ["register_converters", "to_onnx"]

_INSTALL_HINT = (
    "ONNX export needs skl2onnx and onnxruntime, which are not installed. Install them "
    'with `pip install "skbackprop[onnx]"`.'
)


def register_converters():
    """Register skbackprop's estimators with skl2onnx's converter registry.

    After this call, ``skl2onnx.to_onnx`` and ``skl2onnx.convert_sklearn`` convert
    :class:`~skbackprop.MLPRegressor`, :class:`~skbackprop.MLPClassifier`,
    :class:`~skbackprop.LogisticBackprop`, :class:`~skbackprop.NormalEquationRegressor` and
    :class:`~skbackprop.GaussianMixtureEM`, alone or inside a scikit-learn ``Pipeline``.
    Calling it again does no harm; :func:`to_onnx` calls it for you.

    Raises
    ------
    ImportError
        If skl2onnx is not installed.

    Examples
    --------
    >>> from skl2onnx import to_onnx
    >>> from sklearn.datasets import load_diabetes
    >>> from skbackprop import NormalEquationRegressor
    >>> from skbackprop.onnx import register_converters
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = NormalEquationRegressor().fit(X.astype("float32"), y)
    >>> register_converters()
    >>> onx = to_onnx(model, X[:1].astype("float32"))
    >>> [output.name for output in onx.graph.output]
    ['variable']
    """
    try:
        from ._registration import register
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    register()


def to_onnx(estimator, X, *, options=None, target_opset=None):
    """Convert a fitted estimator, or a Pipeline that ends in one, to an ONNX model.

    Parameters
    ----------
    estimator : estimator or Pipeline
        A fitted skbackprop estimator, or any fitted estimator skl2onnx converts, such as
        a ``Pipeline`` of scikit-learn transformers and one of ours.
    X : ndarray of shape (n_samples, n_features)
        A sample of the input, for its dtype and number of columns (one row is enough):
        float32 gives a float32 graph, float64 a float64 one.
    options : dict, default=None
        skl2onnx's conversion options, keyed by an estimator's class or ``id``. They
        override the defaults here: ``{'zipmap': False}`` for our classifiers (the
        ``probabilities`` output is an (n_samples, n_classes) array, as ``predict_proba``
        returns) and ``{'score_samples': True}`` for GaussianMixtureEM.
    target_opset : int, default=None
        The ONNX opset; None is the latest that the installed skl2onnx supports.

    Returns
    -------
    onx : onnx.ModelProto
        The model; ``onx.SerializeToString()`` gives the bytes to save or to hand to
        ``onnxruntime.InferenceSession``. Its outputs are, for a regressor, ``variable``
        (n_samples, n_outputs); for a classifier, ``label`` then ``probabilities``; for
        GaussianMixtureEM, ``label`` (n_samples, 1), ``probabilities`` and
        ``score_samples`` (n_samples, 1).

    Raises
    ------
    ImportError
        If skl2onnx is not installed.
    NotImplementedError
        If the network uses an activation that has no ONNX operator here.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as rt
    >>> from sklearn.datasets import load_iris
    >>> from skbackprop import LogisticBackprop
    >>> from skbackprop.onnx import to_onnx
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> clf = LogisticBackprop().fit(X, y)
    >>> onx = to_onnx(clf, X[:1])
    >>> session = rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    >>> labels, proba = session.run(None, {"X": X})
    >>> bool((labels == clf.predict(X)).all())
    True
    >>> bool(np.allclose(proba, clf.predict_proba(X), atol=1e-5))
    True
    """
    register_converters()
    from skl2onnx import to_onnx as skl2onnx_to_onnx

    from ..linear_model import LogisticBackprop
    from ..mixture import GaussianMixtureEM
    from ..neural_network import MLPClassifier

    merged = {
        MLPClassifier: {"zipmap": False},
        LogisticBackprop: {"zipmap": False},
        GaussianMixtureEM: {"score_samples": True},
    }
    for key, value in (options or {}).items():
        merged[key] = {**merged.get(key, {}), **value}
    return skl2onnx_to_onnx(estimator, X, options=merged, target_opset=target_opset)
