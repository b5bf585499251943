"""TabularMLPClassifier and TabularMLPRegressor: inputs, parameters, fitted attributes.

Small data and few epochs: the quality of the defaults is measured by
benchmarks/bench_tabular.py, not here.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from skbackprop import TabularMLPClassifier, TabularMLPRegressor
from skbackprop.tabular._encoding import robust_scaling
from skbackprop.tabular._training import ScheduledTraining, train_tabular

FAST = {"hidden_layer_sizes": (16, 16), "max_iter": 8, "batch_size": 32, "random_state": 0}


def _frame(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "number": rng.standard_normal(n),
            "with_nan": np.where(rng.random(n) < 0.2, np.nan, rng.standard_normal(n)),
            "category": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "text": rng.choice(["u", "v"], n).astype(object),
            "string": pd.Series(rng.choice(list("abcdefghijkl"), n), dtype="string"),
            "flag": rng.random(n) < 0.5,
        }
    )
    signal = X["number"] + (X["category"] == "a") - X["flag"]
    return X, signal.to_numpy(dtype=float)


def test_dataframe_with_mixed_columns_and_missing_values():
    X, signal = _frame()
    y = np.where(signal > 0, "yes", "no")
    model = TabularMLPClassifier(**FAST).fit(X, y)
    assert list(model.classes_) == ["no", "yes"]
    assert model.encoder_.category_sizes_ == [13]  # 'string' is embedded
    new = X.head(3).copy()
    new["category"] = pd.Categorical(["zzz", None, "a"])  # unseen and missing
    new["string"] = pd.Series(["new", None, "a"], dtype="string")
    proba = model.predict_proba(new)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.feature_names_in_, X.columns)


def test_numpy_input_with_categorical_indices():
    X, signal = _frame()
    array = np.column_stack([X["number"], X["category"].cat.codes, X["with_nan"]])
    model = TabularMLPRegressor(categorical_features=[1], **FAST).fit(array, signal)
    assert model.encoder_.n_dense_ == 1 + 3  # missing indicator, one-hot of 3
    assert model.predict(array).shape == (80,)


def test_fitted_attributes_and_best_epoch():
    X, y = load_iris(return_X_y=True)
    model = TabularMLPClassifier(**FAST).fit(X, y)
    assert len(model.loss_curve_) == len(model.validation_scores_) == model.n_iter_ == 8
    assert model.validation_scores_[model.best_iteration_ - 1] == max(model.validation_scores_)
    # ties go to the later epoch
    later = list(model.validation_scores_[model.best_iteration_ :])
    assert all(s < max(model.validation_scores_) for s in later)
    model = TabularMLPClassifier(validation_fraction=0.0, **FAST).fit(X, y)
    assert model.validation_scores_ is None
    assert model.best_iteration_ is None


def test_ties_go_to_the_later_epoch():
    rng = np.random.default_rng(0)
    from skbackprop.nn import TabularNetwork

    net = TabularNetwork(
        n_numeric=1, n_dense=0, category_sizes=[], n_outputs=1, hidden_layer_sizes=(4,)
    )
    X, Y = rng.standard_normal((20, 1)), rng.standard_normal((20, 1))
    codes = np.zeros((20, 0), dtype=np.intp)
    net.initialize(rng, X, None, codes)
    settings = ScheduledTraining(3, 8, 0.01, "constant", 0.0, "constant", 0.0, "constant")
    record = train_tabular(
        net, (X, None, codes, Y, None), "squared_error", settings, rng, validation=lambda: 1.0
    )
    assert record["best_epoch"] == 3


def test_an_epoch_drops_the_short_last_minibatch(monkeypatch):
    # As the reference implementation: 120 training rows in batches of 32 are 3 steps an
    # epoch (the last 24 rows of each shuffle are skipped), and the schedules span the
    # steps taken, so the last step is at progress (S - 1) / S.
    from skbackprop.tabular import _training

    optimizers = []

    class Recorded(_training.GroupedAdam):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            optimizers.append(self)

    monkeypatch.setattr(_training, "GroupedAdam", Recorded)
    X, y = load_iris(return_X_y=True)  # 150 rows: 120 to train, 30 held out
    TabularMLPClassifier(**FAST).fit(X, y)
    (optimizer,) = optimizers
    assert optimizer.t == 8 * (120 // 32)
    assert optimizer.learning_rate_schedule.n_steps == optimizer.t
    assert optimizer.weight_decay_schedule.n_steps == optimizer.t


def test_statistics_come_from_the_training_rows_only(monkeypatch):
    # The held-out rows choose the epoch: as in the reference implementation, the
    # medians, scales, imputed values and the targets' scaling and clipping range are
    # those of the training rows. The categories are those of every row.
    from skbackprop.tabular._base import BaseTabularMLP

    splits = []
    split = BaseTabularMLP._split

    def recorded_split(self, *args):
        splits.append(split(self, *args))
        return splits[-1]

    monkeypatch.setattr(BaseTabularMLP, "_split", recorded_split)
    X, signal = _frame()
    y = 1000 + 50 * signal
    TabularMLPRegressor(**FAST).fit(X, y)
    held_out = splits[0][1]
    assert len(held_out) == 16
    X.loc[held_out[0], "string"] = "only held out"
    y[held_out[0]] = 1e6  # would move the targets' mean, scale and range
    model = TabularMLPRegressor(**FAST).fit(X, y)
    train, same_held_out = splits[1]
    np.testing.assert_array_equal(same_held_out, held_out)
    numbers = X[["number", "with_nan"]].to_numpy()
    np.testing.assert_array_equal(
        model.encoder_.numeric_center_, np.nanmedian(numbers[train], axis=0)
    )
    q1, q3 = np.nanquantile(numbers[train], [0.25, 0.75], axis=0)
    np.testing.assert_allclose(model.encoder_.numeric_factor_, 1 / (q3 - q1))
    encoder = model.encoder_  # the one-hot and missing-indicator columns, likewise
    center, factor = robust_scaling(encoder._dense_raw(X, encoder._numeric(X))[train])
    np.testing.assert_array_equal(encoder.dense_center_, center)
    np.testing.assert_array_equal(encoder.dense_factor_, factor)
    assert model.target_mean_ == y[train].mean()
    assert model.target_scale_ == y[train].std()
    assert (model.target_min_, model.target_max_) == (y[train].min(), y[train].max())
    assert "only held out" in set(model.encoder_.categories_[2])  # every row's


@pytest.mark.parametrize("clip_predictions", [True, False])
def test_held_out_rows_are_scored_on_clipped_predictions(clip_predictions):
    # As predict makes them, and as the reference implementation scores them: a
    # prediction beyond the training targets' range counts as the range's end.
    X, signal = _frame()
    y = 1000 + 50 * signal
    model = TabularMLPRegressor(clip_predictions=clip_predictions, **FAST).fit(X, y)
    ends = np.vstack([model.target_min_, model.target_max_])  # the training rows'
    ends = (ends - model.target_mean_) / model.target_scale_
    beyond = ends + np.array([[-5.0], [5.0]])
    error = model._validation_error(beyond, ends, None)
    assert error == (0.0 if clip_predictions else 5.0)


def test_classifier_holds_out_rows_stratified_by_class(monkeypatch):
    from skbackprop.tabular._base import BaseTabularMLP

    splits = []
    split = BaseTabularMLP._split

    def recorded_split(self, *args):
        splits.append(split(self, *args))
        return splits[-1]

    monkeypatch.setattr(BaseTabularMLP, "_split", recorded_split)
    X, y = load_iris(return_X_y=True)  # 50 rows of each class
    for random_state in range(3):
        TabularMLPClassifier(**{**FAST, "max_iter": 1, "random_state": random_state}).fit(X, y)
    for _, held_out in splits:
        np.testing.assert_array_equal(np.bincount(y[held_out]), [10, 10, 10])


def test_regressor_standardises_targets_and_clips_predictions():
    X, signal = _frame()
    y = 1000 + 50 * signal
    model = TabularMLPRegressor(**FAST).fit(X, y)
    prediction = model.predict(X)
    assert prediction.min() >= y.min()
    assert prediction.max() <= y.max()
    assert model.score(X, y) > 0.3
    Y = np.column_stack([y, -y])
    assert TabularMLPRegressor(**FAST).fit(X, Y).predict(X).shape == (80, 2)


def test_class_weight_is_sample_weight():
    X, y = load_iris(return_X_y=True)
    weighted = TabularMLPClassifier(class_weight={0: 3.0, 1: 1.0, 2: 1.0}, **FAST).fit(X, y)
    sample_weight = np.where(y == 0, 3.0, 1.0)
    plain = TabularMLPClassifier(**FAST).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(weighted.predict_proba(X), plain.predict_proba(X), rtol=1e-6)


def test_same_random_state_same_model_and_pickle():
    X, y = load_iris(return_X_y=True)
    a = TabularMLPClassifier(**FAST).fit(X, y)
    b = TabularMLPClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(a.network_.values, b.network_.values)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.predict_proba(X), a.predict_proba(X))


@pytest.mark.parametrize(
    "params",
    [
        {"numeric_embedding": False},
        {"scaling_layer": False},
        {"parametric_activation": False},
        {"data_init": False},
        {"robust_scale": False, "smooth_clip": False},
        {"dropout": 0.0, "weight_decay": 0.0, "label_smoothing": 0.0},
        {"learning_rate_schedule": "constant", "activation": "mish"},
    ],
)
def test_every_ingredient_can_be_switched_off(params):
    X, y = load_iris(return_X_y=True)
    model = TabularMLPClassifier(**FAST, **params).fit(X, y)
    assert model.score(X, y) > 0.6


def test_bad_input_errors():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="at least 2 classes"):
        TabularMLPClassifier(**FAST).fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="learning_rate_schedule"):
        TabularMLPClassifier(learning_rate_schedule="cosine").fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        TabularMLPRegressor(**FAST).fit(X, y[:-1])
    model = TabularMLPClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="4 features"):
        model.predict(X[:, :2])


def test_verbose_prints_epochs(capsys):
    X, y = load_iris(return_X_y=True)
    TabularMLPClassifier(verbose=1, **FAST).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 8, loss = " in out
    assert "Validation score" in out


def test_callbacks_see_one_task_per_epoch():
    from sklearn.callback import ScoringMonitor

    X, y = load_iris(return_X_y=True)
    monitor = ScoringMonitor(scoring="accuracy")
    model = TabularMLPClassifier(**FAST).set_callbacks(monitor).fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(rows) == model.n_iter_ == 8


def test_regressor_fits_values_near_float64s_limit_as_the_scaled_problem():
    # The targets' mean and standard deviation do not overflow (no RuntimeWarning), and
    # robust scaling makes X * 1e300 the same input as X: the fit is the unscaled one.
    X = np.random.RandomState(0).standard_normal((30, 3))
    y = X.sum(axis=1)
    params = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0}
    expected = TabularMLPRegressor(**params).fit(X, y).predict(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        huge = TabularMLPRegressor(**params).fit(X * 1e300, y * 1e300).predict(X * 1e300)
    np.testing.assert_allclose(huge / 1e300, expected, rtol=1e-12, atol=1e-12)
