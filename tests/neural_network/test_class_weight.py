"""MLPClassifier(class_weight=...): LogisticRegression's meaning, as sample weights.

A fit with ``class_weight`` is the fit with ``sample_weight=compute_sample_weight(...)``
(every solver, early stopping included); given both, they multiply; 'balanced' raises the
minority class's recall; ``partial_fit`` refuses 'balanced' as SGDClassifier does.
"""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification
from sklearn.metrics import recall_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from skbackprop import MLPClassifier

# Short fits: convergence is not what these tests are about.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SOLVERS = ["adam", "sgd", "rmsprop", "lbfgs"]


@pytest.fixture(scope="module")
def imbalanced():
    X, y = make_classification(
        n_samples=150, n_features=5, weights=[0.8, 0.2], flip_y=0, random_state=0
    )
    return StandardScaler().fit_transform(X), np.where(y == 1, "rare", "common")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    keep = np.r_[0:50, 50:70, 100:110]  # 50, 20 and 10 samples of the three classes
    return StandardScaler().fit_transform(X[keep]), y[keep]


def _assert_same_fit(a, b):
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
    assert a.n_iter_ == b.n_iter_
    assert a.loss_ == pytest.approx(b.loss_, rel=0, abs=1e-12)


def _fit_both(X, y, class_weight, sample_weight=None, **params):
    params = {"hidden_layer_sizes": (6,), "max_iter": 15, "random_state": 0, **params}
    weighted = MLPClassifier(class_weight=class_weight, **params)
    weighted.fit(X, y, sample_weight=sample_weight)
    return weighted, MLPClassifier(**params)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("class_weight", ["balanced", {"common": 1.0, "rare": 4.0}])
def test_class_weight_is_the_matching_sample_weight_binary(imbalanced, solver, class_weight):
    X, y = imbalanced
    weighted, plain = _fit_both(X, y, class_weight, solver=solver)
    plain.fit(X, y, sample_weight=compute_sample_weight(class_weight, y))
    _assert_same_fit(weighted, plain)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("class_weight", ["balanced", {0: 0.5, 1: 2.0, 2: 3.0}])
def test_class_weight_is_the_matching_sample_weight_multiclass(iris, solver, class_weight):
    X, y = iris
    weighted, plain = _fit_both(X, y, class_weight, solver=solver)
    plain.fit(X, y, sample_weight=compute_sample_weight(class_weight, y))
    _assert_same_fit(weighted, plain)
    # The weights did something: unweighted training ends elsewhere.
    unweighted = MLPClassifier(**{**plain.get_params(), "class_weight": None}).fit(X, y)
    assert not np.allclose(unweighted.coefs_[0], weighted.coefs_[0], rtol=0, atol=1e-6)


def test_early_stopping_scores_the_validation_split_with_the_weights(iris):
    X, y = iris
    params = {"early_stopping": True, "validation_fraction": 0.3, "max_iter": 15}
    weighted, plain = _fit_both(X, y, "balanced", **params)
    plain.fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    _assert_same_fit(weighted, plain)
    assert weighted.validation_scores_ == plain.validation_scores_
    assert weighted.best_validation_score_ == plain.best_validation_score_


def test_multilabel_balanced_is_compute_sample_weight_over_the_labels(iris):
    X, y = iris
    Y = np.column_stack([y == 0, y == 1, y > 0]).astype(int)
    weighted, plain = _fit_both(X, Y, "balanced")
    plain.fit(X, Y, sample_weight=compute_sample_weight("balanced", Y))
    _assert_same_fit(weighted, plain)
    with pytest.raises(ValueError, match="not defined for multilabel targets"):
        MLPClassifier(class_weight={0: 1.0, 1: 2.0}).fit(X, Y)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_class_weight_and_sample_weight_multiply(imbalanced, solver):
    X, y = imbalanced
    sw = np.random.default_rng(0).uniform(0.2, 3.0, size=len(y))
    class_weight = {"common": 0.5, "rare": 3.0}
    weighted, plain = _fit_both(X, y, class_weight, sample_weight=sw, solver=solver)
    plain.fit(X, y, sample_weight=sw * compute_sample_weight(class_weight, y))
    _assert_same_fit(weighted, plain)

    # 'balanced' counts the classes with the sample weights, as LogisticRegression does.
    weighted, plain = _fit_both(X, y, "balanced", sample_weight=sw, solver=solver)
    classes = np.unique(y)
    per_class = compute_class_weight("balanced", classes=classes, y=y, sample_weight=sw)
    plain.fit(X, y, sample_weight=sw * per_class[np.searchsorted(classes, y)])
    _assert_same_fit(weighted, plain)


def test_float32_network_takes_the_weights_in_float32(imbalanced):
    X, y = imbalanced
    X = X.astype(np.float32)
    weighted, plain = _fit_both(X, y, "balanced")
    plain.fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    assert weighted.coefs_[0].dtype == np.float32
    _assert_same_fit(weighted, plain)


def test_balanced_raises_minority_recall_on_held_out_data():
    X, y = make_classification(
        n_samples=800,
        n_features=10,
        n_informative=4,
        weights=[0.93, 0.07],
        class_sep=0.6,
        flip_y=0.02,
        random_state=3,
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, test_size=0.5, random_state=0
    )
    recall = {}
    for class_weight in (None, "balanced"):
        clf = MLPClassifier((16,), class_weight=class_weight, max_iter=200, random_state=0)
        clf.fit(X_train, y_train)
        recall[class_weight] = recall_score(y_test, clf.predict(X_test))
    assert recall["balanced"] > recall[None] + 0.25, recall


def test_partial_fit_is_not_available_with_balanced(imbalanced):
    # As for solver='lbfgs': the method is unavailable, and the AttributeError's cause
    # says why and what to do (SGDClassifier's advice).
    X, y = imbalanced
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X, y, classes=["common", "rare"])
    coefs, t = [c.copy() for c in clf.coefs_], clf.t_
    clf.set_params(class_weight="balanced")
    assert not hasattr(clf, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as error:
        clf.partial_fit(X, y)
    cause = str(error.value.__cause__)
    assert "class_weight='balanced' is not supported for partial_fit" in cause
    assert "compute_class_weight('balanced', classes=classes, y=y)" in cause
    for a, b in zip(clf.coefs_, coefs):
        np.testing.assert_array_equal(a, b)
    assert clf.t_ == t
    assert hasattr(clf.set_params(class_weight={"common": 1, "rare": 2}), "partial_fit")


def test_partial_fit_with_a_dict_weighs_each_batch(imbalanced):
    X, y = imbalanced
    class_weight = {"common": 1.0, "rare": 4.0}
    params = {"hidden_layer_sizes": (4,), "random_state": 0}
    weighted = MLPClassifier(class_weight=class_weight, **params)
    plain = MLPClassifier(**params)
    for batch in (slice(0, 70), slice(70, None)):
        Xb, yb = X[batch], y[batch]
        weighted.partial_fit(Xb, yb, classes=["common", "rare"])
        plain.partial_fit(
            Xb,
            yb,
            classes=["common", "rare"],
            sample_weight=compute_sample_weight(class_weight, yb),
        )
    _assert_same_fit(weighted, plain)


@pytest.mark.parametrize(
    ("class_weight", "error", "match"),
    [
        ("balance", InvalidParameterError, "class_weight"),
        ({"common": -1.0, "rare": 2.0}, ValueError, "finite non-negative numbers"),
        ({"common": np.nan, "rare": 2.0}, ValueError, "finite non-negative numbers"),
        ({"common": 1.0, "unknown": 2.0}, ValueError, r"The classes, \['rare'\], are not in"),
    ],
)
def test_bad_class_weight_is_named_and_fitted_state_kept(imbalanced, class_weight, error, match):
    X, y = imbalanced
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    coefs, n_iter = [c.copy() for c in clf.coefs_], clf.n_iter_
    with pytest.raises(error, match=match):
        clf.set_params(class_weight=class_weight).fit(X, y)
    for a, b in zip(clf.coefs_, coefs):
        np.testing.assert_array_equal(a, b)
    assert clf.n_iter_ == n_iter


def test_balanced_gives_a_class_without_weight_zero(imbalanced):
    # Sample weights that remove a class leave it nothing to balance: its samples keep
    # weight 0 and the fit is the one on the remaining class.
    X, y = imbalanced
    sw = (y == "common").astype(float)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, class_weight="balanced")
    clf.set_params(random_state=0).fit(X, y, sample_weight=sw)
    assert all(np.isfinite(c).all() for c in clf.coefs_)
    plain = MLPClassifier(**{**clf.get_params(), "class_weight": None})
    # The weighted total over (2 classes times the common class's weighted count): 1/2.
    plain.fit(X, y, sample_weight=sw * sw.sum() / (2 * sw[y == "common"].sum()))
    _assert_same_fit(clf, plain)
