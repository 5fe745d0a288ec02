"""The graph written for people: how a node is computed from named nodes, a local
derivative with its operands put in, a total derivative's chain as ``explain`` writes it.
"""

from __future__ import annotations

from ..explain import step_formula
from ..notation import derivative_name, format_number
from ..rules import RULES
from ..symbolic import input_names, operator_of
from .graph_eval import MAX_PATHS, GraphEval, paths_between

__all__ = ["chain_text", "local_formula_text", "node_formula"]


_MAX_SHOWN_PATHS = 4


def chain_text(g: GraphEval, top: int, bottom: int) -> str:
    """d(top)/d(bottom) as ``explain`` writes it: on one path, the factors between named
    nodes (``dL/dypred * dypred/dh1 * dh1/dw1``), or for one factor its formula from
    the rule table (``dh1/dw1 = h1*(1 - h1) * x1``); several paths are summed, each
    written as its local derivatives (``v*y + u*1*y + u*1``)."""
    name = derivative_name(g.show(top), g.show(bottom))
    paths = paths_between(g, top, bottom)
    if not paths:
        return f"{name} = 0 (no path from {g.show(top)} down to {g.show(bottom)})" \
            if paths is not None else f"{name} (summed over more than {MAX_PATHS} paths)"
    if len(paths) > _MAX_SHOWN_PATHS:
        return f"{name} (summed over {len(paths)} paths)"
    if top == bottom:
        return name
    terms = []
    for path in paths:
        cuts = [n for n, (i, _, _) in enumerate(path) if n and i in g.name]
        # one path: the factors between named nodes, by name (each is then the total
        # derivative the notation means); several: each path's local derivatives
        if cuts and len(paths) == 1:
            ends = [path[0][0]] + [path[n][0] for n in cuts] + [bottom]
            terms.append(" * ".join(derivative_name(g.show(a), g.show(b))
                                    for a, b in zip(ends, ends[1:])))
        else:
            factors = [_edge_formula(g, i, k) for i, k, _ in path]
            factors = [f"({f})" if _top_level_sum(f) else f
                       for f in factors if f != "1"] or ["1"]
            terms.append(" * ".join(factors))
    return f"{name} = {' + '.join(terms)}"


def _top_level_sum(text: str) -> bool:
    """Whether ``text`` needs parentheses as a factor (``1 - y**2``, not ``y*(1 - y)``)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and text.startswith((" + ", " - ", " if "), i):
            return True
    return False


def _edge_formula(g: GraphEval, i: int, k: int) -> str:
    """The rule table's formula for d(node i)/d(its input k), operands put in."""
    key = ("edge_formula", i, k)
    if key not in g.memo:
        g.memo[key] = _edge_text(g, i, k)
    return g.memo[key]


def _edge_text(g: GraphEval, i: int, k: int) -> str:
    node = g.order[i]
    return step_formula(node, k, lambda v: _operand(g, g.index[id(v)]),
                        g.show(i) if i in g.name else None)


def local_formula_text(g: GraphEval, i: int, k: int) -> str:
    """d(node i)/d(its input k) for people: ``dh1/d(w1*x1 + w2*x2 + b1) = h1*(1 - h1)
    (the sigmoid rule)``, the rule table's formula with the operands put in."""
    return f"{_derivative_of(g, i, g.inputs[i][k])} = {_edge_formula(g, i, k)} " \
        f"(the {g.order[i].op} rule)"


def _operand(g: GraphEval, i: int) -> str:
    if i in g.name:
        return g.name[i]
    text = node_formula(g, i) if g.inputs[i] else format_number(g.base[i], 4)
    return f"({text})" if any(ch in text for ch in " +-*/") else text


def _derivative_of(g: GraphEval, top: int, bottom: int) -> str:
    return f"d{_operand(g, top)}/d{_operand(g, bottom)}"


def node_formula(g: GraphEval, i: int, budget: int = 12) -> str:
    """How node ``i`` is computed from named nodes, e.g. ``sigmoid(w1*x1 + w2*x2 + b1)``
    (iterative; a large unnamed subgraph is shortened; remembered per graph)."""
    key = ("node_formula", i, budget)
    if key not in g.memo:
        g.memo[key] = _node_formula(g, i, budget)
    return g.memo[key]


def _node_formula(g: GraphEval, i: int, budget: int) -> str:
    """How node ``i`` is computed from named nodes, e.g. ``sigmoid(w1*x1 + w2*x2 + b1)``
    (iterative; a large unnamed subgraph is shortened)."""
    node = g.order[i]
    if not g.inputs[i]:
        return format_number(node.data, 4) if i not in g.name else g.name[i]
    texts: dict[int, str] = {}
    stack = [(i, False)]
    used = 0
    while stack:
        j, ready = stack.pop()
        if j in texts:
            continue
        if (j != i and j in g.name) or not g.inputs[j]:
            texts[j] = g.show(j) if j in g.name else format_number(g.base[j], 4)
            continue
        if not ready:
            used += 1
            if used > budget:
                texts[j] = "…"
                continue
            stack.append((j, True))
            stack.extend((c, False) for c in g.inputs[j])
            continue
        texts[j] = _op_text(g.order[j].op, [texts[c] for c in g.inputs[j]], g.order[j].ctx)
    return texts[i]


def _op_text(op: str, args: list[str], ctx) -> str:
    """A node written from its inputs' texts as its rule writes it: a sum of its inputs
    (``Rule.sum_of``) with + and -, an op whose ``expr`` is one operator between its
    operands infix (``w1*x1``, ``h**2``), any other as a call."""
    rule = RULES.get(op)
    if rule is not None and rule.sum_of == 1:
        return "".join(a if n == 0 else (f" - {a[1:]}" if a.startswith("-") else f" + {a}")
                       for n, a in enumerate(args))
    shape = operator_of(rule)
    if shape is None or len(args) != rule.arity:
        return f"{op}({', '.join(args)})"
    symbol, left, right = shape
    constants = ctx if isinstance(ctx, tuple) else (ctx,)
    operands = {name: f"{value:g}" for name, value in zip(rule.ctx_names, constants)}
    operands.update(zip(input_names(len(args)), args))
    a, b = operands[left], operands[right]
    if symbol == "*" and "-1" in (a, b):  # x * -1 is how negation is built
        other = b if a == "-1" else a
        return f"-({other})" if " " in other else f"-{other}"
    if symbol == "*":
        return "*".join(f"({x})" if " + " in x or " - " in x else x for x in (a, b))
    if symbol == "**":
        b = f"({b})" if (" " in b or "*" in b or "/" in b) else b
        return f"({a})**{b}" if (" " in a or "*" in a or a.startswith("-")) else f"{a}**{b}"
    return f"{a} {symbol} {b}" if symbol in "+-" else f"{a}{symbol}{b}"
