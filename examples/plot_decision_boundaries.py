"""
Decision boundaries of MLPClassifier and LogisticBackprop
=========================================================

Logistic regression is a network with no hidden layer: one affine map and a sigmoid, so
its decision boundary :math:`w^\\top x + b = 0` is a straight line whatever the data.
A hidden layer of ReLU units bends it. Both estimators are trained by the same autodiff
engine; the figure shades each one's predicted probability of the second class on three
toy data sets.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles, make_classification, make_moons
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import LogisticBackprop, MLPClassifier

datasets = {
    "moons": make_moons(n_samples=300, noise=0.2, random_state=0),
    "circles": make_circles(n_samples=300, noise=0.1, factor=0.5, random_state=1),
    "linearly separable": make_classification(
        n_samples=300,
        n_features=2,
        n_redundant=0,
        n_informative=2,
        class_sep=1.5,
        n_clusters_per_class=1,
        random_state=2,
    ),
}
models = {
    "LogisticBackprop": lambda: make_pipeline(StandardScaler(), LogisticBackprop()),
    "MLPClassifier (32, 32)": lambda: make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(32, 32), max_iter=1000, random_state=0),
    ),
}

fig, axes = plt.subplots(len(models), len(datasets), figsize=(12, 7.5), sharex="col")
for col, (data_name, (X, y)) in enumerate(datasets.items()):
    pad = 0.5
    xx, yy = np.meshgrid(
        np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, 200),
        np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, 200),
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    for row, (model_name, make_model) in enumerate(models.items()):
        model = make_model().fit(X, y)
        proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
        ax = axes[row, col]
        ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.7)
        ax.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=12)
        accuracy = model.score(X, y)
        ax.set_title(f"{model_name}\n{data_name}: training accuracy {accuracy:.2f}", fontsize=9)
        print(f"{model_name:24s} {data_name:20s} training accuracy {accuracy:.3f}")
        ax.set_xticks(())
        ax.set_yticks(())
fig.tight_layout()
plt.show()
