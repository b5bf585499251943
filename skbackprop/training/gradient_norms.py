"""What an epoch records of its gradients: ``gradient_norms_``, a convergence diagnostic.

A summary accumulates each minibatch's flat gradient (read from the engine's gradient
buffer, after the backward pass) and returns the epoch's entry at its end.
"""

import numpy as np

from ..autodiff import l1_min_norm_subgradient

__all__ = ["LayerGradientNorms", "MeanGradientNorm", "subgradient_norm"]


class LayerGradientNorms:
    """Per layer, the root mean square over the epoch's minibatches of ``||dJ/dW||``.

    One dot product per layer and minibatch on views of the flat gradient.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.nn import FlatParameters
    >>> from skbackprop.training import LayerGradientNorms
    >>> params = FlatParameters([2, 1, 1], np.float64)
    >>> norms = LayerGradientNorms(params)
    >>> norms.start_epoch()
    >>> params.grad[:2] = [3.0, 4.0]   # the first layer's weights; the second's is 0
    >>> norms.add(params.grad, 1)
    >>> norms.end_epoch()
    array([5., 0.])
    """

    def __init__(self, params):
        self.layer_grads = [params.grad[s] for s in params.weight_slices]
        self.squared = None
        self.n_batches = 0

    def start_epoch(self):
        self.squared = [0.0] * len(self.layer_grads)  # Python floats: cheap to add to
        self.n_batches = 0

    def add(self, grad, share):
        self.n_batches += 1
        squared = self.squared
        for layer, g in enumerate(self.layer_grads):
            squared[layer] += float(np.dot(g, g))

    def end_epoch(self):
        return np.sqrt(np.array(self.squared) / self.n_batches)


class MeanGradientNorm:
    """The norm of the epoch's mean minibatch gradient (weighted by the batches' shares),
    with the L1 term's minimum-norm subgradient on the weights: 0 at an optimum.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.nn import FlatParameters
    >>> from skbackprop.training import MeanGradientNorm
    >>> params = FlatParameters([2, 1], np.float64)   # w1, w2, b
    >>> norm = MeanGradientNorm(params, l1_strength=1.0)
    >>> norm.start_epoch()
    >>> norm.add(np.array([0.5, 3.0, 0.0]), 2.0)   # at w = 0: |0.5| <= 1 is optimal
    >>> norm.end_epoch()
    2.0
    """

    def __init__(self, params, l1_strength=0.0):
        self.params = params
        self.l1_strength = l1_strength
        self.total = np.zeros_like(params.grad)
        self.weight = 0.0

    def start_epoch(self):
        self.total[...] = 0.0
        self.weight = 0.0

    def add(self, grad, share):
        self.total += grad * share
        self.weight += share

    def end_epoch(self):
        mean = self.total / self.weight
        n = self.params.n_weights
        mean[:n] = l1_min_norm_subgradient(mean[:n], self.params.weights, self.l1_strength)
        return float(np.linalg.norm(mean))


def subgradient_norm(params, l1_strength):
    """The norm of the minimum-norm subgradient of the cost at the last backward pass.

    The smooth part's gradient with respect to the weights ``W`` is ``params.weight_grad``
    (over split weights, ``dJ/dW`` before the chain rule to the parts); the intercepts' is
    their part of the flat gradient.
    """
    g = l1_min_norm_subgradient(params.weight_grad, params.weights, l1_strength)
    total = float(g @ g)
    n_stored = params.n_weights * (2 if params.split_weights else 1)
    intercept_grad = params.grad[n_stored:]
    total += float(intercept_grad @ intercept_grad)
    return total**0.5
