"""Minibatch gradient descent with (Nesterov) momentum, updating a flat buffer in place."""

import numpy as np

from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent with momentum on a flat parameter buffer.

    The update is scikit-learn's ``SGDOptimizer`` form, written in place::

        v = momentum * v - learning_rate * g
        p += v                                   # nesterov=False
        p += momentum * v - learning_rate * g    # nesterov=True (v already updated)

    Momentum as an exponentially weighted average, :math:`V = \beta V + (1 - \beta) g`,
    :math:`W = W - \alpha V`, is the same method: with :math:`v = -\alpha' V` the form
    above is :math:`v = \beta v - \alpha' (1 - \beta) g`, so ``learning_rate`` is
    :math:`\alpha (1 - \beta)` and ``momentum`` is :math:`\beta` (see the user guide's
    :ref:`mlp_optimizers`).
    With ``momentum=0`` this is plain minibatch gradient descent,
    :math:`W = W - \alpha g`.

    Parameters
    ----------
    params : ndarray of shape (n_params,), dtype float32 or float64
        The flat parameter buffer, updated in place by :meth:`step`. It is not copied.
    learning_rate : float, default=0.1
        Step size. A public attribute: a schedule may change it between steps.
    momentum : float, default=0.9
        Weight of the previous velocity, in [0, 1].
    nesterov : bool, default=True
        Use Nesterov's look-ahead form of the update.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        The buffer being optimized (the very array passed in).
    velocity : ndarray of shape (n_params,)
        The velocity ``v``, in the params' dtype.
    learning_rate : float
        The current step size.
    t : int
        Number of steps taken.

    See Also
    --------
    Adam : Momentum and RMSProp with bias correction.
    RMSProp : Gradient divided by a running root mean square.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.optim import SGD
    >>> params = np.array([1.0, -2.0])
    >>> opt = SGD(params, learning_rate=0.1, momentum=0.0)
    >>> opt.step(2 * params)   # gradient of ||p||^2
    >>> params
    array([ 0.8, -1.6])
    >>> opt.t
    1
    """

    _shaped_like = "velocity"

    def __init__(self, params, learning_rate=0.1, momentum=0.9, nesterov=True):
        super().__init__(params, learning_rate)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = np.zeros_like(params)
        # Scratch buffers, allocated once: the step allocates nothing.

    def step(self, grad):
        """Update ``params`` in place from the flat gradient ``grad`` (same shape/dtype)."""
        # float(): a Python float is a "weak" scalar, so float32 buffers stay float32.
        lr, momentum = float(self.learning_rate), float(self.momentum)
        v, scaled_grad = self.velocity, self._scratch
        np.multiply(grad, lr, out=scaled_grad)
        np.multiply(v, momentum, out=v)
        np.subtract(v, scaled_grad, out=v)
        if self.nesterov:
            np.multiply(v, momentum, out=self._update)
            np.subtract(self._update, scaled_grad, out=self._update)
            np.add(self.params, self._update, out=self.params)
        else:
            np.add(self.params, v, out=self.params)
        self.t += 1

    def step_sizes(self):
        """The effective step size, ``learning_rate / (1 - momentum)``, for every coordinate.

        Once the velocity has built up, a constant gradient ``g`` moves the parameters by
        ``learning_rate * g / (1 - momentum)`` per step (Nesterov's form too). A proximal
        step after :meth:`step` (an L1 penalty's :func:`~skbackprop.optim.soft_threshold`)
        thresholds by ``step_sizes() * strength``: then a coordinate whose gradient is
        smaller than the L1 strength stays exactly at 0 instead of being carried across
        it by the velocity.
        """
        return float(self.learning_rate) / (1.0 - float(self.momentum))
