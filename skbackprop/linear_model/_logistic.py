"""LogisticBackprop: scikit-learn's logistic regression, trained by backpropagation."""

import warnings
from contextlib import nullcontext
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets

from ..optim import AdaptiveSchedule, Plateau
from ..training import (
    SOLVERS,
    STOCHASTIC_SOLVERS,
    MeanGradientNorm,
    NetworkFitMixin,
    SolverSettings,
    TrainingHistory,
    subgradient_norm,
)
from ..utils import (
    CallbackSupportMixin,
    FitTasks,
    check_fit_input,
    check_predict_input,
    classes_of_targets,
    log_softmax_rows,
    rolls_back,
    softmax_rows,
    with_callbacks,
)
from ..utils._threadpool import numpy_blas_single_thread, scipy_blas_single_thread
from ..utils._validation import sum_is_finite
from ._logistic_objective import (
    _SKLEARN_ONLY_SOLVERS,
    partial_fit_classes,
    penalty_scales,
    resolve_penalty,
    sample_weights,
    targets,
)

__all__ = ["LogisticBackprop"]

# L-BFGS keeps 20 curvature pairs (scipy's default is 10). Each function evaluation is a
# pass over X, while a pair costs 2 vectors of n_params; on logistic losses the longer
# memory saves about a quarter of the evaluations.
LBFGS_MEMORY = 20


class LogisticBackprop(NetworkFitMixin, CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression whose gradients come from skbackprop's autodiff engine.

    The objective is scikit-learn's ``LogisticRegression``'s, for the same ``C`` and
    ``l1_ratio``::

        C * sum_i s_i * log_loss_i + (1 - l1_ratio) / 2 * ||coef||^2 + l1_ratio * ||coef||_1

    with ``s_i`` the sample weight times the class weight, the intercept not penalized,
    a sigmoid and one coefficient row for two classes, a softmax and one row per class for
    more. The model is a network with no hidden layer: its objective is
    :class:`~skbackprop.nn.MinibatchObjective`'s graph (``affine`` then the fused
    ``sigmoid_binary_cross_entropy`` or ``softmax_cross_entropy``, plus ``l2_penalty``),
    built once and replayed for every gradient, divided by ``C * sum_i s_i`` (the same
    minimizer), and it trains through :mod:`skbackprop.training` as the MLPs do.

    With the default ``solver='lbfgs'`` it converges to scikit-learn's coefficients. For
    L1 and elastic net (``l1_ratio > 0``) L-BFGS-B runs over the split
    ``coef = coef_pos - coef_neg`` with both parts bounded below by 0, which makes the L1
    term linear and the objective smooth; the projection onto the bounds sets
    coefficients exactly to 0. The minibatch solvers ('sgd', 'rmsprop', 'adam') are the
    library's optimizers; with L1 they take a proximal step
    (:func:`~skbackprop.optim.soft_threshold`) after each update, so their zeros are exact
    too, but their answer is only as close to the optimum as minibatch training gets.

    Parameters
    ----------
    penalty : {'l1', 'l2', 'elasticnet', None}, default='deprecated'
        Deprecated, as in scikit-learn 1.8+ (where it is to be removed in 1.10): it still
        works, with scikit-learn's FutureWarning, and maps as it does: 'l2' to
        ``l1_ratio=0``, 'l1' to ``l1_ratio=1``, 'elasticnet' to the given ``l1_ratio``,
        None to ``C=np.inf``. Leave it unset and use ``l1_ratio`` and ``C``.
    C : float, default=1.0
        Inverse regularization strength (> 0); ``np.inf`` means no penalty.
    l1_ratio : float, default=0.0
        The elastic-net mixing parameter in [0, 1]: 0 is the L2 penalty, 1 the L1 penalty.
        As in scikit-learn 1.8+, ``l1_ratio`` and ``C`` choose the penalty; ``None`` is
        deprecated there and here (it means 0, with a FutureWarning).
    fit_intercept : bool, default=True
        Whether to fit an intercept per coefficient row (never penalized).
    class_weight : dict or 'balanced', default=None
        Weights of the classes, multiplied into ``sample_weight``; 'balanced' uses
        ``n_samples / (n_classes * np.bincount(y))`` (weighted by ``sample_weight``).
    solver : {'lbfgs', 'sgd', 'rmsprop', 'adam'}, default='lbfgs'
        'lbfgs' minimizes the full-batch objective with scipy's L-BFGS-B (bounded for L1
        and elastic net). 'sgd' (Nesterov momentum 0.9), 'rmsprop' and 'adam' run minibatch
        epochs with :mod:`skbackprop.optim`'s optimizers; the learning rate is divided by 5
        when the epoch loss stops improving by ``tol`` for two epochs, and training stops
        when it falls below 1e-6 (a ConvergenceWarning when ``max_iter`` epochs end
        first). scikit-learn's other solvers ('liblinear', 'newton-cg', 'newton-cholesky',
        'sag', 'saga') are not implemented: they raise a ValueError naming these four.
    learning_rate_init : float, default=0.01
        Initial learning rate of the minibatch solvers (and of ``partial_fit``).
    batch_size : int or 'auto', default='auto'
        Minibatch size of the minibatch solvers; 'auto' is ``min(200, n_samples)``.
    max_iter : int, default=100
        Maximum number of L-BFGS iterations, or of epochs for the minibatch solvers.
    tol : float, default=1e-4
        L-BFGS stops when the largest gradient component is at most ``tol`` (scikit-learn's
        ``gtol``); the minibatch solvers count an epoch as an improvement when the loss
        drops by more than ``tol``.
    random_state : int, RandomState instance or None, default=None
        Shuffles the minibatches. L-BFGS does not use it.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution when the classes and features match.
    verbose : int, default=0
        Print the loss per iteration or epoch when positive.
    n_jobs : int, default=None
        No effect, as in scikit-learn 1.8+, where it is deprecated: anything but None
        warns with scikit-learn's FutureWarning.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients; one row (for ``classes_[1]``) when there are two classes. float32
        when ``X`` was: float32 data is trained in float32, as LogisticRegression
        computes it (``partial_fit`` keeps the precision of its first chunk).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (1,)
        Number of L-BFGS iterations or epochs, as scikit-learn's ``n_iter_``.
    loss_curve_ : list of float
        The objective ``J`` (the loss above divided by ``C * sum_i s_i``) after each
        iteration; for the minibatch solvers, each epoch's average minibatch objective
        (weighted by the minibatches' numbers of rows).
    gradient_norms_ : list of float
        The Euclidean norm of the gradient of ``J`` with respect to ``coef_`` and
        ``intercept_`` after each iteration (L-BFGS) or epoch (the minibatch solvers:
        the epoch's average minibatch gradient). With an L1 term, the minimum-norm
        subgradient, which is 0 exactly at the optimum: a convergence diagnostic.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The same model and objective.
    skbackprop.optim.minimize_lbfgs : The L-BFGS-B driver.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skbackprop import LogisticBackprop
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = LogisticBackprop(C=1.0).fit(X, y)
    >>> round(clf.score(X, y), 3)
    0.988
    >>> clf.predict_proba(X[:2]).round(4)
    array([[1., 0.],
           [1., 0.]])
    >>> sparse_clf = LogisticBackprop(C=0.1, l1_ratio=1.0).fit(X, y)
    >>> int((sparse_clf.coef_ == 0).sum())   # exact zeros from the L1 penalty
    22
    """

    _parameter_constraints: ClassVar[dict] = {
        "penalty": [
            StrOptions({"l1", "l2", "elasticnet"}),
            None,
            Hidden(StrOptions({"deprecated"})),
        ],
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "solver": [StrOptions(set(SOLVERS)), Hidden(StrOptions(_SKLEARN_ONLY_SOLVERS))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "n_jobs": [None, Integral],
    }

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        fit_intercept=True,
        class_weight=None,
        solver="lbfgs",
        learning_rate_init=0.01,
        batch_size="auto",
        max_iter=100,
        tol=1e-4,
        random_state=None,
        warm_start=False,
        verbose=0,
        n_jobs=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fitting
    @rolls_back
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to all of ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; sparse input is used as CSR.
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct classes).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples (times the class weights).

        Returns
        -------
        self : LogisticBackprop
            The fitted estimator.
        """
        self._penalty_strength = resolve_penalty(self)
        if self.n_jobs is not None:
            warnings.warn(
                "'n_jobs' has no effect since 1.8 and will be removed in 1.10. You provided "
                f"'n_jobs={self.n_jobs}', please leave it unspecified.",
                FutureWarning,
            )
        callback_data = X, y, sample_weight  # as passed: ScoringMonitor predicts on it
        # float32 input is trained in float32 (without a float64 copy of X) and gives
        # float32 coefficients, as LogisticRegression's.
        X, y = check_fit_input(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], order="C"
        )
        classes, y_encoded = classes_of_targets(y)
        if classes.size < 2:
            raise ValueError(
                # scikit-learn's message, then the fix.
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes[0]!r}. Pass data with two or more classes."
            )
        weights = sample_weights(self, X, y, classes, sample_weight)
        Y = targets(y_encoded, classes.size, X.dtype)
        del y_encoded  # n integers that training does not need
        warm = (
            self.warm_start
            and hasattr(self, "coef_")
            and np.array_equal(getattr(self, "classes_", None), classes)
            and self.coef_.shape[1] == X.shape[1]
        )
        self.classes_ = classes
        tasks = FitTasks(
            self,
            *callback_data,
            max_subtasks=self.max_iter,
            subtask_name="lbfgs_iteration" if self.solver == "lbfgs" else "epoch",
        )
        self._train(X, Y, weights, warm, tasks)
        tasks.finish(int(self.n_iter_[0]))
        return self

    @rolls_back
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One minibatch epoch over ``X`` and ``y``, continuing from the current model.

        The minibatch solver is ``solver`` ('adam' when ``solver='lbfgs'``, which has no
        incremental form) at ``learning_rate_init``; its state (velocity, moments)
        carries over between calls. If the call fails, the model is left as it was.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Its class labels, all of them in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            All the classes that will ever be seen; required on the first call, and then
            optional (it must not change).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : LogisticBackprop
            The updated estimator.
        """
        self._penalty_strength = resolve_penalty(self)
        callback_data = X, y, sample_weight
        first_call = not hasattr(self, "classes_")
        # Every chunk in the precision of the first (float32 or float64).
        dtype = [np.float64, np.float32] if first_call else self.coef_.dtype
        X, y = check_fit_input(
            self, X, y, accept_sparse="csr", dtype=dtype, order="C", reset=first_call
        )
        check_classification_targets(y)
        all_classes = partial_fit_classes(self, classes, first_call)
        unseen = np.setdiff1d(y, all_classes)
        if unseen.size:
            raise ValueError(
                # SGDClassifier's message (LogisticRegression has no partial_fit), then
                # which labels and the fix.
                "classes should include all valid labels that can be in y: y contains "
                f"labels {unseen.tolist()} that are not in classes {all_classes.tolist()}. "
                "Pass every label to the first partial_fit call through classes=."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs all of y at once and cannot be used with "
                "partial_fit. Pass class weights as a dict, or call fit."
            )
        y_encoded = np.searchsorted(all_classes, y)
        weights = sample_weights(self, X, y, all_classes, sample_weight)
        Y = targets(y_encoded, all_classes.size, X.dtype)
        self.classes_ = all_classes
        # One epoch: the call is one task.
        tasks = FitTasks(self, *callback_data, task_name="partial_fit")
        self._train(X, Y, weights, not first_call, tasks, incremental=True)
        tasks.finish()
        return self

    # ------------------------------------------------------------------ training
    def _train(self, X, Y, weights, warm, tasks, incremental=False):
        """Train the network with no hidden layer, ``X @ W + b`` (W of shape
        (n_features, n_outputs)), from the fitted coefficients if ``warm``; minibatch
        epochs (one if ``incremental``) unless the solver is L-BFGS."""
        l2_scale, l1_scale = penalty_scales(self._penalty_strength, weights, X.shape[0])
        # The network computes in X's precision.
        dtype = X.dtype
        Y = Y.astype(dtype, copy=False)
        weights = None if weights is None else weights.astype(dtype, copy=False)
        layer_units = [X.shape[1], Y.shape[1]]
        start = ([self.coef_.T], [self.intercept_]) if warm else None
        objective_options = {
            "loss": "binary_log_loss" if Y.shape[1] == 1 else "log_loss",
            "activation": "identity",
            "alpha": l2_scale,
        }
        if self.solver == "lbfgs" and not incremental:
            # With an L1 term, L-BFGS-B runs over W = W_pos - W_neg with both parts >= 0.
            params = self._network_parameters(
                layer_units,
                dtype,
                start,
                fit_intercept=self.fit_intercept,
                split_weights=l1_scale > 0,
            )

            def record_gradient_norm(history):
                history.gradient_norms.append(subgradient_norm(params, l1_scale))

            # A non-finite loss raises a ValueError that says what to do; numpy's overflow
            # warnings on the way would only repeat it. On sparse X the products are
            # scipy's own, one thread; BLAS has only vectors of the rows' length (the
            # bias's gradient), which OpenBLAS would still share between threads that then
            # spin beside the products.
            sparse_input = not isinstance(X, np.ndarray)
            blas = numpy_blas_single_thread() if sparse_input else nullcontext()
            with np.errstate(all="ignore"), blas:
                _, history = self._train_lbfgs(
                    params,
                    X,
                    Y,
                    weights,
                    tasks,
                    observers=[record_gradient_norm],
                    objective_options=objective_options,
                    l1_alpha=l1_scale,
                    penalty_scale=1.0,  # the scales are already those of J
                    max_corrections=LBFGS_MEMORY,
                    blas_limit=scipy_blas_single_thread(),
                )
            self._publish(params, history)
            return
        self._train_epochs(X, Y, weights, tasks, start, objective_options, l1_scale, incremental)

    def _train_epochs(self, X, Y, weights, tasks, start, objective_options, l1_scale, incremental):
        solver = self.solver if self.solver in STOCHASTIC_SOLVERS else "adam"
        settings = SolverSettings(
            solver=solver, learning_rate_init=self.learning_rate_init, learning_rate="adaptive"
        )
        params = self._network_parameters(
            [X.shape[1], Y.shape[1]],
            X.dtype,
            start,
            settings,
            continuing=incremental and start is not None,
            fit_intercept=self.fit_intercept,
        )
        # A continued optimizer's rate starts from learning_rate_init again at the end of
        # the first epoch.
        self._optimizer.schedule = AdaptiveSchedule(self.learning_rate_init)
        fit_options = {
            "objective_options": objective_options,
            "history": TrainingHistory(plateau=Plateau(self.tol)),
            "gradient_norms": MeanGradientNorm(params, l1_scale),
            "random_state": check_random_state(self.random_state),
            "incremental": incremental,
        }
        # Overflow is detected after each epoch, with a message that says what to do.
        with np.errstate(all="ignore"):
            self._train_minibatch(
                params,
                X,
                Y,
                weights,
                tasks,
                fit_options,
                solver=settings,
                shuffle=True,
                n_iter_no_change=1,  # the rate drops after two epochs without improvement
                l1_alpha=l1_scale,
                penalty_scale=1.0,
                divergence="raise",
            )

    # ------------------------------------------------------------------ fitted state
    def _fitted_state(self, params, history):
        """The fitted attributes as they stand mid-training (copies), for the callbacks."""
        return {
            "coef_": np.array(params.coef_values()[0].T, order="C"),
            "intercept_": params.intercepts[0].copy(),
            "n_iter_": np.array([history.n_iter], dtype=np.int32),
        }

    def _publish(self, params, history, early_stopping=None):
        """Set the fitted attributes from a finished training."""
        vars(self).update(self._fitted_state(params, history))  # coef_, intercept_, n_iter_
        self.loss_curve_ = history.loss_curve
        self.gradient_norms_ = history.gradient_norms

    # ------------------------------------------------------------------ prediction
    def decision_function(self, X):
        """Confidence scores: the logits ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the logit of ``classes_[1]``; otherwise one column per class.
        """
        dtype = (np.float64, np.float32)
        X = check_predict_input(self, X, accept_sparse="csr", dtype=dtype, check_finite=False)
        # NaN or infinity in X always makes a score NaN or infinite, so X is tested for
        # them only then, with scikit-learn's error (one pass over X fewer, as
        # NormalEquationRegressor.predict). Finite X whose scores overflow passes.
        with np.errstate(invalid="ignore", over="ignore"):
            scores = X @ self.coef_.T
            scores += self.intercept_
        if not sum_is_finite(scores):
            check_predict_input(self, X, accept_sparse="csr", dtype=dtype)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted class labels.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]

    def predict_proba(self, X):
        """Class probabilities: sigmoid (two classes) or softmax of the logits.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            positive = expit(scores)
            return np.column_stack([1.0 - positive, positive])
        return softmax_rows(scores)

    def predict_log_proba(self, X):
        """Log class probabilities, computed stably from the logits.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            scores = np.column_stack([np.zeros_like(scores), scores])
        return log_softmax_rows(scores)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
