"""Drawing a computation graph as Graphviz DOT, in the user guide's convention.

One rectangle per intermediate variable with the function it computes inside and the
variable's name outside; parameters and constants (the data, the labels, the numbers) are
nodes of their own; edges are directed and unlabeled. A fitted estimator is drawn by
:func:`skbackprop.inspection.export_graphviz`, which builds the graph of its forward pass
and hands it to :func:`to_dot`.
"""

import numpy as np

from .graph import topological_order
from .tensor import Tensor

__all__ = ["to_dot"]


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _with_shape(label, node, show_shapes):
    shape = getattr(node.value, "shape", ())
    # A scalar's shape () says nothing; scalar graphs stay as drawn.
    if show_shapes and len(shape) > 0:
        return f"{label} {tuple(shape)}"
    return label


def _leaf_label(node, show_shapes):
    if node.name is not None:
        return _with_shape(node.name, node, show_shapes)
    value = node.value
    if getattr(value, "ndim", 2) == 0 or getattr(value, "size", 2) == 1:
        return f"{float(np.asarray(value).reshape(())):g}"
    return f"const {'x'.join(map(str, value.shape))}"


def to_dot(output, rankdir="BT", *, show_shapes=False):
    """Graphviz DOT source drawing the graph that computed ``output``.

    Parameters
    ----------
    output : Tensor
        The last node (usually the loss). Every node it was computed from is drawn.
        A fitted estimator is drawn by :func:`skbackprop.inspection.export_graphviz`.
    rankdir : {"BT", "LR", "TB", "RL"}, default="BT"
        Layout direction: bottom-to-top puts the inputs at the bottom, as the user guide draws.
    show_shapes : bool, default=False
        Write each non-scalar node's shape after its label, e.g. ``W1 (64, 100)``.

    Returns
    -------
    dot : str
        Render with Graphviz (``dot -Tsvg``) or any DOT viewer.

    Raises
    ------
    TypeError
        If ``output`` is not a Tensor.

    See Also
    --------
    skbackprop.inspection.export_graphviz : The drawing of a fitted estimator's forward
        pass, made with this function.

    Examples
    --------
    The graph of ``J = cos(sin(x^2) + 3x^2)``, with its variable names:

    >>> from skbackprop.autodiff import Tensor, cos, sin, to_dot
    >>> x = Tensor(2.0, requires_grad=True, name="x")
    >>> t = x ** 2; t.name = "t"
    >>> u1 = sin(t); u1.name = "u1"
    >>> u2 = 3 * t; u2.name = "u2"
    >>> u = u1 + u2; u.name = "u"
    >>> J = cos(u); J.name = "J"
    >>> print(to_dot(J))
    digraph computation_graph {
      rankdir=BT;
      node [fontname="Helvetica"];
      n0 [label="x", shape=box, style="rounded,bold"];
      n1 [label="2", shape=box, style="rounded,dashed"];
      n2 [label="**", xlabel="t", shape=box];
      n3 [label="sin", xlabel="u1", shape=box];
      n4 [label="3", shape=box, style="rounded,dashed"];
      n5 [label="*", xlabel="u2", shape=box];
      n6 [label="+", xlabel="u", shape=box];
      n7 [label="cos", xlabel="J", shape=box];
      n0 -> n2;
      n1 -> n2;
      n2 -> n3;
      n4 -> n5;
      n2 -> n5;
      n3 -> n6;
      n5 -> n6;
      n6 -> n7;
    }
    """
    if not isinstance(output, Tensor):
        # Named, not imported: the engine knows nothing of estimators (the layer above
        # builds their graphs from it).
        raise TypeError(
            f"to_dot draws the graph that computed a Tensor; got {type(output).__name__}. "
            "To draw a fitted estimator's forward pass, use "
            "skbackprop.inspection.export_graphviz(estimator)."
        )
    order = topological_order(output)
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    lines = [
        "digraph computation_graph {",
        f"  rankdir={rankdir};",
        '  node [fontname="Helvetica"];',
    ]
    counter = 0
    for node in order:
        nid = ids[node]
        if node.op is None:
            style = "rounded,bold" if node.requires_grad else "rounded,dashed"
            lines.append(
                f"  {nid} [label={_quote(_leaf_label(node, show_shapes))}, shape=box, "
                f"style={_quote(style)}];"
            )
            continue
        name = node.name
        if name is None:
            counter += 1
            name = f"u{counter}"
        label = _with_shape(node.op.label, node, show_shapes)
        lines.append(f"  {nid} [label={_quote(label)}, xlabel={_quote(name)}, shape=box];")
    for node in order:
        for parent in node.parents:
            lines.append(f"  {ids[parent]} -> {ids[node]};")
    lines.append("}")
    return "\n".join(lines)
