"""LogisticBackprop's predictions equal the reference formulas to the last bit.

The prediction methods compute probabilities with skbackprop.utils' array functions
instead of scipy.special; these tests compare them with scipy's softmax, log_softmax and
expit on the logits ``X @ coef_.T + intercept_``.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from scipy.special import expit, log_softmax, softmax

from skbackprop import LogisticBackprop
from skbackprop.utils import log_softmax_rows, softmax_rows


def _model_and_rows(n_classes):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 5))
    y = rng.integers(0, n_classes, len(X))
    model = LogisticBackprop(C=100.0).fit(X, y)
    # Saturated logits too: 1e3 * X sends probabilities to 0 and 1.
    return model, np.vstack([X, 1e3 * X[:5], np.zeros((1, 5))])


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("layout", ["C", "F", "one row", "csr", "float32"])
def test_predictions_match_the_reference(n_classes, layout):
    model, X = _model_and_rows(n_classes)
    rows = {
        "C": X,
        "F": np.asfortranarray(X),
        "one row": X[:1],
        "csr": sp.csr_matrix(X),
        "float32": X.astype(np.float32),
    }[layout]
    # A sparse product sums in its own order: the reference multiplies the same operand.
    operand = rows if sp.issparse(rows) else rows.astype(np.float64)
    logits = operand @ model.coef_.T + model.intercept_
    if n_classes == 2:
        scores = logits.ravel()
        positive = expit(scores)
        proba = np.column_stack([1.0 - positive, positive])
        log_proba = log_softmax(np.column_stack([np.zeros_like(scores), scores]), axis=1)
        classes = model.classes_[(scores > 0).astype(int)]
    else:
        scores = logits
        proba, log_proba = softmax(logits, axis=1), log_softmax(logits, axis=1)
        classes = model.classes_[logits.argmax(axis=1)]
    assert_array_equal(model.decision_function(rows), scores)
    assert_array_equal(model.predict_proba(rows), proba)
    assert_array_equal(model.predict_log_proba(rows), log_proba)
    assert_array_equal(model.predict(rows), classes)


def test_softmax_functions_match_scipy_on_extreme_rows():
    rows = np.array(
        [
            [0.0, 1.0, 2.0],
            [1e308, 1e308, -1e308],
            [-np.inf, 0.0, 1.0],
            [np.inf, 0.0, 1.0],
            [-np.inf, -np.inf, -np.inf],
            [np.nan, 0.0, 1.0],
            [-750.0, -745.0, -760.0],
        ]
    )
    with np.errstate(invalid="ignore", over="ignore"):
        assert_array_equal(log_softmax_rows(rows.copy()), log_softmax(rows, axis=1))
        assert_array_equal(softmax_rows(rows.copy()), softmax(rows, axis=1))
