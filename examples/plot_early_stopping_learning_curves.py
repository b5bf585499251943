"""
Learning curves with early stopping
===================================

With ``early_stopping=True`` :class:`~skbackprop.MLPClassifier` holds out
``validation_fraction`` of the training data, scores it after every epoch
(``validation_scores_``) and stops when that score has not improved by ``tol`` for
``n_iter_no_change`` epochs, keeping the weights of the best epoch.
:class:`~skbackprop.inspection.LossCurveDisplay` draws the training loss and the
validation score side by side.

A wide network trained on 300 digits overfits: the training loss keeps falling while the
validation accuracy levels off. Without early stopping it would train for all of
``max_iter`` epochs; with it, training ends a few epochs after the validation score stops
improving.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skbackprop import MLPClassifier
from skbackprop.inspection import LossCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16.0, y, train_size=300, stratify=y, random_state=0
)

stopped = MLPClassifier(
    hidden_layer_sizes=(256,),
    early_stopping=True,
    validation_fraction=0.2,
    n_iter_no_change=10,
    max_iter=300,
    random_state=0,
).fit(X_train, y_train)
best_epoch = stopped.validation_scores_.index(stopped.best_validation_score_) + 1
print(
    f"early stopping: {stopped.n_iter_} epochs, best validation accuracy "
    f"{stopped.best_validation_score_:.3f} at epoch {best_epoch}, "
    f"test accuracy {stopped.score(X_test, y_test):.3f}"
)

# %%
# The loss and the validation score
# ---------------------------------
# The dot marks the best validation epoch, whose weights the model keeps.

fig, ax = plt.subplots(figsize=(7, 4.5))
display = LossCurveDisplay.from_estimator(stopped, ax=ax, name="MLPClassifier")
display.ax_validation_.set_ylabel("validation accuracy")
ax.set_title("training loss and validation accuracy per epoch")
fig.tight_layout()
plt.show()
