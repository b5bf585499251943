"""
The vanishing gradient, layer by layer
======================================

A deep network of sigmoid units learns slowly in its first layers: the backward pass
multiplies the error signal by :math:`\\sigma'(z) = \\sigma(z)(1 - \\sigma(z)) \\le 1/4` at
every layer (the delta recursion
:math:`\\delta^{[l]} = (\\delta^{[l+1]} W^{[l+1]\\top}) \\odot g'(Z^{[l]})`), so the
gradient reaching the first weights is a product of many small factors. ReLU's
derivative is 1 wherever the unit is active, and the signal arrives intact.

:class:`~skbackprop.MLPClassifier` records this as it trains: ``gradient_norms_[epoch,
layer]`` is the norm of the gradient of the cost with respect to that layer's weights
(the root mean square over the epoch's minibatches). The same 8-hidden-layer network is
trained twice on the digits, once with ``activation="logistic"`` and once with
``activation="relu"``.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skbackprop import MLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0
depth = 8
nets = {}
for activation in ["logistic", "relu"]:
    net = MLPClassifier(
        hidden_layer_sizes=(32,) * depth,
        activation=activation,
        solver="sgd",
        learning_rate_init=0.05,
        momentum=0.9,
        max_iter=15,
        random_state=0,
    )
    with warnings.catch_warnings():
        # 15 epochs are enough to see the gradients; not to converge.
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X, y)
    nets[activation] = net
    first, last = net.gradient_norms_[0, 0], net.gradient_norms_[0, -1]
    print(
        f"{activation:8s} epoch 1: |grad W1| = {first:.2e}, |grad W_out| = {last:.2e} "
        f"(ratio {first / last:.1e}); training accuracy after 15 epochs "
        f"{net.score(X, y):.2f}"
    )

# %%
# Gradient norm per layer
# -----------------------
# Left: the first epoch, layer by layer (input side on the left). Right: the first
# layer's gradient over the epochs. The sigmoid network's first layers barely move, so
# its loss stalls where the ReLU network's falls.

fig, (ax_layers, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.5))
layers = np.arange(1, depth + 2)
for activation, net in nets.items():
    ax_layers.semilogy(layers, net.gradient_norms_[0], marker="o", label=activation)
    ax_loss.plot(np.arange(1, len(net.loss_curve_) + 1), net.loss_curve_, label=activation)
ax_layers.set(
    xlabel="layer (1 = input weights)",
    ylabel="gradient norm, first epoch",
    title=f"{depth} hidden layers of 32 units",
)
ax_layers.set_xticks(layers)
ax_layers.legend()
ax_loss.set(xlabel="epoch", ylabel="training loss", title="training loss")
ax_loss.legend()
fig.tight_layout()
plt.show()
