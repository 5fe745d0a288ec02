"""``check_engine``: a learner's own micrograd-style engine, checked node by node.

The learner builds a graph with their ``Value`` class and calls their ``backward()``.
:func:`check_engine` rebuilds that graph with our ops (see :mod:`autograd.foreign`),
runs our backward, and compares every node's ``grad`` with the learner's.  The first
node, in backward order (the root first), whose gradient is wrong is reported with a
diagnosis of what went wrong:

``not_run``
    every gradient is 0: ``backward()`` was not called (or did nothing).
``accumulated``
    the wrong gradients are whole multiples (2, 3, ...) of ours: ``backward()`` ran again
    without setting the gradients to zero first.
``overwrite``
    a node used more than once holds the share of only one of its uses: ``grad = ...``
    where ``grad += ...`` is needed.
``order``
    one of the node's users passed its gradient down before that user's own gradient was
    complete: the topological order is wrong.
``local_derivative``
    the node's users' gradients are right but what reached the node is not: a user's
    local derivative is wrong (or missing); ours is shown, from the rule table.

Every number of ours comes from our engine (``autograd.grad`` on the rebuilt graph) and
the rule table; nothing here knows a derivative.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from itertools import combinations

from .engine import Value
from .foreign import apply_op, is_foreign, rebuild, refuse
from .functional import grad
from .rules import RULES

__all__ = ["check_engine", "EngineCheck", "NodeCheck", "DIAGNOSES"]

DIAGNOSES = ("not_run", "accumulated", "overwrite", "order", "local_derivative")
_MAX_SUBSET_USES = 12  # beyond this many uses, `order` is not searched for


@dataclass(frozen=True)
class NodeCheck:
    """One node of the learner's graph: its name, op, data and both gradients."""

    name: str
    op: str
    data: float
    grad: float  # the learner's
    expected: float  # ours
    ok: bool


@dataclass(frozen=True)
class EngineError:
    """The first wrong node and what went wrong there.

    Attributes:
        node: the learner's node.
        name: its label, or ``#i`` (its place in backward order, the root being #0).
        diagnosis: one of :data:`DIAGNOSES`.
        message: the explanation, with numbers.
    """

    node: object
    name: str
    diagnosis: str
    message: str


class EngineCheck:
    """The result of :func:`check_engine`.

    Attributes:
        ok: True if every node's gradient matches ours.
        first_error: an :class:`EngineError`, or None.
        nodes: one :class:`NodeCheck` per node, in backward order (the root first).
        wrong: the learner's nodes whose gradient is wrong.
    """

    def __init__(self, nodes: list[NodeCheck], first_error: EngineError | None,
                 wrong: list) -> None:
        self.nodes = nodes
        self.first_error = first_error
        self.wrong = wrong
        self.ok = first_error is None

    def __bool__(self) -> bool:
        return self.ok

    def _summary(self) -> str:
        if self.ok:
            return f"All {len(self.nodes)} gradients match ours."
        e = self.first_error
        return (f"{len(self.wrong)} of {len(self.nodes)} gradients differ from ours. First "
                f"wrong node in backward order: {e.name} ({e.diagnosis}). {e.message}")

    def table(self) -> str:
        """The per-node table as plain text."""
        rows = [("node", "op", "data", "your grad", "our grad", "")]
        rows += [(n.name, n.op, f"{n.data:.6g}", f"{n.grad:.6g}", f"{n.expected:.6g}",
                  "ok" if n.ok else "WRONG") for n in self.nodes]
        widths = [max(len(r[i]) for r in rows) for i in range(6)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
                         for r in rows)

    def __str__(self) -> str:
        return self._summary() + "\n\n" + self.table()

    def __repr__(self) -> str:
        state = "ok" if self.ok else f"first error at {self.first_error.name}: " \
                                     f"{self.first_error.diagnosis}"
        return f"<EngineCheck: {len(self.nodes)} nodes, {state}>"

    def _repr_html_(self) -> str:
        e = html.escape
        head = "".join(f"<th>{h}</th>" for h in
                       ("node", "op", "data", "your grad", "our grad", ""))
        body = "".join(
            f'<tr style="{"" if n.ok else "background:#fde2e1"}"><td>{e(n.name)}</td>'
            f"<td>{e(n.op)}</td><td>{n.data:.6g}</td><td>{n.grad:.6g}</td>"
            f"<td>{n.expected:.6g}</td><td>{'ok' if n.ok else '<b>wrong</b>'}</td></tr>"
            for n in self.nodes)
        return (f"<div class=\"autograd-check-engine\"><p>{e(self._summary())}</p>"
                f"<table><tr>{head}</tr>{body}</table></div>")


def _close(a: float, b: float, rel: float, abs_: float) -> bool:
    if a == b or (a != a and b != b):
        return True
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def check_engine(root, *, rel: float = 1e-6, abs: float = 1e-9) -> EngineCheck:  # noqa: A002
    """Check the gradients a learner's micrograd-style engine left on its graph.

    Call it after the learner's ``root.backward()``.  Nothing of the learner's is changed.

    Args:
        root: the learner's output node (an object with ``data``, ``grad``, ``_prev``,
            ``_op``; see :mod:`autograd.foreign`).
        rel: relative tolerance of a match.
        abs: absolute tolerance of a match.

    Returns:
        An :class:`EngineCheck`: ``.ok``, ``.first_error`` (node, diagnosis, message),
        ``.nodes`` (the per-node table); ``str()`` and notebooks show it.

    Raises:
        TypeError: ``root`` is not a micrograd-style node.
        ValueError: an op of the graph maps to no op of ours (named in the message).
    """
    if not is_foreign(root):
        raise refuse("check_engine", root)
    m, ours = rebuild(root)
    nodes = m.nodes[::-1]  # backward order: the root first
    expected = dict(zip((id(n) for n in nodes),
                        grad(ours[id(root)], [ours[id(n)] for n in nodes])))
    mine = {id(n): float(n.grad) for n in nodes}
    names = {id(n): _name(n, i) for i, n in enumerate(nodes)}
    oks = {k: _close(mine[k], expected[k], rel, abs) for k in mine}
    table = [NodeCheck(names[id(n)], str(n._op), float(n.data), mine[id(n)],
                       expected[id(n)], oks[id(n)]) for n in nodes]
    wrong = [n for n in nodes if not oks[id(n)]]
    if not wrong:
        return EngineCheck(table, None, [])
    ctx = _Context(m, ours, mine, expected, names, rel, abs)
    first = wrong[0]
    diagnosis, message = ctx.diagnose(first, wrong, root)
    return EngineCheck(table, EngineError(first, names[id(first)], diagnosis, message), wrong)


def _name(node, i: int) -> str:
    label = getattr(node, "label", "")
    return label if isinstance(label, str) and label else f"#{i}"


class _Context:
    """What the diagnosis needs: the graph, both gradients, and each node's uses."""

    def __init__(self, m, ours, mine, expected, names, rel, abs_) -> None:
        self.m, self.ours, self.mine, self.expected = m, ours, mine, expected
        self.names, self.rel, self.abs = names, rel, abs_
        # Each use of a node: (user, our local partial of the user w.r.t. that input).
        self.uses: dict[int, list[tuple[object, float]]] = {id(n): [] for n in m.nodes}
        self.partials: dict[int, list[float]] = {}
        for user in m.nodes:
            kids = m.inputs[id(user)]
            if not kids:
                continue
            ps = self.partials[id(user)] = self._partials(user)
            for child, p in zip(kids, ps):
                self.uses[id(child)].append((user, p))

    def runs(self, root, times: int) -> dict[int, float]:
        """The grads a correct micrograd engine leaves after ``times`` calls of backward()
        without zeroing: each call sets the root's grad to 1, then every node adds
        ``partial * its current grad`` to its inputs (the same in any topological order)."""
        g = {id(n): 0.0 for n in self.m.nodes}
        for _ in range(times):
            g[id(root)] = 1.0
            for node in reversed(self.m.nodes):
                for child, p in zip(self.m.inputs[id(node)], self.partials.get(id(node), ())):
                    g[id(child)] += p * g[id(node)]
        return g

    def _partials(self, user) -> list[float]:
        """Our local partials of ``user`` w.r.t. each of its inputs: the op applied to
        fresh leaves holding the inputs' data, differentiated by our engine (a composite
        such as a - b through its primitives' rules; a * a as two uses)."""
        op, ctx = self.m.ops[id(user)]
        leaves = [Value(self.ours[id(c)].data) for c in self.m.inputs[id(user)]]
        return grad(apply_op(op, ctx, leaves), leaves)

    def close(self, a: float, b: float) -> bool:
        return _close(a, b, self.rel, self.abs)

    def diagnose(self, node, wrong: list, root) -> tuple[str, str]:
        key = id(node)
        got, want = self.mine[key], self.expected[key]
        name = self.names[key]
        if all(self.mine[id(n)] == 0.0 for n in self.m.nodes if n is not root):
            return "not_run", ("Every gradient is 0: backward() has not run (call "
                               "root.backward() before checking).")
        for times in range(2, 6):
            again = self.runs(root, times)
            if all(self.close(self.mine[k], v) for k, v in again.items()):
                return "accumulated", (
                    f"{name}.grad is {got:.6g}, ours is {want:.6g}: every gradient is what "
                    f"{times} calls of backward() leave when the gradients are not set to 0 "
                    f"in between (zero every grad before calling backward() again).")
        uses = self.uses[key]
        shares = [self.mine[id(u)] * p for u, p in uses]
        if len(uses) > 1:
            for u, s in zip((u for u, _ in uses), shares):
                if self.close(got, s):
                    return "overwrite", (
                        f"{name} is used {len(uses)} times, and its grad {got:.6g} is the "
                        f"share of one use only (through {self.names[id(u)]}); the sum of "
                        f"all uses is {want:.6g}. A _backward sets the grad (grad = ...) "
                        f"where it must add to it (grad += ...).")
        found = self._order(node, uses, shares)
        if found is not None:
            return "order", found
        return "local_derivative", self._local(node, uses, shares)

    def _order(self, node, uses, shares) -> str | None:
        """A user whose gradient was incomplete when it passed it down to ``node``."""
        got = self.mine[id(node)]
        for j, (user, p) in enumerate(uses):
            rest = sum(shares) - shares[j]
            user_uses = self.uses[id(user)]
            if not 2 <= len(user_uses) <= _MAX_SUBSET_USES or p == 0.0:
                continue
            user_shares = [self.mine[id(u)] * q for u, q in user_uses]
            for size in range(len(user_shares)):  # strict subsets, the empty one first
                for subset in combinations(range(len(user_shares)), size):
                    partial = math.fsum(user_shares[i] for i in subset)
                    if self.close(got, rest + p * partial):
                        un = self.names[id(user)]
                        return (f"{un} passed its gradient down to {self.names[id(node)]} "
                                f"when it held {partial:.6g}, before all of its "
                                f"{len(user_uses)} uses had added theirs (its grad is "
                                f"{self.mine[id(user)]:.6g}): its _backward ran before "
                                f"all of its users'. The topological order is wrong: "
                                f"a node must come after every node it feeds.")
        return None

    def _local(self, node, uses, shares) -> str:
        got, want = self.mine[id(node)], self.expected[id(node)]
        name = self.names[id(node)]
        lines = []
        for j, (user, p) in enumerate(uses):
            g = self.mine[id(user)]
            op, ctx = self.m.ops[id(user)]
            rest = sum(shares) - shares[j]
            theirs = (got - rest) / g if g else float("nan")
            formula = _formula(op, ctx, self.m.inputs[id(user)].index(node))
            lines.append(f"d{self.names[id(user)]}/d{name}: yours {theirs:.6g}, ours "
                         f"{p:.6g}{formula}")
        which = "its user's" if len(uses) == 1 else "one of its users'"
        if not self.m.inputs[id(node)]:
            which = f"{which} local derivative is wrong or missing, or this leaf kept a " \
                    f"gradient from an earlier backward() (zero it first); the"
            return (f"{name}.grad is {got:.6g}, ours is {want:.6g}, while the gradients of the "
                    f"nodes using it are right: {which} local derivatives: "
                    + "; ".join(lines) + ".")
        return (f"{name}.grad is {got:.6g}, ours is {want:.6g}, while the gradients of the "
                f"nodes using it are right: {which} local derivative is wrong or missing "
                f"(" + "; ".join(lines) + ").")


def _formula(op: str, ctx, k: int) -> str:
    """The rule table's formula of our partial, for an op that is one primitive."""
    rule = RULES.get(op)
    if rule is None or not rule.formula:
        return ""  # a composite (a - b, -a): its partial is evaluated, not one formula
    text = rule.formula[0] if rule.arity == -1 else rule.formula[min(k, len(rule.formula) - 1)]
    text = rule.with_constant(text, ctx)
    return f" = {text} ({op})"
