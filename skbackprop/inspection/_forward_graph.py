"""The computation graph of a fitted estimator's forward pass, and its drawing.

A fitted :class:`~skbackprop.MLPRegressor`, :class:`~skbackprop.MLPClassifier` or
:class:`~skbackprop.LogisticBackprop` keeps only arrays; :func:`forward_graph` rebuilds the
graph that ``predict`` evaluates, with the leaves named as in the user guide (``X``, ``W1``,
``b1``, ...) and the output activation as the last node, so that it can be differentiated
with :meth:`~skbackprop.autodiff.Tensor.backward`. :func:`export_graphviz` draws it with
:func:`~skbackprop.autodiff.to_dot`, as scikit-learn's ``sklearn.tree.export_graphviz``
draws a fitted tree.
"""

import os

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted, validate_data

from ..autodiff import Tensor, affine, identity, to_dot
from ..linear_model import LogisticBackprop
from ..nn import OUTPUT_ACTIVATIONS, forward

__all__ = ["export_graphviz", "forward_graph"]

_ACCEPTED = (
    "a fitted MLPRegressor, MLPClassifier (skbackprop's or scikit-learn's) or "
    "LogisticBackprop, or of a Pipeline that ends in one"
)


def _is_mlp(estimator):
    # Constructor parameters that both skbackprop's and scikit-learn's MLPs store, fitted
    # or not: an unfitted MLP must get NotFittedError, not "unsupported".
    return hasattr(estimator, "hidden_layer_sizes") and hasattr(estimator, "activation")


def _final_step(estimator):
    """The estimator a (possibly nested) Pipeline ends in, and the Pipelines around it."""
    pipelines = []
    while isinstance(estimator, Pipeline):
        pipelines.append(estimator)
        estimator = estimator.steps[-1][1]
    return estimator, pipelines


def _unsupported(estimator, final):
    if final is estimator:
        got = type(estimator).__name__
    else:
        # A final step may be the string 'passthrough' or None, which have no class to name.
        name = type(final).__name__ if hasattr(final, "get_params") else repr(final)
        got = f"a Pipeline whose final step is {name}"
    hint = ""
    if isinstance(estimator, Tensor):
        hint = " To draw the graph behind a Tensor, use skbackprop.autodiff.to_dot."
    elif hasattr(estimator, "best_estimator_"):
        hint = " For a fitted search such as GridSearchCV, pass its best_estimator_."
    # coef_/intercept_ alone do not say which link a linear model applies (a regressor's
    # identity, a one-vs-rest sigmoid, a softmax), so other linear models are refused.
    return TypeError(f"Only the forward pass of {_ACCEPTED}, can be drawn; got {got}.{hint}")


def _layers(estimator, final):
    """(coefs, intercepts, hidden activation, output activation) of the fitted ``final``."""
    if _is_mlp(final):
        check_is_fitted(final, ["coefs_", "intercepts_", "out_activation_"])
        return list(final.coefs_), list(final.intercepts_), final.activation, final.out_activation_
    if isinstance(final, LogisticBackprop):
        check_is_fitted(final, ["coef_", "intercept_"])
        # One row of coef_ means two classes: the sigmoid of the positive class's logit.
        out_activation = "logistic" if final.coef_.shape[0] == 1 else "softmax"
        return [final.coef_.T], [final.intercept_], None, out_activation
    raise _unsupported(estimator, final)


def forward_graph(estimator, X=None):
    """The computation graph of a fitted estimator's forward pass.

    The graph is built from the fitted parameters with the operations ``predict`` uses:
    one fused :func:`~skbackprop.autodiff.dense` node per hidden layer (named ``a1``,
    ``a2``, ..., each with its layer's activation), the output layer's
    :func:`~skbackprop.autodiff.affine` node ``z`` and the output activation ``y_hat``
    (identity, exp, logistic or softmax). Its leaves are the input ``X`` (a constant) and
    the parameters ``W1, b1, W2, b2, ...`` (copies, with ``requires_grad=True``), so the
    graph can be drawn with
    :func:`~skbackprop.autodiff.to_dot` (or :func:`export_graphviz`, which does both) or
    differentiated with :meth:`~skbackprop.autodiff.Tensor.backward`.

    Parameters
    ----------
    estimator : MLPRegressor, MLPClassifier, LogisticBackprop or Pipeline
        A fitted network (scikit-learn's MLPs, which store the same attributes, work
        too). ``LogisticBackprop`` is a network without hidden layer: ``W1`` is
        ``coef_.T`` and ``b1`` is ``intercept_``. A fitted
        :class:`~sklearn.pipeline.Pipeline` is drawn through its final step, which must
        be one of these; the steps before it are preprocessing, not part of the network.
    X : {array-like, sparse matrix} of shape (n_samples, n_features), default=None
        The input, validated as ``predict`` validates it. For a Pipeline it is the
        Pipeline's input: it goes through the steps before the final one, and the graph's
        ``X`` leaf holds the result. None puts in a single row of zeros of the network's
        width: the graph's shape, which is what a drawing shows, does not depend on the
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
        If the network (a Pipeline's final step) is supported but not fitted.
    TypeError
        If the estimator (a Pipeline's final step) is none of the supported ones.

    See Also
    --------
    export_graphviz : Draws this graph as Graphviz DOT source.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop import MLPClassifier
    >>> from skbackprop.inspection import forward_graph
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

    A Pipeline is drawn through its final step, on ``X`` as the steps before it make it:

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> pipe = make_pipeline(StandardScaler(), clf).fit(X, [0, 1, 2, 1])
    >>> y_hat = forward_graph(pipe, X)
    >>> bool(np.allclose(y_hat.value, pipe.predict_proba(X), rtol=0, atol=1e-12))
    True
    """
    final, pipelines = _final_step(estimator)
    coefs, intercepts, activation, out_activation = _layers(estimator, final)
    dtype = coefs[0].dtype
    if X is None:
        X = np.zeros((1, coefs[0].shape[0]), dtype=dtype)
    else:
        for pipeline in pipelines:
            if len(pipeline.steps) > 1:
                X = pipeline[:-1].transform(X)
        X = validate_data(
            final,
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
        # predict applies nothing for an identity output; the drawing gets a node anyway,
        # so that every network visibly ends in its output activation.
        y_hat = (
            identity(z)
            if out_activation == "identity"
            else OUTPUT_ACTIVATIONS[out_activation][0](z)
        )
    # forward() leaves its hidden nodes unnamed; name them a1, a2, ... as the user guide's
    # computation_graph section does.
    node, depth = z.parents[0], len(coefs) - 1
    while depth > 0:
        node.name = f"a{depth}"
        node, depth = node.parents[0], depth - 1
    z.name = "z"
    y_hat.name = "y_hat"
    return y_hat


def export_graphviz(estimator, out_file=None, *, rankdir="BT", show_shapes=True):
    """Graphviz DOT source drawing a fitted estimator's forward pass.

    The drawing is :func:`~skbackprop.autodiff.to_dot` of :func:`forward_graph` on one
    row: the input ``X``, the parameters ``W1, b1, ...``, one ``dense`` node per hidden
    layer, the output layer's ``affine`` node ``z`` and the output activation ``y_hat``, as
    the user guide draws graphs (:ref:`computation_graph`: function inside the box,
    variable name outside, parameters bold, the data dashed). The name and the
    ``out_file`` argument are those of scikit-learn's ``sklearn.tree.export_graphviz``,
    which draws a fitted decision tree.

    Parameters
    ----------
    estimator : MLPRegressor, MLPClassifier, LogisticBackprop or Pipeline
        A fitted network (scikit-learn's MLPs work too), or a fitted
        :class:`~sklearn.pipeline.Pipeline` whose final step is one: the final step is
        drawn, and its ``X`` is the output of the steps before it (its width is the final
        step's ``n_features_in_``).
    out_file : str, path-like or file object, default=None
        Where to write the DOT source. None returns it as a string.
    rankdir : {"BT", "LR", "TB", "RL"}, default="BT"
        Layout direction: bottom-to-top puts the inputs at the bottom.
    show_shapes : bool, default=True
        Write each node's shape after its label, e.g. ``W1 (64, 100)``.

    Returns
    -------
    dot : str or None
        The DOT source when ``out_file`` is None; render it with Graphviz
        (``dot -Tsvg``) or any DOT viewer. None when it was written to ``out_file``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the network (a Pipeline's final step) is supported but not fitted.
    TypeError
        If the estimator (a Pipeline's final step) is none of the supported ones.

    See Also
    --------
    forward_graph : The graph itself, as a Tensor, on any ``X``.
    skbackprop.autodiff.to_dot : The drawing of any Tensor's graph.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop import MLPRegressor
    >>> from skbackprop.inspection import export_graphviz
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    >>> reg = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", random_state=0)
    >>> print(export_graphviz(reg.fit(X, y)))
    digraph computation_graph {
      rankdir=BT;
      node [fontname="Helvetica"];
      n0 [label="X (1, 3)", shape=box, style="rounded,dashed"];
      n1 [label="W1 (3, 4)", shape=box, style="rounded,bold"];
      n2 [label="b1 (4,)", shape=box, style="rounded,bold"];
      n3 [label="dense relu (1, 4)", xlabel="a1", shape=box];
      n4 [label="W2 (4, 1)", shape=box, style="rounded,bold"];
      n5 [label="b2 (1,)", shape=box, style="rounded,bold"];
      n6 [label="affine (1, 1)", xlabel="z", shape=box];
      n7 [label="identity (1, 1)", xlabel="y_hat", shape=box];
      n0 -> n3;
      n1 -> n3;
      n2 -> n3;
      n3 -> n6;
      n4 -> n6;
      n5 -> n6;
      n6 -> n7;
    }
    """
    dot = to_dot(forward_graph(estimator), rankdir, show_shapes=show_shapes)
    if out_file is None:
        return dot
    if isinstance(out_file, (str, os.PathLike)):
        with open(out_file, "w", encoding="utf-8") as handle:
            handle.write(dot + "\n")
    else:
        out_file.write(dot + "\n")
    return None
