"""Adam: momentum and RMSProp combined, with bias correction."""

import math

import numpy as np

from .optimizer import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam with bias correction on a flat parameter buffer.

    The update is scikit-learn's ``AdamOptimizer``, written in place::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        lr_t = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        p -= lr_t * m / (sqrt(v) + epsilon)

    Both bias corrections, :math:`\hat m = m / (1 - \beta_1^t)` and
    :math:`\hat v = v / (1 - \beta_2^t)`, are folded into ``lr_t``; this is exact except
    for where :math:`\epsilon` sits (added to :math:`\sqrt{v}`, i.e. :math:`\epsilon`
    times :math:`\sqrt{1 - \beta_2^t}` in :math:`p \mathrel{-}= \alpha \hat m /
    (\sqrt{\hat v} + \epsilon)`), the Adam paper's own efficient form. See the user
    guide's :ref:`mlp_optimizers` section.

    Parameters
    ----------
    params : ndarray of shape (n_params,), dtype float32 or float64
        The flat parameter buffer, updated in place by :meth:`step`. It is not copied.
    learning_rate : float, default=0.001
        Base step size; the bias correction is applied on top of it at every step.
    beta_1 : float, default=0.9
        Decay of the first-moment (momentum) average, in [0, 1).
    beta_2 : float, default=0.999
        Decay of the second-moment (squared-gradient) average, in [0, 1).
    epsilon : float, default=1e-8
        Added to :math:`\sqrt{v}` for numerical stability.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        The buffer being optimized (the very array passed in).
    first_moment : ndarray of shape (n_params,)
        The running average ``m`` of gradients, in the params' dtype.
    second_moment : ndarray of shape (n_params,)
        The running average ``v`` of squared gradients.
    learning_rate : float
        The current base step size.
    t : int
        Number of steps taken (the ``t`` of the bias correction).

    See Also
    --------
    SGD : Gradient descent with momentum.
    RMSProp : Gradient divided by a running root mean square.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.optim import Adam
    >>> params = np.array([1.0, -2.0])
    >>> opt = Adam(params, learning_rate=0.1)
    >>> for _ in range(100):
    ...     opt.step(2 * params)   # gradient of ||p||^2
    >>> bool(np.abs(params).max() < 0.1)
    True
    >>> opt.t
    100
    """

    _shaped_like = "first_moment"

    def __init__(self, params, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(params, learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._lr_t = 0.0
        self.first_moment = np.zeros_like(params)
        self.second_moment = np.zeros_like(params)

    def step(self, grad):
        """Update ``params`` in place from the flat gradient ``grad`` (same shape/dtype)."""
        self.t += 1
        # float(): a Python float is a "weak" scalar, so float32 buffers stay float32.
        beta_1, beta_2 = float(self.beta_1), float(self.beta_2)
        m, v, scratch, update = self.first_moment, self.second_moment, self._scratch, self._update
        np.multiply(m, beta_1, out=m)
        np.multiply(grad, 1.0 - beta_1, out=scratch)
        np.add(m, scratch, out=m)
        np.multiply(v, beta_2, out=v)
        np.multiply(grad, grad, out=scratch)
        np.multiply(scratch, 1.0 - beta_2, out=scratch)
        np.add(v, scratch, out=v)
        self._lr_t = lr_t = (
            float(self.learning_rate) * math.sqrt(1.0 - beta_2**self.t) / (1.0 - beta_1**self.t)
        )
        np.sqrt(v, out=scratch)
        np.add(scratch, float(self.epsilon), out=scratch)
        np.multiply(m, lr_t, out=update)
        np.divide(update, scratch, out=update)
        np.subtract(self.params, update, out=self.params)

    def step_sizes(self):
        """The per-coordinate step of the last update, ``lr_t / (sqrt(v) + epsilon)``.

        The update was ``p -= step_sizes * m``; a proximal step after it (an L1 penalty's
        :func:`~skbackprop.optim.soft_threshold`) thresholds by ``step_sizes * strength``.
        """
        sizes = np.sqrt(self.second_moment)
        sizes += float(self.epsilon)
        return np.divide(self._lr_t, sizes, out=sizes)
