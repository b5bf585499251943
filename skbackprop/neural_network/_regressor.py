"""MLPRegressor: scikit-learn's multilayer perceptron regressor, trained by skbackprop."""

import warnings
from numbers import Real
from typing import ClassVar

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions

from ..nn import LOSSES, custom_loss
from ._base import BaseMultilayerPerceptron

__all__ = ["MLPRegressor"]


class MLPRegressor(RegressorMixin, BaseMultilayerPerceptron):
    """Multi-layer perceptron regressor trained by backpropagation.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`: the same
    parameters with the same meanings and defaults, the same fitted attributes, and (in
    float64, with the same ``random_state``) the same training trajectory. Every gradient
    comes from :mod:`skbackprop.autodiff`, every update from :mod:`skbackprop.optim`.

    It minimizes half the squared error (or another ``loss``) plus
    ``alpha / 2 * ||W||^2 / n_samples``, with a stochastic optimizer over minibatches or
    with L-BFGS over the whole training set.

    Beyond scikit-learn: one ``activation`` per hidden layer, the absolute-error, Huber,
    quantile and user-written losses, ``solver='rmsprop'``, ``dropout`` and ``l1_ratio``,
    and the ``gradient_norms_`` record of training. Whatever the loss, :meth:`score` is
    R^2, scikit-learn's convention for regressors (and early stopping monitors R^2 on the
    validation split).

    Parameters
    ----------
    loss : {'squared_error', 'poisson', 'absolute_error', 'huber', 'quantile'} or \
            callable, default='squared_error'
        The loss, averaged over the samples (weighted by ``sample_weight``) and summed
        over the outputs. The output activation is the identity, except for 'poisson':

        - 'squared_error': half the squared error; predicts the conditional mean.
        - 'poisson': half the Poisson deviance with an exponential output (log link;
          requires ``y >= 0``).
        - 'absolute_error': ``|y - f(x)|``; predicts the conditional median.
        - 'huber': half the squared error for residuals within ``huber_epsilon``,
          linear beyond (``huber_epsilon * (|r| - huber_epsilon / 2)``): a mean that
          outliers pull less.
        - 'quantile': the pinball loss of ``quantile``; predicts that conditional
          quantile (``loss='quantile', quantile=0.9``, HistGradientBoostingRegressor's
          names).
        - a callable ``loss(y_true, y_pred, sample_weight)`` returning a scalar Tensor
          built with :mod:`skbackprop.autodiff` operations: ``y_true`` and ``y_pred``
          are Tensors of shape (batch rows, n_outputs), ``y_pred`` the network's
          output, and ``sample_weight`` is None (fit without weights) or a Tensor of
          shape (batch rows,). The engine differentiates it. It is called once per
          training graph (one graph per minibatch length, built when training starts
          and replayed for every minibatch), not once per step: compute with the
          Tensors it receives, never with their ``.value``, which would freeze the
          first batch's numbers into the graph. It must return a Tensor of size 1 that
          depends on ``y_pred``; otherwise the fit stops with a TypeError or ValueError
          before any step, leaving the estimator as it was. See the user guide's
          "Writing your own loss".

        The absolute and pinball losses have a corner where a prediction equals its
        target; their gradient there is 0 (the subgradient of smallest size, the
        engine's ``sign(0) = 0``), so a sample predicted exactly contributes no step.
        With ``solver='lbfgs'`` these two losses warn: L-BFGS models the curvature from
        gradient differences and its line search expects a smooth function, so on a
        piecewise-linear loss it tends to stop early, away from the minimum. Use a
        stochastic solver, or 'huber', whose gradient is continuous.
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
        Start ``fit`` from the previous solution.
    momentum : float, default=0.9
        Momentum of 'sgd'.
    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its R^2 stops
        improving; the best parameters are kept.
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
    quantile : float in (0, 1), default=None
        The quantile that ``loss='quantile'`` estimates (0.5 is the median); required
        with that loss and ignored by the others. The name is
        HistGradientBoostingRegressor's.
    huber_epsilon : float > 0, default=1.0
        The residual, in the targets' units, where ``loss='huber'`` turns from quadratic
        to linear; ignored by the other losses. The threshold is named after
        SGDRegressor's ``epsilon`` (the same Huber loss, a fixed threshold in target
        units), prefixed because ``epsilon`` here is Adam's, as it is in scikit-learn's
        MLP. The default 1.0 suits standardized targets (one standard deviation of
        ``y``: the ordinary residuals stay quadratic, gross errors count linearly); on
        targets in other units set it to the size of a normal residual, or scale ``y``
        (TransformedTargetRegressor). SGDRegressor's 0.1 would make most residuals of
        unscaled targets linear, which is close to 'absolute_error'.

    Attributes
    ----------
    loss_ : float
        The loss of the last epoch (stochastic solvers) or at the solution (L-BFGS),
        penalty included, as scikit-learn reports it: the squared, absolute, Huber and
        pinball losses averaged over the outputs (so for one output and no penalty,
        ``mean_absolute_error`` and ``mean_pinball_loss(alpha=quantile)`` of the
        training predictions), the Poisson deviance summed, and a callable's value as it
        returns it.
    best_loss_ : float or None
        The minimum ``loss_`` reached; None with early stopping. Stochastic solvers only.
    loss_curve_ : list of float
        ``loss_`` after each epoch. Stochastic solvers only.
    validation_scores_ : list of float or None
        R^2 on the validation split after each epoch when ``early_stopping``, else None.
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
        Number of outputs.
    out_activation_ : str
        'exp' for the Poisson loss, else 'identity'.

    See Also
    --------
    MLPClassifier : The classifier counterpart.
    sklearn.neural_network.MLPRegressor : The scikit-learn estimator this one mirrors.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.model_selection import train_test_split
    >>> from skbackprop import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=20, random_state=1)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)
    >>> regr = MLPRegressor(random_state=1, max_iter=2000, tol=0.1)
    >>> regr.fit(X_train, y_train)
    MLPRegressor(max_iter=2000, random_state=1, tol=0.1)
    >>> regr.predict(X_test[:2]).shape
    (2,)
    >>> regr.score(X_test, y_test) > 0.95
    True

    The 0.9-quantile: about 90% of the targets fall below its prediction.

    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(400, 1))
    >>> y = X.ravel() + rng.normal(scale=0.3, size=400)
    >>> q90 = MLPRegressor(loss="quantile", quantile=0.9, hidden_layer_sizes=(16,),
    ...                    learning_rate_init=0.01, max_iter=300, random_state=0)
    >>> q90 = q90.fit(X, y)
    >>> bool(0.85 < np.mean(y <= q90.predict(X)) < 0.95)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "loss": [
            StrOptions({"squared_error", "poisson", "absolute_error", "huber", "quantile"}),
            callable,
        ],
        "quantile": [Interval(Real, 0, 1, closed="neither"), None],
        "huber_epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        loss="squared_error",
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
        quantile=None,
        huber_epsilon=1.0,
    ):
        self.loss = loss
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
        self.quantile = quantile
        self.huber_epsilon = huber_epsilon

    def _training_loss(self):
        if callable(self.loss):
            return custom_loss(self.loss)
        if self.loss == "quantile":
            return LOSSES["quantile"].bind(quantile=self.quantile)
        if self.loss == "huber":
            return LOSSES["huber"].bind(epsilon=self.huber_epsilon)
        return LOSSES[self.loss]

    def _check_targets(self, y, incremental):
        if self.loss == "quantile" and self.quantile is None:
            raise ValueError(
                "loss='quantile' needs the quantile to estimate: pass e.g. quantile=0.9 "
                "(a number strictly between 0 and 1; 0.5 is the median)."
            )
        if self.solver == "lbfgs" and self.loss in ("absolute_error", "quantile"):
            warnings.warn(
                f"solver='lbfgs' with loss={self.loss!r}: the loss is not differentiable "
                "where a prediction equals its target, and L-BFGS, which assumes a smooth "
                "function, may stop early, away from the minimum. Use solver='adam' (or "
                "'sgd'), or loss='huber', whose gradient is continuous.",
                UserWarning,
                stacklevel=5,
            )
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "loss='poisson' needs y >= 0 (counts or rates); got a minimum of "
                f"{np.min(y)}. Use loss='squared_error' for targets that can be negative."
            )
        return y

    def predict(self, X):
        """Predict with the multilayer perceptron.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values, in the dtype of the parameters (float32 when trained
            on float32).
        """
        return self._predict(X)  # _forward_pass_fast checks that the model is fitted

    def score(self, X, y, sample_weight=None):
        """The coefficient of determination R^2 of the predictions on ``X`` for ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R^2 of ``self.predict(X)`` against ``y``; -inf where the squared errors
            overflow (numpy's warnings then are silenced: the value says it).
        """
        with np.errstate(over="ignore", invalid="ignore"):
            return super().score(X, y, sample_weight=sample_weight)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        if y_pred.shape[1] == 1:
            return y_pred.ravel()
        return y_pred

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, r2_score)
