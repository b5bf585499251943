"""LossCurveDisplay: what it draws is the estimator's record, on the axes it was given."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop.inspection import LossCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class FittedWithCurves:
    """A stand-in for any estimator that records a loss per epoch."""

    def __init__(self, loss_curve, validation_scores=None):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores

    def fit(self, X=None, y=None):
        self.loss_curve_ = list(self.loss_curve)
        if self.validation_scores is not None:
            self.validation_scores_ = list(self.validation_scores)
        return self


def test_loss_curve_drawn_against_epochs_on_a_new_figure():
    est = FittedWithCurves([3.0, 2.0, 1.5, 1.25]).fit()
    display = LossCurveDisplay.from_estimator(est)
    np.testing.assert_array_equal(display.line_.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(display.line_.get_ydata(), est.loss_curve_)
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "iteration"
    assert display.ax_validation_ is None
    assert display.validation_line_ is None
    assert "FittedWithCurves" in display.line_.get_label()


def test_validation_scores_on_a_twin_axis_with_the_best_epoch_marked():
    est = FittedWithCurves([3.0, 2.0, 1.5], validation_scores=[0.5, 0.8, 0.7]).fit()
    display = LossCurveDisplay.from_estimator(est)
    twin = display.ax_validation_
    assert twin is not None
    assert twin is not display.ax_
    assert twin.get_shared_x_axes().joined(twin, display.ax_)
    np.testing.assert_array_equal(display.validation_line_.get_ydata(), [0.5, 0.8, 0.7])
    marker = [line for line in twin.get_lines() if line is not display.validation_line_]
    assert len(marker) == 1
    np.testing.assert_array_equal(marker[0].get_xydata(), [[2, 0.8]])


def test_draws_on_the_given_axes_with_the_given_style():
    fig, ax = plt.subplots()
    est = FittedWithCurves([1.0, 0.5]).fit()
    display = LossCurveDisplay.from_estimator(
        est, ax=ax, name="mine", loss_kw={"color": "black", "linestyle": "--"}
    )
    assert display.ax_ is ax
    assert display.figure_ is fig
    assert display.line_.get_label() == "mine training loss"
    assert display.line_.get_linestyle() == "--"
    assert ax.get_lines() == [display.line_]


def test_plot_from_numbers_and_replot_elsewhere():
    display = LossCurveDisplay(loss_curve=[2.0, 1.0, 0.5], estimator_name="net")
    first = display.plot()
    assert first is display
    _, other_ax = plt.subplots()
    display.plot(ax=other_ax)
    assert display.ax_ is other_ax
    np.testing.assert_array_equal(display.line_.get_ydata(), [2.0, 1.0, 0.5])


def test_unfitted_or_lbfgs_estimator_is_a_clear_error():
    from skbackprop import MLPRegressor

    with pytest.raises(NotFittedError, match="FittedWithCurves is not fitted yet: call fit"):
        LossCurveDisplay.from_estimator(FittedWithCurves([1.0]))
    X, y = load_diabetes(return_X_y=True)
    reg = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y / 100)
    with pytest.raises(ValueError, match="fitted with solver='lbfgs', which records no loss"):
        LossCurveDisplay.from_estimator(reg)


def test_an_estimator_that_records_no_curve_is_told_what_is_drawn():
    from skbackprop import NormalEquationRegressor

    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(
        ValueError,
        match=r"NormalEquationRegressor records no curve to draw: LossCurveDisplay draws "
        r"loss_curve_ .* or lower_bounds_",
    ):
        LossCurveDisplay.from_estimator(NormalEquationRegressor().fit(X, y))


def test_a_pipeline_is_drawn_through_its_final_step():
    from skbackprop import MLPClassifier

    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=(8,), early_stopping=True, n_iter_no_change=2, random_state=0
        ),
    ).fit(X, y)
    display = LossCurveDisplay.from_estimator(pipe)
    np.testing.assert_allclose(display.line_.get_ydata(), pipe[-1].loss_curve_)
    np.testing.assert_allclose(display.validation_line_.get_ydata(), pipe[-1].validation_scores_)
    assert display.line_.get_label() == "MLPClassifier training loss"


def test_a_pipeline_whose_final_step_has_no_curve_says_so():
    from skbackprop import MLPRegressor, NormalEquationRegressor

    X, y = load_diabetes(return_X_y=True)
    unfitted = make_pipeline(StandardScaler(), MLPRegressor())
    with pytest.raises(
        NotFittedError, match="The Pipeline's final step MLPRegressor is not fitted yet"
    ):
        LossCurveDisplay.from_estimator(unfitted)
    closed_form = make_pipeline(StandardScaler(), NormalEquationRegressor()).fit(X, y)
    with pytest.raises(
        ValueError, match="The Pipeline's final step NormalEquationRegressor records no curve"
    ):
        LossCurveDisplay.from_estimator(closed_form)
    passthrough = make_pipeline(StandardScaler(), "passthrough").fit(X)
    with pytest.raises(
        ValueError, match="The Pipeline's final step 'passthrough' is not an estimator"
    ):
        LossCurveDisplay.from_estimator(passthrough)


@pytest.mark.parametrize("make_mixture", ["skbackprop", "scikit-learn"])
def test_a_gaussian_mixture_is_drawn_as_its_em_lower_bound(make_mixture):
    from sklearn.mixture import GaussianMixture

    from skbackprop import GaussianMixtureEM

    mixture = GaussianMixtureEM if make_mixture == "skbackprop" else GaussianMixture
    X, _ = load_iris(return_X_y=True)
    gmm = mixture(n_components=3, random_state=0).fit(X)
    display = LossCurveDisplay.from_estimator(gmm)
    np.testing.assert_allclose(display.line_.get_ydata(), gmm.lower_bounds_)
    assert len(display.line_.get_xdata()) == gmm.n_iter_
    assert display.ax_.get_ylabel() == "EM lower bound (mean log-likelihood)"
    name = type(gmm).__name__
    assert display.line_.get_label() == f"{name} EM lower bound (mean log-likelihood)"
    assert display.validation_line_ is None
    # Nothing about losses or solvers: EM has neither.
    assert "loss" not in display.ax_.get_ylabel()
    with pytest.raises(NotFittedError, match=f"{name} is not fitted yet"):
        LossCurveDisplay.from_estimator(mixture(n_components=3))


def test_the_curve_label_names_the_y_axis_and_the_legend():
    display = LossCurveDisplay(loss_curve=[1.0, 0.5], estimator_name="net", curve_label="cost")
    display.plot()
    assert display.ax_.get_ylabel() == "cost"
    assert display.line_.get_label() == "net cost"
    default = LossCurveDisplay(loss_curve=[1.0, 0.5]).plot()
    assert default.ax_.get_ylabel() == "training loss"
    assert default.line_.get_label() == "training loss"


@pytest.mark.parametrize(
    ("loss_curve", "validation_scores", "message"),
    [
        ([], None, "loss_curve must be a non-empty 1-D"),
        ([[1.0, 2.0]], None, "loss_curve must be a non-empty 1-D"),
        ([1.0, 2.0], [0.5], "validation_scores has 1 values but loss_curve has 2"),
    ],
)
def test_bad_curves_are_clear_errors(loss_curve, validation_scores, message):
    display = LossCurveDisplay(loss_curve=loss_curve, validation_scores=validation_scores)
    with pytest.raises(ValueError, match=message):
        display.plot()


def test_missing_matplotlib_names_the_fix(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    est = FittedWithCurves([1.0]).fit()
    with pytest.raises(ImportError, match="pip install matplotlib"):
        LossCurveDisplay.from_estimator(est)


def test_real_mlp_classifier_with_early_stopping():
    from skbackprop import MLPClassifier

    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        n_iter_no_change=2,
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 200  # stopped early: the curves are the whole record
    display = LossCurveDisplay.from_estimator(clf)
    np.testing.assert_allclose(display.line_.get_ydata(), clf.loss_curve_)
    np.testing.assert_allclose(display.validation_line_.get_ydata(), clf.validation_scores_)
    assert len(display.line_.get_xdata()) == clf.n_iter_


def test_real_mlp_regressor_without_validation():
    from skbackprop import MLPRegressor

    X, y = load_diabetes(return_X_y=True)
    reg = MLPRegressor(hidden_layer_sizes=(8,), solver="adam", max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y / 100)
    display = LossCurveDisplay.from_estimator(reg)
    np.testing.assert_allclose(display.line_.get_ydata(), reg.loss_curve_)
    assert display.validation_line_ is None


def test_logistic_backprop_lbfgs_records_its_iterations():
    from skbackprop import LogisticBackprop

    X, y = load_iris(return_X_y=True)
    clf = LogisticBackprop(max_iter=500).fit(X, y)
    display = LossCurveDisplay.from_estimator(clf)
    np.testing.assert_allclose(display.line_.get_ydata(), clf.loss_curve_)
    assert display.line_.get_ydata()[-1] < display.line_.get_ydata()[0]
