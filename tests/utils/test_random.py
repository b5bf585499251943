"""seeded_random_state: the draws of a new RandomState(seed), whichever generator gives them."""

import threading

import numpy as np
import pytest

from skbackprop.utils._random import seeded_random_state


def _draws(random_state):
    """Draws that read every part of a RandomState's state: the Mersenne Twister's words,
    the cached second normal of a pair, and the binomial sampler's cached constants."""
    return np.concatenate(
        [
            random_state.uniform(size=5),
            random_state.standard_normal(3),  # an odd count leaves a normal cached
            random_state.binomial(20, 0.3, size=4),
            random_state.randint(0, 1000, size=4),
            random_state.choice(100, size=5, replace=False),
            random_state.permutation(6),
        ]
    )


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1, np.int64(7), True])
def test_the_draws_of_a_new_generator_even_after_other_draws(seed):
    expected = _draws(np.random.RandomState(seed))
    for other_seed in (3, 5):  # leave the idle generators in used states
        with seeded_random_state(other_seed) as random_state:
            _draws(random_state)
            random_state.standard_normal(1)
            random_state.binomial(1000, 0.9)
    with seeded_random_state(seed) as random_state:
        np.testing.assert_array_equal(_draws(random_state), expected)


def test_nested_blocks_get_their_own_generators():
    fresh = np.random.RandomState(0)
    expected = np.concatenate([fresh.uniform(size=5), _draws(fresh)])
    with seeded_random_state(0) as outer:
        first = outer.uniform(size=5)
        with seeded_random_state(0) as inner:
            assert inner is not outer
            inner.uniform(size=50)
        rest = _draws(outer)
    np.testing.assert_array_equal(np.concatenate([first, rest]), expected)


def test_none_and_instances_are_check_random_states():
    instance = np.random.RandomState(3)
    with seeded_random_state(instance) as random_state:
        assert random_state is instance
    with seeded_random_state(None) as random_state:
        assert random_state is np.random.mtrand._rand


def test_an_invalid_seed_raises_numpys_error():
    with pytest.raises(ValueError, match="Seed must be between 0 and 2\\*\\*32 - 1"):
        np.random.RandomState(-1)
    with (
        pytest.raises(ValueError, match="Seed must be between 0 and 2\\*\\*32 - 1"),
        seeded_random_state(-1),
    ):
        pass
    with seeded_random_state(0) as random_state:  # the generator is usable afterwards
        np.testing.assert_array_equal(_draws(random_state), _draws(np.random.RandomState(0)))


def test_concurrent_blocks_draw_as_new_generators():
    expected = {seed: _draws(np.random.RandomState(seed)) for seed in range(8)}
    results, barrier = {}, threading.Barrier(8)

    def draw(seed):
        with seeded_random_state(seed) as random_state:
            barrier.wait()  # all eight blocks hold a generator at once
            results[seed] = _draws(random_state)

    threads = [threading.Thread(target=draw, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed in range(8):
        np.testing.assert_array_equal(results[seed], expected[seed])
