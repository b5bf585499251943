"""The training loss per epoch, and the validation score beside it, in scikit-learn's
Display style: ``from_estimator`` reads a fitted estimator, ``plot`` draws, and the
matplotlib objects are kept as attributes for the user to restyle.
"""

import numpy as np

__all__ = ["LossCurveDisplay"]


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
            f"{what} must be a non-empty 1-D sequence of numbers (one per epoch); got "
            f"shape {curve.shape}. Fit the estimator with a stochastic solver first."
        )
    return curve


class LossCurveDisplay:
    """Training loss per epoch and, if recorded, the validation score per epoch.

    Create it with :meth:`from_estimator` from a fitted estimator that records
    ``loss_curve_`` (:class:`~skbackprop.MLPClassifier`,
    :class:`~skbackprop.MLPRegressor`, :class:`~skbackprop.LogisticBackprop` with a
    minibatch solver, or scikit-learn's MLPs), or directly from the numbers and then call
    :meth:`plot`. The loss is drawn against the iteration (``n_iter_`` counts them: an epoch
    for the stochastic solvers, an L-BFGS step for LogisticBackprop's default solver) on the
    left axis; ``validation_scores_`` (recorded with ``early_stopping=True``) on a second y
    axis on the right, sharing the iterations, with the best one marked.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        The training loss after each iteration (epoch).
    validation_scores : array-like of shape (n_epochs,), default=None
        The validation score after each iteration, or None.
    estimator_name : str, default=None
        Used in the legend.

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
    """

    def __init__(self, *, loss_curve, validation_scores=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name

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
        epochs = np.arange(1, loss.size + 1)

        loss_kw = {
            "color": "tab:blue",
            "label": f"{name} training loss" if name else "training loss",
            **(loss_kw or {}),
        }
        (self.line_,) = ax.plot(epochs, loss, **loss_kw)
        ax.set_xlabel("iteration")
        ax.set_ylabel("training loss")
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
        estimator : fitted estimator
            Any object with a ``loss_curve_`` attribute; ``validation_scores_`` is drawn
            when present and not None.
        ax : matplotlib Axes, default=None
            Where to draw the loss; a new figure and axes when None.
        name : str, default=None
            Legend label; defaults to the estimator's class name.
        loss_kw, validation_kw : dict, default=None
            Keyword arguments for the two ``plot`` calls.

        Returns
        -------
        display : LossCurveDisplay
        """
        _pyplot()  # fail before any work when matplotlib is missing
        loss_curve = getattr(estimator, "loss_curve_", None)
        if loss_curve is None:
            raise ValueError(
                f"{type(estimator).__name__} has no loss_curve_: fit it first, with a "
                "solver that records one loss per iteration (the MLPs keep none with "
                "solver='lbfgs': use 'sgd', 'adam' or 'rmsprop')."
            )
        display = cls(
            loss_curve=loss_curve,
            validation_scores=getattr(estimator, "validation_scores_", None),
            estimator_name=type(estimator).__name__ if name is None else name,
        )
        return display.plot(ax=ax, loss_kw=loss_kw, validation_kw=validation_kw)
