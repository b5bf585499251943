"""
A strong MLP by default on a table with categories and missing values
=====================================================================

Gradient boosting is the usual first choice on tabular data because it works at its
defaults: it reads categorical columns and missing values as they are, and needs no
feature scaling. :class:`~skbackprop.TabularMLPRegressor` brings the same convenience to a
neural network, with the RealMLP-TD recipe (robust scaling and smooth clipping, one-hot
or embedded categories, periodic embeddings of numbers, parametric activations, scheduled
Adam with weight decay, the best epoch on a held-out fifth; see the
:ref:`user guide <tabular_mlp>`).

Here both predict the fuel consumption of the cars of the vega_datasets ``cars`` table:
``Origin`` is a categorical column (pandas ``category`` dtype, picked up by
``categorical_features='from_dtype'``, the default of both estimators) and
``Horsepower`` has missing values. Each is fitted at its defaults on the same 5 random
80/20 splits; the figure shows the test RMSE of each split.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import train_test_split
from vega_datasets import data

from skbackprop import TabularMLPRegressor

cars = data.cars().dropna(subset=["Miles_per_Gallon"])
y = cars.pop("Miles_per_Gallon")
X = cars.drop(columns="Name").assign(
    Year=pd.to_datetime(cars["Year"]).dt.year,
    Origin=cars["Origin"].astype("category"),
)
print(X.dtypes.to_string())
print("missing Horsepower values:", X["Horsepower"].isna().sum())

models = {
    "TabularMLPRegressor": lambda seed: TabularMLPRegressor(random_state=seed),
    "HistGradientBoosting": lambda seed: HistGradientBoostingRegressor(
        categorical_features="from_dtype", random_state=seed
    ),
}
errors = {name: [] for name in models}
for seed in range(5):
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=seed)
    for name, make in models.items():
        model = make(seed).fit(X_train, y_train)
        errors[name].append(root_mean_squared_error(y_test, model.predict(X_test)))

for name, values in errors.items():
    print(f"{name:22s} test RMSE {np.mean(values):.2f} +- {np.std(values):.2f} mpg")

fig, ax = plt.subplots(figsize=(6, 3.5))
for i, values in enumerate(errors.values()):
    ax.scatter(np.full(len(values), i), values, alpha=0.7)
    ax.hlines(np.mean(values), i - 0.2, i + 0.2, color="black")
ax.set_xticks(range(len(errors)), list(errors))
ax.set_ylabel("test RMSE (miles per gallon)")
ax.set_title("Five random splits of the cars table, both at their defaults")
fig.tight_layout()
plt.show()
