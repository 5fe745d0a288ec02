"""The computation graph as one interactive HTML page: ``explore``.

``explore(L)`` writes (or returns) a single self-contained HTML file: the graph drawn by
:func:`autograd.draw`, laid out to SVG in-process, with the page's own script and style
inlined (``autograd/explorer/``: a small HTML, JS and CSS file, no framework, no network).
Click a node to see its data, its gradient, the local derivative of each input edge and
the chain rule of d(root)/d(node) as :func:`autograd.explain` writes it; step through
the backward pass (and the forward pass) one node at a time, in the engine's order.

Every number is computed here, in Python, from the rule table and the engine, and
embedded in the page as JSON; the script only shows it.  Markup contract (for tests and
scripts): every value node of the SVG carries ``data-node="<label>"`` (unlabelled nodes:
``data-node="#<index in topological order>"``) and the details of the selected node are
shown in the element ``id="details"``.
"""

from __future__ import annotations

import html
import json
import os
import re
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from .diagnose import QUIZ_MODES, quiz_data
from .draw import DEFAULT_MAX_NODES, GraphTooLargeError, draw
from .draw import _partials as _local  # one node's local partials, from the rule table
from .engine import Value
from .explain import _step_formula, explain
from .fileio import write_atomically
from .graph import topological_order
from .rules import RULES
from .rules.maths import safe_fsum

__all__ = ["explore", "Explorer", "backward_order"]

_INFIX = {"add": " + ", "mul": " * "}
_MAX_LISTED_INPUTS = 6  # a sum of 16 inputs is written "sum of 16 inputs"
# explain() walks the graph once per node: quadratic.  Past this many nodes only labelled
# nodes get their chain rule written out (the others still show where their gradient
# comes from, one term per use).
EXPLAIN_ALL_UP_TO = 500


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
        return (f'<iframe class="autograd-explorer" srcdoc="{html.escape(self.html)}" '
                f'style="width: 100%; height: 640px; border: 1px solid #d0d7de; '
                f'border-radius: 6px"></iframe>')

    def __repr__(self) -> str:
        where = f" written to {str(self.path)!r}" if self.path else ""
        return f"<Explorer: {len(self.html)} characters of HTML{where}>"


def explore(root: Value, path: str | os.PathLike | None = None,
            highlight: Value | None = None, *, rankdir: str | None = None,
            number_format: str = ".4g", digits: int = 3, collapse: str | None = None,
            max_nodes: int = DEFAULT_MAX_NODES, quiz: bool | str = False) -> Explorer:
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
        quiz: ``True`` (or ``"backward"``): gradients are hidden and the learner types
            each one in the engine's backward order; ``"forward"``: values are hidden
            and typed in forward order.  Each answer is checked at the precision typed,
            a wrong one diagnosed as :func:`autograd.check_work` would (the page
            compares numbers that :func:`autograd.diagnose.quiz_data` computed).

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
    if not isinstance(root, Value):
        raise TypeError(f"explore() needs a Value, got {type(root).__name__}")
    if path is not None:
        path = Path(path)
        if not path.parent.is_dir():
            raise FileNotFoundError(f"cannot write the explorer to {str(path)!r}: no "
                                    f"directory {str(path.parent)!r}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(order)} values, more than max_nodes={max_nodes}: the page "
            f"holds every value (collapsed boxes expand into them), and would be slow and "
            f"large. Explore a part of it (the loss of one sample, or explore(node) for a "
            f"node inside), or raise max_nodes; draw(root, collapse='layer') draws it whole.")
    index = {node: i for i, node in enumerate(order)}
    selected = None
    if highlight is not None:
        if not isinstance(highlight, Value):
            raise TypeError(f"highlight must be a Value from the graph, got "
                            f"{type(highlight).__name__}")
        if highlight not in index:
            raise ValueError(f"highlight {highlight!r} is not part of the graph of {root!r}")
        selected = index[highlight]
    keys = [node_key(node, i) for i, node in enumerate(order)]
    grads, steps = replay_backward(root, order)
    # The drawing shows what the details say: every grad is d(root)/d(node) (whatever
    # backward() calls left in .grad), and unlabelled results carry their page name
    # ("#4 = *"), so #4 in the details can be found in the picture.  Both are put back.
    names = {node: key for node, key in zip(order, keys) if not node.label and not node.is_leaf}
    with _drawn_as(order, names, grads):
        graph = draw(root, rankdir=rankdir, number_format=number_format,
                     max_nodes=max_nodes)
        boxed = None if collapse is None else draw(
            root, rankdir=rankdir, number_format=number_format, max_nodes=max_nodes,
            collapse=collapse)
    views = [("full", graph)] if boxed is None else [("collapsed", boxed), ("full", graph)]
    svg = "\n".join(f'<div class="view" data-view="{name}">{_svg(g, keys)}</div>'
                    for name, g in views)
    data = graph_data(root, order, number_format=number_format, digits=digits,
                      replayed=(grads, steps))
    data["selected"] = selected
    data["boxes"] = [] if boxed is None else _boxes(boxed, order)
    data["quiz"] = _quiz(root, order, keys, quiz, number_format)
    page = _page(svg, data, title=f"explore {keys[-1]}")
    explorer = Explorer(page)
    if path is not None:
        explorer.save(path)
    return explorer


def _quiz(root: Value, order: list[Value], keys: list[str], quiz, number_format: str):
    """The quiz's questions and answers under the page's own names, or None."""
    if quiz is False or quiz is None:
        return None
    mode = "backward" if quiz is True else quiz
    if mode not in QUIZ_MODES:
        raise ValueError(f"quiz must be True, False, 'backward' or 'forward', got {quiz!r}")
    # the page's names; unlabelled leaves stay unnamed: constants, not asked about
    names = {node: key for node, key in zip(order, keys) if node.label or not node.is_leaf}
    return quiz_data(root, mode, names=names, number_format=number_format)


def _svg(graph, keys: list[str]) -> str:
    # Sans-serif text, laid out with its own metrics so the records fit their text.
    graph.node_attr.update(fontname="Helvetica,Arial,sans-serif")
    graph.edge_attr.update(fontname="Helvetica,Arial,sans-serif")
    return _annotate_svg(graph.pipe(format="svg", encoding="utf-8"), keys,
                         set(getattr(graph, "members", {})))


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


def node_key(node: Value, index: int) -> str:
    """A node's name on the page: its label, or ``#<index in topological order>``."""
    return node.label or f"#{index}"


# --- the numbers ----------------------------------------------------------------------


@contextmanager
def _named(nodes: list[Value], names: list[str]):
    """Give unlabelled nodes their page names while ``explain`` writes about them, so
    its text says ``dL/d#7`` where the page shows ``#7``; the labels are put back."""
    old = [n.label for n in nodes]
    try:
        for n, name in zip(nodes, names):
            n.label = name
        yield
    finally:
        for n, label in zip(nodes, old):
            n.label = label


@contextmanager
def _drawn_as(order: list[Value], names: dict, grads: dict):
    """Nodes labelled with ``names`` and holding ``grads`` for a drawing; put back after."""
    saved = [(node, node.label, node.grad) for node in order]
    try:
        for node in order:
            node.grad = grads[node]
        for node, name in names.items():
            node.label = name
        yield
    finally:
        for node, label, grad in saved:
            node.label, node.grad = label, grad


def _explanation(root: Value, node: Value, root_name: str, name: str, digits: int) -> dict:
    """``explain(root, node)`` as the page shows it."""
    unnamed = [(v, n) for v, n in ((root, root_name), (node, name)) if not v.label]
    with _named([v for v, _ in unnamed], [n for _, n in unnamed]):
        e = explain(root, node, digits=digits)
    return {
        "equation": e.equation(),
        "where": [f"{f.name} = {f.formula} = {format(f.written, f'.{digits}g')}"
                  for f in e.factors()],
        "check": "" if node is root else _check(e),
    }


def _check(e) -> str:
    """``Explanation.check()`` without its remark on ``.grad``: the page's gradients are
    replayed, so what ``backward()`` left in ``.grad`` is beside the point here."""
    if not e.agrees:
        return e.check()
    how = "" if e.digits is None else f"; the factors above carry {e.digits} significant digits"
    return f"check: exactly {e.name} = {e.value:.6g}, the same as reverse mode{how}"


def _table_formula(node: Value, k: int) -> str:
    formula = RULES[node.op].formula
    if node.op == "dot":
        n = (len(node.inputs) - 1) // 2 if node.ctx else len(node.inputs) // 2
        return formula[0 if k < n else (1 if k < 2 * n else 2)]
    return formula[0] if RULES[node.op].arity == -1 else formula[k]


def _forward_formula(node: Value, name) -> str:
    """How a node's value is computed from its inputs, e.g. ``w1 * x1``."""
    xs = [name(c) for c in node.inputs]
    op = node.op
    if op in _INFIX:
        return _INFIX[op].join(xs)
    if op == "pow":
        return f"{xs[0]}**{node.ctx:g}"
    if op == "powv":
        return f"{xs[0]}**{xs[1]}"
    if len(xs) > _MAX_LISTED_INPUTS:
        return f"{op} of {len(xs)} inputs"
    return f"{op}({', '.join(xs)})"


def replay_backward(root: Value, order: list[Value]) -> tuple[dict, list]:
    """The engine's backward pass, replayed on the side with the rule table.

    Returns (d(root)/d(node) for every node, the steps): one step per node in
    :func:`backward_order`, each a list of (input index k, input, local partial,
    contribution, the input's gradient after it).  The accumulation is the engine's
    (``child.grad += g * p``, inputs in order), so the totals are its numbers exactly.
    """
    grads = {node: 0.0 for node in order}
    grads[root] = 1.0
    steps = []
    for node in backward_order(root):
        adds = []
        if not node.is_leaf:
            g = grads[node]
            for k, (child, p) in enumerate(zip(node.inputs, _local(node))):
                grads[child] += g * p
                adds.append((k, child, p, g * p, grads[child]))
        steps.append((node, adds))
    return grads, steps


def graph_data(root: Value, order: list[Value], *, number_format: str = ".4g",
               digits: int = 3, replayed: tuple | None = None) -> dict:
    """Everything the page shows, as plain JSON-ready data (see ``explorer.js``);
    ``replayed`` is :func:`replay_backward`'s result, if already at hand."""
    fmt = lambda x: format(x, number_format)
    index = {node: i for i, node in enumerate(order)}
    names = [node_key(node, i) for i, node in enumerate(order)]
    name = lambda v: names[index[v]] if (v.label or not v.is_leaf) else fmt(v.data)
    grads, steps = replayed or replay_backward(root, order)
    users: list[list[int]] = [[] for _ in order]
    for i, node in enumerate(order):
        for child in node.inputs:
            if i not in users[index[child]]:
                users[index[child]].append(i)

    nodes = []
    for i, node in enumerate(order):
        entry = {
            "key": names[i], "label": node.label, "op": node.op, "leaf": node.is_leaf,
            "data": fmt(node.data), "dataExact": repr(node.data),
            "grad": fmt(grads[node]), "gradExact": repr(grads[node]),
            "users": users[i], "inputs": [],
            "forward": f"{names[i]} = {fmt(node.data)}",
        }
        if not node.is_leaf:
            entry["forward"] = (f"{names[i]} = {_forward_formula(node, name)} = "
                                f"{fmt(node.data)}")
            for k, (child, p) in enumerate(zip(node.inputs, _local(node))):
                entry["inputs"].append({
                    "node": index[child], "name": name(child),
                    "table": _table_formula(node, k),
                    "formula": _step_formula(node, k, name), "partial": fmt(p),
                })
        if node.label or len(order) <= EXPLAIN_ALL_UP_TO:
            entry["explain"] = _explanation(root, node, names[-1], names[i], digits)
        else:
            entry["explain"] = None
        nodes.append(entry)

    backward = []
    for node, adds in steps:
        i = index[node]
        backward.append({
            "node": i,
            "grad": fmt(grads[node]),
            "adds": [{"node": index[child], "k": k, "partial": fmt(p), "add": fmt(c),
                      "total": fmt(t)} for k, child, p, c, t in adds],
            # What flows down each drawn edge (x*x: two uses, one edge, their sum).
            "flows": {index[child]: fmt(safe_fsum(c for _, ch, _, c, _ in adds
                                                  if ch is child))
                      for _, child, _, _, _ in adds},
        })
    # Where each node's gradient comes from: one term per use, in the engine's order.
    terms: list[list[dict]] = [[] for _ in order]
    for step in backward:
        for a in step["adds"]:
            terms[a["node"]].append({"from": step["node"], "grad": step["grad"],
                                     "partial": a["partial"], "add": a["add"]})
    for entry, t in zip(nodes, terms):
        entry["terms"] = t
    return {"root": len(order) - 1, "rootName": names[-1], "nodes": nodes,
            "backward": backward, "forward": list(range(len(order)))}


# --- the page ---------------------------------------------------------------------------

_NODE = re.compile(r'<g id="(node\d+)" class="node">\s*<title>([^<]*)</title>')
_EDGE = re.compile(r'<g id="(edge\d+)" class="edge">\s*<title>([^<]*)&#45;&gt;([^<]*)</title>')
_VALUE = re.compile(r"([no])(\d+)")
_FIELD = re.compile(r'(<text )([^>]*>)(data|grad) ')


def _annotate_svg(svg: str, keys: list[str], boxes: set[str] = frozenset()) -> str:
    """Graphviz's SVG with the page's hooks: ``data-node`` and ``data-index`` on value
    nodes, ``data-op`` on op nodes, ``data-box`` on collapsed boxes, ``data-from`` and
    ``data-to`` (value indices) or ``data-from-box``/``data-to-box`` on edges, and classes
    on the ``data``/``grad`` texts so a replay can rewrite them."""
    svg = svg[svg.index("<svg"):]  # no XML prolog or DOCTYPE inside HTML

    def node(m):
        gid, title = m.group(1), html.unescape(m.group(2))
        value = _VALUE.fullmatch(title)
        if value and value.group(1) == "n":
            i = int(value.group(2))
            key = html.escape(keys[i], quote=True)
            return (f'<g id="{gid}" class="node value" data-node="{key}" data-index="{i}">'
                    f'<title>{key}</title>')
        if value:
            i = int(value.group(2))
            return (f'<g id="{gid}" class="node op" data-op="{i}">'
                    f'<title>{html.escape(keys[i])}</title>')
        if title in boxes:
            name = html.escape(title, quote=True)
            return f'<g id="{gid}" class="node box" data-box="{name}"><title>{name}</title>'
        return m.group(0)

    def end(text: str, side: str) -> str:
        value = _VALUE.fullmatch(text)
        if value:
            return f' data-{side}="{value.group(2)}"'
        return f' data-{side}-box="{html.escape(text, quote=True)}"'

    def edge(m):
        gid, a, b = m.group(1), html.unescape(m.group(2)), html.unescape(m.group(3))
        if a.startswith("o") and _VALUE.fullmatch(a):  # op -> its own value: one node
            return f'<g id="{gid}" class="edge opedge" data-to="{b[1:]}">'
        return f'<g id="{gid}" class="edge"{end(a, "from")}{end(b, "to")}>'

    svg = _NODE.sub(node, svg)
    svg = _EDGE.sub(edge, svg)
    return _FIELD.sub(lambda m: f'{m.group(1)}class="{m.group(3)}-text" {m.group(2)}'
                      f'{m.group(3)} ', svg)


def _asset(name: str) -> str:
    return (resources.files("autograd") / "explorer" / name).read_text(encoding="utf-8")


def _page(svg: str, data: dict, title: str) -> str:
    # "<" never appears raw in the JSON, so no "</script>" can end the block early.
    payload = json.dumps(data, allow_nan=False, separators=(",", ":")).replace("<", "\\u003c")
    page = _asset("explorer.html")
    for marker, text in (("/*STYLE*/", _asset("explorer.css") + _asset("quiz.css")),
                         ("/*SCRIPT*/", _asset("explorer.js") + _asset("quiz.js")),
                         ("<!--SVG-->", svg), ("/*DATA*/", payload),
                         ("<!--TITLE-->", html.escape(title))):
        head, sep, tail = page.partition(marker)
        if not sep:
            raise RuntimeError(f"the explorer template has no {marker} marker")
        page = head + text + tail
    return page
