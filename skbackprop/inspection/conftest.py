"""The docstring examples here draw with matplotlib, an optional extra: without it, pytest
does not collect them (tests/inspection skips the same way)."""

from importlib.util import find_spec

collect_ignore = [] if find_spec("matplotlib") else ["_loss_curve.py"]
