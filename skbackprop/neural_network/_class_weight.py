"""MLPClassifier's ``class_weight``: class weights turned into sample weights.

The meaning is scikit-learn's ``LogisticRegression``'s (and skbackprop's
``LogisticBackprop``'s): every sample's weight is multiplied by its class's weight, and
'balanced' gives class ``c`` the weight ``n_samples / (n_classes * n_c)``, with the counts
weighted by ``sample_weight`` when it is given
(:func:`sklearn.utils.class_weight.compute_class_weight`). Without ``sample_weight`` the
result is exactly :func:`sklearn.utils.class_weight.compute_sample_weight`, so a fit with
``class_weight`` is the fit with those sample weights.

Multilabel targets are one 0/1 output per label, as in scikit-learn's multi-output
estimators: 'balanced' balances each label's column and multiplies the per-label weights
of a sample, as ``compute_sample_weight`` does for multi-output targets.
"""

from numbers import Real

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

__all__ = ["class_sample_weights", "refuse_balanced_in_partial_fit"]


def class_sample_weights(class_weight, Y, y_type, classes, X, sample_weight):
    """Per-sample weights: ``sample_weight`` (or 1) times the sample's class weight.

    Parameters
    ----------
    class_weight : dict or 'balanced'
        The estimator's parameter (not None).
    Y : ndarray of shape (n_samples, n_outputs)
        The label-indicator targets the network trains on (LabelBinarizer's encoding).
    y_type : str
        The LabelBinarizer's target type: 'binary', 'multiclass' or 'multilabel-indicator'.
    classes : ndarray
        ``classes_``: Y's column ``j`` is ``classes[j]`` (the positive class of a binary
        target is ``classes[1]``).
    X : array-like
        The input, to check ``sample_weight``'s length against.
    sample_weight : array-like of shape (n_samples,) or None

    Returns
    -------
    weights : ndarray of shape (n_samples,), float64

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[0], [0], [0], [1]], dtype=bool)
    >>> class_sample_weights("balanced", Y, "binary", np.array(["a", "b"]), Y, None)
    array([0.66666667, 0.66666667, 0.66666667, 2.        ])
    """
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
    if y_type == "multilabel-indicator":
        if class_weight != "balanced":
            raise ValueError(
                "class_weight as a dict is not defined for multilabel targets: their "
                "classes are the labels, and a sample can have several. Use "
                "class_weight='balanced' (each label's 0/1 column balanced, the weights "
                "multiplied), or pass sample_weight=compute_sample_weight([...], y) with "
                "one {0: w0, 1: w1} dict per label "
                "(sklearn.utils.class_weight.compute_sample_weight)."
            )
        # Each label is a binary output; its per-class weights are those of its column.
        per_label = []
        for column in np.asarray(Y, dtype=np.int8).T:
            labels = np.unique(column)
            per_class = _balanced(labels, column, sample_weight)
            per_label.append(per_class[np.searchsorted(labels, column)])
        weights = np.prod(per_label, axis=0, dtype=np.float64)
    else:
        _check_class_weight_dict(class_weight)
        index = Y.argmax(axis=1) if y_type == "multiclass" else Y[:, 0].astype(np.intp)
        if isinstance(class_weight, str):  # 'balanced'
            per_class = _balanced(classes, classes[index], sample_weight)
        else:
            per_class = compute_class_weight(class_weight, classes=classes, y=classes[index])
        weights = per_class[index]
    return weights if sample_weight is None else sample_weight * weights


def _balanced(classes, y, sample_weight):
    """'balanced' class weights; 0 for a class whose samples all weigh 0.

    Such a class is absent from the weighted data (its count is 0, its balanced weight
    infinite), and any finite weight leaves its samples at 0: 0 keeps the product finite.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = compute_class_weight(
            "balanced", classes=classes, y=y, sample_weight=sample_weight
        )
    return np.where(np.isfinite(per_class), per_class, 0.0)


def _check_class_weight_dict(class_weight):
    if not isinstance(class_weight, dict):
        return
    bad = [
        value
        for value in class_weight.values()
        if not isinstance(value, Real) or not np.isfinite(value) or value < 0
    ]
    if bad:
        raise ValueError(
            f"class_weight values must be finite non-negative numbers; got {bad} in "
            f"class_weight={class_weight!r}."
        )


def refuse_balanced_in_partial_fit(estimator):
    """Whether ``partial_fit`` is available as far as ``class_weight`` goes: raise if not.

    partial_fit sees one batch of y at a time, and 'balanced' needs all of it. The
    method is then unavailable (``available_if`` turns this error into the
    AttributeError's cause, as for a non-stochastic solver, so ``hasattr`` says False).
    The advice is scikit-learn's ``SGDClassifier.partial_fit``'s.
    """
    class_weight = estimator.class_weight
    if isinstance(class_weight, str) and class_weight == "balanced":
        raise ValueError(
            "class_weight='balanced' is not supported for partial_fit: it needs the class "
            "frequencies of all of y, and partial_fit sees one batch at a time. Compute "
            "them with sklearn.utils.class_weight.compute_class_weight('balanced', "
            "classes=classes, y=y) on the full training targets (or a large enough sample "
            "of them) and pass the result as a dict, "
            "class_weight=dict(zip(classes, weights)); or call fit."
        )
    return True
