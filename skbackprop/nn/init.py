"""Glorot-uniform initialization, drawn in scikit-learn's order.

Each layer draws its weights, then its biases, from ``U(-bound, bound)`` with
``bound = sqrt(factor / (fan_in + fan_out))``, where the factor follows the activation
applied to the layer's output: Glorot and Bengio derive 6 for tanh-like units, and
scikit-learn uses 2 for the logistic function, whose slope at 0 is a quarter of tanh's.
Drawing in the same order from the same ``RandomState`` as scikit-learn's MLP gives
bit-identical starting parameters, which is what lets the agreement tests compare
trajectories and not only end scores.

scikit-learn has one hidden activation and uses its factor for every layer, the output
layer included. With one activation per hidden layer, hidden layer ``i``'s bound uses
activation ``i``, and the output layer keeps scikit-learn's rule of taking the (last)
hidden activation's factor; a list repeating one name therefore draws exactly what that
name alone draws.
"""

import itertools

import numpy as np

from .activations import layer_activations

__all__ = ["glorot_uniform"]


def glorot_uniform(random_state, layer_units, activation, dtype=np.float64):
    """Initial weight matrices and bias vectors for consecutive ``layer_units``.

    Parameters
    ----------
    random_state : numpy.random.RandomState
        The generator; it is advanced exactly as scikit-learn's ``_init_coef`` does.
    layer_units : sequence of int
        Units per layer, the input layer first and the output layer last.
    activation : str or sequence of str
        The hidden activation, or one per hidden layer; it sets each layer's Glorot
        factor.
    dtype : dtype, default=np.float64
        The dtype of the returned arrays (drawn in float64, then cast).

    Returns
    -------
    coefs, intercepts : list of ndarray
        ``coefs[i]`` has shape ``(layer_units[i], layer_units[i + 1])`` and
        ``intercepts[i]`` shape ``(layer_units[i + 1],)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.nn import glorot_uniform
    >>> coefs, intercepts = glorot_uniform(np.random.RandomState(0), [3, 4, 1], "relu")
    >>> [c.shape for c in coefs], [b.shape for b in intercepts]
    ([(3, 4), (4, 1)], [(4,), (1,)])
    >>> bool(np.abs(coefs[0]).max() <= np.sqrt(6 / 7))
    True

    One activation per hidden layer: the logistic layer's bound uses the factor 2.

    >>> coefs, _ = glorot_uniform(np.random.RandomState(0), [3, 4, 5, 1], ["relu", "logistic"])
    >>> bool(np.abs(coefs[1]).max() <= np.sqrt(2 / 9))
    True
    """
    hidden = layer_activations(activation, len(layer_units) - 2)
    # The output layer takes the last hidden activation's factor, as scikit-learn's
    # single activation does (the activation itself when there is no hidden layer).
    names = [*hidden, hidden[-1] if hidden else activation]
    factors = [2.0 if name == "logistic" else 6.0 for name in names]
    coefs, intercepts = [], []
    for factor, (fan_in, fan_out) in zip(factors, itertools.pairwise(layer_units)):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercept = random_state.uniform(-bound, bound, fan_out)
        coefs.append(coef.astype(dtype, copy=False))
        intercepts.append(intercept.astype(dtype, copy=False))
    return coefs, intercepts
