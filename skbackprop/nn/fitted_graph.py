"""The computation graph of a fitted estimator's forward pass, built from its parameters.

A fitted :class:`~skbackprop.MLPRegressor`, :class:`~skbackprop.MLPClassifier` or
:class:`~skbackprop.LogisticBackprop` keeps only arrays; this rebuilds the graph that
``predict`` evaluates, with the leaves named as in the lecture (``X``, ``W1``, ``b1``, ...)
and the output activation as the last node, so that the graph can be drawn with
:func:`~skbackprop.autodiff.to_dot` or differentiated with
:meth:`~skbackprop.autodiff.Tensor.backward`.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ..autodiff import Operation, Tensor, affine, apply
from .activations import OUTPUT_ACTIVATIONS
from .network import forward

__all__ = ["forward_graph"]

_ACCEPTED = (
    "a fitted MLPRegressor, MLPClassifier (skbackprop's or scikit-learn's) or LogisticBackprop"
)


class _Identity(Operation):
    # ``predict`` applies no operation for an identity output; the drawing gets a node
    # anyway, so every network visibly ends in its output activation.
    __slots__ = ()
    label = "identity"

    def forward(self, z):
        return z

    def backward(self, grad, needs):
        return (grad,)


def _is_mlp(estimator):
    # Constructor parameters that both skbackprop's and scikit-learn's MLPs store, fitted
    # or not: an unfitted MLP must get NotFittedError, not "unsupported".
    return hasattr(estimator, "hidden_layer_sizes") and hasattr(estimator, "activation")


def _is_logistic_backprop(estimator):
    # Imported here: the estimators are built from skbackprop.nn, not the other way round.
    from ..linear_model import LogisticBackprop

    return isinstance(estimator, LogisticBackprop)


def _layers(estimator):
    """(coefs, intercepts, hidden activation, output activation) of a fitted estimator."""
    if _is_mlp(estimator):
        check_is_fitted(estimator, ["coefs_", "intercepts_", "out_activation_"])
        return (
            list(estimator.coefs_),
            list(estimator.intercepts_),
            estimator.activation,
            estimator.out_activation_,
        )
    if _is_logistic_backprop(estimator):
        check_is_fitted(estimator, ["coef_", "intercept_"])
        # One row of coef_ means two classes: the sigmoid of the positive class's logit.
        out_activation = "logistic" if estimator.coef_.shape[0] == 1 else "softmax"
        return [estimator.coef_.T], [estimator.intercept_], None, out_activation
    # coef_/intercept_ alone do not say which link a linear model applies (a regressor's
    # identity, a one-vs-rest sigmoid, a softmax), so other linear models are refused.
    hint = ""
    if hasattr(estimator, "steps"):
        hint = " For a Pipeline, pass its last step and X transformed by the steps before it."
    raise TypeError(
        f"forward_graph builds the graph of {_ACCEPTED} (to_dot also draws a Tensor); "
        f"got {type(estimator).__name__}.{hint}"
    )


def forward_graph(estimator, X=None):
    """The computation graph of a fitted estimator's forward pass.

    The graph is built from the fitted parameters with the operations ``predict`` uses:
    one fused :func:`~skbackprop.autodiff.dense` node per hidden layer (named ``a1``,
    ``a2``, ...), the output layer's :func:`~skbackprop.autodiff.affine` node ``z`` and
    the output activation ``y_hat`` (identity, exp, logistic or softmax). Its leaves are
    the input ``X`` (a constant) and the parameters ``W1, b1, W2, b2, ...`` (copies, with
    ``requires_grad=True``), so the graph can be drawn with
    :func:`~skbackprop.autodiff.to_dot` or differentiated with
    :meth:`~skbackprop.autodiff.Tensor.backward`.

    Parameters
    ----------
    estimator : MLPRegressor, MLPClassifier or LogisticBackprop
        A fitted network (scikit-learn's MLPs, which store the same attributes, work
        too). ``LogisticBackprop`` is a network without hidden layer: ``W1`` is
        ``coef_.T`` and ``b1`` is ``intercept_``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features), default=None
        The input, validated as ``predict`` validates it. None puts in a single row of
        zeros: the graph's shape, which is what a drawing shows, does not depend on the
        values.

    Returns
    -------
    y_hat : Tensor of shape (n_samples, n_outputs)
        The output node. Its ``value`` is ``predict(X)`` for a regressor (as a column
        when there is one output) and ``predict_proba(X)`` for a classifier, except with
        two classes: one sigmoid column, the positive class's ``predict_proba(X)[:, 1:]``.
        For multilabel targets it is one sigmoid column per label, as ``predict_proba``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is supported but not fitted.
    TypeError
        If the estimator is none of the supported ones.

    See Also
    --------
    skbackprop.autodiff.to_dot : Draws the graph; ``to_dot(estimator)`` calls this.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop import MLPClassifier
    >>> from skbackprop.nn import forward_graph
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> clf = MLPClassifier(hidden_layer_sizes=(3,), solver="lbfgs", random_state=0)
    >>> clf = clf.fit(X, [0, 1, 2, 1])
    >>> y_hat = forward_graph(clf, X)
    >>> y_hat.op.label, y_hat.value.shape
    ('softmax', (4, 3))
    >>> bool(np.allclose(y_hat.value, clf.predict_proba(X), rtol=0, atol=1e-12))
    True
    >>> [p.name for p in y_hat.parents[0].parents]
    ['a1', 'W2', 'b2']
    """
    coefs, intercepts, activation, out_activation = _layers(estimator)
    dtype = coefs[0].dtype
    if X is None:
        X = np.zeros((1, coefs[0].shape[0]), dtype=dtype)
    else:
        X = validate_data(
            estimator,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )
        # The parameters' dtype decides, as in predict: a float32 network runs in float32.
        X = X.astype(dtype, copy=False)
    # Copies: the graph must keep the values it was built from if the estimator is
    # trained further (partial_fit updates its parameters in place).
    W = [Tensor(np.array(c), requires_grad=True, name=f"W{i}") for i, c in enumerate(coefs, 1)]
    b = [
        Tensor(np.array(c), requires_grad=True, name=f"b{i}") for i, c in enumerate(intercepts, 1)
    ]
    x = Tensor(X, name="X")
    with np.errstate(over="ignore"):
        # An exp output may overflow to inf on extreme inputs, as predict lets it.
        # No hidden activation means no hidden layer: LogisticBackprop's single affine map.
        z = affine(x, W[0], b[0]) if activation is None else forward(x, W, b, activation)
        y_hat = (
            apply(_Identity(), z)
            if out_activation == "identity"
            else OUTPUT_ACTIVATIONS[out_activation](z)
        )
    # forward() leaves its hidden nodes unnamed; name them as the lecture does.
    node, depth = z.parents[0], len(coefs) - 1
    while depth > 0:
        node.name = f"a{depth}"
        node, depth = node.parents[0], depth - 1
    z.name = "z"
    y_hat.name = "y_hat"
    return y_hat
