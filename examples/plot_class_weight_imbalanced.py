"""
Class weights on an imbalanced classification
=============================================

When one class is rare, the cross-entropy is dominated by the common one: a network can
reach a low loss by hardly ever predicting the rare class. ``class_weight='balanced'``
multiplies each sample's loss by ``n_samples / (n_classes * n_c)`` for its class ``c``,
so both classes weigh the same in total, as in scikit-learn's ``LogisticRegression``. It is
the same fit as passing ``sample_weight=compute_sample_weight('balanced', y)``.
scikit-learn's own MLPClassifier has no ``class_weight``.

The figure shows held-out confusion matrices of the same network trained without and
with class weights on data where 1 sample in 12 is of the rare class: the weights trade
precision for recall on the rare class.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.metrics import ConfusionMatrixDisplay, precision_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import MLPClassifier

X, y = make_classification(
    n_samples=2000,
    n_features=10,
    n_informative=4,
    weights=[11 / 12, 1 / 12],
    class_sep=0.6,
    flip_y=0.02,
    random_state=1,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, stratify=y, test_size=0.5, random_state=0
)

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, class_weight in zip(axes, [None, "balanced"]):
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=(16,),
            class_weight=class_weight,
            max_iter=1000,
            random_state=0,
        ),
    ).fit(X_train, y_train)
    y_pred = model.predict(X_test)
    recall = recall_score(y_test, y_pred)
    precision = precision_score(y_test, y_pred, zero_division=0)
    print(
        f"class_weight={class_weight!s:8s}  rare class: recall {recall:.2f}, "
        f"precision {precision:.2f}"
    )
    ConfusionMatrixDisplay.from_predictions(
        y_test, y_pred, display_labels=["common", "rare"], colorbar=False, ax=ax
    )
    ax.set_title(
        f"class_weight={class_weight!r}\nrare class: recall {recall:.2f}, "
        f"precision {precision:.2f}",
        fontsize=10,
    )
fig.tight_layout()
plt.show()
