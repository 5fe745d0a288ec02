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
import re
from pathlib import Path

import graphviz

from .engine import Value
from .fileio import write_atomically
from .foreign import as_graph
from .graph import topological_order
from .graph_model import UNKNOWN, GraphModel, stale_note
from .layout import GRAPHVIZ_PROGRAM, LAYOUT_MEMORY, LAYOUT_TIMEOUT, NARROWING, layout
from .modules_in_graph import COLLAPSE_LEVELS, module_of_nodes, neuron_of_parameter
from .naming import Names, check_label, node_names, user_frame
from .rules import RULES, is_paired
from .rules.maths import safe_fsum

__all__ = ["draw", "draw_dot", "render", "Drawing", "GraphTooLargeError",
           "DEFAULT_MAX_NODES", "RENDER_FORMATS", "box_id", "write_dot",
           "DotStyle", "dot_style"]

DEFAULT_MAX_NODES = 2000
# Beyond a few thousand nodes or edges the layout runs for minutes and the picture is
# unreadable anyway; refusing early is kinder than hanging.  (The layout also has a time
# budget, layout_timeout, for graphs under these limits that are still too tangled.)

#: The file format that is the DOT source itself (no layout): Graphviz's language, not an op.
SOURCE_FORMAT = "dot"
RENDER_FORMATS = ("svg", "png", "pdf", SOURCE_FORMAT)

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
        # A collapsed box's name -> the topological indices of the values inside it.
        self.members: dict[str, list[int]] = {}
        # A collapsed box's name -> its DOT node id (the name itself only when it is a
        # plain dotted identifier: user text never becomes DOT syntax).
        self.box_ids: dict[str, str] = {}
        # DOT node id -> the kinds of its record's last fields, ("data", "grad") for a
        # value: where the numbers are, found by markup rather than by searching text.
        self.numbered: dict[str, tuple[str, ...]] = {}

    def _ours(self, engine, renderer, formatter, neato_no_op) -> bool:
        return ((engine or self.engine) == GRAPHVIZ_PROGRAM
                and not (renderer or formatter or neato_no_op))

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
    """The op as drawn: its rule's symbol (``+``; ``**2`` where the constant is the right
    operand), else its name."""
    rule = RULES.get(node.op)
    if rule is None or not rule.symbol:
        return node.op
    return rule.symbol.strip() + (f"{node.ctx:g}" if rule.arity == 1 else "")


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


_PLAIN_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")


def box_id(name: str, k: int) -> str:
    """The DOT node id of the ``k``-th collapsed box, named ``name``: the name when it is
    a plain dotted identifier (``layers.0.neurons.1``), else ``box #k``.  A generated id
    has a space, so it never equals a plain name; names such as ``a:b`` (node ``a``,
    port ``b``), ``x\\`` (a DOT syntax error) or ``<b>`` (an HTML-like id) never reach
    DOT as ids: the name is shown only in the record's label, escaped there."""
    return name if _PLAIN_ID.fullmatch(name) else f"box #{k}"


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in name.split(".")]


def _box_text(name: str, members: list[Value], outputs: list[Value], fmt,
              rankdir: str, grads: list[float], model) -> str:
    """The record of a collapsed module: name, what it computes, its output's numbers."""
    dots = [v for v in members if is_paired(v.op)]
    acts = sorted({v.op for v in members if not v.is_leaf and not is_paired(v.op)})
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
        out = outputs[0]
        fields += [f"out {fmt(out.data)}", f"grad {fmt(grads[model.index[out]])}"]
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
    names: Names = None,
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
        names: how nodes are named (see :mod:`autograd.naming`): by default a node's
            label, else the caller's variable that holds it; ``False`` for labels only;
            or a mapping ``{node: name}``.  Nothing is written onto the nodes.

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
    frame = user_frame()
    # A learner's own micrograd-style graph is drawn through our copy of it.
    root, highlight, focus = as_graph("draw", root, highlight, focus,
                                      frame=frame if names is not False else None)
    style = dot_style(rankdir=rankdir, op_nodes=op_nodes, number_format=number_format,
                      edge_derivatives=edge_derivatives, collapse=collapse,
                      layout_timeout=layout_timeout)
    max_nodes = _positive_int(max_nodes, "max_nodes")
    max_edges = 2 * max_nodes if max_edges is None else _positive_int(max_edges, "max_edges")

    order = _nodes_feeding(root, focus, "focus")
    lit: set[Value] = set()
    if highlight is not None:
        whole = order if focus is None else topological_order(root)
        if not isinstance(highlight, Value) or highlight not in set(whole):
            raise ValueError(f"highlight {highlight!r} is not part of the graph of {root!r}")
        lit = _on_paths_to(order, highlight)
    model = GraphModel(order[-1], node_names(order, names, frame=frame), order)
    g = write_dot(model, style, grads=[node.grad for node in order], lit=lit,
                  max_nodes=max_nodes, max_edges=max_edges)
    if stale_note(order, "") is not None:
        # A title line rather than zeros shown silently (no user text in it: it is DOT).
        g.graph_attr.update(label="backward() has not run: every grad is 0", labelloc="t",
                            fontsize="12", fontcolor="#9a3412")
    return g


class DotStyle:
    """How :func:`write_dot` draws: the options of :func:`draw`, already checked."""

    __slots__ = ("rankdir", "op_nodes", "number_format", "edge_derivatives", "collapse",
                 "layout_timeout")

    def __init__(self, *, rankdir: str = "TB", op_nodes: bool = False,
                 number_format: str = ".4g", edge_derivatives: bool = True,
                 collapse: str | None = None, layout_timeout: float = LAYOUT_TIMEOUT) -> None:
        self.rankdir, self.op_nodes, self.number_format = rankdir, op_nodes, number_format
        self.edge_derivatives, self.collapse = edge_derivatives, collapse
        self.layout_timeout = layout_timeout

    def fmt(self, x) -> str:
        """A number as drawn; an unknown one (an op with no rule) as ``?``."""
        return "?" if x is UNKNOWN else format(x, self.number_format)


def dot_style(*, rankdir: str | None = None, op_nodes: bool = False,
              number_format: str = ".4g", edge_derivatives: bool = True,
              collapse: str | None = None, layout_timeout: float = LAYOUT_TIMEOUT) -> DotStyle:
    """:func:`draw`'s options checked (``TypeError``/``ValueError`` naming the option)."""
    if rankdir is None:
        rankdir = "LR" if collapse else "TB"
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    _check_number_format(number_format)
    if collapse is not None and collapse not in COLLAPSE_LEVELS:
        raise ValueError(f"collapse must be None, 'neuron' or 'layer', got {collapse!r}")
    return DotStyle(rankdir=rankdir, op_nodes=_flag(op_nodes, "op_nodes"),
                    number_format=number_format,
                    edge_derivatives=_flag(edge_derivatives, "edge_derivatives"),
                    collapse=collapse,
                    layout_timeout=_seconds(layout_timeout, "layout_timeout"))


def write_dot(model: GraphModel, style: DotStyle, *, grads: list[float],
              lit: set = frozenset(), max_nodes: int = DEFAULT_MAX_NODES,
              max_edges: int | None = None, page_names: bool = False) -> Drawing:
    """The DOT writer: ``model`` drawn as a :class:`Drawing`, with ``grads`` (one per node
    of ``model.order``) as the gradients shown and the nodes of ``lit`` in red; with
    ``page_names``, unnamed results are headed by :meth:`GraphModel.name` (``#4 = *``).  Every
    piece of user text is escaped where it is placed: record labels by
    :func:`_escape_record`, box ids by :func:`box_id`; node ids are ``n<i>``/``o<i>``.

    Raises:
        GraphTooLargeError: more than ``max_nodes`` value nodes or ``max_edges`` edges.
        ValueError: a label or name that cannot be drawn (:func:`check_label`).
    """
    order = model.order
    # A label was checked when it was set (a learner's node's too: it is mirrored into a
    # Value); checked again here for one that got past the setter (a node unpickled or
    # written to by hand), and names, which a caller's mapping gives here.
    for node in order:
        if node.label:
            check_label(node.label)
    for name in model.names.values():
        check_label(name, "name")
    module = module_of_nodes(order, style.collapse) if style.collapse else {}
    boxes: dict[str, list[Value]] = {}
    for node in order:
        if node in module:
            boxes.setdefault(module[node], []).append(node)
    drawn_values = len(order) - len(module) + len(boxes)
    if drawn_values > max_nodes:
        raise _too_large(f"{drawn_values} value nodes", max_nodes, "max_nodes",
                         style.collapse)
    ids = {name: box_id(name, k) for k, name in enumerate(sorted(boxes, key=_natural))}
    plan = _EdgePlan(model, style, module, ids, grads, lit)
    plan.collect(2 * max_nodes if max_edges is None else max_edges)

    g = Drawing("autograd", graph_attr={"rankdir": style.rankdir},
                node_attr={"fontsize": "12"}, edge_attr={"fontsize": "10"},
                layout_timeout=style.layout_timeout)
    g.members = {name: [model.index[v] for v in members] for name, members in boxes.items()}
    g.box_ids = ids
    # Boxes first, in the modules' natural order (neurons.2 before neurons.10), so the
    # layout starts from the order a reader expects.
    for name in sorted(boxes, key=_natural):
        members = boxes[name]
        outputs = list(plan.box_outputs[ids[name]])
        attrs = _HIGHLIGHT if any(v in lit for v in members) else {}
        text = _box_text(name, members, outputs, style.fmt, style.rankdir, grads, model)
        g.node(ids[name], text, **_BOX, **attrs)
        if len(outputs) == 1:
            g.numbered[ids[name]] = ("data", "grad")
    for i, node in enumerate(order):
        if node not in module:
            _value_node(g, model, style, i, grads[i], node in lit, page_names)
            plan.emit_into(g, plan.target(node))
    for name in sorted(boxes, key=_natural):
        plan.emit_into(g, ids[name])
    return g


def _value_node(g: Drawing, model: GraphModel, style: DotStyle, i: int, grad: float,
                on_path: bool, page_names: bool = False) -> None:
    """One value's record (and its op node, in micrograd's style)."""
    node = model.order[i]
    attrs = _HIGHLIGHT if on_path else {}
    name = model.names.get(node) or (model.name(node) if page_names and not node.is_leaf
                                     else None)
    header = _escape_record(name) if name else ""
    if not node.is_leaf and not style.op_nodes:
        op = _escape_record(_op_text(node))
        header = f"{header} = {op}" if header else op
    fields = [header] if header else []
    if node.is_leaf and not name:
        fields.append(style.fmt(node.data))  # an unnamed constant: its value says it all
    else:
        fields += [f"data {style.fmt(node.data)}", f"grad {style.fmt(grad)}"]
        g.numbered[f"n{i}"] = ("data", "grad")
    text = " | ".join(fields)
    # micrograd's record runs across (label | data | grad); ours stacks the fields.
    if style.op_nodes or style.rankdir in ("TB", "BT"):
        text = "{ " + text + " }"
    g.node(f"n{i}", text, shape="record", **attrs)
    if style.op_nodes and not node.is_leaf:
        op = _op_text(node)
        # Symbols fit a small circle; names like "sigmoid" would blow it up.
        g.node(f"o{i}", _escape_record(op), shape="circle" if len(op) <= 3 else "ellipse",
               **attrs)
        g.edge(f"o{i}", f"n{i}", **attrs)


class _EdgePlan:
    """The drawn edges: one per (from, to) pair, parallel edges merged, with the local
    partials along them and the gradient flowing back (for collapsed boxes)."""

    def __init__(self, model, style, module, ids, grads, lit) -> None:
        self.model, self.style, self.module, self.ids = model, style, module, ids
        self.grads, self.lit = grads, lit
        # (from, to) -> [count, local partials, gradient flowing back, on a lit path].
        self.edges: dict[tuple[str, str], list] = {}
        # A box's values used outside it, in order (a dict as an ordered set).
        self.box_outputs: dict[str, dict] = {dot_id: {} for dot_id in ids.values()}
        self.into: dict[str, list[str]] = {}
        self.short = True

    def box_or_value(self, node) -> str:
        if node in self.module:
            return self.ids[self.module[node]]
        return f"n{self.model.index[node]}"

    def target(self, node) -> str:
        if node in self.module:
            return self.ids[self.module[node]]
        return f"{'o' if self.style.op_nodes else 'n'}{self.model.index[node]}"

    def collect(self, max_edges: int) -> None:
        model, lit = self.model, self.lit
        for i, node in enumerate(model.order):
            head = self.target(node)
            for k, child in enumerate(node.inputs):
                tail = self.box_or_value(child)
                if tail == head:
                    continue  # inside one box
                if child in self.module:
                    self.box_outputs[tail][child] = None
                entry = self.edges.setdefault((tail, head), [0, [], 0.0, True])
                entry[0] += 1
                p = model.partials[i][k]
                entry[1].append(p)
                entry[2] += float("nan") if p is UNKNOWN else p * self.grads[i]
                entry[3] = entry[3] and node in lit and child in lit
            if len(self.edges) > max_edges:
                raise _too_large(f"over {max_edges} edges (parallel edges counted once)",
                                 max_edges, "max_edges", self.style.collapse)
        root = model.order[-1]
        if root in self.module:
            self.box_outputs[self.ids[self.module[root]]][root] = None
        for tail, head in self.edges:
            self.into.setdefault(head, []).append(tail)
        # Labels on long edges (x feeding every step of x*x*...*x) multiply Graphviz's
        # work many times over: such graphs get xlabels, placed after the layout at no cost.
        self.short = _edge_span(model.order) <= _MAX_LABELLED_SPAN

    def emit_into(self, g: Drawing, head: str) -> None:
        style, tails = self.style, self.into.get(head, ())
        place = "label" if self.short else "xlabel"
        for tail in tails:
            count, partials, flow, on_path = self.edges[(tail, head)]
            attrs = dict(_HIGHLIGHT) if (on_path and self.lit) else {}
            if style.edge_derivatives:
                text = _edge_text(style, partials, flow)
                text = text if count == 1 else f"{text} ×{count}"
                if not style.collapse:
                    attrs[place] = text
                else:
                    # Between two layers of 16 neurons run 256 edges: their numbers would
                    # hide each other, so a box fed by many edges shows them on hover only.
                    attrs["tooltip"] = f"gradient flowing back: {text}"
                    if len(tails) <= _MAX_LABELLED_FAN_IN:
                        attrs[place] = text
            g.edge(tail, head, **attrs)


def _edge_text(style: DotStyle, partials: list, flow: float) -> str:
    if style.collapse:
        return style.fmt(flow)
    if any(p is UNKNOWN for p in partials):
        return "?"
    if all(p == partials[0] for p in partials):
        return style.fmt(partials[0])  # "2 ×2": each of the two edges is 2
    return "Σ " + style.fmt(safe_fsum(partials))


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
        fmt = SOURCE_FORMAT
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"cannot render to {str(path)!r}: the suffix must be one of "
                         f"{', '.join('.' + f for f in RENDER_FORMATS)}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot render to {str(path)!r}: no directory "
                                f"{str(path.parent)!r}")
    drawing = draw(root, **options)
    data = drawing.source.encode() if fmt == SOURCE_FORMAT else drawing.pipe(format=fmt)
    write_atomically(path, data)
    return path
