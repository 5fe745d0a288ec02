"""Drawing a computation graph: ``draw`` (a ``graphviz.Digraph``) and ``render`` (a file).

By default each value is one record, top to bottom: its label and the op that made it,
its data, its grad.  ``op_nodes=True, rankdir="LR"`` is micrograd's style instead (each
op a small node of its own, left to right); :func:`draw_dot` is micrograd's name for it.
Node ids follow the topological order (value ``n{i}``, op ``o{i}``), never ``id()``, so
the same graph gives byte-identical DOT source on every run.  Edge labels are local
derivatives taken from the rule table (:data:`autograd.rules.RULES`); nothing here knows
a derivative.  Parallel edges (``x*x``: two edges from x into one node) are drawn as one
edge marked ``×n``.

``collapse="neuron"`` or ``"layer"`` draws each ``nn`` module as one box (see
:mod:`autograd.modules_in_graph`); edges then carry the gradient that flows along them.

What ``draw`` returns is a :class:`Drawing`, a ``graphviz.Digraph`` whose ``pipe``,
``render`` and notebook display lay out through :func:`autograd.layout.layout`: a child
process, bounded in time and memory, using ``dot`` when it is on PATH and the Graphviz
bundled with ``pygraphviz`` otherwise.  No system Graphviz is needed anywhere.
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path

import graphviz

from .engine import Value
from .fileio import write_atomically
from .foreign import as_graph
from .graph import topological_order
from .layout import LAYOUT_MEMORY, LAYOUT_TIMEOUT, NARROWING, layout
from .modules_in_graph import COLLAPSE_LEVELS, module_of_nodes, neuron_of_parameter
from .rules import RULES, UnknownOpError
from .rules.maths import safe_fsum

__all__ = ["draw", "draw_dot", "render", "Drawing", "GraphTooLargeError",
           "DEFAULT_MAX_NODES", "RENDER_FORMATS"]

DEFAULT_MAX_NODES = 2000
# Beyond a few thousand nodes or edges the layout runs for minutes and the picture is
# unreadable anyway; refusing early is kinder than hanging.  (The layout also has a time
# budget, layout_timeout, for graphs under these limits that are still too tangled.)

RENDER_FORMATS = ("svg", "png", "pdf", "dot")

_OP_SYMBOL = {"add": "+", "mul": "*", "sum": "sum", "dot": "dot", "powv": "**"}
_HIGHLIGHT = {"color": "red", "penwidth": "2"}
_MAX_LABELLED_FAN_IN = 4
_MAX_LABELLED_SPAN = 300
_BOX = {"shape": "Mrecord", "style": "filled", "fillcolor": "#fff4d6"}


class GraphTooLargeError(ValueError):
    """The graph has more nodes or edges than allowed; the message says how to narrow it."""


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that lays itself out with no system Graphviz.

    ``pipe()``, ``render()`` and the notebook display (``_repr_svg_``,
    ``_repr_mimebundle_``) use :func:`autograd.layout.layout`, bounded by
    ``layout_timeout`` seconds; everything else is ``graphviz.Digraph``'s.  Other
    engines, renderers or formatters are passed to graphviz, which needs ``dot``.
    """

    def __init__(self, *args, layout_timeout: float = LAYOUT_TIMEOUT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.layout_timeout = layout_timeout
        # A collapsed box's node id -> the topological indices of the values inside it.
        self.members: dict[str, list[int]] = {}

    def _ours(self, engine, renderer, formatter, neato_no_op) -> bool:
        return (engine or self.engine) == "dot" and not (renderer or formatter or neato_no_op)

    def pipe(self, format: str | None = None, renderer: str | None = None,
             formatter: str | None = None, neato_no_op=None, quiet: bool = False, *,
             engine: str | None = None, encoding: str | None = None) -> bytes | str:
        """The graph laid out as ``format`` (default ``self.format``): bytes, or text when
        ``encoding`` is given.  Raises :class:`autograd.layout.LayoutError` on failure."""
        if not self._ours(engine, renderer, formatter, neato_no_op):
            return super().pipe(format, renderer, formatter, neato_no_op, quiet,
                                engine=engine, encoding=encoding)
        data = layout(self.source, format or self.format, timeout=self.layout_timeout,
                      memory=LAYOUT_MEMORY)
        return data.decode(encoding) if encoding is not None else data

    def render(self, filename=None, directory=None, view: bool = False,
               cleanup: bool = False, format: str | None = None, renderer=None,
               formatter=None, neato_no_op=None, quiet: bool = False,
               quiet_view: bool = False, *, outfile=None, engine=None,
               raise_if_result_exists: bool = False, overwrite_source: bool = False) -> str:
        """As ``graphviz.Digraph.render``: save the source, write ``<source>.<format>``
        (or ``outfile``) atomically, and return the rendered file's path."""
        if not self._ours(engine, renderer, formatter, neato_no_op):
            return super().render(filename, directory, view, cleanup, format, renderer,
                                  formatter, neato_no_op, quiet, quiet_view, outfile=outfile,
                                  engine=engine, raise_if_result_exists=raise_if_result_exists,
                                  overwrite_source=overwrite_source)
        if outfile is not None:
            outfile = Path(outfile)
            format = format or outfile.suffix.lstrip(".").lower() or self.format
            if directory is None:
                outfile = Path(self.directory, outfile)
            if filename is None:
                filename = outfile.with_suffix(".gv")
        format = format or self.format
        source_path = self.save(filename, directory=directory)
        rendered = outfile if outfile is not None else Path(f"{source_path}.{format}")
        if raise_if_result_exists and rendered.exists():
            raise FileExistsError(f"output file exists: {os.fspath(rendered)!r}")
        write_atomically(rendered, self.pipe(format=format))
        if cleanup:
            os.remove(source_path)
        if view or quiet_view:
            self._view(rendered, format=format, quiet=quiet_view)
        return os.fspath(rendered)

    def _repr_svg_(self) -> str:
        return self.pipe(format="svg", encoding="utf-8")

    def _repr_mimebundle_(self, include=None, exclude=None, **_) -> dict:
        include = {"image/svg+xml"} if include is None else set(include)
        include -= set(exclude or ())
        kinds = {"image/svg+xml": lambda: self._repr_svg_(),
                 "image/png": lambda: self.pipe(format="png"),
                 "image/jpeg": lambda: self.pipe(format="jpeg")}
        return {kind: make() for kind, make in kinds.items() if kind in include}


# --- options, checked at the boundary -------------------------------------------------------


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {value!r} "
                        f"({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _seconds(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number of seconds, got {value!r} "
                        f"({type(value).__name__})")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive, finite number of seconds, got {value!r}")
    return float(value)


def _check_number_format(number_format) -> None:
    if not isinstance(number_format, str):
        raise TypeError(f"number_format must be a format spec string such as '.4g', got "
                        f"{number_format!r}")
    try:
        format(1.5, number_format)
    except (ValueError, TypeError):
        raise ValueError(f"number_format {number_format!r} is not a float format spec, "
                         f"e.g. '.4g'") from None


# --- the graph ----------------------------------------------------------------------------


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


def _partials(node: Value) -> tuple:
    try:
        rule = RULES[node.op]
    except KeyError:
        raise UnknownOpError(node.op) from None
    return rule.local_partials(node.data, node.ctx, [c.data for c in node.inputs])


def _too_large(what: str, limit: int, option: str, collapse: str | None) -> GraphTooLargeError:
    if collapse is None:
        narrowing = NARROWING
    else:  # already collapsed: only a coarser level or a focus can help
        narrowing = ("narrow the drawing with focus=<a node> (only what feeds it is drawn)"
                     + (" or collapse='layer' (one box per layer)"
                        if collapse == "neuron" else ""))
    return GraphTooLargeError(
        f"the graph has {what}, more than {option}={limit}: the layout would be "
        f"slow and unreadable. To draw it, {narrowing}, or raise {option}.")


def _edge_span(order: list[Value]) -> int:
    """About how many ranks all edges cross together, ranked as dot ranks them: an op one
    rank below its deepest input, a leaf one rank above its first consumer."""
    depth: dict[Value, int] = {}
    for node in order:
        depth[node] = 1 + max((depth[c] for c in node.inputs), default=-1)
    level: dict[Value, int] = {}
    for node in order:
        for child in node.inputs:
            if child.is_leaf:
                level[child] = min(level.get(child, depth[node] - 1), depth[node] - 1)
    return sum(max(depth[node] - level.get(child, depth[child]) - 1, 0)
               for node in order for child in node.inputs)


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in name.split(".")]


def _box_text(name: str, members: list[Value], outputs: list[Value], fmt,
              rankdir: str) -> str:
    """The record of a collapsed module: name, what it computes, its output's numbers."""
    dots = [v for v in members if v.op == "dot"]
    acts = sorted({v.op for v in members if not v.is_leaf and v.op != "dot"})
    params = sum(1 for v in members if v.is_leaf)
    calls = len(dots)
    neurons = len({neuron_of_parameter(v) for v in members if v.is_leaf})
    act = acts[0] if len(acts) == 1 else "linear" if not acts else "/".join(acts)
    if neurons > 1:
        calls //= neurons
        what = f"{neurons} neurons, {act}"
    else:
        what = f"{act}(w·x + b)" if acts else "w·x + b"
    fields = [_escape_record(name), _escape_record(f"{what}, {params} parameters")]
    if calls > 1:
        fields.append(f"{calls} samples")
    if len(outputs) == 1:
        fields += [f"out {fmt(outputs[0].data)}", f"grad {fmt(outputs[0].grad)}"]
    text = " | ".join(fields)
    # Fields stacked: records run across in TB/BT and down in LR/RL unless braced.
    return "{ " + text + " }" if rankdir in ("TB", "BT") else text


def draw(
    root: Value,
    *,
    rankdir: str | None = None,
    op_nodes: bool = False,
    number_format: str = ".4g",
    edge_derivatives: bool = True,
    highlight: Value | None = None,
    focus: Value | None = None,
    collapse: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_edges: int | None = None,
    layout_timeout: float = LAYOUT_TIMEOUT,
) -> Drawing:
    """The computation graph of ``root`` as a :class:`Drawing` (a ``graphviz.Digraph``).

    Each value is a record of its label and op, data and grad (call ``backward()`` first
    to see gradients).

    Args:
        root: the output Value whose graph is drawn.
        rankdir: layout direction: ``"TB"`` (top to bottom), ``"LR"``, ``"BT"`` or
            ``"RL"``; by default ``"TB"``, and ``"LR"`` with ``collapse`` (a network
            drawn the way it is usually pictured, inputs on the left).
        op_nodes: draw each op as a small node of its own (micrograd's style) instead of
            writing it inside the value's record.
        number_format: a format spec for numbers, e.g. ``".4g"`` or ``".3f"``.
        edge_derivatives: label each edge with the local derivative of the node it feeds
            with respect to the node it comes from, at the current values (with
            ``collapse``: the gradient flowing back along the edge).
        highlight: a node of the graph; every path from ``root`` down to it is drawn in
            red.
        focus: a node of the graph; only the part of the graph that feeds it is drawn.
        collapse: ``"neuron"`` or ``"layer"``: draw each ``nn`` neuron or layer (found by
            its parameters' labels) as one box.
        max_nodes: refuse drawings with more value nodes (boxes count one) than this.
        max_edges: refuse drawings with more edges than this (parallel edges count
            one); by default twice ``max_nodes``.
        layout_timeout: seconds the layout may take when the drawing is displayed,
            piped or rendered; then it is stopped with an error.

    Returns:
        A :class:`Drawing`: it displays inline in Jupyter, ``.source`` is the DOT text,
        ``.pipe()`` and ``.render()`` work without a system Graphviz.

    Raises:
        GraphTooLargeError: more than ``max_nodes`` nodes or ``max_edges`` edges.
        TypeError: an option of the wrong type (``max_nodes="5"``), or ``root``,
            ``highlight`` or ``focus`` not a Value.
        ValueError: a bad option value, or ``highlight``/``focus`` not in the graph.

    >>> from autograd import Value, draw
    >>> x = Value(2.0, label="x"); y = (x * x).tanh(); y.label = "y"
    >>> print(draw(y).source.splitlines()[0])
    digraph autograd {
    """
    root, highlight, focus = as_graph("draw", root, highlight, focus)  # a learner's own too
    if rankdir is None:
        rankdir = "LR" if collapse else "TB"
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    _check_number_format(number_format)
    op_nodes = _flag(op_nodes, "op_nodes")
    edge_derivatives = _flag(edge_derivatives, "edge_derivatives")
    max_nodes = _positive_int(max_nodes, "max_nodes")
    max_edges = 2 * max_nodes if max_edges is None else _positive_int(max_edges, "max_edges")
    layout_timeout = _seconds(layout_timeout, "layout_timeout")
    if collapse is not None and collapse not in COLLAPSE_LEVELS:
        raise ValueError(f"collapse must be None, 'neuron' or 'layer', got {collapse!r}")

    order = _nodes_feeding(root, focus, "focus")
    lit: set[Value] = set()
    if highlight is not None:
        whole = order if focus is None else topological_order(root)
        if not isinstance(highlight, Value) or highlight not in set(whole):
            raise ValueError(f"highlight {highlight!r} is not part of the graph of {root!r}")
        lit = _on_paths_to(order, highlight)

    index = {node: i for i, node in enumerate(order)}
    module = module_of_nodes(order, collapse) if collapse else {}
    boxes: dict[str, list[Value]] = {}
    for node in order:
        if node in module:
            boxes.setdefault(module[node], []).append(node)
    drawn_values = len(order) - len(module) + len(boxes)
    if drawn_values > max_nodes:
        raise _too_large(f"{drawn_values} value nodes", max_nodes, "max_nodes", collapse)

    def box_or_value(node: Value) -> str:
        return module[node] if node in module else f"n{index[node]}"

    def target(node: Value) -> str:
        if node in module:
            return module[node]
        return f"o{index[node]}" if op_nodes else f"n{index[node]}"

    # One edge per (from, to) pair: [count, local partials, gradient flowing back, lit].
    edges: dict[tuple[str, str], list] = {}
    # A box's values used outside it, in order (a dict as an ordered set).
    box_outputs: dict[str, dict[Value, None]] = {name: {} for name in boxes}
    want_numbers = edge_derivatives or bool(collapse)
    for node in order:
        if node.is_leaf:
            continue
        # An op with no rule (a learner's own, see autograd.foreign) has no numbers: "?".
        partials = _partials(node) if want_numbers and node.op in RULES else None
        head = target(node)
        for k, child in enumerate(node.inputs):
            tail = box_or_value(child)
            if tail == head:
                continue  # inside one box
            if child in module:
                box_outputs[tail][child] = None
            entry = edges.get((tail, head))
            if entry is None:
                entry = edges[(tail, head)] = [0, [], 0.0, True]
            entry[0] += 1
            if partials is not None:
                entry[1].append(partials[k])
                entry[2] += partials[k] * node.grad
            entry[3] = entry[3] and node in lit and child in lit
        if len(edges) > max_edges:
            raise _too_large(f"over {max_edges} edges (parallel edges counted once)",
                             max_edges, "max_edges", collapse)
    if root in module:
        box_outputs[module[root]][root] = None

    # Labels on long edges (x feeding every step of x*x*...*x) multiply Graphviz's work
    # many times over: 60 factors take seconds with labels and a fraction without.  Such
    # graphs get xlabels, placed after the layout at no cost.
    short_edges = _edge_span(order) <= _MAX_LABELLED_SPAN
    fmt = lambda x: format(x, number_format)
    g = Drawing("autograd", graph_attr={"rankdir": rankdir},
                node_attr={"fontsize": "12"}, edge_attr={"fontsize": "10"},
                layout_timeout=layout_timeout)
    g.members = {name: [index[v] for v in members] for name, members in boxes.items()}
    into: dict[str, list[str]] = {}
    for tail, head in edges:
        into.setdefault(head, []).append(tail)

    def emit_edges_into(head: str) -> None:
        tails = into.get(head, ())
        for tail in tails:
            count, partials, flow, on_path = edges[(tail, head)]
            attrs = dict(_HIGHLIGHT) if (on_path and lit) else {}
            if edge_derivatives:
                if not partials:
                    text = "?"
                elif collapse:
                    text = fmt(flow)
                elif all(p == partials[0] for p in partials):
                    text = fmt(partials[0])  # "2 ×2": each of the two edges is 2
                else:
                    text = "Σ " + fmt(safe_fsum(partials))
                text = text if count == 1 else f"{text} ×{count}"
                if not collapse:
                    attrs["label" if short_edges else "xlabel"] = text
                else:
                    # Between two layers of 16 neurons run 256 edges: their numbers would
                    # hide each other, so a box fed by many edges shows them on hover
                    # (tooltip) only.
                    attrs["tooltip"] = f"gradient flowing back: {text}"
                    if len(tails) <= _MAX_LABELLED_FAN_IN:
                        attrs["label" if short_edges else "xlabel"] = text
            g.edge(tail, head, **attrs)

    # Boxes first, in the modules' natural order (neurons.2 before neurons.10), so the
    # layout starts from the order a reader expects.
    for name in sorted(boxes, key=_natural):
        members = boxes[name]
        style = _HIGHLIGHT if any(v in lit for v in members) else {}
        g.node(name, _box_text(name, members, list(box_outputs[name]), fmt, rankdir), **_BOX,
               **style)
    for i, node in enumerate(order):
        if node in module:
            continue
        style = _HIGHLIGHT if node in lit else {}
        header = _escape_record(str(node.label)) if node.label else ""
        if not node.is_leaf and not op_nodes:
            op = _escape_record(_op_text(node))
            header = f"{header} = {op}" if header else op
        fields = [header] if header else []
        if node.is_leaf and not node.label:
            fields.append(fmt(node.data))  # an unnamed constant: its value says it all
        else:
            fields += [f"data {fmt(node.data)}", f"grad {fmt(node.grad)}"]
        text = " | ".join(fields)
        # micrograd's record runs across (label | data | grad); ours stacks the fields.
        if op_nodes or rankdir in ("TB", "BT"):
            text = "{ " + text + " }"
        g.node(f"n{i}", text, shape="record", **style)
        if op_nodes and not node.is_leaf:
            text = _op_text(node)
            # Symbols fit a small circle; names like "sigmoid" would blow it up.
            g.node(f"o{i}", _escape_record(text),
                   shape="circle" if len(text) <= 3 else "ellipse", **style)
            g.edge(f"o{i}", f"n{i}", **style)
        emit_edges_into(target(node))
    for name in sorted(boxes, key=_natural):
        emit_edges_into(name)
    return g


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR") -> Drawing:
    """micrograd's ``draw_dot``: the graph in micrograd's style (op nodes, left to right).

    The lecture's notebook code runs unchanged: ``draw_dot(L)`` as a cell's last line
    displays the graph, with no system Graphviz.

    Args:
        root: the output Value.
        format: the drawing's default output format (``"svg"``, ``"png"``...).
        rankdir: ``"LR"`` or ``"TB"``.

    >>> from autograd import Value, draw_dot
    >>> draw_dot(Value(2.0, label="x") * 3).format
    'svg'
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', got {rankdir!r}")
    g = draw(as_graph("draw_dot", root), rankdir=rankdir, op_nodes=True)
    g.format = format
    return g


def _layout(source: str, fmt: str) -> bytes:
    """DOT source laid out as ``fmt``, bounded in time and memory (see :mod:`.layout`)."""
    return layout(source, fmt)


def render(root: Value, path: str | os.PathLike | None = None, **options) -> Path | str:
    """Draw the graph of ``root``; write it to ``path`` atomically, or return the SVG.

    The format comes from the file's suffix: ``.svg``, ``.png``, ``.pdf``, or ``.dot``
    (the DOT source itself).  Layout uses the ``dot`` executable when it is on PATH,
    otherwise Graphviz bundled with ``pygraphviz``; no system Graphviz is needed.

    Args:
        root: the output Value whose graph is drawn.
        path: the file to write (its directory must exist), or None for the SVG text.
        **options: every option of :func:`draw` (``rankdir``, ``op_nodes``,
            ``highlight``, ``focus``, ``collapse``, ``layout_timeout``...).

    Returns:
        The path written, as a ``pathlib.Path``; with no ``path``, the SVG as a str.

    Raises:
        ValueError: an unsupported suffix (and everything :func:`draw` raises).
        autograd.layout.LayoutError: the layout failed or ran out of time (a
            ``RuntimeError``).

    >>> from autograd import Value, render
    >>> x = Value(2.0, label="x"); y = x * x
    >>> render(y, "graph.svg").name
    'graph.svg'
    >>> render(y).startswith("<?xml")
    True
    """
    if path is None:
        return draw(root, **options).pipe(format="svg", encoding="utf-8")
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
    drawing = draw(root, **options)
    data = drawing.source.encode() if fmt == "dot" else drawing.pipe(format=fmt)
    write_atomically(path, data)
    return path
