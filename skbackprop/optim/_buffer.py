"""The flat parameter buffer every optimizer owns, checked once at construction."""

import numpy as np

__all__ = ["ScratchBuffers", "check_flat_buffer", "check_flat_gradient"]


def check_flat_buffer(params):
    """Return ``params`` itself after checking it is a writable 1-D float32/float64 array.

    The optimizer updates this very array in place, so it is never copied or cast: a copy
    would silently detach the optimizer from the model's views into the buffer.
    """
    if not isinstance(params, np.ndarray):
        raise TypeError(
            f"params must be a 1-D numpy array (the flat parameter buffer), got "
            f"{type(params).__name__}. Pass the model's flat float buffer itself."
        )
    if params.ndim != 1:
        raise ValueError(
            f"params must be 1-D (the flat parameter buffer), got shape {params.shape}. "
            "Pass a flat buffer, e.g. params.ravel() of a contiguous array."
        )
    if params.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"params must be float32 or float64, got {params.dtype}. Cast the buffer "
            "with params.astype(np.float64) before building the optimizer."
        )
    if not params.flags.writeable:
        raise ValueError("params is read-only; the optimizer updates it in place. Pass a copy.")
    return params


def check_flat_gradient(params, grad):
    """Check a gradient against its buffer (used by tests and by callers that want it)."""
    if not isinstance(grad, np.ndarray) or grad.shape != params.shape:
        shape = getattr(grad, "shape", None)
        raise ValueError(
            f"grad must be an array of shape {params.shape} like params, got {shape}. "
            "Pass the flat gradient buffer that matches the parameter buffer."
        )
    if grad.dtype != params.dtype:
        raise TypeError(
            f"grad has dtype {grad.dtype} but params has {params.dtype}; compute the "
            "gradient in the parameters' dtype."
        )
    return grad


class ScratchBuffers:
    """Pickling without the per-step scratch buffers: they are rebuilt on load.

    An optimizer lists in ``_scratch_names`` the buffers its step overwrites before reading
    (allocated once, so that a step allocates nothing), and in ``_shaped_like`` a saved
    array of the parameters' shape and dtype. Everything a continued ``step`` reads (the
    moments, the velocity, the step count) is pickled; the scratch buffers are not, which
    keeps a pickled estimator no larger than scikit-learn's.
    """

    _scratch_names: tuple = ()
    _shaped_like: str = ""

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in self._scratch_names:
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        like = state[self._shaped_like]
        for name in self._scratch_names:
            setattr(self, name, np.empty_like(like))
