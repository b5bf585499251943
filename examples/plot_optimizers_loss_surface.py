"""
Optimizers compared on one loss surface
=======================================

Plain gradient descent, momentum, RMSProp and Adam from :mod:`skbackprop.optim` start
from the same point of a narrow curved valley, the Rosenbrock-like function

.. math::

    f(a, b) = (1 - a)^2 + 10\\,(b - a^2)^2,

whose minimum is at :math:`(1, 1)`. Every gradient comes from :mod:`skbackprop.autodiff`:
the function is one :class:`~skbackprop.autodiff.Graph` over a parameter Tensor that *is*
the optimizer's flat buffer, so after each in-place update ``forward()`` and ``backward()``
replay the same graph.

Gradient descent has to take small steps (the valley's walls are steep) and crawls along
its floor; momentum builds up speed along the floor and overshoots; RMSProp and Adam
divide each coordinate's step by the size of its recent gradients, so the steep and the
flat directions advance alike.
"""

import matplotlib.pyplot as plt
import numpy as np

from skbackprop.autodiff import Graph, Tensor
from skbackprop.optim import SGD, Adam, RMSProp

START = np.array([-1.5, 2.0])
N_STEPS = 300


def valley(w):
    """The loss as a graph of autodiff operations on the 2-vector Tensor ``w``."""
    a, b = w[0], w[1]
    return (1 - a) ** 2 + 10 * (b - a**2) ** 2


def run(make_optimizer):
    """Optimize from START; return the path of the parameters and the losses."""
    params = START.copy()
    w = Tensor(params, requires_grad=True)  # not a copy: the optimizer updates it in place
    graph = Graph(valley(w))
    optimizer = make_optimizer(params)
    path, losses = [params.copy()], []
    for _ in range(N_STEPS):
        losses.append(float(graph.forward()))
        graph.backward()
        optimizer.step(w.grad)
        path.append(params.copy())
    return np.array(path), np.array(losses)


optimizers = {
    "gradient descent (lr 0.01)": lambda p: SGD(p, learning_rate=0.01, momentum=0.0),
    "momentum 0.9 (lr 0.002)": lambda p: SGD(p, learning_rate=0.002, momentum=0.9, nesterov=False),
    "RMSProp (lr 0.02)": lambda p: RMSProp(p, learning_rate=0.02),
    "Adam (lr 0.1)": lambda p: Adam(p, learning_rate=0.1),
}
results = {name: run(make) for name, make in optimizers.items()}

for name, (path, losses) in results.items():
    print(
        f"{name:28s} final point ({path[-1, 0]: .3f}, {path[-1, 1]: .3f}), loss {losses[-1]:.2e}"
    )

# %%
# The paths over the loss surface, and the loss per step
# ------------------------------------------------------

a_grid, b_grid = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
surface = (1 - a_grid) ** 2 + 10 * (b_grid - a_grid**2) ** 2

fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.5))
ax_path.contour(a_grid, b_grid, np.log10(surface + 1e-3), levels=25, cmap="Greys", alpha=0.6)
for name, (path, _) in results.items():
    ax_path.plot(path[:, 0], path[:, 1], marker=".", markersize=2, linewidth=1, label=name)
ax_path.plot(*START, "ko")
ax_path.plot(1, 1, "r*", markersize=12)
ax_path.set(xlabel="a", ylabel="b", title="paths from the same start")
ax_path.legend(fontsize=8, loc="lower right")

for name, (_, losses) in results.items():
    ax_loss.semilogy(losses, label=name)
ax_loss.set(xlabel="step", ylabel="loss", title="loss per step")
fig.tight_layout()
plt.show()
