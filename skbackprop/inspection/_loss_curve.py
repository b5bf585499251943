"""The training loss per epoch, and the validation score beside it, in scikit-learn's
Display style: ``from_estimator`` reads a fitted estimator, ``plot`` draws, and the
matplotlib objects are kept as attributes for the user to restyle. A Gaussian mixture's
curve is the EM lower bound per iteration, which EM raises where training lowers a loss.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import _is_fitted

from ._forward_graph import _final_step

__all__ = ["LossCurveDisplay"]

TRAINING_LOSS = "training loss"
EM_LOWER_BOUND = "EM lower bound (mean log-likelihood)"


def _pyplot():
    # Lazy: matplotlib is an optional extra, and importing it costs time.
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "LossCurveDisplay draws with matplotlib, which is not installed. Install it with "
            '`pip install matplotlib` (or `pip install "skbackprop[examples]"`).'
        ) from exc
    return plt


def _as_curve(values, what):
    curve = np.asarray(values, dtype=float)
    if curve.ndim != 1 or curve.size == 0:
        raise ValueError(
            f"{what} must be a non-empty 1-D sequence of numbers (one per iteration); got "
            f"shape {curve.shape}."
        )
    return curve


def _no_curve(estimator, final):
    """The error for a ``final`` step that recorded no curve: what is missing and the fix."""
    if final is estimator:
        who = type(final).__name__
    else:
        # A final step may be 'passthrough' or None, which have no class to name.
        name = type(final).__name__ if hasattr(final, "fit") else repr(final)
        who = f"The Pipeline's final step {name}"
    if not hasattr(final, "fit"):
        return ValueError(
            f"{who} is not an estimator: LossCurveDisplay draws the curve a fitted "
            "estimator recorded."
        )
    # scikit-learn's rule of check_is_fitted without attribute names, which check_is_fitted
    # applies only to estimators that have scikit-learn's tags: any object that records a
    # curve is drawn, so any object is asked.
    if not _is_fitted(final):
        return NotFittedError(f"{who} is not fitted yet: call fit before drawing its curve.")
    if hasattr(final, "hidden_layer_sizes") and getattr(final, "solver", None) == "lbfgs":
        return ValueError(
            f"{who} was fitted with solver='lbfgs', which records no loss_curve_ (as in "
            "scikit-learn): fit it with solver='sgd', 'adam' or 'rmsprop' to get one loss "
            "per epoch."
        )
    return ValueError(
        f"{who} records no curve to draw: LossCurveDisplay draws loss_curve_ (the training "
        "loss per iteration of the MLPs and LogisticBackprop) or lower_bounds_ (the EM "
        "lower bound per iteration of GaussianMixtureEM)."
    )


class LossCurveDisplay:
    """Training loss per iteration and, if recorded, the validation score per iteration.

    Create it with :meth:`from_estimator` from a fitted estimator that records
    ``loss_curve_`` (:class:`~skbackprop.MLPClassifier` and
    :class:`~skbackprop.MLPRegressor` with a stochastic solver,
    :class:`~skbackprop.LogisticBackprop`, or scikit-learn's MLPs), ``lower_bounds_``
    (:class:`~skbackprop.GaussianMixtureEM`, or scikit-learn's GaussianMixture), or a
    fitted :class:`~sklearn.pipeline.Pipeline` ending in one of them; or directly from the
    numbers and then call :meth:`plot`. The curve is drawn against the iteration
    (``n_iter_`` counts them: an epoch for the stochastic solvers, an L-BFGS step for
    LogisticBackprop's default solver, an E-step and M-step for EM) on the left axis;
    ``validation_scores_`` (recorded with ``early_stopping=True``) on a second y axis on
    the right, sharing the iterations, with the best one marked.

    Parameters
    ----------
    loss_curve : array-like of shape (n_iter,)
        The training loss after each iteration (epoch), or the value of whatever
        ``curve_label`` names.
    validation_scores : array-like of shape (n_iter,), default=None
        The validation score after each iteration, or None.
    estimator_name : str, default=None
        Used in the legend.
    curve_label : str, default=None
        What ``loss_curve`` holds: the y axis's label, and the legend's after the
        estimator's name. None means ``"training loss"``; :meth:`from_estimator` sets
        ``"EM lower bound (mean log-likelihood)"`` for a Gaussian mixture.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes of the loss curve.
    figure_ : matplotlib Figure
        The figure that holds ``ax_``.
    line_ : matplotlib Line2D
        The loss curve.
    ax_validation_ : matplotlib Axes or None
        The right-hand axes of the validation scores (a twin of ``ax_``), or None.
    validation_line_ : matplotlib Line2D or None
        The validation curve, or None.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against training-set size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skbackprop import MLPClassifier
    >>> from skbackprop.inspection import LossCurveDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True, n_iter_no_change=3,
    ...                     random_state=0).fit(X / 16, y)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> len(display.line_.get_xdata()) == clf.n_iter_
    True
    >>> display.validation_line_ is not None
    True

    A Gaussian mixture's curve is the lower bound that each EM iteration raises:

    >>> from skbackprop import GaussianMixtureEM
    >>> gmm = GaussianMixtureEM(n_components=3, random_state=0).fit(X[:300])
    >>> display = LossCurveDisplay.from_estimator(gmm)
    >>> display.ax_.get_ylabel()
    'EM lower bound (mean log-likelihood)'
    >>> len(display.line_.get_xdata()) == gmm.n_iter_
    True
    """

    def __init__(
        self, *, loss_curve, validation_scores=None, estimator_name=None, curve_label=None
    ):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name
        self.curve_label = curve_label

    def plot(self, ax=None, *, name=None, loss_kw=None, validation_kw=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw the loss; a new figure and axes when None.
        name : str, default=None
            Legend label of the loss curve; defaults to ``estimator_name``.
        loss_kw : dict, default=None
            Keyword arguments for ``ax.plot`` of the loss curve.
        validation_kw : dict, default=None
            Keyword arguments for the ``plot`` of the validation scores.

        Returns
        -------
        display : LossCurveDisplay
            This object, with ``ax_``, ``figure_``, ``line_``, ``ax_validation_`` and
            ``validation_line_`` set.
        """
        plt = _pyplot()
        loss = _as_curve(self.loss_curve, "loss_curve")
        scores = None
        if self.validation_scores is not None:
            scores = _as_curve(self.validation_scores, "validation_scores")
            if scores.shape != loss.shape:
                raise ValueError(
                    f"validation_scores has {scores.size} values but loss_curve has "
                    f"{loss.size}; both need one value per epoch."
                )
        if ax is None:
            _, ax = plt.subplots()
        name = self.estimator_name if name is None else name
        what = TRAINING_LOSS if self.curve_label is None else self.curve_label
        epochs = np.arange(1, loss.size + 1)

        loss_kw = {
            "color": "tab:blue",
            "label": f"{name} {what}" if name else what,
            **(loss_kw or {}),
        }
        (self.line_,) = ax.plot(epochs, loss, **loss_kw)
        ax.set_xlabel("iteration")
        ax.set_ylabel(what)
        handles = [self.line_]

        self.ax_validation_ = None
        self.validation_line_ = None
        if scores is not None:
            twin = ax.twinx()
            validation_kw = {
                "color": "tab:orange",
                "label": "validation score",
                **(validation_kw or {}),
            }
            (self.validation_line_,) = twin.plot(epochs, scores, **validation_kw)
            best = int(np.argmax(scores))
            twin.plot(
                epochs[best],
                scores[best],
                marker="o",
                linestyle="none",
                color=self.validation_line_.get_color(),
            )
            twin.set_ylabel("validation score")
            self.ax_validation_ = twin
            handles.append(self.validation_line_)
        ax.legend(handles=handles, loc="center right")

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, loss_kw=None, validation_kw=None):
        """Draw the loss curve (and validation scores) of a fitted estimator.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
            An estimator with a ``loss_curve_`` attribute, drawn as the training loss with
            ``validation_scores_`` beside it when present and not None; or, without
            ``loss_curve_``, with ``lower_bounds_``, drawn as the EM lower bound. A
            fitted :class:`~sklearn.pipeline.Pipeline` is drawn through its final step.
        ax : matplotlib Axes, default=None
            Where to draw the loss; a new figure and axes when None.
        name : str, default=None
            Legend label; defaults to the class name of the estimator (of a Pipeline's
            final step).
        loss_kw, validation_kw : dict, default=None
            Keyword arguments for the two ``plot`` calls.

        Returns
        -------
        display : LossCurveDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator (a Pipeline's final step) is not fitted.
        ValueError
            If it is fitted but recorded no curve (an MLP fitted with ``solver='lbfgs'``,
            or an estimator that keeps neither ``loss_curve_`` nor ``lower_bounds_``).
        """
        _pyplot()  # fail before any work when matplotlib is missing
        final, _ = _final_step(estimator)
        validation_scores = None
        curve_label = TRAINING_LOSS
        curve = getattr(final, "loss_curve_", None)
        if curve is not None:
            validation_scores = getattr(final, "validation_scores_", None)
        else:
            curve = getattr(final, "lower_bounds_", None)
            curve_label = EM_LOWER_BOUND
        if curve is None:
            raise _no_curve(estimator, final)
        display = cls(
            loss_curve=curve,
            validation_scores=validation_scores,
            estimator_name=type(final).__name__ if name is None else name,
            curve_label=curve_label,
        )
        return display.plot(ax=ax, loss_kw=loss_kw, validation_kw=validation_kw)
