"""Drawing a computation graph as Graphviz DOT, in the lecture's convention.

One rectangle per intermediate variable with the function it computes inside and the
variable's name outside; parameters and constants (the data, the labels, the numbers) are
nodes of their own; edges are directed and unlabeled.
"""

import numpy as np

from .graph import topological_order

__all__ = ["to_dot"]


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _leaf_label(node):
    if node.name is not None:
        return node.name
    value = node.value
    if getattr(value, "ndim", 2) == 0 or getattr(value, "size", 2) == 1:
        return f"{float(np.asarray(value).reshape(())):g}"
    return f"const {'x'.join(map(str, value.shape))}"


def to_dot(output, rankdir="BT"):
    """Graphviz DOT source drawing the graph that computed ``output``.

    Parameters
    ----------
    output : Tensor
        The last node (usually the loss).
    rankdir : {"BT", "LR", "TB", "RL"}, default="BT"
        Layout direction: bottom-to-top puts the inputs at the bottom, as the lecture draws.

    Returns
    -------
    dot : str
        Render with Graphviz (``dot -Tsvg``) or any DOT viewer.

    Examples
    --------
    The lecture's graph of ``J = cos(sin(x^2) + 3x^2)``, with its variable names:

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
                f"  {nid} [label={_quote(_leaf_label(node))}, shape=box, style={_quote(style)}];"
            )
            continue
        name = node.name
        if name is None:
            counter += 1
            name = f"u{counter}"
        lines.append(f"  {nid} [label={_quote(node.op.label)}, xlabel={_quote(name)}, shape=box];")
    for node in order:
        for parent in node.parents:
            lines.append(f"  {ids[parent]} -> {ids[node]};")
    lines.append("}")
    return "\n".join(lines)
