"""LogisticBackprop's ``penalty`` and ``l1_ratio=None`` deprecations, as scikit-learn 1.9's.

scikit-learn deprecated ``penalty`` in 1.8 in favour of ``l1_ratio`` and ``C``; this
module maps the old spelling to the new one with the same warnings and errors.
"""

import warnings

import numpy as np

__all__ = ["resolve_penalty"]

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
