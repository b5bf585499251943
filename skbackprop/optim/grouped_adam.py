"""Adam with parameter groups and decoupled weight decay, on a flat parameter buffer.

Parameter groups are factors per element of the flat buffer rather than lists of arrays:
``lr_factors[i]`` multiplies the learning rate of parameter ``i`` and ``wd_factors[i]`` its
weight decay, so a network with biases, scales and embeddings that each learn at their
own pace still takes its step in a few vectorized calls. The update (Loshchilov and
Hutter's decoupled weight decay, then PyTorch's form of Adam's bias correction)::

    p *= 1 - learning_rate * weight_decay * wd_factors
    m = beta_1 m + (1 - beta_1) g
    v = beta_2 v + (1 - beta_2) g^2
    p -= learning_rate * lr_factors * (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + eps)

``learning_rate`` and ``weight_decay`` are public attributes; given step schedules
(:class:`~skbackprop.optim.StepSchedule`), the optimizer sets them itself before each step
from the number of steps taken, so a training loop needs to know nothing of them.
"""

import math

import numpy as np

from .optimizer import Optimizer

__all__ = ["GroupedAdam"]


def _factors(values, params, name):
    if values is None:
        return None
    values = np.asarray(values, dtype=params.dtype)
    if values.ndim == 0:
        return np.full_like(params, values)
    if values.shape != params.shape:
        raise ValueError(
            f"{name} must be a number or an array of the parameters' shape {params.shape}; "
            f"got shape {values.shape}."
        )
    return values


class GroupedAdam(Optimizer):
    """Adam with per-element learning-rate and weight-decay factors.

    Parameters
    ----------
    params : ndarray of shape (n_params,), dtype float32 or float64
        The flat parameter buffer, updated in place by :meth:`step`.
    learning_rate : float, default=0.001
    beta_1, beta_2 : float, default=0.9, 0.999
        Decays of the first and second moment averages.
    epsilon : float, default=1e-8
        Added to the bias-corrected root mean square.
    weight_decay : float, default=0.0
        Decoupled weight decay: each step multiplies the parameters by
        ``1 - learning_rate * weight_decay * wd_factors`` before the Adam step.
    lr_factors, wd_factors : float or ndarray of shape (n_params,), default=None
        The parameter groups: per-element multipliers of the learning rate and of the
        weight decay (1 everywhere by default).
    learning_rate_schedule, weight_decay_schedule : callable, default=None
        ``schedule(step) -> value`` for the step about to be taken (0-based), such as a
        :class:`~skbackprop.optim.StepSchedule`; None keeps the attribute as it is set.

    Attributes
    ----------
    t : int
        Steps taken.

    See Also
    --------
    Adam : scikit-learn's Adam, without groups or weight decay.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.optim import GroupedAdam
    >>> params = np.array([1.0, 1.0])
    >>> opt = GroupedAdam(params, learning_rate=0.1, lr_factors=np.array([1.0, 0.0]))
    >>> for _ in range(50):
    ...     opt.step(2 * params)
    >>> bool(abs(params[0]) < 0.2), float(params[1])
    (True, 1.0)
    """

    _scratch_names = ("_scratch",)
    _shaped_like = "first_moment"

    def __init__(
        self,
        params,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        weight_decay=0.0,
        lr_factors=None,
        wd_factors=None,
        learning_rate_schedule=None,
        weight_decay_schedule=None,
    ):
        super().__init__(params, learning_rate)
        self.learning_rate_schedule = learning_rate_schedule
        self.weight_decay_schedule = weight_decay_schedule
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.weight_decay = weight_decay
        self.lr_factors = _factors(lr_factors, params, "lr_factors")
        self.wd_factors = _factors(wd_factors, params, "wd_factors")
        self.first_moment = np.zeros_like(params)
        self.second_moment = np.zeros_like(params)
        self._scratch = np.empty_like(params)

    def step(self, grad):
        """Update ``params`` in place from the flat gradient ``grad``."""
        if self.learning_rate_schedule is not None:
            self.learning_rate = self.learning_rate_schedule(self.t)
        if self.weight_decay_schedule is not None:
            self.weight_decay = self.weight_decay_schedule(self.t)
        self.t += 1
        p, m, v, scratch = self.params, self.first_moment, self.second_moment, self._scratch
        lr, wd = float(self.learning_rate), float(self.weight_decay)
        beta_1, beta_2 = float(self.beta_1), float(self.beta_2)
        if wd != 0.0 and lr != 0.0:
            if self.wd_factors is None:
                p *= 1.0 - lr * wd
            else:
                np.multiply(self.wd_factors, -lr * wd, out=scratch)
                scratch += 1.0
                p *= scratch
        m *= beta_1
        m += (1.0 - beta_1) * grad
        v *= beta_2
        np.multiply(grad, grad, out=scratch)
        scratch *= 1.0 - beta_2
        v += scratch
        correction_1 = 1.0 - beta_1**self.t
        root_correction_2 = math.sqrt(1.0 - beta_2**self.t)
        # sqrt(v / c2) + eps = (sqrt(v) + eps sqrt(c2)) / sqrt(c2)
        np.sqrt(v, out=scratch)
        scratch += float(self.epsilon) * root_correction_2
        np.divide(m, scratch, out=scratch)
        scratch *= lr * root_correction_2 / correction_1
        if self.lr_factors is not None:
            scratch *= self.lr_factors
        p -= scratch
