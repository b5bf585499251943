"""
Prediction intervals from two quantile networks
===============================================

A network trained with the squared error predicts the conditional mean: one number per
input, with no word on how far the target may fall from it. Trained with the pinball loss
of a quantile ``q`` (``loss='quantile', quantile=q``, the names of scikit-learn's
HistGradientBoostingRegressor), the same :class:`~skbackprop.MLPRegressor` predicts the
conditional ``q``-quantile instead: a value the target falls below with probability ``q``.
Two such networks, at 0.1 and 0.9, bound an interval that should hold 80% of new targets.

The data are heteroscedastic: the noise grows with ``x``, so the interval must widen from
left to right, which a constant band around the mean could not do.
"""

import matplotlib.pyplot as plt
import numpy as np

from skbackprop import MLPRegressor


def make_data(n, rng):
    x = rng.uniform(0, 4, size=(n, 1))
    noise = rng.normal(size=n) * (0.1 + 0.3 * x.ravel())
    return x, np.sin(x).ravel() + noise


rng = np.random.RandomState(0)
X_train, y_train = make_data(1000, rng)
X_test, y_test = make_data(2000, rng)

common = {"hidden_layer_sizes": (16,), "learning_rate_init": 0.01, "random_state": 0}
models = {
    q: MLPRegressor(loss="quantile", quantile=q, **common).fit(X_train, y_train)
    for q in (0.1, 0.9)
}
mean = MLPRegressor(**common).fit(X_train, y_train)

low, high = models[0.1].predict(X_test), models[0.9].predict(X_test)
inside = (low <= y_test) & (y_test <= high)
print(f"held-out targets inside the 10%-90% interval: {inside.mean():.1%} (aim: 80%)")
for q, model in models.items():
    below = np.mean(y_test <= model.predict(X_test))
    print(f"below the {q:.0%} quantile network: {below:.1%}")

# %%
# The interval and the mean
# -------------------------
# Each network's ``loss_`` is scikit-learn's ``mean_pinball_loss`` of its quantile on the
# training data (plus the small weight penalty); ``score`` stays R^2, as for every
# scikit-learn regressor, which says little about a quantile model.

grid = np.linspace(0, 4, 200).reshape(-1, 1)
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.scatter(X_test[:500, 0], y_test[:500], s=6, color="0.6", label="held-out data")
ax.fill_between(
    grid.ravel(),
    models[0.1].predict(grid),
    models[0.9].predict(grid),
    alpha=0.3,
    label="10%-90% interval (two quantile MLPs)",
)
ax.plot(grid, mean.predict(grid), color="k", label="mean (squared error)")
ax.plot(grid, np.sin(grid), "--", color="tab:red", label="sin(x), the true mean")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title(f"{inside.mean():.1%} of held-out targets inside the interval")
ax.legend(loc="lower left")
fig.tight_layout()
plt.show()
