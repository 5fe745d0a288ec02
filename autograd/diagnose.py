"""What a derivative is at any point of a graph, and the slips that give wrong numbers.

The checker (:func:`autograd.check_work`) and the explorer's quiz share this module:

* :class:`GraphEval` holds a root's graph as index arrays and evaluates it on floats from
  the rule table, at the graph's own point or with leaves moved: node values, total
  derivatives d(top)/d(node) (reverse mode) and d(node)/d(bottom) (forward mode).  The
  user's nodes are never touched.
* :class:`Diagnoser` knows the right value of a *target* and the values of the known
  slips for it (:class:`Mistake`: a ``kind`` from :data:`KINDS`, the wrong value, and a
  sentence that names the nodes), and writes the correct formula as ``explain`` does.

A target is a tuple: ``("v", i)`` the value of node ``i`` (its index in topological
order), ``("d", a, b)`` the total derivative of node ``a`` with respect to node ``b``,
``("u", i)`` leaf ``i`` after one SGD step, ``("lr",)`` the learning rate.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .engine import Value
from .explain import step_formula
from .graph import topological_order
from .graph_model import local_partials, whole_multiple
from .naming import Names, node_names
from .notation import derivative_name, format_number
from .rules import RULES, rule_of
from .symbolic import input_names, operator_of

__all__ = ["GraphEval", "Diagnoser", "Mistake", "KINDS", "ACTIVATIONS", "chain_text",
           "node_formula", "stale_grad_notes", "answer_key", "quiz_data", "QUIZ_MODES"]

#: The diagnosis kind "the sign is flipped" (a word, not the op of that name).
SIGN = "sign"
#: Every diagnosis kind, in the order they are tried (tests and tools rely on these).
KINDS = (SIGN, "missing_path", "missing_factor", "extra_factor", "pre_activation",
         "other_node", "after_update", "carried", "rounding", "formula", "unknown")
#: The package's activation ops (``Rule.activation``): those a written ``f`` (the
#: documents' "activation") may stand for.  The checker asks each node's rule, so an
#: activation registered later counts too (:func:`is_activation`).
ACTIVATIONS = tuple(name for name, r in RULES.items() if r.activation)
_MAX_PATHS = 16  # paths listed for missing_path / missing_factor diagnoses
_PERTURBED_POINTS = 3


def is_activation(op: str) -> bool:
    """Whether ``op`` is an activation function (its rule says so, ``Rule.activation``)."""
    rule = RULES.get(op)
    return rule is not None and rule.activation


class GraphEval:
    """The root's graph as index arrays, with forward values and total derivatives
    computed from the rule table at any point (the learner's nodes are never touched)."""

    def __init__(self, root: Value, names: Names, frame) -> None:
        self.root = root
        self.order = topological_order(root)
        self.index = {id(n): i for i, n in enumerate(self.order)}
        self.inputs = [[self.index[id(c)] for c in n.inputs] for n in self.order]
        named = node_names(self.order, names, frame=frame)
        self.name = {self.index[id(n)]: s for n, s in named.items()}
        self.by_name: dict[str, int] = {}
        for i, s in self.name.items():
            self.by_name.setdefault(s, i)
        # every name the caller gave resolves, and so does every label, even where a
        # node shows by another name: a learner may call one node o1 and ypred
        aliases = [(n.label, n) for n in self.order if isinstance(n.label, str) and n.label]
        if isinstance(names, Mapping):
            aliases += [(k, v) if isinstance(k, str) else (v, k) for k, v in names.items()]
        for s, node in aliases:
            if isinstance(s, str) and id(node) in self.index:
                self.by_name.setdefault(s, self.index[id(node)])
        self.frame = frame if names is not False else None
        self.spoken: dict[int, str] = {}
        self.base = [n.data for n in self.order]
        self.root_index = len(self.order) - 1
        self.memo: dict = {}  # texts for people, made once per graph
        self._adjoints: dict[tuple[int, int | None], list[float]] = {}
        self._points: list[list[float]] = []

    # names
    def resolve(self, name: str) -> int | None:
        """The node called ``name``: its name, else any variable of the caller's frame
        that holds a node of this graph (so ``ypred = o1`` makes both names work)."""
        found = self.by_name.get(name)
        if found is None and self.frame is not None and not name.startswith("_"):
            for scope in (self.frame.f_locals, self.frame.f_globals):
                obj = scope.get(name)
                if obj is not None and id(obj) in self.index \
                        and self.order[self.index[id(obj)]] is obj:
                    found = self.index[id(obj)]
                    break
        if found is not None:
            self.spoken[found] = name  # messages speak of a node as the learner last did
        return found

    def show(self, i: int) -> str:
        """A node for people: its name, else ``#i`` and its op."""
        if i in self.spoken:
            return self.spoken[i]
        if i in self.name:
            return self.name[i]
        node = self.order[i]
        return f"#{i} ({node.op})" if node.op else f"#{i} (a constant {node.data:g})"

    # evaluation
    def forward(self, leaves: Mapping[int, float]) -> list[float]:
        """Every node's value with the given leaves replaced (the rest as they are)."""
        vals: list[float] = []
        for i, node in enumerate(self.order):
            if not self.inputs[i]:
                vals.append(leaves.get(i, self.base[i]))
            else:
                xs = [vals[c] for c in self.inputs[i]]
                vals.append(rule_of(node.op).forward(node.ctx, *xs))
        return vals

    def partials(self, i: int, vals: list[float]) -> tuple:
        return local_partials(self.order[i], vals[i], [vals[c] for c in self.inputs[i]])

    def adjoint(self, top: int, vals: list[float] | None = None,
                point: int | None = None) -> list[float]:
        """d(top)/d(node) for every node (reverse mode over the rule table's partials),
        at ``vals`` (the base point when None); cached for the base point and for the
        moved points (``point``, an index into :meth:`points`)."""
        cacheable = vals is None or point is not None
        if cacheable and (top, point) in self._adjoints:
            return self._adjoints[(top, point)]
        vals = self.base if vals is None else vals
        g = [0.0] * len(self.order)
        g[top] = 1.0
        for i in range(top, -1, -1):
            if g[i] == 0.0 or not self.inputs[i]:
                continue
            for c, p in zip(self.inputs[i], self.partials(i, vals)):
                g[c] += p * g[i]
        if cacheable:
            self._adjoints[(top, point)] = g
        return g

    def tangent(self, bottom: int) -> list[float]:
        """d(node)/d(bottom) for every node (forward mode), at the base point."""
        t = [0.0] * len(self.order)
        t[bottom] = 1.0
        for i in range(bottom + 1, len(self.order)):
            if not self.inputs[i]:
                continue
            ins = self.inputs[i]
            if any(t[c] for c in ins):
                t[i] = math.fsum(p * t[c] for c, p in zip(ins, self.partials(i, self.base))
                                 if t[c])
        return t

    def points(self) -> list[list[float]]:
        """Forward values at a few points where every named leaf is moved a little."""
        if not self._points:
            rng = random.Random(19)
            movable = [i for i in self.name if not self.inputs[i]]
            for _ in range(_PERTURBED_POINTS):
                moved = {i: self.base[i] * (1.0 + 0.05 * rng.uniform(-1, 1))
                         + 0.02 * rng.uniform(-1, 1) for i in movable}
                self._points.append(self.forward(moved))
        return self._points

    def ctx_of_op(self, op: str):
        """The constant of the graph's first node of ``op`` (None if it has none)."""
        return next((n.ctx for n in self.order if n.op == op), None)

    def activation_ops(self) -> list[str]:
        """The activation ops of the graph (``Rule.activation``), sorted."""
        return sorted({n.op for n in self.order if is_activation(n.op)})


@dataclass(frozen=True)
class Mistake:
    """A known slip for a target: its kind (:data:`KINDS`), the wrong value it gives,
    and a sentence for people (``describe``: the text, or a function that writes it
    when it is needed: a large graph has thousands of candidate slips)."""

    kind: str
    value: float
    describe: str | Callable[[], str]

    @property
    def message(self) -> str:
        return self.describe if isinstance(self.describe, str) else self.describe()


class Diagnoser:
    """The right value of each target, the values of the known slips, the formula."""

    def __init__(self, graph: GraphEval, lr: float | None) -> None:
        self.g = graph
        self.lr = lr
        self.params: list[int] = []  # the leaves an SGD step moves (see updated())
        self._candidates: dict[tuple, list[Mistake]] = {}
        self._updated: list[float] | None = None

    def truth(self, key: tuple, vals: list[float] | None = None,
              point: int | None = None) -> float:
        if key[0] == "lr":
            return self.lr if self.lr is not None else math.nan
        if key[0] == "v":
            return (vals or self.g.base)[key[1]]
        if key[0] == "d":
            return self.g.adjoint(key[1], vals, point)[key[2]]
        # ("u", i): the value of leaf i after one SGD step
        root = self.g.root_index
        return (vals or self.g.base)[key[1]] - self.lr * self.g.adjoint(
            root, vals, point)[key[1]]

    def target_text(self, key: tuple) -> str:
        if key[0] == "d":
            return derivative_name(self.g.show(key[1]), self.g.show(key[2]))
        return self.g.show(key[1])

    # -- what the right answer is ------------------------------------------------------
    def formula(self, key: tuple) -> str:
        """The correct formula, from the rule table, as ``explain`` writes it."""
        g = self.g
        exact = format_number(self.truth(key), 4)
        if key[0] == "u":
            name = g.show(key[1])
            return (f"The update is {name} ← {name} - η*d{g.show(g.root_index)}/d{name}"
                    f" = {exact}.")
        if key[0] == "v" and not g.inputs[key[1]]:
            return f"{g.show(key[1])} is a leaf of the graph, holding {exact}."
        if key[0] == "v":
            return f"{g.show(key[1])} = {node_formula(g, key[1])} = {exact}."
        return f"By the chain rule: {chain_text(g, key[1], key[2])} = {exact}."

    def updated(self) -> list[float]:
        """Forward values after one SGD step on the parameters: the leaves given as
        :attr:`params`, else every named leaf (a plain graph does not say which leaves
        are data)."""
        if self._updated is None:
            g = self.g
            grads = g.adjoint(g.root_index)
            params = self.params if self.params else [i for i in g.name if not g.inputs[i]]
            moved = {i: g.base[i] - self.lr * grads[i] for i in params}
            self._updated = g.forward(moved)
        return self._updated

    def candidates(self, key: tuple) -> list[Mistake]:
        """The values of the known slips for ``key``, in the order of :data:`KINDS`."""
        if key in self._candidates:
            return self._candidates[key]
        g, t = self.g, self.truth(key)
        out: list[Mistake] = []
        name = self.target_text(key)
        if t != 0:
            out.append(Mistake(SIGN, -t, f"The sign is flipped: {name} is "
                                              f"{format_number(t, 4)}, not "
                                              f"{format_number(-t, 4)}."))
        if key[0] == "d":
            out += self.path_candidates(key[1], key[2], t)
        if key[0] == "u" and self.lr:
            i = key[1]
            gr = g.adjoint(g.root_index)[i]
            out.append(Mistake(SIGN, g.base[i] + self.lr * gr,
                                  "The step goes up the gradient: subtract η times the "
                                  "derivative, do not add it."))
            out.append(Mistake("missing_factor", g.base[i] - gr,
                                  "The learning rate η is missing from the step."))
            out.append(Mistake("after_update", g.base[i] - 2 * self.lr * gr,
                                  "The step is applied twice."))
        out += self.other_candidates(key, t)
        if self.lr and key[0] in ("v", "d"):
            u = self.updated()
            after = u[key[1]] if key[0] == "v" else g.adjoint(key[1], u)[key[2]]
            out.append(Mistake("after_update", after, (
                f"This is {name} after the SGD step with lr={self.lr:g} "
                f"({format_number(after, 4)}); the work is at the point before it.")))
        self._candidates[key] = out
        return out

    def path_candidates(self, top: int, bottom: int, t: float) -> list[Mistake]:
        g = self.g
        paths = _paths(g, top, bottom)
        out: list[Mistake] = []
        if paths is None or not paths:
            return out
        ps_at = {}

        def partial(i, k):
            if i not in ps_at:
                ps_at[i] = g.partials(i, g.base)
            return ps_at[i][k]

        contributions = [math.prod(partial(i, k) for i, k, _ in p) for p in paths]
        if len(paths) > 1:
            total = derivative_name(g.show(top), g.show(bottom))
            for p, c in zip(paths, contributions):
                out.append(Mistake("missing_path", t - c, (
                    f"The path {_path_text(g, p)} is missing: {total} sums "
                    f"{len(paths)} paths, and this one contributes {format_number(c, 4)}.")))
        for kind in ("missing_factor", "extra_factor"):
            for p, c in zip(paths, contributions):
                for i, k, _ in p:
                    e = partial(i, k)
                    if e in (0.0, 1.0, -1.0) or not math.isfinite(e):
                        continue
                    changed = c / e if kind == "missing_factor" else c * e
                    verb = "is missing" if kind == "missing_factor" else "is counted twice"
                    out.append(Mistake(kind, t - c + changed, (
                        f"The factor {_local_formula(g, i, k)} = {format_number(e, 4)} "
                        f"{verb}.")))
        for p, c in zip(paths, contributions):
            for i, k, child in p:
                op = g.order[i].op
                e = partial(i, k)
                if not is_activation(op) or e == 0.0 or not math.isfinite(e):
                    continue
                rule = rule_of(op)
                z, out_v = g.base[child], g.base[i]
                node = g.order[i]
                wrong_at_input = rule.local_partials(z, node.ctx, [z])[0]
                out.append(Mistake("pre_activation", t - c + c / e * wrong_at_input, (
                    f"The derivative of {op} at {g.show(i)} is written in terms of its "
                    f"input ({format_number(z, 4)}) where the rule uses its output "
                    f"{g.show(i)} = {format_number(out_v, 4)}: "
                    f"{_local_formula(g, i, k)} = {format_number(e, 4)}.")))
        return out

    def other_candidates(self, key: tuple, t: float) -> list[Mistake]:
        g = self.g
        out: list[Mistake] = []
        root = g.root_index
        if key[0] == "d":
            top, bottom = key[1], key[2]
            seen = {(top, bottom)}
            pairs = []
            adj_top = g.adjoint(top)
            pairs += [((top, x), adj_top[x]) for x in g.name if x != bottom]
            tan = g.tangent(bottom)
            pairs += [((y, bottom), tan[y]) for y in g.name if y != top]
            adj_root = g.adjoint(root)
            pairs += [((root, x), adj_root[x]) for x in g.name]
            for (a, b), v in pairs:
                if (a, b) in seen or a == b or v == 0:
                    continue
                seen.add((a, b))
                out.append(Mistake("other_node", v, lambda a=a, b=b, v=v: (
                    f"This is {derivative_name(g.show(a), g.show(b))} "
                    f"({format_number(v, 4)}), not {self.target_text(key)}.")))
        if key[0] == "u":
            grads = g.adjoint(root)
            for x in g.name:
                if x != key[1] and not g.inputs[x]:
                    v = g.base[x] - self.lr * grads[x]
                    out.append(Mistake("other_node", v, lambda x=x: f"This is the update "
                                                                       f"of {g.show(x)}."))
            return out
        target = key[1] if key[0] == "v" else None
        for x in list(g.name) + (g.inputs[target] if target is not None else []):
            if x == target:
                continue

            def what(x=x, target=target):
                shown = (f"the value of {g.show(x)}" if x in g.name else
                         f"the input of {g.order[target].op} at {g.show(target)}, "
                         f"{node_formula(g, x)}")
                return f"This is {shown} ({format_number(g.base[x], 4)})."
            out.append(Mistake("other_node", g.base[x], what))
        return out


def _paths(g: GraphEval, top: int, bottom: int) -> list | None:
    """Every path from ``top`` down to ``bottom`` as ``[(node, input k, child), ...]``;
    None when there are more than :data:`_MAX_PATHS` (iterative, depth first)."""
    reaches = [False] * len(g.order)
    reaches[bottom] = True
    for i in range(bottom + 1, top + 1):
        reaches[i] = any(reaches[c] for c in g.inputs[i])
    if not reaches[top]:
        return []
    found = []
    stack = [(top, [])]
    while stack:
        i, path = stack.pop()
        if i == bottom:
            found.append(path)
            if len(found) > _MAX_PATHS:
                return None
            continue
        for k, c in reversed(list(enumerate(g.inputs[i]))):
            if reaches[c]:
                stack.append((c, [*path, (i, k, c)]))
    return found


def _path_text(g: GraphEval, path) -> str:
    nodes = [path[0][0]] + [c for _, _, c in path]
    shown = [g.show(i) for i in nodes if i in g.name or i == nodes[-1]]
    if len(shown) < 3 and len(nodes) > 2:  # unnamed middle: name the op it runs through
        inner = [g.order[i].op for i in nodes[1:-1]]
        return f"{shown[0]} → ({', '.join(inner)}) → {shown[-1]}"
    return " → ".join(shown)


_MAX_SHOWN_PATHS = 4


def chain_text(g: GraphEval, top: int, bottom: int) -> str:
    """d(top)/d(bottom) as ``explain`` writes it: on one path, the factors between named
    nodes (``dL/dypred * dypred/dh1 * dh1/dw1``), or for one factor its formula from
    the rule table (``dh1/dw1 = h1*(1 - h1) * x1``); several paths are summed, each
    written as its local derivatives (``v*y + u*1*y + u*1``)."""
    name = derivative_name(g.show(top), g.show(bottom))
    paths = _paths(g, top, bottom)
    if not paths:
        return f"{name} = 0 (no path from {g.show(top)} down to {g.show(bottom)})" \
            if paths is not None else f"{name} (summed over more than {_MAX_PATHS} paths)"
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


def _local_formula(g: GraphEval, i: int, k: int) -> str:
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


def stale_grad_notes(g: GraphEval) -> list[str]:
    """``backward ran N times without zero_grad`` when the stored grads say so."""
    root = g.root_index
    truth = g.adjoint(root)
    ratios = {whole_multiple(g.order[i].grad, truth[i]) for i in g.name
              if not g.inputs[i] and truth[i] != 0 and g.order[i].grad != 0}
    if len(ratios) == 1 and None not in ratios:
        (n,) = ratios
        return [f"the stored .grad values are {n} times reverse mode's: backward ran "
                f"{n} times without zero_grad (the check uses the graph, not .grad)"]
    return []




_MAX_OTHER_NODES = 40  # other_node slips per answer: a page of many nodes stays small


def answer_key(root: Value, *, names: Names = None, lr: float | None = None,
               frame=None) -> list[dict]:
    """Every node's right value and gradient with the slips for each, as plain data.

    The explorer's quiz embeds this and only compares numbers: it computes no
    derivative itself.

    Args:
        root: the output (the loss).
        names: as for :func:`autograd.naming.node_names`.
        lr: the learning rate, for ``after_update`` slips (None: none of those).
        frame: the frame whose variables name nodes (:func:`autograd.naming.user_frame`
            at the public entry point).

    Returns:
        One dict per node, in the engine's backward order (the root first)::

            {"index": i, "name": "h1", "op": "sigmoid", "named": True,
             "grad": {"target": "dL/dh1", "value": 0.249, "formula": "...",
                      "mistakes": [{"kind": "sign", "value": -0.249, "message": "..."}]},
             "value": {"target": "h1", "value": 0.0474, "formula": "...",
                       "mistakes": [...]}}

        ``index`` is the node's place in :func:`autograd.topological_order`; ``named``
        whether it has a name (an unnamed leaf is a constant); a value is None where it
        is not finite (nothing to type).
    """
    g = GraphEval(root, names, frame)
    d = Diagnoser(g, lr)
    out = []
    for i in range(g.root_index, -1, -1):
        node = g.order[i]
        out.append({"index": i, "name": g.show(i), "op": node.op, "named": i in g.name,
                    "grad": _answer(d, ("d", g.root_index, i)),
                    "value": _answer(d, ("v", i))})
    return out


def _answer(d: Diagnoser, key: tuple) -> dict:
    truth = d.truth(key)
    if not math.isfinite(truth):
        return {"target": d.target_text(key), "value": None, "formula": "",
                "mistakes": []}
    seen, mistakes, others = set(), [], 0
    for m in d.candidates(key):
        if not math.isfinite(m.value) or math.isclose(m.value, truth, rel_tol=1e-9,
                                                      abs_tol=1e-300):
            continue
        if (m.kind, m.value) in seen:
            continue
        if m.kind == "other_node":  # many, and the least telling: only so many
            if others >= _MAX_OTHER_NODES:
                continue
            others += 1
        seen.add((m.kind, m.value))
        mistakes.append({"kind": m.kind, "value": m.value, "message": m.message})
    return {"target": d.target_text(key), "value": truth, "formula": d.formula(key),
            "mistakes": mistakes}


QUIZ_MODES = ("backward", "forward")


def quiz_data(root: Value, mode: str = "backward", *, names: Names = None,
              lr: float | None = None, number_format: str = ".4g", frame=None) -> dict:
    """The explorer quiz's questions and answers, as plain JSON-ready data.

    ``"backward"``: every gradient d(root)/d(node) in the engine's backward order (the
    root's own, 1, and constants' are not asked); ``"forward"``: every computed value in
    forward order (leaves are given).  Each item carries the right value, the formula
    for the reveal button and the slips' values (:func:`answer_key`); the page only
    compares numbers.

    Raises:
        ValueError: ``mode`` is not one of :data:`QUIZ_MODES`.
    """
    if mode not in QUIZ_MODES:
        raise ValueError(f"quiz must be True, 'backward' or 'forward', got {mode!r}")
    key = answer_key(root, names=names, lr=lr, frame=frame)
    if mode == "forward":
        key = key[::-1]
    items = []
    for entry in key:
        i = entry["index"]
        answer = entry["grad" if mode == "backward" else "value"]
        if answer["value"] is None:
            continue
        leaf = not entry["op"]
        if mode == "backward" and (entry["index"] == len(key) - 1 or
                                   (leaf and not entry["named"])):
            continue  # d(root)/d(root) = 1, and a constant's gradient, are not asked
        if mode == "forward" and leaf:
            continue  # the leaves are given
        items.append({"index": i, "answer": answer,
                      "shown": format(answer["value"], number_format)})
    return {"mode": mode, "items": items}

