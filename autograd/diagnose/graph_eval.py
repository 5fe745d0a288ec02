"""A root's graph as index arrays, evaluated on floats from the rule table at any point
(values, total derivatives both ways), and the paths between two of its nodes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from ..engine import Value
from ..graph import topological_order
from ..graph_model import local_partials, whole_multiple
from ..naming import Names, node_names
from ..rules import RULES, rule_of

__all__ = [
    "ACTIVATIONS", "MAX_PATHS", "is_activation", "GraphEval", "paths_between",
    "stale_grad_notes",
]


#: The package's activation ops (``Rule.activation``): those a written ``f`` (the
#: documents' "activation") may stand for.  The checker asks each node's rule, so an
#: activation registered later counts too (:func:`is_activation`).
ACTIVATIONS = tuple(name for name, r in RULES.items() if r.activation)
MAX_PATHS = 16  # paths listed for missing_path / missing_factor diagnoses
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


def paths_between(g: GraphEval, top: int, bottom: int) -> list | None:
    """Every path from ``top`` down to ``bottom`` as ``[(node, input k, child), ...]``;
    None when there are more than :data:`MAX_PATHS` (iterative, depth first)."""
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
            if len(found) > MAX_PATHS:
                return None
            continue
        for k, c in reversed(list(enumerate(g.inputs[i]))):
            if reaches[c]:
                stack.append((c, [*path, (i, k, c)]))
    return found


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
