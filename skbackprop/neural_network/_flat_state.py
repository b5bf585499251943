"""The MLP's parameters as views of one flat buffer, and how they survive pickling."""

import copy

from ..nn import FlatParameters

__all__ = ["FlatParametersMixin"]


class FlatParametersMixin:
    """Keep ``coefs_`` and ``intercepts_`` as views of the optimizer's flat buffer.

    Mixed into :class:`BaseMultilayerPerceptron` ahead of ``BaseEstimator``, whose
    ``__getstate__`` and ``__setstate__`` it extends.
    """

    def _flat_parameters(self, layer_units, dtype, values=None):
        """Put the current ``coefs_``/``intercepts_`` into one flat buffer.

        ``coefs_`` and ``intercepts_`` become views of it, so what the optimizer updates
        in place is what the user reads.
        """
        params = FlatParameters(layer_units, dtype, values=values)
        params.load(self.coefs_, self.intercepts_)
        self.coefs_, self.intercepts_ = params.coefs, params.intercepts
        return params

    def __getstate__(self):
        # coefs_ and intercepts_ are views of the optimizer's flat buffer, and pickle saves
        # every view as its own copy: the buffer is left out and rebuilt on load.
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        optimizer = state.get("_optimizer")
        if optimizer is not None:
            state["_optimizer"] = copy.copy(optimizer)
            state["_optimizer"].params = None
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        optimizer = self.__dict__.get("_optimizer")
        if optimizer is not None and optimizer.params is None:
            # partial_fit loads coefs_ and intercepts_ into this buffer before each step.
            layer_units = [self.coefs_[0].shape[0], *(c.shape[1] for c in self.coefs_)]
            optimizer.params = self._flat_parameters(layer_units, self.coefs_[0].dtype).values
