"""Seeded random generators for a fit, without a new generator's setup."""

import numbers
from contextlib import contextmanager

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["seeded_random_state"]

# Generators that no fit is using. list.pop and list.append are atomic, so fits running in
# several threads never share one.
_IDLE = []


@contextmanager
def seeded_random_state(seed):
    """``sklearn.utils.check_random_state(seed)`` for a block that does not keep the result.

    For an integer ``seed`` the generator is in the state ``np.random.RandomState(seed)``
    starts in, so it makes the same draws. numpy builds a new one by first seeding a
    Mersenne Twister from the operating system's entropy (``SeedSequence`` hashing out
    its 624 words) and only then from ``seed``: on a fit of a few milliseconds that first
    seeding is a visible share (docs/performance.rst, "Fast paths"). Here a generator that
    no block is using is reseeded instead, by ``RandomState.seed``: numpy's same seeding
    from ``seed``. It is free again when the block ends, so the block must not keep it (as
    a fitted attribute, say) or hand it to code that does. None and ``RandomState``
    instances give ``check_random_state``'s answers.

    Examples
    --------
    >>> import numpy as np
    >>> from skbackprop.utils._random import seeded_random_state
    >>> with seeded_random_state(0) as random_state:
    ...     draws = random_state.uniform(size=3)
    >>> bool(np.all(draws == np.random.RandomState(0).uniform(size=3)))
    True
    """
    if not isinstance(seed, numbers.Integral):
        yield check_random_state(seed)
        return
    generator = _IDLE.pop() if _IDLE else np.random.RandomState()
    try:
        generator.seed(seed)
        yield generator
    finally:
        _IDLE.append(generator)
