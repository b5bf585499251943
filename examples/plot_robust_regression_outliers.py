"""
Robust regression: squared, absolute and Huber losses with outliers
===================================================================

Half the squared error grows with the square of a residual, so a few gross errors in the
training targets can dominate the fit: the network bends toward them and the mean it
estimates is no longer the mean of the clean data. The absolute error
(``loss='absolute_error'``) grows linearly and estimates the conditional median, which a
minority of outliers barely moves. The Huber loss (``loss='huber'``) is quadratic for
residuals up to ``huber_epsilon`` and linear beyond: the squared error's efficiency on the
ordinary points, the absolute error's indifference to the outliers.

Here 10% of the training targets are shifted by 15 to 30 units, always upward, and the
three losses are compared by R^2 on clean held-out data. ``huber_epsilon`` is in the
targets' units; its default 1.0 is well above this noise (0.1) and far below the outliers.
"""

import matplotlib.pyplot as plt
import numpy as np

from skbackprop import MLPRegressor

rng = np.random.RandomState(0)
X_train = rng.uniform(-2, 2, size=(500, 1))
y_train = np.sin(2 * X_train).ravel() + 0.1 * rng.normal(size=500)
outliers = rng.choice(500, size=50, replace=False)
y_train[outliers] += rng.uniform(15, 30, size=50)
X_test = np.linspace(-2, 2, 300).reshape(-1, 1)
y_test = np.sin(2 * X_test).ravel()

models = {}
for loss in ("squared_error", "absolute_error", "huber"):
    models[loss] = MLPRegressor(
        loss=loss,
        hidden_layer_sizes=(32,),
        learning_rate_init=0.01,
        max_iter=1000,
        random_state=0,
    ).fit(X_train, y_train)
    print(f"{loss:>15}: R^2 on clean held-out data {models[loss].score(X_test, y_test):.3f}")

# %%
# The three fits
# --------------
# The squared error's fit is lifted by the outliers' pull (about 2 units: 10% of
# +20); the other two follow the clean curve. The right panel zooms on the data.

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
for ax, ylim in zip(axes, [None, (-1.5, 3.5)]):
    ax.scatter(X_train[:, 0], y_train, s=6, color="0.6", label="training data")
    for loss, model in models.items():
        ax.plot(X_test, model.predict(X_test), label=loss)
    ax.plot(X_test, y_test, "--", color="k", label="sin(2x), clean")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("x")
axes[0].set_title("all training targets (10% outliers)")
axes[1].set_title("zoomed on the clean data")
axes[1].legend(loc="upper left")
fig.tight_layout()
plt.show()
