"""The computation graph as one interactive HTML page: ``explore``.

``explore(L)`` writes (or returns) a single self-contained HTML file: the graph drawn by
:func:`autograd.draw`, laid out to SVG in-process, with the page's own script and style
inlined (``autograd/explorer/``: a small HTML, JS and CSS file, no framework, no network).
Click a node to see its data, its gradient, the local derivative of each input edge and
the chain rule of d(root)/d(node) as :func:`autograd.explain` writes it; step through
the backward pass (and the forward pass) one node at a time, in the engine's order.

Every number is computed here, in Python, from the rule table and the engine, and
embedded in the page as JSON; the script only shows it.  Markup contract (for tests and
scripts): every value node of the SVG carries ``data-node="<name>"`` (unnamed nodes:
``data-node="#<index in topological order>"``) and the details of the selected node are
shown in the element ``id="details"``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from importlib import resources
from pathlib import Path

from .diagnose import QUIZ_MODES, quiz_data
from .draw import DEFAULT_MAX_NODES, GraphTooLargeError, dot_style, write_dot
from .engine import Value
from .explain import explain, step_formula
from .fileio import write_atomically
from .foreign import as_graph
from .graph import topological_order
from .graph_model import UNKNOWN, GraphModel, partial_formula, stale_note
from .naming import Names, node_names, user_frame
from .rules import RULES

__all__ = ["explore", "Explorer", "backward_order"]

_MAX_LISTED_INPUTS = 6  # a sum of 16 inputs is written "sum of 16 inputs"
# explain() walks the whole graph for each node it explains: written out for every node
# the page would be quadratic.  Up to this many nodes every node gets its chain rule;
# past it, labelled nodes do (leaves first: the parameters and inputs a learner asks
# about) while the work stays under EXPLAIN_WORK node visits in all, so the page is
# linear in the graph (a program of 2,000 statements labels every node).  Every node
# still shows where its gradient comes from: one term per use, shared with its users.
EXPLAIN_ALL_UP_TO = 500
EXPLAIN_WORK = 60_000


def backward_order(root: Value) -> list[Value]:
    """The nodes in the order the engine's backward pass finishes their gradients.

    The engine walks the topological order backwards: when it reaches a node, every
    node that uses it has already passed its contribution down, so the node's gradient
    is final and it passes its own on to its inputs.  The explorer replays this order.
    """
    return topological_order(root)[::-1]


class Explorer:
    """An explorer page: ``html`` is the whole file; notebooks display it inline.

    Attributes:
        html: the self-contained HTML page.
        path: where it was written, or None.
    """

    def __init__(self, page: str, path: Path | None = None) -> None:
        self.html = page
        self.path = path

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` (atomically) and return the path."""
        path = Path(path)
        if not path.parent.is_dir():
            raise FileNotFoundError(f"cannot write the explorer to {str(path)!r}: no "
                                    f"directory {str(path.parent)!r}")
        write_atomically(path, self.html)
        self.path = path
        return path

    def _repr_html_(self) -> str:
        # An iframe keeps the page's ids, style and script apart from the notebook's.
        # sandbox="allow-scripts" (and not allow-same-origin): the page runs in an opaque
        # origin and cannot reach the notebook's document, cookies or storage.
        return (f'<iframe class="autograd-explorer" sandbox="allow-scripts" '
                f'srcdoc="{html.escape(self.html, quote=True)}" '
                f'style="width: 100%; height: 640px; border: 1px solid #d0d7de; '
                f'border-radius: 6px"></iframe>')

    def __repr__(self) -> str:
        where = f" written to {str(self.path)!r}" if self.path else ""
        return f"<Explorer: {len(self.html)} characters of HTML{where}>"


def explore(root: Value, path: str | os.PathLike | None = None,
            highlight: Value | None = None, *, rankdir: str | None = None,
            number_format: str = ".4g", digits: int = 3, collapse: str | None = None,
            max_nodes: int = DEFAULT_MAX_NODES, names: Names = None,
            compare: bool = False, quiz: bool | str = False) -> Explorer:
    """An interactive explorer of the graph of ``root``, as one self-contained HTML page.

    Gradients are d(root)/d(node), computed by replaying the engine's backward pass with
    the rule table (``backward()`` need not have been called; ``.grad`` is not touched).

    Args:
        root: the output Value (e.g. the loss).
        path: write the page here too (atomically); its directory must exist.
        highlight: a node of the graph to select when the page opens.
        rankdir: layout direction, ``"TB"`` (top to bottom) or ``"LR"``; by default
            :func:`autograd.draw`'s.
        number_format: format spec of the numbers drawn in the graph.
        digits: significant digits of the chain-rule hand calculations (as ``explain``).
        collapse: ``"neuron"`` or ``"layer"``: the page opens on the graph drawn with one
            box per ``nn`` module (see :func:`autograd.draw`); clicking a box expands it
            in the full graph, which the passes also replay.
        max_nodes: refuse graphs with more value nodes than this (with ``collapse``,
            counted in the full graph, which the page holds too).
        names: how nodes are named (see :mod:`autograd.naming`): by default a node's
            label, else the caller's variable that holds it; ``False`` for labels only;
            or a mapping ``{node: name}``.  Unnamed results are ``#<index>``.  Nothing
            is written onto the nodes.
        compare: colour the nodes whose ``.grad`` (e.g. what a learner's own engine left
            on its micrograd-style graph) differs from the replayed d(root)/d(node).
        quiz: ``True`` (or ``"backward"``): gradients are hidden and the learner types
            each one in the engine's backward order; ``"forward"``: values are hidden
            and typed in forward order.  Each answer is judged as
            :func:`autograd.check_work` judges a number: right at the precision typed,
            ``rounding`` (accepted) or ``carried`` when it follows from the learner's own
            earlier answers, else a known slip (the page compares numbers and adds up
            products of those that :func:`autograd.diagnose.quiz_data` computed).

    Returns:
        An :class:`Explorer`: ``.html`` is the page; it displays inline in Jupyter.

    Raises:
        GraphTooLargeError: the graph has more than ``max_nodes`` values.
        TypeError: ``root`` or ``highlight`` is not a Value.
        ValueError: ``highlight`` is not in the graph (and what :func:`autograd.draw`
            raises for bad options or too many nodes).
        FileNotFoundError: the directory of ``path`` does not exist.

    >>> from autograd import Value, explore
    >>> x = Value(2.0, label="x"); y = x * x; y.label = "y"
    >>> 'data-node="x"' in explore(y).html
    True
    """
    frame = user_frame()
    root, highlight = as_graph("explore", root, highlight,  # a learner's own graph too
                               frame=frame if names is not False else None)
    if not isinstance(compare, bool):
        raise TypeError(f"compare must be True or False, got {compare!r}")
    mode = _quiz_mode(quiz)
    style = dot_style(rankdir=rankdir, number_format=number_format)
    if path is not None:
        path = Path(path)
        if not path.parent.is_dir():
            raise FileNotFoundError(f"cannot write the explorer to {str(path)!r}: no "
                                    f"directory {str(path.parent)!r}")
    order, selected = _order_and_selected(root, highlight, max_nodes)
    named = node_names(order, names, frame=frame)
    model = page_model(root, order, named)
    keys = [model.name(node) for node in order]
    grads, _ = model.shares()
    # The drawing shows what the details say: every grad is d(root)/d(node) (whatever
    # backward() calls left in .grad), and unnamed results carry their page name ("#4 =
    # *"), so #4 in the details can be found in the picture.  Nothing is written on nodes.
    graph = write_dot(model, style, grads=grads, max_nodes=max_nodes, page_names=True)
    boxed = None if collapse is None else write_dot(
        model, dot_style(rankdir=rankdir, number_format=number_format, collapse=collapse),
        grads=grads, max_nodes=max_nodes, page_names=True)
    views = [("full", graph)] if boxed is None else [("collapsed", boxed), ("full", graph)]
    svg = "\n".join(f'<div class="view" data-view="{name}">{_svg(g, keys)}</div>'
                    for name, g in views)
    data = graph_data(model, number_format=number_format, digits=digits)
    data["selected"] = selected
    # A quiz hides the gradients on purpose: no notice that backward has not run.
    data["notice"] = None if mode is not None else stale_note(order, keys[-1], replayed=True)
    data["wrong"], data["theirs"], note = (_compared(order, grads, number_format) if compare
                                           else ([], {}, None))
    data["notice"] = data["notice"] or note
    data["boxes"] = [] if boxed is None else _boxes(boxed, order)
    data["quiz"] = None if mode is None else quiz_data(
        root, mode, number_format=number_format,
        # the page's names; unnamed leaves are constants, not asked about
        names={node: key for node, key in zip(order, keys)
               if node in named or not node.is_leaf})
    page = _page(svg, data, title=f"explore {keys[-1]}")
    explorer = Explorer(page)
    if path is not None:
        explorer.save(path)
    return explorer


def _compared(order: list, grads: list, number_format: str) -> tuple[list, dict, str | None]:
    """explore(compare=True): the nodes whose ``.grad`` (a learner's, say) is not what the
    replay computed, what each holds (shown beside the right value), and the page's note."""
    wrong = [i for i, node in enumerate(order) if not _same_grad(node.grad, grads[i])]
    theirs = {i: [format(order[i].grad, number_format), repr(order[i].grad)] for i in wrong}
    note = (f"{len(wrong)} of {len(order)} .grad values differ from the chain rule's "
            f"(outlined in red; the numbers drawn are the right ones): click one to see its "
            f".grad beside the right value.") if wrong else None
    return wrong, theirs, note


def _order_and_selected(root: Value, highlight, max_nodes: int) -> tuple[list, int | None]:
    """The graph's nodes (refused past ``max_nodes``) and the index of ``highlight``."""
    order = topological_order(root)
    if len(order) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(order)} values, more than max_nodes={max_nodes}: the page "
            f"holds every value (collapsed boxes expand into them), and would be slow and "
            f"large. Explore a part of it (the loss of one sample, or explore(node) for a "
            f"node inside), or raise max_nodes; draw(root, collapse='layer') draws it whole.")
    if highlight is None:
        return order, None
    if not isinstance(highlight, Value):
        raise TypeError(f"highlight must be a Value from the graph, got "
                        f"{type(highlight).__name__}")
    for i, node in enumerate(order):
        if node is highlight:
            return order, i
    raise ValueError(f"highlight {highlight!r} is not part of the graph of {root!r}")


def _same_grad(a: float, b: float) -> bool:
    return a == b or (a != a and b != b) or abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-3)


def _quiz_mode(quiz) -> str | None:
    """``explore``'s ``quiz=`` as a mode of :func:`autograd.diagnose.quiz_data`."""
    if quiz is False or quiz is None:
        return None
    mode = "backward" if quiz is True else quiz
    if not isinstance(mode, str) or mode not in QUIZ_MODES:
        raise ValueError(f"quiz must be True, False, 'backward' or 'forward', got {quiz!r}")
    return mode


def _svg(graph, keys: list[str]) -> str:
    # Sans-serif text, laid out with its own metrics so the records fit their text.
    graph.node_attr.update(fontname="Helvetica,Arial,sans-serif")
    graph.edge_attr.update(fontname="Helvetica,Arial,sans-serif")
    boxes = {dot_id: name for name, dot_id in getattr(graph, "box_ids", {}).items()}
    return _annotate_svg(graph.pipe(format="svg", encoding="utf-8"), keys, boxes,
                         getattr(graph, "numbered", {}))


def _boxes(graph, order: list[Value]) -> list[dict]:
    """The collapsed boxes: name, member indices, the output (the last member, which
    the rest of the graph reads) and what the box computes, in words."""
    out = []
    for name, members in graph.members.items():
        inner = [order[i] for i in members]
        params = sum(1 for v in inner if v.is_leaf)
        ops = sorted({v.op for v in inner if not v.is_leaf})
        out.append({"name": name, "members": sorted(members), "output": max(members),
                    "summary": f"{params} parameters; ops {', '.join(ops)}"})
    return out


def page_model(root: Value, order: list[Value], names: dict) -> GraphModel:
    """The graph as the page shows it: named nodes by their names, the others by
    :meth:`GraphModel.name` (``#<index in topological order>``; unnamed leaves are drawn
    as constants, by value)."""
    return GraphModel(root, names, order)


def _explanation(model: GraphModel, node: Value, digits: int) -> dict:
    """``explain(root, node)`` as the page shows it, in the page's names."""
    names = dict(model.names)  # unnamed nodes fold into factors, as explain does
    for v in (model.root, node):
        names[v] = model.name(v)  # the ends are named as the page names them: d#7
    e = explain(model.root, node, digits=digits, names=names)
    return {
        "equation": e.equation(),
        "where": [f"{f.name} = {f.formula} = {format(f.written, f'.{digits}g')}"
                  for f in e.factors()],
        "check": "" if node is model.root else _check(e),
    }


def _check(e) -> str:
    """``Explanation.check()`` without its remark on ``.grad``: the page's gradients are
    replayed, so what ``backward()`` left in ``.grad`` is beside the point here."""
    if not e.agrees:
        return e.check()
    how = "" if e.digits is None else f"; the factors above carry {e.digits} significant digits"
    return f"check: exactly {e.name} = {e.value:.6g}, the same as reverse mode{how}"


def _forward_formula(node: Value, name) -> str:
    """How a node's value is computed from its inputs, e.g. ``w1 * x1``."""
    xs = [name(c) for c in node.inputs]
    op = node.op
    rule = RULES.get(op)
    if rule is not None and rule.symbol:  # its constant is the right operand: x**2
        return rule.symbol.join(xs if rule.arity != 1 else [xs[0], f"{node.ctx:g}"])
    if len(xs) > _MAX_LISTED_INPUTS:
        return f"{op} of {len(xs)} inputs"
    return f"{op}({', '.join(xs)})"


def replay_backward(root: Value, order: list[Value]) -> tuple[dict, list]:
    """The engine's backward pass, replayed on the side (``.grad`` is not touched).

    Returns (d(root)/d(node) for every node, the steps): one step per node in
    :func:`backward_order`, each a list of (input index k, input, local partial,
    contribution, the input's gradient after it), from the one place that computes the
    shares (:meth:`autograd.graph_model.GraphModel.shares`).
    """
    model = GraphModel(root, order=order)
    grads, steps = model.shares()
    return ({node: g for node, g in zip(order, grads)},
            [(order[i], [(a.k, order[a.child], a.partial, a.add, a.total) for a in adds])
             for i, adds in steps])


def explained(order: list[Value], names: dict | None = None) -> list[int]:
    """The indices of the nodes whose chain rule the page writes out with ``explain``
    (see :data:`EXPLAIN_ALL_UP_TO`): all of them in small graphs, else named nodes
    (``names``; by default the labelled ones), leaves first, as many as
    :data:`EXPLAIN_WORK` allows."""
    if len(order) <= EXPLAIN_ALL_UP_TO:
        return list(range(len(order)))
    named = [i for i, node in enumerate(order)
             if (node in names if names is not None else node.label)]
    named.sort(key=lambda i: not order[i].is_leaf)  # stable: topological order kept
    return named[:EXPLAIN_WORK // len(order)]


def graph_data(model: GraphModel, *, number_format: str = ".4g", digits: int = 3) -> dict:
    """Everything the page shows, as plain JSON-ready data (see ``explorer.js``)."""
    fmt = lambda x: "?" if x is UNKNOWN else format(x, number_format)
    order, index = model.order, model.index
    name = lambda v: model.name(v) if (v in model.names or not v.is_leaf) else fmt(v.data)
    grads, steps = model.shares()
    users: list[list[int]] = [[] for _ in order]
    for i, node in enumerate(order):
        for child in node.inputs:
            if i not in users[index[child]]:
                users[index[child]].append(i)
    nodes = [_node_entry(model, i, grads[i], users[i], name, fmt) for i in range(len(order))]
    if not any(UNKNOWN in ps for ps in model.partials):  # no chain rule through a "?"
        for i in explained(order, model.names):
            nodes[i]["explain"] = _explanation(model, order[i], digits)

    backward = []
    for i, adds in steps:
        flows: dict[int, float] = {}  # what flows down each drawn edge (x*x: their sum)
        for a in adds:
            flows[a.child] = flows.get(a.child, 0.0) + a.add
        backward.append({
            "node": i, "grad": fmt(grads[i]),
            "adds": [{"node": a.child, "k": a.k, "partial": fmt(a.partial), "share": fmt(a.add),
                      "total": fmt(a.total)} for a in adds],
            "flows": {j: fmt(f) for j, f in flows.items()},
        })
    # Where each node's gradient comes from: one term per use, in the engine's order.
    for step in backward:
        for a in step["adds"]:
            nodes[a["node"]]["terms"].append({"from": step["node"], "grad": step["grad"],
                                              "partial": a["partial"], "share": a["share"]})
    return {"root": len(order) - 1, "rootName": model.name(model.root), "nodes": nodes,
            "backward": backward, "forward": list(range(len(order)))}


def _node_entry(model: GraphModel, i: int, grad: float, users: list[int], name,
                fmt) -> dict:
    """One node's entry of the page's data: its numbers and its input edges."""
    node, key = model.order[i], model.name(model.order[i])
    entry = {
        # "label": the node's name when it has one (a label or the caller's variable):
        # a named leaf is an input of the page, an unnamed one a constant.
        "key": key, "label": model.names.get(node, ""), "op": node.op, "leaf": node.is_leaf,
        "data": fmt(node.data), "dataExact": repr(node.data),
        "grad": fmt(grad), "gradExact": repr(grad),
        "users": users, "inputs": [], "terms": [], "explain": None,
        "forward": f"{key} = {fmt(node.data)}",
    }
    if not node.is_leaf:
        entry["forward"] = f"{key} = {_forward_formula(node, name)} = {fmt(node.data)}"
        show = lambda v: name(v)
        for k, child in enumerate(node.inputs):
            p = model.partials[i][k]
            entry["inputs"].append({
                "node": model.index[child], "name": name(child),
                "table": partial_formula(node, k)[0],
                "formula": "?" if p is UNKNOWN else step_formula(
                    node, k, show, model.names.get(node)),
                "partial": fmt(p),
            })
    return entry


# --- the page ---------------------------------------------------------------------------

_NODE = re.compile(r'<g id="(node\d+)" class="node">\s*<title>([^<]*)</title>(.*?)</g>',
                   re.S)
_EDGE = re.compile(r'<g id="(edge\d+)" class="edge">\s*<title>([^<]*)&#45;&gt;([^<]*)</title>')
_VALUE = re.compile(r"([no])(\d+)")
_TEXT = re.compile(r"<text ")


def _mark_fields(body: str, kinds: tuple[str, ...]) -> str:
    """A node's SVG body with a class on each of its last ``len(kinds)`` texts (the
    record's number fields, by position: never by what the text says)."""
    starts = [m.start() for m in _TEXT.finditer(body)]
    if len(starts) < len(kinds):
        return body
    out, last = [], 0
    for at, kind in zip(starts[len(starts) - len(kinds):], kinds):
        out += [body[last:at], f'<text class="{kind}-text" ']
        last = at + len("<text ")
    return "".join(out) + body[last:]


def _annotate_svg(svg: str, keys: list[str], boxes: dict[str, str] | None = None,
                  numbered: dict[str, tuple[str, ...]] | None = None) -> str:
    """Graphviz's SVG with the page's hooks: ``data-node`` and ``data-index`` on value
    nodes, ``data-op`` on op nodes, ``data-box`` on collapsed boxes, ``data-from`` and
    ``data-to`` (value indices) or ``data-from-box``/``data-to-box`` on edges, and classes
    on the ``data``/``grad`` texts so a replay can rewrite them.

    ``boxes`` maps a box's DOT id to its name; ``numbered`` a node's DOT id to the kinds
    of its record's last fields (see :class:`autograd.draw.Drawing`).  Every name placed
    in an attribute is escaped there, once."""
    boxes, numbered = boxes or {}, numbered or {}
    svg = svg[svg.index("<svg"):]  # no XML prolog or DOCTYPE inside HTML

    def node(m):
        gid, title, body = m.group(1), html.unescape(m.group(2)), m.group(3)
        body = _mark_fields(body, numbered.get(title, ()))
        value = _VALUE.fullmatch(title)
        if value and value.group(1) == "n":
            i = int(value.group(2))
            key = html.escape(keys[i], quote=True)
            head = (f'<g id="{gid}" class="node value" data-node="{key}" data-index="{i}">'
                    f'<title>{key}</title>')
        elif value:
            i = int(value.group(2))
            head = (f'<g id="{gid}" class="node op" data-op="{i}">'
                    f'<title>{html.escape(keys[i])}</title>')
        elif title in boxes:
            name = html.escape(boxes[title], quote=True)
            head = f'<g id="{gid}" class="node box" data-box="{name}"><title>{name}</title>'
        else:
            return m.group(0)
        return f"{head}{body}</g>"

    def end(text: str, side: str) -> str:
        value = _VALUE.fullmatch(text)
        if value:
            return f' data-{side}="{value.group(2)}"'
        return f' data-{side}-box="{html.escape(boxes.get(text, text), quote=True)}"'

    def edge(m):
        gid, a, b = m.group(1), html.unescape(m.group(2)), html.unescape(m.group(3))
        if a.startswith("o") and _VALUE.fullmatch(a):  # op -> its own value: one node
            return f'<g id="{gid}" class="edge opedge" data-to="{b[1:]}">'
        return f'<g id="{gid}" class="edge"{end(a, "from")}{end(b, "to")}>'

    svg = _NODE.sub(node, svg)
    return _EDGE.sub(edge, svg)


def _asset(name: str) -> str:
    return (resources.files("autograd") / "explorer" / name).read_text(encoding="utf-8")


# Inside <script type="application/json"> only "</script" (or "<!--") could end the
# block early; "<", ">" and "&" are written as JSON escapes, and so are U+2028/U+2029
# (line terminators to older JavaScript parsers), so no label can end it.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}
_MARKER = re.compile(r"/\*([A-Z-]+)\*/|<!--([A-Z]+)-->")


def page_json(data: dict) -> str:
    """``data`` as JSON that is safe to place inside an HTML ``<script>`` element."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text)


def _csp_hash(text: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script/style."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _page(svg: str, data: dict, title: str) -> str:
    """The template with every marker filled in ONE pass over the template: what is put
    in is never searched again, so no label can be taken for a marker.  Each text is
    escaped for the place it goes: the SVG's names by :func:`_annotate_svg`, the data as
    JSON for a script element, the title as HTML.  The page's Content-Security-Policy
    allows only its own inline style and script, by their hashes."""
    # the quiz (quiz.js, quiz.css) is part of every page: it stays idle unless asked
    style = _asset("explorer.css") + "\n" + _asset("quiz.css")
    script = _asset("explorer.js") + "\n" + _asset("quiz.js")
    fills = {"STYLE": style, "SCRIPT": script, "SVG": svg, "DATA": page_json(data),
             "TITLE": html.escape(title), "STYLE-HASH": _csp_hash(style),
             "SCRIPT-HASH": _csp_hash(script)}
    template = _asset("explorer.html")
    found = [m.group(1) or m.group(2) for m in _MARKER.finditer(template)]
    if sorted(found) != sorted(fills):
        raise RuntimeError(f"the explorer template's markers are {sorted(found)}, "
                           f"expected each of {sorted(fills)} once")
    return _MARKER.sub(lambda m: fills[m.group(1) or m.group(2)], template)
