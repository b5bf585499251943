"""RMSProp: the gradient divided by a running root mean square of itself."""

import numpy as np

from .optimizer import Optimizer

__all__ = ["RMSProp"]


class RMSProp(Optimizer):
    r"""RMSProp on a flat parameter buffer.

    .. math::

        S &= \mathrm{decay}\, S + (1 - \mathrm{decay})\, g^2 \\
        W &= W - \alpha \, g / \sqrt{S + \epsilon}

    (element-wise; :math:`\epsilon` inside the square root, so a zero gradient history
    never divides by zero).

    Parameters
    ----------
    params : ndarray of shape (n_params,), dtype float32 or float64
        The flat parameter buffer, updated in place by :meth:`step`. It is not copied.
    learning_rate : float, default=0.001
        Step size :math:`\alpha`. A public attribute a schedule may change between steps.
    decay : float, default=0.9
        Decay :math:`\beta` of the running average of squared gradients, in [0, 1).
    epsilon : float, default=1e-8
        Added to ``S`` under the square root.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        The buffer being optimized (the very array passed in).
    square_avg : ndarray of shape (n_params,)
        The running average ``S`` of squared gradients, in the params' dtype.
    learning_rate : float
        The current step size.
    t : int
        Number of steps taken.

    See Also
    --------
    Adam : RMSProp plus momentum, with bias correction.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.optim import RMSProp
    >>> params = np.array([1.0, -2.0])
    >>> opt = RMSProp(params, learning_rate=0.01, decay=0.9, epsilon=0.0)
    >>> opt.step(2 * params)
    >>> params.round(6)   # first step: lr * sign(g) / sqrt(1 - decay)
    array([ 0.968377, -1.968377])
    """

    _shaped_like = "square_avg"

    def __init__(self, params, learning_rate=0.001, decay=0.9, epsilon=1e-8):
        super().__init__(params, learning_rate)
        self.decay = decay
        self.epsilon = epsilon
        self.square_avg = np.zeros_like(params)

    def step(self, grad):
        """Update ``params`` in place from the flat gradient ``grad`` (same shape/dtype)."""
        lr, decay = float(self.learning_rate), float(self.decay)
        S, scratch, update = self.square_avg, self._scratch, self._update
        np.multiply(grad, grad, out=scratch)
        np.multiply(scratch, 1.0 - decay, out=scratch)
        np.multiply(S, decay, out=S)
        np.add(S, scratch, out=S)
        np.add(S, float(self.epsilon), out=scratch)
        np.sqrt(scratch, out=scratch)
        np.multiply(grad, lr, out=update)
        np.divide(update, scratch, out=update)
        np.subtract(self.params, update, out=self.params)
        self.t += 1

    def step_sizes(self):
        """The per-coordinate step of the last update, ``learning_rate / sqrt(S + epsilon)``.

        The update was ``W -= step_sizes * g``; a proximal step after it (an L1 penalty's
        :func:`~skbackprop.optim.soft_threshold`) thresholds by ``step_sizes * strength``.
        """
        sizes = self.square_avg + float(self.epsilon)
        np.sqrt(sizes, out=sizes)
        return np.divide(float(self.learning_rate), sizes, out=sizes)
