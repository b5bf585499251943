"""``python -m skbackprop``: its options, its notes, and its timing: the median and the spread.

How fast ``--help`` answers is checked in ``.ci/run`` (speed is never asserted here); this
file checks why it is fast: it imports neither scikit-learn nor an estimator.
"""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skbackprop import MLPClassifier, __version__
from skbackprop.__main__ import NAMES, _spread, _timed_fits, main

ROOT = Path(__file__).resolve().parents[1]


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "skbackprop", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_prints_usage_and_exits_0():
    result = _run("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m skbackprop")
    for option in ("--estimators", "--quick", "--repeat", "--version"):
        assert option in result.stdout
    assert "skbackprop 0" not in result.stdout  # the demo did not run


def test_help_imports_no_estimator_and_no_scikit_learn():
    code = (
        "import runpy, sys\n"
        "sys.argv = ['skbackprop', '--help']\n"
        "try:\n"
        "    runpy.run_module('skbackprop', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy'))\n"
        "heavy += sorted(m for m in sys.modules if m.startswith('skbackprop.neural_network'))\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout, result.stdout


def test_version_prints_the_version_and_exits_0():
    result = _run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"skbackprop {__version__}\n"


def test_unknown_estimator_is_a_usage_error():
    result = _run("--estimators", "Ridge")
    assert result.returncode == 2
    assert "invalid choice: 'Ridge'" in result.stderr
    assert "NormalEquationRegressor" in result.stderr


@pytest.mark.parametrize("argv", [["--repeat", "0"], ["--quick", "--repeat", "2"]])
def test_bad_timing_options_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    assert "--repeat" in capsys.readouterr().err


def test_rows_are_chosen_and_timing_is_said(capsys):
    main(["--estimators", "NormalEquationRegressor", "GaussianMixtureEM", "--repeat", "2"])
    out = capsys.readouterr().out
    assert "the median of 2 runs after one untimed warm-up run" in out
    assert "(fastest-slowest)" in out
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in ([n] for n in NAMES)]
    assert [row[0] for row in rows] == ["NormalEquationRegressor", "GaussianMixtureEM"]
    for row in rows:  # each library's median, then its fastest-slowest in brackets
        assert re.fullmatch(r"\(\d+\.\d{3}-\d+\.\d{3}\)", row[-1])
        assert re.fullmatch(r"\(\d+\.\d{3}-\d+\.\d{3}\)", row[-3])
    assert "[1]" not in out  # neither row needs a note


def test_quick_mode_says_one_cold_run_and_the_standardized_target(capsys):
    main(["--estimators", "MLPRegressor", "--quick"])
    out = capsys.readouterr().out
    assert "one cold run per library (--quick)" in out
    row = next(line for line in out.splitlines() if line.startswith("MLPRegressor"))
    assert row.startswith("MLPRegressor [1]")
    assert "(" not in row  # one run: a time, no spread
    assert "[1] target standardized for both libraries" in out


def _iris_split():
    X, y = load_iris(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0)


def test_timed_fits_count_and_silence_convergence_warnings():
    estimator = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        score, seconds, not_converged = _timed_fits(estimator, *_iris_split(), 1, 2)
    assert not_converged == 3  # the warm-up and both timed runs
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert 0 <= score <= 1
    assert len(seconds) == 2  # the timed runs only
    assert min(seconds) > 0


def test_spread_is_the_median_then_the_fastest_and_the_slowest():
    assert _spread([0.3, 0.1, 0.2, 5.0]) == "0.250 (0.100-5.000)"
    assert _spread([0.5, 0.1, 0.2]) == "0.200 (0.100-0.500)"
    assert _spread([0.1234]) == "0.123"


class _WarnsAndCounts(RegressorMixin, BaseEstimator):
    """Counts its fits (over all clones) and warns of something other than convergence."""

    fits = 0

    def fit(self, X, y):
        warnings.warn("not a convergence warning", UserWarning)
        type(self).fits += 1
        self.coef_ = np.zeros(X.shape[1])
        return self

    def predict(self, X):
        return X @ self.coef_


def test_timed_fits_run_warmups_plus_repeats_and_let_other_warnings_through(monkeypatch):
    monkeypatch.setattr(_WarnsAndCounts, "fits", 0)
    with pytest.warns(UserWarning, match="not a convergence warning") as caught:
        _timed_fits(_WarnsAndCounts(), *_iris_split(), 1, 3)
    assert _WarnsAndCounts.fits == 4
    assert len([w for w in caught if w.category is UserWarning]) == 4
