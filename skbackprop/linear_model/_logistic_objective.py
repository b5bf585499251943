"""What LogisticBackprop minimizes: its penalty, the sample weights, the classes and targets.

The objective is scikit-learn's ``LogisticRegression``'s divided by ``C`` times the total
sample weight (the same minimizer), so the penalty's strengths are those of that ``J``
(:func:`penalty_scales`) and the trainer takes them as they are (``penalty_scale=1``).
scikit-learn deprecated ``penalty`` in 1.8 in favour of ``l1_ratio`` and ``C``;
:func:`resolve_penalty` maps the old spelling to the new one with the same warnings and
errors.
"""

import warnings

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "partial_fit_classes",
    "penalty_scales",
    "resolve_penalty",
    "sample_weights",
    "targets",
]

# scikit-learn's LogisticRegression solvers that LogisticBackprop does not implement.
_SKLEARN_ONLY_SOLVERS = {"liblinear", "newton-cg", "newton-cholesky", "sag", "saga"}


def resolve_penalty(estimator):
    """``(C, l1_ratio)`` as trained, with scikit-learn 1.9's warnings and errors.

    ``penalty`` and ``l1_ratio=None`` are deprecated there (since 1.8): they still
    work, with its FutureWarning, and map to ``l1_ratio`` and ``C`` as it maps them.
    Unlike scikit-learn, every solver here takes L1 and elastic-net penalties.
    """
    if estimator.solver in _SKLEARN_ONLY_SOLVERS:
        raise ValueError(
            f"solver={estimator.solver!r} is a LogisticRegression solver that "
            "LogisticBackprop does not implement: it trains by backpropagation. Use "
            "solver='lbfgs' (the default; it reaches scikit-learn's coefficients, for "
            "L1 and elastic net too), or 'sgd', 'rmsprop' or 'adam' for minibatch "
            "training (and partial_fit)."
        )
    C, l1_ratio, penalty = estimator.C, estimator.l1_ratio, estimator.penalty
    if penalty == "deprecated":
        if l1_ratio is None:
            warnings.warn(
                "'l1_ratio=None' was deprecated in version 1.8 and will trigger an error "
                "in 1.10. Use 0<=l1_ratio<=1 instead.",
                FutureWarning,
            )
        return C, 0.0 if l1_ratio is None else l1_ratio
    warnings.warn(
        "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid "
        "this warning, leave 'penalty' set to its default value and use 'l1_ratio' or "
        "'C' instead. Use l1_ratio=0 instead of penalty='l2', l1_ratio=1 instead of "
        "penalty='l1', l1_ratio set to a float between 0 and 1 instead of "
        "penalty='elasticnet', and C=np.inf instead of penalty=None.",
        FutureWarning,
    )
    if penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn(
            "l1_ratio parameter is only used when penalty is 'elasticnet'. Got "
            f"(penalty={penalty})"
        )
    if (penalty == "l2" and l1_ratio != 0) or (penalty == "l1" and l1_ratio != 1):
        warnings.warn(
            f"Inconsistent values: penalty={penalty} with l1_ratio={l1_ratio}. penalty "
            "is deprecated. Please use l1_ratio only."
        )
    if penalty == "elasticnet" and l1_ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    if penalty is None:
        if C != 1.0:
            warnings.warn("Setting penalty=None will ignore the C and l1_ratio parameters")
        return np.inf, 0.0
    return C, {"l2": 0.0, "l1": 1.0}.get(penalty, l1_ratio)


def penalty_scales(penalty_strength, weights, n_samples):
    """``(l2_scale, l1_scale)``: the penalty of ``J``, divided by ``C * sum_i s_i``.

    ``penalty_strength`` is ``(C, l1_ratio)`` as :func:`resolve_penalty` returns them.
    """
    C, l1_ratio = penalty_strength
    if np.isinf(C):
        return 0.0, 0.0
    total = float(weights.sum()) if weights is not None else float(n_samples)
    strength = 1.0 / (C * total)
    return (1.0 - l1_ratio) * strength, l1_ratio * strength


def sample_weights(model, X, y, classes, sample_weight):
    """Sample times class weights, or None when every weight is 1."""
    if sample_weight is None and model.class_weight is None:
        return None
    weights = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    if model.class_weight is not None:
        per_class = compute_class_weight(
            model.class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
        weights = weights * per_class[np.searchsorted(classes, y)]
    if not weights.sum() > 0:
        raise ValueError(
            "The sample weights (times the class weights) sum to 0, so there is nothing "
            "to fit. Give some samples a positive weight."
        )
    return weights


def targets(y_encoded, n_classes, dtype=np.float64):
    """0/1 targets of ``dtype``: one column for two classes, one-hot rows for more."""
    if n_classes == 2:
        return y_encoded.astype(dtype).reshape(-1, 1)
    Y = np.zeros((y_encoded.size, n_classes), dtype=dtype)
    Y[np.arange(y_encoded.size), y_encoded] = 1.0
    return Y


def partial_fit_classes(model, classes, first_call):
    """The classes of a ``partial_fit`` call: ``classes`` on the first call (at least
    two), the fitted ``classes_`` after it (``classes``, if given, must be the same)."""
    if first_call:
        if classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit. Pass the list "
                "of every label the model will see, e.g. classes=np.unique(y_all)."
            )
        classes = np.unique(np.asarray(classes))
        if classes.size < 2:
            raise ValueError(
                f"classes has {classes.size} label(s); a classifier needs at least 2. "
                "Pass every label the model will see."
            )
        return classes
    if classes is not None and not np.array_equal(np.unique(classes), model.classes_):
        raise ValueError(
            f"`classes={np.asarray(classes).tolist()}` is not the same as on last call "
            f"to partial_fit, was: {model.classes_!r}. It differs from the classes of the "
            "first partial_fit call: pass the same classes, or call fit to start over."
        )
    return model.classes_
