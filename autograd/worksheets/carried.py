"""The graph as a hand calculation carries it: each named value rounded where it is
written, the segments between named nodes and the paths from the output down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..engine import Value
from ..graph import topological_order
from ..rules import rule_of
from ..symbolic import (
    Call,
    Expr,
    Name,
    NotExpressible,
    Num,
    fold,
    forward_tree,
    number_text,
    partial_tree,
    product,
    substitute,
    total,
    writable,
)

__all__ = [
    "MAX_NODES", "MAX_PATHS", "carried_value", "CarriedGraph", "Segment", "segments_between",
    "local_formula", "reading_order", "reach_of", "paths_of", "nameable",
]

MAX_NODES = 400  # a worksheet is a hand calculation: a bigger graph is refused
MAX_PATHS = 8  # sums over more paths than this are given as their total only


# --- the graph as carried ---------------------------------------------------------------


def carried_value(x: float, digits: int | None) -> float:
    return x if digits is None or not math.isfinite(x) else float(f"{x:.{digits}g}")


class CarriedGraph:
    """The graph with its names, the hand calculation's values and the symbolic forms."""

    def __init__(self, root: Value, names: dict, digits: int | None) -> None:
        self.root = root
        self.names = names
        self.digits = digits
        self.order = topological_order(root)
        self.pos = {node: i for i, node in enumerate(self.order)}
        self.hand: dict[Value, float] = {}
        self.tree: dict[Value, Expr] = {}  # how consumers see a node: name, number, formula
        self.define: dict[Value, Expr] = {}  # a non-leaf node's formula over its inputs
        for node in self.order:
            if node.is_leaf:
                self.hand[node] = node.data
                name = names.get(node)
                self.tree[node] = Name(name) if name else Num(node.data,
                                                              number_text(node.data))
                continue
            rule = rule_of(node.op)
            self.hand[node] = rule.forward(node.ctx, *map(self.written, node.inputs))
            args = [self.tree[c] for c in node.inputs]
            define = forward_tree(node, args)
            if not writable(define):  # a case split (leaky_relu's expr): call it by name
                define = Call(node.op, tuple(args))
            self.define[node] = define
            self.tree[node] = Name(names[node]) if node in names else self.define[node]
        self.by_name = {name: node for node, name in names.items()}

    def written(self, node: Value) -> float:
        """A node's value as the hand calculation reads it (named results rounded)."""
        if node.is_leaf or node not in self.names:
            return self.hand[node]
        return carried_value(self.hand[node], self.digits)

    def number(self, raw: float) -> Num:
        """``raw`` as written: rounded, its precision shown (``1.00``, not ``1``)."""
        return Num(carried_value(raw, self.digits), number_text(raw, self.digits), const=False)

    def with_numbers(self, tree: Expr) -> Expr:
        """``tree`` with every node name replaced by its written number."""

        def replace(leaf):
            if isinstance(leaf, Name) and leaf.name in self.by_name:
                node = self.by_name[leaf.name]
                if node.is_leaf:
                    return Num(node.data, number_text(node.data), const=False)
                return self.number(self.hand[node])
            return None

        return substitute(tree, replace)


@dataclass
class Segment:
    """d(top)/d(bottom) through unnamed nodes only (all such paths, merged)."""

    symbols: Expr
    written: float
    exact: float


def segments_between(g: CarriedGraph, top: Value, stations: set) -> dict[Value, Segment]:
    """The segments from ``top`` down to the next stations: reverse accumulation over the
    unnamed nodes below ``top`` (iterative; paths through an unnamed node merged)."""
    region = {top}
    stack = [top]
    while stack:
        node = stack.pop()
        for c in node.inputs:
            if c not in stations and not c.is_leaf and c not in region:
                region.add(c)
                stack.append(c)
    adj_sym: dict[Value, list] = {top: [Num(1.0, "1")]}
    adj_w: dict[Value, float] = {top: 1.0}
    adj_x: dict[Value, float] = {top: 1.0}
    found: dict[Value, list] = {}
    for node in sorted(region, key=g.pos.__getitem__, reverse=True):
        if node not in adj_w:
            continue
        upstream = total(adj_sym[node]) if len(adj_sym[node]) > 1 else adj_sym[node][0]
        rule = rule_of(node.op)
        args = [g.tree[c] for c in node.inputs]
        itself = Name(g.names[node]) if node in g.names else None
        xs_w = [g.written(c) for c in node.inputs]
        ps_w = rule.local_partials(g.hand[node], node.ctx, xs_w)
        ps_x = rule.local_partials(node.data, node.ctx, [c.data for c in node.inputs])
        for k, c in enumerate(node.inputs):
            if c not in stations and (c.is_leaf or c not in region):
                continue
            local = local_formula(node, k, args, itself)
            term = product([local, upstream])  # x1*f'(...), as the documents write it
            if c in stations:
                found.setdefault(c, []).append((term, adj_w[node] * ps_w[k],
                                                adj_x[node] * ps_x[k]))
            else:
                adj_sym.setdefault(c, []).append(term)
                adj_w[c] = adj_w.get(c, 0.0) + adj_w[node] * ps_w[k]
                adj_x[c] = adj_x.get(c, 0.0) + adj_x[node] * ps_x[k]
    return {b: Segment(total([t for t, _, _ in terms]), math.fsum(w for _, w, _ in terms),
                        math.fsum(x for _, _, x in terms))
            for b, terms in found.items()}


def local_formula(node: Value, k: int, args: list[Expr], itself: Expr | None) -> Expr:
    """The rule's formula for d(node)/d(input k); where the notation cannot write it (a
    case split such as relu's), ``f'(x)`` as the documents write a derivative."""
    try:
        local = partial_tree(node, k, args, itself)
    except NotExpressible:
        local = None
    if local is None or not writable(local):
        if len(args) != 1:
            raise ValueError(f"the worksheet cannot write the derivative of op "
                             f"{node.op!r} in the line notation")
        return Call(f"{node.op}'", tuple(args))
    return local


def reading_order(g: CarriedGraph) -> list[Value]:
    """The leaves in the order a reader meets them in the forward pass's formulas, then
    any others (the target of a loss is met last, in the loss)."""
    seen: dict[str, None] = {}
    for node in g.order:
        if node in g.define and node in g.names:
            collect = lambda e, kids: [e.name] if isinstance(e, Name) else sum(kids, [])
            for name in fold(g.define[node], collect):
                seen.setdefault(name, None)
    first = [g.by_name[n] for n in seen if n in g.by_name]
    return first + [n for n in g.order if all(n is not f for f in first)]


def reach_of(segs: dict) -> dict[Value, set]:
    """The stations below each station (transitively), by a fixed-point sweep."""
    reach = {a: set(b) for a, b in segs.items()}
    changed = True
    while changed:
        changed = False
        for a in reach:
            extra = set()
            for b in reach[a]:
                extra |= reach.get(b, set())
            if not extra <= reach[a]:
                reach[a] |= extra
                changed = True
    return reach


def paths_of(segs: dict, reach: dict, root: Value, p: Value) -> list[list]:
    """Up to MAX_PATHS + 1 station paths from root down to p (iterative DFS)."""
    paths: list[list] = []
    if p is not root and p not in reach.get(root, set()):
        return paths
    stack: list[tuple[Value, list]] = [(root, [])]
    while stack and len(paths) <= MAX_PATHS:
        node, path = stack.pop()
        below = [b for b in segs.get(node, {}) if b is p or p in reach.get(b, set())]
        for b in reversed(below):
            step = [*path, (node, b)]
            if b is p:
                paths.append(step)
            else:
                stack.append((b, step))
    return paths


def nameable(segs: dict, reach: dict, a: Value, b: Value) -> bool:
    """Whether the segment a -> b is the whole derivative da/db (no other path from a to
    b through a named node), so that the name ``da/db`` may stand for it."""
    return not any(b in reach.get(c, set()) for c in segs[a] if c is not b)
