"""
Normal equation vs gradient descent
===================================

Least squares has a closed form. Setting the gradient of
:math:`J(\\theta) = \\frac{1}{2n}\\lVert X\\theta + b - y\\rVert^2` to zero gives the
normal equation :math:`X_c^\\top X_c\\,\\theta = X_c^\\top y_c` (with centered columns,
so the intercept drops out), which :class:`~skbackprop.NormalEquationRegressor` solves in
one pass over ``X`` by a Cholesky factorization.

Gradient descent reaches the same :math:`\\theta` by steps
:math:`\\theta \\leftarrow \\theta - \\eta\\,\\nabla J`. Its speed is set by the condition
number :math:`\\kappa` of :math:`X^\\top X / n`: with the largest stable step
:math:`\\eta = 1/\\lambda_{\\max}` the error shrinks by about :math:`1 - 1/\\kappa` per
step. On the standardized diabetes data :math:`\\kappa` is about 500 (two of its blood
serum features are strongly correlated) and two thousand steps get close; after adding a
feature that nearly duplicates another, :math:`\\kappa` is about :math:`10^5` and gradient
descent crawls along the flat direction, while the normal equation's answer costs the
same. (The normal equation squares the condition number of ``X``
itself; when that makes Cholesky inaccurate the estimator falls back to an SVD solve, see
``solver_``.)

The gradient is the autodiff engine's, through the fused
:func:`~skbackprop.autodiff.squared_error`, and the steps are
:class:`~skbackprop.optim.SGD` with ``momentum=0`` on the full batch.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from skbackprop import NormalEquationRegressor
from skbackprop.autodiff import Graph, Tensor, affine, squared_error
from skbackprop.optim import SGD

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()
rng = np.random.default_rng(0)
nearly_duplicate = X[:, [2]] + 0.01 * rng.standard_normal((X.shape[0], 1))
problems = {"standardized": X, "with a near-duplicate feature": np.hstack([X, nearly_duplicate])}
N_STEPS = 2000


def gradient_descent(X, y):
    """Full-batch gradient descent on the half mean squared error; loss per step."""
    n_features = X.shape[1]
    params = np.zeros(n_features + 1)
    coef = Tensor(params[:n_features].reshape(-1, 1), requires_grad=True)  # views of params
    intercept = Tensor(params[n_features:], requires_grad=True)
    graph = Graph(squared_error(affine(Tensor(X), coef, intercept), y.reshape(-1, 1)))
    step = 1.0 / np.linalg.eigvalsh(np.cov(X.T, bias=True)).max()
    optimizer = SGD(params, learning_rate=step, momentum=0.0)
    grad = np.empty_like(params)
    losses = []
    for _ in range(N_STEPS):
        losses.append(float(graph.forward()))
        graph.backward()
        grad[:n_features] = coef.grad.ravel()
        grad[n_features:] = intercept.grad
        optimizer.step(grad)
    return np.array(losses), params[:n_features]


fig, ax = plt.subplots(figsize=(7, 4.5))
for name, X_problem in problems.items():
    exact = NormalEquationRegressor().fit(X_problem, y)
    best = 0.5 * np.mean((exact.predict(X_problem) - y) ** 2)
    losses, coef = gradient_descent(X_problem, y)
    eigenvalues = np.linalg.eigvalsh(np.cov(X_problem.T, bias=True))
    kappa = eigenvalues.max() / eigenvalues.min()
    print(
        f"{name:30s} kappa {kappa:9.0f}  normal equation J = {best:.6f} ({exact.solver_}); "
        f"gradient descent after {N_STEPS} steps J - J* = {losses[-1] - best:.1e}, "
        f"max |coef difference| = {np.max(np.abs(coef - exact.coef_)):.1e}"
    )
    ax.semilogy(np.maximum(losses - best, 1e-16), label=f"{name} (kappa {kappa:.0f})")
ax.set(
    xlabel="gradient descent step",
    ylabel="J - J* (J* from the normal equation)",
    title="gradient descent approaching the normal equation's optimum",
)
ax.legend()
fig.tight_layout()
plt.show()
