"""scikit-learn's constructor convention, written once."""

__all__ = ["store_parameters"]


def store_parameters(estimator, arguments):
    """Store each constructor argument as the attribute of its name, and nothing else.

    scikit-learn's ``__init__`` convention: ``get_params`` reads the attributes named as
    the constructor's parameters, and validation waits for ``fit``. Called as
    ``store_parameters(self, locals())`` first thing in ``__init__``, where ``locals()``
    holds exactly ``self`` and the parameters, in the signature's order.
    """
    for name, value in arguments.items():
        if name != "self":
            setattr(estimator, name, value)
