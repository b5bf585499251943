"""Adam: momentum and RMSProp combined, with bias correction."""

import math

import numpy as np

from ._buffer import ScratchBuffers, check_flat_buffer

__all__ = ["Adam"]


class Adam(ScratchBuffers):
    r"""Adam with bias correction on a flat parameter buffer.

    The update is scikit-learn's ``AdamOptimizer``, written in place::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        lr_t = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        p -= lr_t * m / (sqrt(v) + epsilon)

    The optimizers lecture writes the same method with the moments ``V`` and ``S`` bias-corrected
    separately, :math:`\hat V = V / (1 - \beta_1^t)`, :math:`\hat S = S / (1 - \beta_2^t)`,
    :math:`W = W - \alpha \hat V / (\sqrt{\hat S} + \epsilon)`. Folding both corrections
    into ``lr_t`` is exact except for where :math:`\epsilon` sits: here it is added to
    :math:`\sqrt{S}`, i.e. the lecture's :math:`\epsilon` times
    :math:`\sqrt{1 - \beta_2^t}` (the Adam paper's own efficient form).
    The momentum average is the lecture's :math:`V = \beta V + (1 - \beta) g`.

    In memory the two averages are kept divided by :math:`1 - \beta`:
    :math:`\tilde m = m / (1 - \beta_1)` follows :math:`\tilde m = \beta_1 \tilde m + g`
    and :math:`\tilde v = v / (1 - \beta_2)` follows :math:`\tilde v = \beta_2 \tilde v
    + g^2`, and the constants move into the step:
    ``p -= c lr_t m~ / (sqrt(v~) + epsilon / sqrt(1 - beta_2))`` with
    ``c = (1 - beta_1) / sqrt(1 - beta_2)``. The same update, to rounding, in ten numpy
    calls instead of twelve; on a small network, where each call costs about a
    microsecond, that is a few percent of a training step.

    Parameters
    ----------
    params : ndarray of shape (n_params,), dtype float32 or float64
        The flat parameter buffer, updated in place by :meth:`step`. It is not copied.
    learning_rate : float, default=0.001
        Base step size. A public attribute a schedule may change between steps; the bias
        correction is applied on top of it at every step.
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
        The running average ``m`` of gradients, in the params' dtype: a new array computed
        from the stored ``m / (1 - beta_1)`` (read-only in effect: writing into it changes
        nothing).
    second_moment : ndarray of shape (n_params,)
        The running average ``v`` of squared gradients, likewise computed.
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

    _scratch_names = ("_scratch", "_update")
    _shaped_like = "_scaled_first"

    def __init__(self, params, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.params = check_flat_buffer(params)
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self._lr_t = 0.0
        # m / (1 - beta_1) and v / (1 - beta_2), for the betas in _betas (see the notes).
        self._scaled_first = np.zeros_like(params)
        self._scaled_second = np.zeros_like(params)
        self._betas = (float(beta_1), float(beta_2))
        self._scratch = np.empty_like(params)
        self._update = np.empty_like(params)

    @property
    def first_moment(self):
        """The running average ``m`` of gradients (a new array)."""
        return self._scaled_first * (1.0 - self._betas[0])

    @property
    def second_moment(self):
        """The running average ``v`` of squared gradients (a new array)."""
        return self._scaled_second * (1.0 - self._betas[1])

    def __setstate__(self, state):
        """Unpickle, also from the layout before the moments were stored scaled (with
        ``first_moment`` and ``second_moment`` as plain attributes), so an estimator
        pickled then still continues with ``partial_fit``."""
        if "first_moment" in state:
            beta_1, beta_2 = float(state["beta_1"]), float(state["beta_2"])
            state["_scaled_first"] = state.pop("first_moment") / (1.0 - beta_1)
            state["_scaled_second"] = state.pop("second_moment") / (1.0 - beta_2)
            state["_betas"] = (beta_1, beta_2)
        super().__setstate__(state)

    def _rescale_for_new_betas(self, beta_1, beta_2):
        """Keep ``m`` and ``v`` when a caller changes ``beta_1`` or ``beta_2``: the stored
        averages are divided by ``1 - beta``, so they are rescaled to the new betas."""
        old_1, old_2 = self._betas
        self._scaled_first *= (1.0 - old_1) / (1.0 - beta_1)
        self._scaled_second *= (1.0 - old_2) / (1.0 - beta_2)
        self._betas = (beta_1, beta_2)

    def step(self, grad):
        """Update ``params`` in place from the flat gradient ``grad`` (same shape/dtype)."""
        self.t += 1
        beta_1, beta_2 = float(self.beta_1), float(self.beta_2)
        if (beta_1, beta_2) != self._betas:
            self._rescale_for_new_betas(beta_1, beta_2)
        m, v = self._scaled_first, self._scaled_second
        scratch, update = self._scratch, self._update
        np.multiply(m, beta_1, out=m)
        np.add(m, grad, out=m)
        np.multiply(v, beta_2, out=v)
        np.multiply(grad, grad, out=scratch)
        np.add(v, scratch, out=v)
        self._lr_t = lr_t = (
            float(self.learning_rate) * math.sqrt(1.0 - beta_2**self.t) / (1.0 - beta_1**self.t)
        )
        root = math.sqrt(1.0 - beta_2)
        np.sqrt(v, out=scratch)
        np.add(scratch, float(self.epsilon) / root, out=scratch)
        np.multiply(m, lr_t * (1.0 - beta_1) / root, out=update)
        np.divide(update, scratch, out=update)
        np.subtract(self.params, update, out=self.params)

    def step_sizes(self):
        """The per-coordinate step of the last update, ``lr_t / (sqrt(v) + epsilon)``.

        The update was ``p -= step_sizes * m``; a proximal step after it (an L1 penalty's
        :func:`~skbackprop.optim.soft_threshold`) thresholds by ``step_sizes * strength``.
        """
        root = math.sqrt(1.0 - self._betas[1])
        sizes = np.sqrt(self._scaled_second)
        sizes += float(self.epsilon) / root
        return np.divide(self._lr_t / root, sizes, out=sizes)
