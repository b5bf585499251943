"""skbackprop's optimizer steps against scikit-learn's, side by side in one process.

One step of Adam, and of SGD with Nesterov momentum, on a flat parameter vector of the
size of each network in ``bench_mlp.py`` (skbackprop updates its one flat buffer in place;
scikit-learn's optimizers update a list of arrays, here a list holding that one vector).
Both start from the same parameters and see the same gradients; the runs alternate between
the libraries. Prints the median time per step of each, the median of the repeats' ratios
ours/scikit-learn, and the largest difference between the two libraries' parameters after
all the steps.

Run as ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_optim.py``
(``--repeats N`` for more or fewer repeats).
"""

import argparse
import statistics
import time

import numpy as np
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from skbackprop.optim import SGD, Adam

# Parameters of the bench_mlp.py networks: (32,), (100,) on digits, (256, 256), (512, 512).
SIZES = [
    ("(32,) on 10 features", 385),
    ("digits (100,)", 7510),
    ("(256,256) on 50", 79105),
    ("(512,512) on 100", 314881),
]
STEPS = 50


def _optimizers(solver, params):
    """Ours on a copy of ``params``, scikit-learn's on a list holding another copy."""
    ours, theirs = params.copy(), [params.copy()]
    if solver == "adam":
        return ours, Adam(ours, learning_rate=1e-3), theirs, AdamOptimizer(theirs, 1e-3)
    return (
        ours,
        SGD(ours, learning_rate=1e-3, momentum=0.9, nesterov=True),
        theirs,
        SGDOptimizer(theirs, 1e-3, momentum=0.9, nesterov=True),
    )


def _list_step(optimizer, params):
    """scikit-learn's step on its list of parameter arrays, taking one flat gradient."""
    return lambda g: optimizer.update_params(params, [g])


def _steps(step, grads):
    start = time.perf_counter()
    for g in grads:
        step(g)
    return (time.perf_counter() - start) / len(grads)


def main(repeats):
    rng = np.random.default_rng(0)
    for name, n_params in SIZES:
        params = rng.standard_normal(n_params)
        grads = [rng.standard_normal(n_params) for _ in range(STEPS)]
        for solver in ("adam", "sgd nesterov"):
            ours, our_opt, theirs, their_opt = _optimizers(solver, params)
            steps = (our_opt.step, _list_step(their_opt, theirs))
            times = {0: [], 1: []}
            for r in range(repeats):
                for i in (0, 1) if r % 2 == 0 else (1, 0):
                    times[i].append(_steps(steps[i], grads))
            ratio = statistics.median(a / b for a, b in zip(times[0], times[1]))
            gap = float(np.max(np.abs(ours - theirs[0])))
            print(
                f"{name:22s} {n_params:7d} params  {solver:13s} ours "
                f"{statistics.median(times[0]) * 1e6:8.1f} us  sklearn "
                f"{statistics.median(times[1]) * 1e6:8.1f} us  ratio {ratio:.2f}  "
                f"max |difference| after {repeats * STEPS} steps {gap:.1e}",
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="runs of 50 steps per library")
    main(parser.parse_args().repeats)
