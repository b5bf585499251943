"""One fit of a benchmark case, for counting its instructions under valgrind.

Timings on a shared machine move by several percent between runs; the number of
instructions a fit executes does not. Run a case twice under callgrind, with many epochs
and with one, and subtract: imports and set-up cancel, and what is left is the training
itself::

    for epochs in 1 41; do
        OPENBLAS_NUM_THREADS=1 PYTHONPATH=. valgrind --tool=callgrind \\
            --callgrind-out-file=/dev/null \\
            python benchmarks/count_fit_instructions.py digits $epochs
    done

valgrind prints "Collected : N" for each run. Give valgrind the Python executable itself,
not a wrapper script (``python -c 'import sys; print(sys.executable)'``).

Cases, near bench_mlp.py's (the data are prepared more simply): ``digits``, an
MLPClassifier (100,) on three quarters of digits, pixels divided by 16; ``regression32``,
an MLPRegressor (32,) with batches of 32 on a standardized 5,000 x 10 ``make_regression``
problem; ``logistic3`` fits ``LogisticBackprop`` ``epochs`` times on 20,000 x 20 with 3
classes (0 for imports only).
"""

import argparse
import warnings

from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skbackprop import LogisticBackprop, MLPClassifier, MLPRegressor


def fixed_epochs(epochs):
    """Parameters that run exactly ``epochs`` epochs, as bench_mlp.py sets them."""
    return {"max_iter": epochs, "tol": 0.0, "n_iter_no_change": epochs + 1, "random_state": 0}


def digits(epochs):
    X, y = load_digits(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X / 16.0, y, random_state=0)
    MLPClassifier(hidden_layer_sizes=(100,), **fixed_epochs(epochs)).fit(X_train, y_train)


def regression32(epochs):
    X, y = make_regression(5000, 10, noise=10, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    MLPRegressor(hidden_layer_sizes=(32,), batch_size=32, **fixed_epochs(epochs)).fit(X, y)


def logistic3(fits):
    X, y = make_classification(20_000, 20, n_informative=10, n_classes=3, random_state=0)
    for _ in range(fits):
        LogisticBackprop().fit(X, y)


CASES = {"digits": digits, "regression32": regression32, "logistic3": logistic3}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("epochs", type=int, help="epochs (fits for logistic3)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    CASES[args.case](args.epochs)


if __name__ == "__main__":
    main()
