"""The graph as people are shown it, as plain data: ``draw``, ``explain`` and ``explore``
read one model instead of each walking the user's nodes its own way.

A :class:`GraphModel` holds the nodes in topological order, their names (passed in, from
:func:`autograd.naming.node_names`: nothing is written onto the user's nodes), every
node's local partials (from the rule table, through :func:`local_partials`, the one
place they are evaluated for presentation) and, on demand, the backward pass's shares:
what each edge passed down and in which order (:meth:`GraphModel.shares`).  Writers (the
DOT writer in :mod:`autograd.draw`, the explorer page, ``explain``'s text) format this
data; none of them evaluates a rule or changes a node.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .graph import topological_order
from .rules import RULES, rule_of
from .rules import local_partials as rules_local_partials

__all__ = ["GraphModel", "Share", "local_partials", "partial_formula", "stale_note",
           "whole_multiple", "UNKNOWN"]

UNKNOWN = None  # a local partial that no rule gives (a learner's op): drawn as "?"


def local_partials(node, out: float | None = None, xs: list[float] | None = None, *,
                   unknown_ok: bool = False) -> tuple:
    """The local partials d(node)/d(input k) from the rule table, at the node's own
    values or at ``out`` and ``xs`` (a hand calculation's rounded ones).

    Raises:
        UnknownOpError: no rule for the node's op, unless ``unknown_ok``: then every
            partial is :data:`UNKNOWN` (None).
    """
    if unknown_ok and node.op not in RULES:
        return (UNKNOWN,) * len(node.inputs)
    if xs is None:  # the engine's own evaluation, as backward makes it
        return rules_local_partials(node)
    return rule_of(node.op).local_partials(out, node.ctx, xs)


def partial_formula(node, k: int) -> tuple[str, int | str | None]:
    """The rule table's formula for d(node)/d(input k), and what it stands for here.

    Returns ``(formula, concrete)``: ``concrete`` is None when the formula's variables
    are the node's inputs (``x``, ``a``, ``b``: substitute them), the index of the input
    that the whole formula is (``dot``: a weight's partial is its partner input), or the
    formula itself as a constant (``dot``'s bias: ``1``).  ``dot`` is the one rule whose
    formula has a role per input rather than a string per position; this is the one
    place that reads it.  Unknown ops give ``("?", "?")``.
    """
    rule = RULES.get(node.op)
    if rule is None:
        return "?", "?"
    if rule.paired:
        n = (len(node.inputs) - 1) // 2 if node.ctx else len(node.inputs) // 2
        if k < n:
            return rule.formula[0], k + n
        if k < 2 * n:
            return rule.formula[1], k - n
        return rule.formula[2], "1"
    return (rule.formula[0] if rule.arity == -1 else rule.formula[k]), None


def stale_note(order: list, root_name: str, *, replayed: bool = False) -> str | None:
    """A sentence when ``backward()`` has not run on the graph (every ``.grad`` is 0),
    so that a drawing or page says so instead of showing zeros silently; else None.
    ``replayed``: the gradients shown were computed on the side (the explorer)."""
    if any(node.grad != 0.0 for node in order):
        return None
    if replayed:
        return (f"backward() has not run on this graph: every .grad is still 0. The "
                f"gradients shown are replayed here; {root_name}.backward() fills them in.")
    return (f"backward() has not run on this graph: every .grad is 0 (call "
            f"{root_name}.backward() first)")


def whole_multiple(grad: float, reverse: float) -> int | None:
    """N when ``grad`` is N >= 2 times ``reverse`` (to rounding): what ``backward()``
    called N times without ``zero_grad()`` leaves in ``.grad``; else None."""
    if not (math.isfinite(grad) and math.isfinite(reverse)) or reverse == 0.0:
        return None
    ratio = grad / reverse
    n = round(ratio)
    if n >= 2 and math.isclose(ratio, n, rel_tol=1e-9):
        return n
    return None


class Share:
    """One edge's part in the backward pass: input ``k`` (node index ``child``) of the
    node being finished got ``partial * grad``, bringing its gradient to ``total``."""

    __slots__ = ("k", "child", "partial", "add", "total")

    def __init__(self, k: int, child: int, partial, add: float, total: float) -> None:
        self.k, self.child, self.partial, self.add, self.total = k, child, partial, add, total


class GraphModel:
    """Nodes, names, local partials and backward shares of the graph of ``root``.

    Attributes:
        root: the output node.
        order: the nodes in topological order (the root last).
        index: node -> its position in ``order``.
        names: node -> name, for the named nodes (see :mod:`autograd.naming`).
        partials: per node, its local partials (``()`` for a leaf; :data:`UNKNOWN` for
            an op with no rule).
    """

    __slots__ = ("root", "order", "index", "names", "partials", "_shares")

    def __init__(self, root, names: Mapping | None = None, order: list | None = None) -> None:
        self.root = root
        self.order = topological_order(root) if order is None else order
        self.index = {node: i for i, node in enumerate(self.order)}
        self.names = dict(names or {})
        self.partials = [() if node.is_leaf else local_partials(node, unknown_ok=True)
                         for node in self.order]
        self._shares = None

    def name(self, node) -> str:
        """The node's name, or ``#<its index in topological order>``."""
        return self.names.get(node) or f"#{self.index[node]}"

    def edges(self):
        """Every edge as ``(node index, input k, child index, partial)``, inputs in order."""
        for i, node in enumerate(self.order):
            for k, child in enumerate(node.inputs):
                yield i, k, self.index[child], self.partials[i][k]

    def shares(self) -> tuple[list[float], list[tuple[int, list[Share]]]]:
        """The backward pass, computed once: (d(root)/d(node) per node, the steps).

        One step per node in the engine's order (the topological order backwards), each
        ``(node index, [Share per input])``; the accumulation is the engine's
        (``child.grad += grad * partial``, inputs in order), so the totals are its
        numbers exactly.  An unknown partial passes down nan.
        """
        if self._shares is None:
            grads = [0.0] * len(self.order)
            grads[-1] = 1.0
            steps = []
            for i in range(len(self.order) - 1, -1, -1):
                adds = []
                g = grads[i]
                for k, child in enumerate(self.order[i].inputs):
                    j, p = self.index[child], self.partials[i][k]
                    add = g * p if p is not UNKNOWN else float("nan")
                    grads[j] += add
                    adds.append(Share(k, j, p, add, grads[j]))
                steps.append((i, adds))
            self._shares = (grads, steps)
        return self._shares
