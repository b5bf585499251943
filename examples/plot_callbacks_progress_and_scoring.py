"""
A progress bar and a validation curve with scikit-learn's callbacks
===================================================================

scikit-learn 1.9 has callbacks (:mod:`sklearn.callback`): objects that are told when each
task of a fit begins and ends. :class:`~skbackprop.MLPClassifier` reports every epoch as a
task, so two of scikit-learn's ready-made callbacks work with it unchanged:

- ``ProgressBar`` draws one bar per fit, advancing with each epoch (it needs ``rich``:
  ``pip install "skbackprop[callbacks]"``);
- ``ScoringMonitor`` scores the model as it stands after every epoch and keeps the scores.

``ScoringMonitor`` scores on the data given to ``fit``. A dict of scorers can hold a
scorer that ignores that data and scores a held-out set instead: the curve below is the
validation accuracy of a network trained on 300 digits, epoch by epoch, without early
stopping and without a hand-written training loop.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skbackprop import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(
    X / 16.0, y, train_size=300, stratify=y, random_state=0
)


def validation_accuracy(model, X, y):
    """Score the model of this epoch on the held-out digits (not on ``X``)."""
    return model.score(X_val, y_val)


monitor = ScoringMonitor(scoring={"train": "accuracy", "validation": validation_accuracy})
model = MLPClassifier(hidden_layer_sizes=(32,), max_iter=40, tol=0, random_state=0)
model.set_callbacks(ProgressBar(), monitor)
with warnings.catch_warnings():
    # All max_iter epochs run on purpose (tol=0): the curve is the point, not convergence.
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(X_train, y_train)

# %%
# The monitor's log has one row per task: one per epoch, and one for the whole fit (the
# fitted model). The last epoch's score is the fitted model's.
rows = monitor.get_logs().data
epochs = [row for row in rows if row["task_name"] == "epoch"]
print(f"{len(epochs)} epochs scored; n_iter_ = {model.n_iter_}")
print(
    f"last epoch: validation accuracy {epochs[-1]['validation']:.3f}; "
    f"fitted model: {model.score(X_val, y_val):.3f}"
)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot([row["task_id"] + 1 for row in epochs], [row["train"] for row in epochs], label="train")
ax.plot(
    [row["task_id"] + 1 for row in epochs],
    [row["validation"] for row in epochs],
    label="validation",
)
ax.set_xlabel("epoch")
ax.set_ylabel("accuracy")
ax.set_title("ScoringMonitor on MLPClassifier, after every epoch")
ax.legend()
fig.tight_layout()
plt.show()
