"""Drawing a computation graph: ``draw`` (a ``graphviz.Digraph``) and ``render`` (a file).

Each value is a record (label | data | grad) and each op is its own small node, so a
node used twice is drawn once with two outgoing edges.  Node ids follow the
topological order (``n0``, ``n1``, ...), never ``id()``, so the same graph gives
byte-identical DOT source on every run.  Edge labels are local derivatives taken from
the rule table (:data:`autograd.rules.RULES`); nothing here knows a derivative.

``render`` lays the graph out with the ``dot`` executable when it is on PATH, and
otherwise in-process with ``pygraphviz``, whose wheels bundle Graphviz, so it works
after ``pip install`` alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import graphviz

from .engine import Value
from .fileio import write_atomically
from .graph import topological_order
from .rules import RULES, UnknownOpError

__all__ = ["draw", "render", "GraphTooLargeError", "DEFAULT_MAX_NODES", "RENDER_FORMATS"]

DEFAULT_MAX_NODES = 2000
# Beyond a few thousand nodes the layout engine runs for minutes and the picture is
# unreadable anyway; refusing early is kinder than hanging.

RENDER_FORMATS = ("svg", "png", "pdf", "dot")

_OP_SYMBOL = {"add": "+", "mul": "*", "sum": "sum", "dot": "dot", "powv": "**"}
_HIGHLIGHT = {"color": "red", "penwidth": "2"}


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``; the message says how to narrow it."""


def _escape_record(text: str) -> str:
    # Record labels give { } | < > their own meaning; a user's label must not.
    out = []
    for ch in text:
        if ch in '\\{}|<>"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def _op_text(node: Value) -> str:
    op = node.op
    if op == "pow":
        return f"**{node.ctx:g}"
    return _OP_SYMBOL.get(op, op)


def _nodes_feeding(root: Value, focus: Value | None, what: str) -> list[Value]:
    order = topological_order(root)
    if focus is None:
        return order
    if not isinstance(focus, Value):
        raise TypeError(f"{what} must be a Value from the graph, got {type(focus).__name__}")
    if focus not in set(order):
        raise ValueError(f"{what} {focus!r} is not part of the graph of {root!r}")
    return topological_order(focus)


def _on_paths_to(order: list[Value], target: Value) -> set[Value]:
    """Nodes of ``order`` that depend on ``target`` (target included): every path from
    the root down to ``target`` runs through exactly these nodes."""
    on = {target}
    for node in order:  # inputs come before the nodes made from them
        if node not in on and any(child in on for child in node.inputs):
            on.add(node)
    return on


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    number_format: str = ".4g",
    edge_derivatives: bool = True,
    highlight: Value | None = None,
    focus: Value | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> graphviz.Digraph:
    """The computation graph of ``root`` as a ``graphviz.Digraph``.

    Values are records showing label, data and grad (call ``backward()`` first to see
    gradients); each operation is a small node of its own.

    Args:
        root: the output Value whose graph is drawn.
        rankdir: layout direction, ``"LR"`` (left to right) or ``"TB"`` (top to bottom).
        number_format: a format spec for numbers, e.g. ``".4g"`` or ``".3f"``.
        edge_derivatives: label each input edge with the local derivative of the op's
            output with respect to that input, evaluated at the current values.
        highlight: a node of the graph; every path from ``root`` down to it is drawn in
            red.
        focus: a node of the graph; only the part of the graph that feeds it is drawn.
        max_nodes: refuse graphs with more value nodes than this.

    Returns:
        A ``graphviz.Digraph``; it displays inline in Jupyter, ``.source`` is the DOT text.

    Raises:
        GraphTooLargeError: the graph has more than ``max_nodes`` values.
        ValueError: bad ``rankdir``/``number_format``, or ``highlight``/``focus`` not in
            the graph.
        TypeError: ``root``, ``highlight`` or ``focus`` is not a Value.

    >>> from autograd import Value, draw
    >>> x = Value(2.0, label="x"); y = (x * x).tanh(); y.label = "y"
    >>> print(draw(y).source.splitlines()[0])
    digraph autograd {
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw() needs a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    try:
        format(1.5, number_format)
    except (ValueError, TypeError):
        raise ValueError(f"number_format {number_format!r} is not a float format spec, "
                         f"e.g. '.4g'") from None
    order = _nodes_feeding(root, focus, "focus")
    if len(order) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(order)} value nodes, more than max_nodes={max_nodes}: "
            f"the layout would be slow and unreadable. Narrow the drawing with "
            f"focus=<a node> (only the part feeding it is drawn), or raise max_nodes."
        )
    lit: set[Value] = set()
    if highlight is not None:
        whole = order if focus is None else topological_order(root)
        if not isinstance(highlight, Value) or highlight not in set(whole):
            raise ValueError(f"highlight {highlight!r} is not part of the graph of {root!r}")
        lit = _on_paths_to(order, highlight)

    fmt = lambda x: format(x, number_format)
    ids = {node: i for i, node in enumerate(order)}
    g = graphviz.Digraph("autograd", graph_attr={"rankdir": rankdir},
                         node_attr={"fontsize": "11"}, edge_attr={"fontsize": "9"})
    for i, node in enumerate(order):
        fields = [_escape_record(node.label)] if node.label else []
        if node.is_leaf and not node.label:
            fields.append(fmt(node.data))  # an unnamed constant: its value says it all
        else:
            fields += [f"data {fmt(node.data)}", f"grad {fmt(node.grad)}"]
        style = _HIGHLIGHT if node in lit else {}
        g.node(f"n{i}", "{ " + " | ".join(fields) + " }", shape="record", **style)
        if node.is_leaf:
            continue
        try:
            rule = RULES[node.op]
        except KeyError:
            raise UnknownOpError(node.op) from None
        text = _op_text(node)
        # Symbols fit a small circle; names like "sigmoid" would blow it up.
        g.node(f"o{i}", _escape_record(text), shape="circle" if len(text) <= 3 else "ellipse",
               **style)
        g.edge(f"o{i}", f"n{i}", **style)
        partials = (rule.local_partials(node.data, node.ctx, [c.data for c in node.inputs])
                    if edge_derivatives else None)
        for k, child in enumerate(node.inputs):
            attrs = dict(_HIGHLIGHT) if (node in lit and child in lit) else {}
            if partials is not None:
                attrs["label"] = fmt(partials[k])
            g.edge(f"n{ids[child]}", f"o{i}", **attrs)
    return g


def _layout(source: str, fmt: str) -> bytes:
    """Lay out DOT source with the ``dot`` executable, or pygraphviz if there is none."""
    exe = shutil.which("dot")
    if exe is not None:
        done = subprocess.run([exe, f"-T{fmt}"], input=source.encode(), capture_output=True,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{exe} -T{fmt} failed (exit {done.returncode}): "
                               f"{done.stderr.decode(errors='replace').strip()}")
        return done.stdout
    try:
        import pygraphviz  # deferred: importing it loads the bundled Graphviz libraries
    except ImportError as e:
        raise RuntimeError(
            f"cannot lay out the graph: no `dot` program on PATH and pygraphviz cannot be "
            f"imported ({e}); install Graphviz, or `pip install 'pygraphviz>=2.0.4'`, or "
            f"render to a .dot file"
        ) from None
    from ._fontconfig import init  # silences only the bundled Fontconfig's harmless warning

    init(pygraphviz)
    return pygraphviz.AGraph(string=source).draw(format=fmt, prog="dot")


def render(root: Value, path: str | os.PathLike, **draw_options) -> Path:
    """Draw the graph of ``root`` and write it to ``path``, atomically.

    The format comes from the file's suffix: ``.svg``, ``.png``, ``.pdf``, or ``.dot``
    (the DOT source itself).  Layout uses the ``dot`` executable when it is on PATH,
    otherwise Graphviz bundled with ``pygraphviz``; no system Graphviz is needed.

    Args:
        root: the output Value whose graph is drawn.
        path: the file to write; its directory must exist.
        **draw_options: passed to :func:`draw` (``rankdir``, ``highlight``, ``focus``...).

    Returns:
        The path written, as a ``pathlib.Path``.

    Raises:
        ValueError: an unsupported suffix (and everything :func:`draw` raises).
        RuntimeError: the layout engine failed.

    >>> from autograd import Value, render
    >>> x = Value(2.0, label="x"); y = x * x
    >>> render(y, "graph.svg").name
    'graph.svg'
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "gv":
        fmt = "dot"
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"cannot render to {str(path)!r}: the suffix must be one of "
                         f"{', '.join('.' + f for f in RENDER_FORMATS)}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot render to {str(path)!r}: no directory "
                                f"{str(path.parent)!r}")
    source = draw(root, **draw_options).source
    data = source.encode() if fmt == "dot" else _layout(source, fmt)
    write_atomically(path, data)
    return path
