"""TabularMLPRegressor: the RealMLP-TD recipe for regression."""

from typing import ClassVar

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_array

from ..utils import rolls_back, with_callbacks
from ._base import BaseTabularMLP

__all__ = ["TabularMLPRegressor"]


def _root_mean_squared_error(prediction, Y, sample_weight):
    squared = ((prediction - Y) ** 2).mean(axis=1)
    return float(np.sqrt(np.average(squared, weights=sample_weight)))


def _mean_and_std(Y):
    """Each column's mean and standard deviation, also where the squares of targets near
    float64's limit overflow (then computed on the targets over their largest value)."""
    with np.errstate(over="ignore", invalid="ignore"):
        mean, std = Y.mean(axis=0), Y.std(axis=0)
    if np.isfinite(mean).all() and np.isfinite(std).all():
        return mean, std
    peak = np.abs(Y).max(axis=0)
    peak = np.where(peak > 0, peak, 1.0)
    return peak * (Y / peak).mean(axis=0), peak * (Y / peak).std(axis=0)


class TabularMLPRegressor(RegressorMixin, BaseTabularMLP):
    """A multilayer perceptron with a strong default recipe for tabular regression.

    The RealMLP-TD configuration (Holzmueller, Grinsztajn and Steinwart, NeurIPS 2024)
    for regression: as :class:`TabularMLPClassifier`, with parametric Mish units, a
    learning rate of 0.2, targets standardised for training and predictions clipped to
    the training targets' range (both from the training rows, without the held-out
    ones), and the best epoch by root mean squared error. See the
    :ref:`user guide <tabular_mlp>`.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(256, 256, 256)
    activation : {'selu', 'mish'}, default='mish'
    parametric_activation : bool, default=True
    numeric_embedding : bool, default=True
    scaling_layer : bool, default=True
    data_init : bool, default=True
    robust_scale : bool, default=True
    smooth_clip : bool, default=True
    max_one_hot_categories : int, default=9
    categorical_features : 'from_dtype', array-like or None, default='from_dtype'
    learning_rate_init : float, default=0.2
    learning_rate_schedule : str, default='coslog4'
    beta_1, beta_2 : float, default=0.9, 0.95
    weight_decay : float, default=0.02
    weight_decay_schedule : str, default='flat_cos'
    dropout : float, default=0.15
    dropout_schedule : str, default='flat_cos'
    clip_predictions : bool, default=True
        Clip predictions to the range of the training targets (those of the rows
        trained on, without the held-out ones).
    batch_size : int, default=256
    max_iter : int, default=256
        Epochs.
    validation_fraction : float, default=0.2
    random_state : int, RandomState instance or None, default=None
    verbose : bool or int, default=False

    The parameters shared with :class:`TabularMLPClassifier` mean the same there.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    loss_curve_ : list of float
        Each epoch's mean training loss (half the squared error of standardised targets).
    validation_scores_ : list of float or None
        Each epoch's validation score, minus the RMSE of the standardised targets (by
        the predictions clipped as ``predict`` clips them).
    best_iteration_ : int or None
    n_iter_ : int
    network_ : TabularNetwork

    See Also
    --------
    TabularMLPClassifier : The same recipe for classification.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skbackprop import TabularMLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = TabularMLPRegressor(max_iter=5, random_state=0).fit(X[:300], y[:300])
    >>> model.predict(X[300:303]).shape
    (3,)
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseTabularMLP._parameter_constraints,
        "clip_predictions": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256, 256),
        *,
        activation="mish",
        parametric_activation=True,
        numeric_embedding=True,
        scaling_layer=True,
        data_init=True,
        robust_scale=True,
        smooth_clip=True,
        max_one_hot_categories=9,
        categorical_features="from_dtype",
        learning_rate_init=0.2,
        learning_rate_schedule="coslog4",
        beta_1=0.9,
        beta_2=0.95,
        weight_decay=0.02,
        weight_decay_schedule="flat_cos",
        dropout=0.15,
        dropout_schedule="flat_cos",
        clip_predictions=True,
        batch_size=256,
        max_iter=256,
        validation_fraction=0.2,
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
        self.clip_predictions = clip_predictions
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.verbose = verbose

    @rolls_back
    @with_callbacks
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : TabularMLPRegressor
        """
        X = self._check_fit_input(X, y)
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{X.shape[0]}, {y.shape[0]}]"
            )
        self._y_1d = y.ndim == 1
        Y = y.reshape(len(y), -1)
        return self._fit(X, y, sample_weight, Y, "squared_error", self._validation_error)

    def _fit_targets(self, Y, train):
        """Standardised targets; the mean, scale and clipping range are those of the
        training rows, as the reference implementation's."""
        Y_train = Y[train]
        self.target_mean_, std = _mean_and_std(Y_train)
        self.target_scale_ = np.where(std > 0, std, 1.0)
        self.target_min_, self.target_max_ = Y_train.min(axis=0), Y_train.max(axis=0)
        return (Y - self.target_mean_) / self.target_scale_

    def _validation_error(self, prediction, Z, sample_weight):
        """The RMSE of the standardised targets ``Z`` by the predictions as ``predict``
        makes them: clipped to the training targets' range, as the reference
        implementation scores its held-out rows."""
        if self.clip_predictions:
            low = (self.target_min_ - self.target_mean_) / self.target_scale_
            high = (self.target_max_ - self.target_mean_) / self.target_scale_
            prediction = np.clip(prediction, low, high)
        return _root_mean_squared_error(prediction, Z, sample_weight)

    @staticmethod
    def _validation_score(error):
        return -error

    def predict(self, X):
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs)."""
        prediction = self._raw_output(X) * self.target_scale_ + self.target_mean_
        if self.clip_predictions:
            prediction = np.clip(prediction, self.target_min_, self.target_max_)
        return prediction.ravel() if self._y_1d else prediction

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
