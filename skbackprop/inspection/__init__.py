"""Looking inside fitted estimators: the graph of the forward pass, and what training did.

:func:`forward_graph` rebuilds a fitted network's forward pass as a computation graph and
:func:`export_graphviz` draws it as Graphviz DOT source; :class:`LossCurveDisplay` plots
the curve training recorded (the loss, or the EM lower bound, per iteration). Each takes a
fitted :class:`~sklearn.pipeline.Pipeline` too, and reads its final step. The graph of any
:class:`~skbackprop.autodiff.Tensor` is drawn by :func:`skbackprop.autodiff.to_dot`.

This package sits on top of the others: it reads fitted estimators, and nothing below it
imports it. matplotlib is an optional dependency (``pip install "skbackprop[examples]"``);
it is imported only when a plot is drawn.
"""

from ._forward_graph import export_graphviz, forward_graph
from ._loss_curve import LossCurveDisplay

__all__ = ["LossCurveDisplay", "export_graphviz", "forward_graph"]
