"""TabularMLPClassifier: the RealMLP-TD recipe for classification."""

from numbers import Real
from typing import ClassVar

import numpy as np
from scipy.special import softmax
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import assert_all_finite, column_or_1d

from ..utils import rolls_back, with_callbacks
from ._base import BaseTabularMLP

__all__ = ["TabularMLPClassifier"]


def _classification_error(logits, Y, sample_weight):
    wrong = (logits.argmax(axis=1) != Y.argmax(axis=1)).astype(float)
    return np.average(wrong, weights=sample_weight)


class TabularMLPClassifier(ClassifierMixin, BaseTabularMLP):
    """A multilayer perceptron with a strong default recipe for tabular data.

    The defaults are the RealMLP-TD configuration (Holzmueller, Grinsztajn and Steinwart,
    "Better by Default: Strong Pre-Tuned MLPs and Boosted Trees on Tabular Data",
    NeurIPS 2024): robust scaling and smooth clipping of numbers, one-hot or embedded
    categories, periodic (PBLD) embeddings of numbers, a learned input scale, three
    layers of 256 parametric SELU units with data-driven initialisation, dropout, Adam
    with decoupled weight decay and scheduled hyperparameters, label smoothing, and the
    best epoch on a held-out fifth of the data. Every ingredient can be switched off by
    a parameter; see the :ref:`user guide <tabular_mlp>` for each one's formula and
    effect.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(256, 256, 256)
    activation : {'selu', 'mish'}, default='selu'
    parametric_activation : bool, default=True
        Units compute ``x + alpha (f(x) - x)`` with a learned ``alpha`` per unit.
    numeric_embedding : bool, default=True
        PBLD embeddings: per number, 16 values ``cos(2 pi w x + b)`` mapped to 3, with
        the number itself appended.
    scaling_layer : bool, default=True
        A learned scale per network input.
    data_init : bool, default=True
        Data-driven initialisation of the layers (unit-variance pre-activations, biases
        at random points of the data); otherwise N(0, 1 / fan_in) weights, zero biases.
    robust_scale : bool, default=True
        Centre numbers on their median and divide by their interquartile range.
    smooth_clip : bool, default=True
        Map numbers through ``x / sqrt(1 + (x / 3)^2)``.
    max_one_hot_categories : int, default=9
        Categorical columns with at most this many categories (missing counted as one)
        are one-hot encoded; larger ones get an 8-dimensional learned embedding.
    categorical_features : 'from_dtype', array-like of int, bool or str, or None, \
            default='from_dtype'
        The categorical columns, as for
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`: 'from_dtype' takes a
        DataFrame's category, object, string and bool columns; or indices, a boolean
        mask, or column names. Unseen categories at prediction are treated as missing.
    learning_rate_init : float, default=0.04
    learning_rate_schedule : {'coslog4', 'flat_cos', 'cos', 'constant'}, default='coslog4'
    beta_1, beta_2 : float, default=0.9, 0.95
        Adam's moment decays.
    weight_decay : float, default=0.02
        Decoupled weight decay (none on biases).
    weight_decay_schedule : str, default='flat_cos'
    dropout : float, default=0.15
        Dropout probability after each hidden activation.
    dropout_schedule : str, default='flat_cos'
    label_smoothing : float, default=0.1
        Train against ``(1 - eps) onehot(y) + eps / n_classes``.
    batch_size : int, default=256
    max_iter : int, default=256
        Epochs.
    validation_fraction : float, default=0.2
        Held out to choose the epoch whose parameters are kept (the lowest
        classification error, ties going to the later epoch); 0 keeps the last epoch.
    class_weight : dict, 'balanced' or None, default=None
        Weights multiplying the samples of each class.
    random_state : int, RandomState instance or None, default=None
    verbose : bool or int, default=False
        Print each epoch's loss and validation error.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X has string column names.
    loss_curve_ : list of float
        Each epoch's mean training loss.
    validation_scores_ : list of float or None
        Each epoch's validation accuracy (``1 - error``).
    best_iteration_ : int or None
        The epoch whose parameters are kept (1-based).
    n_iter_ : int
        Epochs run.
    network_ : TabularNetwork
        The trained network.

    See Also
    --------
    TabularMLPRegressor : The same recipe for regression.
    sklearn.ensemble.HistGradientBoostingClassifier : The usual strong default.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from skbackprop import TabularMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = TabularMLPClassifier(max_iter=5, random_state=0).fit(X[:300], y[:300])
    >>> model.predict(X[300:305]).shape
    (5,)
    >>> bool(model.score(X[300:], y[300:]) > 0.9)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseTabularMLP._parameter_constraints,
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256, 256),
        *,
        activation="selu",
        parametric_activation=True,
        numeric_embedding=True,
        scaling_layer=True,
        data_init=True,
        robust_scale=True,
        smooth_clip=True,
        max_one_hot_categories=9,
        categorical_features="from_dtype",
        learning_rate_init=0.04,
        learning_rate_schedule="coslog4",
        beta_1=0.9,
        beta_2=0.95,
        weight_decay=0.02,
        weight_decay_schedule="flat_cos",
        dropout=0.15,
        dropout_schedule="flat_cos",
        label_smoothing=0.1,
        batch_size=256,
        max_iter=256,
        validation_fraction=0.2,
        class_weight=None,
        random_state=None,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.parametric_activation = parametric_activation
        self.numeric_embedding = numeric_embedding
        self.scaling_layer = scaling_layer
        self.data_init = data_init
        self.robust_scale = robust_scale
        self.smooth_clip = smooth_clip
        self.max_one_hot_categories = max_one_hot_categories
        self.categorical_features = categorical_features
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.weight_decay = weight_decay
        self.weight_decay_schedule = weight_decay_schedule
        self.dropout = dropout
        self.dropout_schedule = dropout_schedule
        self.label_smoothing = label_smoothing
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.random_state = random_state
        self.verbose = verbose

    @rolls_back
    @with_callbacks
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            May hold NaN in numerical columns, and categorical columns (see
            ``categorical_features``).
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : TabularMLPClassifier
        """
        X = self._check_fit_input(X, y)
        y = column_or_1d(y, warn=True)
        if len(y) != X.shape[0]:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{X.shape[0]}, {len(y)}]"
            )
        if y.dtype.kind in "fc":
            # NaN or inf labels get scikit-learn's message before type_of_target casts them.
            assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        codes = encoder.transform(y)
        self.classes_ = encoder.classes_
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {self.classes_[0]!r}."
            )
        eps = self.label_smoothing
        Y = np.full((len(y), n_classes), eps / n_classes)
        Y[np.arange(len(y)), codes] += 1.0 - eps
        if self.class_weight is not None:
            weights = compute_sample_weight(self.class_weight, y)
            sample_weight = weights if sample_weight is None else weights * sample_weight
        return self._fit(
            X, y, sample_weight, Y, "softmax_cross_entropy", _classification_error, codes
        )

    @staticmethod
    def _validation_score(error):
        return 1.0 - error

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes)."""
        return softmax(self._raw_output(X), axis=1)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        logits = self._raw_output(X)
        return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)

    def decision_function(self, X):
        """The network's logits (one column per class)."""
        logits = self._raw_output(X)
        if len(self.classes_) == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict(self, X):
        """The most probable class of each sample."""
        logits = self._raw_output(X)
        return self.classes_[logits.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags
