"""Where GaussianMixtureEM and scikit-learn's GaussianMixture fit or raise, on mixtures that
leave components on single samples.

Each case: 30 uniform samples in 3-D, 6 components with tight ``precisions_init`` (all 1e6,
or drawn uniformly up to 1e6, or log-uniformly between 1 and 1e6), ``reg_covar=0`` and
``n_init=5``. For every case both estimators are fitted; the script counts the cases where
both fit, both raise, or only one does, and for the cases both fit, how often ``n_iter_``
and ``converged_`` agree and how far the lower bounds are apart (relative). This is a
correctness sweep, not a timing: run it after a change to the M-step or the E-step.

    python benchmarks/sweep_gmm_single_sample.py --cases 96
"""

import argparse
import warnings

import numpy as np
from sklearn.mixture import GaussianMixture

from skbackprop import GaussianMixtureEM

DRAWS = ("1e6", "uniform", "log-uniform")


def case(seed, draw, covariance_type):
    rng = np.random.RandomState(seed)
    X = rng.uniform(size=(30, 3))
    if draw == "1e6":
        precisions = np.full(6, 1e6)
    elif draw == "uniform":
        precisions = rng.uniform(1, 1e6, size=6)
    else:
        precisions = 10 ** rng.uniform(0, 6, size=6)
    if covariance_type == "diag":
        precisions = np.repeat(precisions[:, None], 3, axis=1)
    params = {
        "n_components": 6,
        "covariance_type": covariance_type,
        "precisions_init": precisions,
        "reg_covar": 0.0,
        "n_init": 5,
        "random_state": seed,
    }
    return X, params


def fit_or_none(Model, X, params):
    try:
        return Model(**params).fit(X)
    except ValueError:
        return None


def sweep(n_cases, draw, covariance_type):
    outcomes = {"both fit": 0, "both raise": 0, "only sklearn fits": 0, "only ours fits": 0}
    same_iter = same_converged = 0
    gaps = []
    for seed in range(n_cases):
        X, params = case(seed, draw, covariance_type)
        theirs = fit_or_none(GaussianMixture, X, params)
        ours = fit_or_none(GaussianMixtureEM, X, params)
        if theirs is not None and ours is not None:
            outcomes["both fit"] += 1
            same_iter += ours.n_iter_ == theirs.n_iter_
            same_converged += ours.converged_ == theirs.converged_
            gaps.append(abs(ours.lower_bound_ - theirs.lower_bound_) / abs(theirs.lower_bound_))
        elif theirs is None and ours is None:
            outcomes["both raise"] += 1
        elif theirs is not None:
            outcomes["only sklearn fits"] += 1
        else:
            outcomes["only ours fits"] += 1
    both = outcomes["both fit"]
    line = f"{covariance_type:9s} {draw:11s} " + "  ".join(
        f"{k} {v:3d}" for k, v in outcomes.items()
    )
    if both:
        line += (
            f"  | same n_iter {same_iter}/{both}, same converged {same_converged}/{both},"
            f" lower bound rel. gap median {np.median(gaps):.1e} max {np.max(gaps):.1e}"
        )
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=48, help="cases per draw (default 48)")
    parser.add_argument("--covariance-type", choices=["spherical", "diag", "both"], default="both")
    args = parser.parse_args()
    types = ["spherical", "diag"] if args.covariance_type == "both" else [args.covariance_type]
    warnings.simplefilter("ignore")
    for covariance_type in types:
        for draw in DRAWS:
            sweep(args.cases, draw, covariance_type)


if __name__ == "__main__":
    main()
