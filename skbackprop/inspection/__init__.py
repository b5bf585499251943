"""Looking inside fitted estimators: plots of what training did.

matplotlib is an optional dependency (``pip install "skbackprop[examples]"``); it is
imported only when a plot is drawn.
"""

from ._loss_curve import LossCurveDisplay

__all__ = ["LossCurveDisplay"]
