"""MLPClassifier: scikit-learn's multilayer perceptron classifier, trained by skbackprop."""

from typing import ClassVar

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels

from ..nn import LOSSES, custom_loss
from ..utils import rolls_back, with_callbacks
from ._base import BaseMultilayerPerceptron
from ._class_weight import class_sample_weights, refuse_balanced_in_partial_fit

__all__ = ["MLPClassifier"]


class MLPClassifier(ClassifierMixin, BaseMultilayerPerceptron):
    """Multi-layer perceptron classifier trained by backpropagation.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`: the same
    parameters with the same meanings and defaults, the same fitted attributes, and (in
    float64, with the same ``random_state``) the same training trajectory. Every gradient
    comes from :mod:`skbackprop.autodiff`, every update from :mod:`skbackprop.optim`.

    It minimizes the cross-entropy (softmax output for multiclass targets, one logistic
    output for binary targets and one per label for multilabel targets) plus
    ``alpha / 2 * ||W||^2 / n_samples``.

    Beyond scikit-learn: ``class_weight``, one ``activation`` per hidden layer,
    ``solver='rmsprop'``, ``dropout`` and ``l1_ratio``, and the ``gradient_norms_`` record
    of training.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'} or list of them, default='relu'
        Activation of the hidden layers: one name for every hidden layer, or a list or
        tuple with one name per hidden layer (``len(hidden_layer_sizes)`` of them, the
        first hidden layer first). Each layer's Glorot initialization bound follows its
        activation; the output layer's follows the last hidden layer's.
    solver : {'lbfgs', 'sgd', 'adam', 'rmsprop'}, default='adam'
        The optimizer. 'sgd' is stochastic gradient descent with (Nesterov) momentum,
        'adam' Adam with bias correction, 'rmsprop' RMSProp (with ``beta_2`` as the decay
        of the squared-gradient average), 'lbfgs' scipy's L-BFGS-B over the whole
        training set. The updates are in the user guide's :ref:`mlp_optimizers`.
    alpha : float, default=0.0001
        Strength of the weight penalty, divided by the number of samples of the batch
        (or their total weight) when added to the loss.
    batch_size : int or 'auto', default='auto'
        Minibatch size of the stochastic solvers; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule for 'sgd' and 'rmsprop': constant, inverse scaling
        ``learning_rate_init / (t + 1) ** power_t`` with ``t`` the samples seen, or
        adaptive (divided by 5 each time ``n_iter_no_change`` epochs pass without
        improvement).
    learning_rate_init : float, default=0.001
        The initial step size of the stochastic solvers.
    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.
    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (L-BFGS).
    shuffle : bool, default=True
        Whether to shuffle the samples each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialization, the validation split, the shuffles and the dropout
        masks.
    tol : float, default=1e-4
        Training stops when the loss (or validation score) does not improve by ``tol``
        for ``n_iter_no_change`` consecutive epochs.
    verbose : bool, default=False
        Print progress after each epoch: the iteration, the training loss and the
        time since the fit started, and with ``early_stopping`` the validation
        score; with 'lbfgs', the loss and time after each L-BFGS iteration.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution (``y`` must have the same classes).
    momentum : float, default=0.9
        Momentum of 'sgd'.
    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its accuracy stops
        improving; the best parameters are kept. As in scikit-learn 1.9, the split is
        stratified for binary targets only (multiclass and multilabel splits are not), so
        the held-out rows and the training path are scikit-learn's. The accuracy is
        weighted by the held-out samples' weights, ``class_weight`` included (scikit-learn
        scores the split with its ``sample_weight``).
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    beta_1 : float, default=0.9
        Decay of Adam's first-moment average.
    beta_2 : float, default=0.999
        Decay of Adam's (and RMSProp's) squared-gradient average.
    epsilon : float, default=1e-8
        Adam's and RMSProp's guard against dividing by zero.
    n_iter_no_change : int, default=10
        Epochs without ``tol`` improvement before stopping.
    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'.
    dropout : float, default=0.0
        Fraction of hidden units dropped, independently per minibatch, during training
        with a stochastic solver (inverted dropout: kept units are scaled by
        ``1 / (1 - dropout)``, so nothing changes at prediction time). 0 disables it.
    l1_ratio : float, default=0.0
        Share of ``alpha`` given to an L1 penalty ``alpha * l1_ratio * sum |W| / n``; the
        rest stays L2. The stochastic solvers apply the L1 part as a proximal
        soft-threshold step, which sets weights exactly to zero; 'lbfgs' uses its
        subgradient. 0 is scikit-learn's pure L2 penalty.
    loss : 'log_loss' or callable, default='log_loss'
        'log_loss' is scikit-learn's cross-entropy. A callable
        ``loss(y_true, logits, sample_weight)`` replaces it: ``logits`` is the Tensor of
        the last layer's pre-activation, shape (batch rows, n_outputs); ``y_true`` the
        targets' Tensor of the same shape (one-hot rows for multiclass targets, the 0/1
        column for binary ones, the label indicators for multilabel ones);
        ``sample_weight`` None or the weights' Tensor. It returns a scalar Tensor built
        with :mod:`skbackprop.autodiff` operations, which the engine differentiates.
        The output activation is unchanged, so :meth:`predict_proba` is still the
        softmax (or logistic function) of the logits: a loss that does not treat them as
        log-odds trains a model whose probabilities mean nothing. As for
        :class:`MLPRegressor`, the callable is called once per training graph (one per
        minibatch length), not per step, and a result that is not a size-1 Tensor
        depending on ``logits`` stops the fit before any step. ``loss_`` is its value as
        it returns it, plus the penalty.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, ``{class_label: weight}``, multiplied into
        ``sample_weight`` (as in :class:`~sklearn.linear_model.LogisticRegression`); None
        weighs every class 1. 'balanced' uses ``n_samples / (n_classes *
        np.bincount(y))``, the counts weighted by ``sample_weight`` when given. A fit with
        ``class_weight`` is the fit with
        ``sample_weight=compute_sample_weight(class_weight, y)``
        (:func:`sklearn.utils.class_weight.compute_sample_weight`): the loss, the penalty's
        share per batch and early stopping's validation accuracy all use the weights.
        For multilabel targets only 'balanced' is defined: each label's 0/1 column is
        balanced and a sample's per-label weights multiply, as ``compute_sample_weight``
        does for multi-output targets. ``partial_fit`` accepts a dict but not
        'balanced', which needs all of ``y``: as with a non-stochastic ``solver``,
        ``partial_fit`` is then not available (an AttributeError, whose cause gives
        ``SGDClassifier``'s advice).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel targets, the label indices).
    loss_ : float
        The loss of the last epoch (stochastic solvers) or at the solution (L-BFGS),
        penalty included.
    best_loss_ : float or None
        The minimum ``loss_`` reached; None with early stopping. Stochastic solvers only.
    loss_curve_ : list of float
        ``loss_`` after each epoch. Stochastic solvers only.
    validation_scores_ : list of float or None
        Accuracy on the validation split after each epoch when ``early_stopping``.
    best_validation_score_ : float or None
        The best of ``validation_scores_``, or None.
    gradient_norms_ : ndarray of shape (len(loss_curve_), n_layers_ - 1)
        For each epoch and layer, the root mean square over the epoch's minibatches of the
        norm of the gradient of the cost with respect to that layer's weights. Small
        values in the first layers of a deep sigmoid network show the vanishing gradient.
        Stochastic solvers only.
    t_ : int
        Training samples seen by the solver.
    coefs_ : list of ndarray
        ``coefs_[i]`` is the weight matrix from layer i to layer i + 1.
    intercepts_ : list of ndarray
        ``intercepts_[i]`` is the bias vector of layer i + 1.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when they are all strings.
    n_iter_ : int
        Epochs (or L-BFGS iterations) run by the last fit.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        'softmax' (multiclass) or 'logistic' (binary, multilabel).

    See Also
    --------
    MLPRegressor : The regression counterpart.
    sklearn.neural_network.MLPClassifier : The scikit-learn estimator this one mirrors.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.model_selection import train_test_split
    >>> from skbackprop import MLPClassifier
    >>> X, y = make_classification(n_samples=100, random_state=1)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y,
    ...                                                     random_state=1)
    >>> clf = MLPClassifier(random_state=1, max_iter=300).fit(X_train, y_train)
    >>> clf.predict_proba(X_test[:1]).shape
    (1, 2)
    >>> clf.predict(X_test[:5]).shape
    (5,)
    >>> clf.score(X_test, y_test) > 0.8
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "loss": [StrOptions({"log_loss"}), callable],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        l1_ratio=0.0,
        loss="log_loss",
        class_weight=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.l1_ratio = l1_ratio
        self.loss = loss
        self.class_weight = class_weight

    def _training_loss(self):
        # Softmax and categorical cross-entropy for multiclass targets; otherwise one
        # independent logistic output per column (binary: one column).
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        loss = LOSSES["log_loss" if multiclass else "binary_log_loss"]
        if callable(self.loss):
            return custom_loss(self.loss, out_activation=loss.out_activation)
        return loss

    def _check_targets(self, y, incremental):
        # As scikit-learn: a fresh fit (re)defines the classes; warm_start must see the
        # same classes; partial_fit must see no class outside classes_.
        if (not hasattr(self, "classes_")) or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in "
                        f"the previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}. Fit with warm_start=False to learn new classes."
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}. Pass every class in `classes=` "
                    "on the first call to partial_fit."
                )
        # Booleans, not the data's float dtype: the objective casts them once.
        return self._label_binarizer.transform(y).astype(bool)

    def _stratify(self, Y):
        # scikit-learn 1.9 stratifies the early-stopping split when the network has one
        # output (binary targets), by the label-binarized boolean column: the same array
        # gives the same split and, for a class with one member, the same message.
        # Multiclass and multilabel splits are not stratified.
        if self.n_outputs_ == 1:
            return Y.astype(bool)
        return None

    def _validation_targets(self, Y_val):
        return self._label_binarizer.inverse_transform(Y_val)

    def _weigh_samples(self, X, Y, sample_weight):
        if self.class_weight is None:
            return sample_weight
        return class_sample_weights(
            self.class_weight,
            Y,
            self._label_binarizer.y_type_,
            self.classes_,
            X,
            sample_weight,
        )

    @available_if(lambda est: est._check_solver() and refuse_balanced_in_partial_fit(est))
    @rolls_back
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, multiplied by the class weights of a ``class_weight`` dict.
        classes : array of shape (n_classes,), default=None
            Every class across all calls; required on the first call only (e.g.
            ``np.unique(y_all)``). ``y`` need not contain all of them.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if _check_partial_fit_first_call(self, classes):
            multilabel = type_of_target(y).startswith("multilabel")
            self._label_binarizer = LabelBinarizer().fit(y if multilabel else classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predict the classes of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes (a label indicator matrix for multilabel targets).
        """
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        binarizer = self._label_binarizer
        # LabelBinarizer.inverse_transform's answer without its per-call dispatch: the
        # class of the largest output (multiclass), or of the output above 0.5 (binary).
        # A fast path: see docs/performance.rst, "Fast paths kept".
        if not binarizer.sparse_input_:
            if binarizer.y_type_ == "multiclass":
                return self.classes_[y_pred.argmax(axis=1)]
            if binarizer.y_type_ == "binary" and len(self.classes_) == 2:
                return self.classes_[(y_pred.ravel() > 0.5).astype(np.intp)]
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return binarizer.inverse_transform(y_pred)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        y_pred = self._forward_pass_fast(X)  # checks that the model is fitted
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def predict_log_proba(self, X):
        """Log of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        y_prob = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(y_prob, out=y_prob)

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, accuracy_score)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
