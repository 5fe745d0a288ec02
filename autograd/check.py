"""``check_work``: a learner's hand calculation checked line by line, mistakes diagnosed.

The work is written in the line notation of :mod:`autograd.notation` (forward lines
``h1 = ... = 0.0474``, derivative lines ``dL/dw1 = ... = 0.0214``, update lines
``w1 ← w1 - η*dL/dw1 = 0.998``).  Every ``= EXPR`` part of every line is checked against
the graph:

* a **number** is right when, at the precision it is written, it equals the exact value
  or the value that follows from the learner's own earlier (rounded) numbers, the way the
  documents carry their rounding (D4's ``0.0214`` is the product of its rounded factors;
  the exact value rounds to 0.0215: accepted, with a note).  On an exact tie both
  neighbours are right.
* an **expression in names only** (``w5 * f'(w5*h1 + w6*h2 + b3)``) is right when it
  equals the truth *as a function of the leaves*: it is also evaluated with the named
  leaves moved a little, so a formula that matches by coincidence here is caught.
* an **expression with numbers in it** (``x1 * 0.0452``, ``-2*(1 - ypred)``: the 1 may
  stand for a leaf ``y``) is checked at this point only, within the rounding of the
  numbers written in it (whole numbers are exact).

``dA/dB`` is the total derivative of node A with respect to node B: all paths, parallel
edges merged, taken from the rule table (this module evaluates rules and multiplies; it
derives nothing).  A wrong part gets a diagnosis whose ``kind`` is one of :data:`KINDS`
and a sentence that names the nodes and gives the correct formula as
:func:`autograd.explain` writes it.
"""

from __future__ import annotations

import html
import inspect
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import program
from .engine import Value
from .explain import explain
from .functional import grad as reverse_grad
from .graph import topological_order
from .naming import Names, node_names, user_frame
from .notation import (
    Blank,
    Call,
    Deriv,
    Line,
    NotationError,
    Num,
    derivative_name,
    evaluate,
    format_number,
    leaves,
    parse_work,
    read_work,
)
from .rules import RULES, UnknownOpError

__all__ = ["check_work", "CheckResult", "CheckedLine", "KINDS", "ACTIVATIONS", "LR_NAMES"]

#: Every diagnosis kind, in the order they are tried (tests and tools rely on these).
KINDS = ("sign", "missing_path", "missing_factor", "extra_factor", "pre_activation",
         "other_node", "after_update", "carried", "rounding", "formula", "unknown")
#: Ops a written ``f`` (the documents' "activation") may stand for.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "celu", "gelu",
               "silu", "mish", "softplus", "softsign", "logsigmoid", "hardsigmoid",
               "hardswish", "hardtanh", "relu6")
#: Names of the learning rate in update lines (unless a node has that name).
LR_NAMES = ("η", "lr", "eta")
_F_ALIASES = ("f", "σ")
_MAX_PATHS = 16  # paths listed for missing_path / missing_factor diagnoses
_PERTURBED_POINTS = 3
_REL = 1e-6  # agreement of formulas (names only) with the truth, relative
_MARK = {"right": "✔", "wrong": "✘", "cannot check": "?"}


@dataclass(frozen=True)
class PartCheck:
    """The check of one ``= EXPR`` part of a line.

    Attributes:
        text: the part as parsed (normalised).
        verdict: ``"right"``, ``"wrong"`` or ``"cannot check"``.
        kind: a diagnosis kind (:data:`KINDS`) or None.
        value: the part's value as the learner computes it (their earlier numbers put
            in), or None.
        message: what is wrong, or a note; "" when right without remark.
    """

    text: str
    verdict: str
    kind: str | None
    value: float | None
    message: str = ""


@dataclass(frozen=True)
class CheckedLine:
    """One line of the learner's work, checked.

    Attributes:
        text: the line as written.
        lineno: its 1-based line number in the work.
        target: what the line computes (``h1``, ``dL/dw1``).
        verdict: ``"right"``, ``"wrong"`` or ``"cannot check"``.
        expected: the engine's (exact) value of the target, or None.
        kind: the diagnosis (:data:`KINDS`): for a wrong line the kind of mistake
            (``carried`` when it only follows from an earlier wrong line); for a right
            line ``rounding`` when its number was rounded early; else None.
        message: the diagnosis for people, naming the nodes, with the correct formula.
        value: the learner's value for the target (their last number), or None.
        parts: the check of each ``= EXPR`` part.
    """

    text: str
    lineno: int
    target: str
    verdict: str
    expected: float | None
    kind: str | None
    message: str
    value: float | None
    parts: tuple[PartCheck, ...] = ()


@dataclass
class CheckResult:
    """The learner's work, checked line by line.

    Attributes:
        lines: one :class:`CheckedLine` per line of work (comments and blank lines are
            kept in ``text`` only).
        notes: remarks about the graph itself (``backward ran 2 times without
            zero_grad``).
        text: the work as given.
    """

    lines: list[CheckedLine]
    notes: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def ok(self) -> bool:
        """True when every line is right."""
        return all(line.verdict == "right" for line in self.lines)

    @property
    def first_error(self) -> CheckedLine | None:
        """The first wrong line whose mistake is new there (not ``carried``), or None."""
        for line in self.lines:
            if line.verdict == "wrong" and line.kind != "carried":
                return line
        return None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        by_lineno = {line.lineno: line for line in self.lines}
        first = self.first_error
        out = []
        for i, raw in enumerate(self.text.splitlines(), start=1):
            line = by_lineno.get(i)
            if line is None:
                out.append(f"  {raw}")
                continue
            out.append(f"{_MARK[line.verdict]} {raw}")
            if line is first:
                out.append(f"    {line.kind}: {line.message}")
            elif line.verdict == "wrong":
                out.append(f"    {line.kind}: {_first_sentence(line.message)}")
            elif line.message:
                out.append(f"    {'note' if line.verdict == 'right' else 'cannot check'}: "
                           f"{line.message}")
        right = sum(line.verdict == "right" for line in self.lines)
        summary = f"{right} of {len(self.lines)} lines right"
        if first is not None:
            summary += f"; the first mistake is on line {first.lineno} ({first.kind})"
        out.append(summary)
        out.extend(f"note: {note}" for note in self.notes)
        return "\n".join(out)

    def __repr__(self) -> str:
        return (f"CheckResult(ok={self.ok}, lines={len(self.lines)}, first_error="
                f"{self.first_error.lineno if self.first_error else None})")

    def _repr_html_(self) -> str:
        first = self.first_error
        rows = []
        for line in self.lines:
            note = html.escape(line.message if line is first or line.verdict != "wrong"
                               else _first_sentence(line.message))
            kind = html.escape(line.kind or "")
            rows.append(
                f'<tr class="{line.verdict.replace(" ", "-")}"><td>{_MARK[line.verdict]}'
                f"</td><td><code>{html.escape(line.text)}</code></td>"
                f"<td>{kind}{': ' if kind and note else ''}{note}</td></tr>")
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return ('<table class="autograd-check"><thead><tr><th></th><th>work</th>'
                "<th>check</th></tr></thead><tbody>" + "".join(rows)
                + "</tbody></table>" + notes)


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")


# --- the graph, evaluated on floats from the rule table ---------------------------------


def _rule(op: str):
    try:
        return RULES[op]
    except KeyError:
        raise UnknownOpError(op) from None


class _Graph:
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
        self.base = [n.data for n in self.order]
        self._adjoints: dict[tuple[int, int | None], list[float]] = {}
        self._points: list[list[float]] = []

    # names
    def resolve(self, name: str) -> int | None:
        """The node called ``name``: its name, else any variable of the caller's frame
        that holds a node of this graph (so ``ypred = o1`` makes both names work)."""
        if name in self.by_name:
            return self.by_name[name]
        if self.frame is not None and not name.startswith("_"):
            for scope in (self.frame.f_locals, self.frame.f_globals):
                obj = scope.get(name)
                if obj is not None and id(obj) in self.index \
                        and self.order[self.index[id(obj)]] is obj:
                    return self.index[id(obj)]
        return None

    def show(self, i: int) -> str:
        """A node for people: its name, else ``#i`` and its op."""
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
                vals.append(_rule(node.op).forward(node.ctx, *xs))
        return vals

    def partials(self, i: int, vals: list[float]) -> tuple:
        node = self.order[i]
        return _rule(node.op).local_partials(vals[i], node.ctx,
                                             [vals[c] for c in self.inputs[i]])

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

    def activation_ops(self) -> list[str]:
        return sorted({n.op for n in self.order if n.op in ACTIVATIONS})


# --- the check --------------------------------------------------------------------------


@dataclass
class _Learned:
    """What the learner wrote for a target: their value, its precision, whether it is
    wrong (or carried), and on which line."""

    value: float
    quantum: float
    wrong: bool
    lineno: int
    truth: float


@dataclass
class _Eval:
    value: float
    bound: float  # how far the value may be from the truth through rounding alone
    tainted: int | None  # the line number of a wrong earlier value used, if any
    # the line number of a wrong earlier value used by name (a written number that
    # repeats a wrong one may be a coincidence; a name is not)
    by_name: int | None = None


@dataclass(frozen=True)
class _Candidate:
    kind: str
    value: float
    message: str


class _Checker:
    def __init__(self, graph: _Graph, lr: float | None) -> None:
        self.g = graph
        self.lr = lr
        self.learned: dict[tuple, _Learned] = {}
        self.wrong_numbers: list[tuple[float, float, _Learned]] = []  # value, quantum, line
        self._candidates: dict[tuple, list[_Candidate]] = {}
        self._updated: list[float] | None = None

    # -- names and values --------------------------------------------------------------
    def node(self, name: str, line: Line, col: int) -> int:
        i = self.g.resolve(name)
        if i is None:
            known = sorted(set(self.g.by_name))
            shown = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
            raise NotationError(f"unknown name {name!r}; the graph's names are: "
                                f"{shown or '(none: label the nodes or pass names=)'}",
                                line.lineno, col)
        return i

    def key_of(self, leaf, line: Line) -> tuple:
        if isinstance(leaf, Deriv):
            return ("d", self.node(leaf.top, line, leaf.col),
                    self.node(leaf.bottom, line, leaf.col + 3 + len(leaf.top)))
        if leaf.name in LR_NAMES and self.g.resolve(leaf.name) is None:
            return ("lr",)
        return ("v", self.node(leaf.name, line, leaf.col))

    def truth(self, key: tuple, vals: list[float] | None = None,
              point: int | None = None) -> float:
        if key[0] == "lr":
            return self.lr if self.lr is not None else math.nan
        if key[0] == "v":
            return (vals or self.g.base)[key[1]]
        if key[0] == "d":
            return self.g.adjoint(key[1], vals, point)[key[2]]
        # ("u", i): the value of leaf i after one SGD step
        root = len(self.g.order) - 1
        return (vals or self.g.base)[key[1]] - self.lr * self.g.adjoint(
            root, vals, point)[key[1]]

    def target_key(self, line: Line) -> tuple:
        col = 1
        if line.kind == "derivative":
            top, bottom = line.target
            return ("d", self.node(top, line, col + 1),
                    self.node(bottom, line, col + 3 + len(top)))
        i = self.node(line.target, line, col)
        return ("u", i) if line.kind == "update" else ("v", i)

    def target_text(self, key: tuple) -> str:
        if key[0] == "d":
            return derivative_name(self.g.show(key[1]), self.g.show(key[2]))
        return self.g.show(key[1])

    def call(self, line: Line, expr: Call):
        """A function of the notation on floats: the engine's own (rule table)."""
        name = expr.func
        if name in _F_ALIASES and name not in program.FUNCTIONS:
            ops = self.g.activation_ops()
            if len(ops) != 1:
                raise NotationError(
                    f"{name!r} stands for the graph's activation, but the graph has "
                    f"{'none' if not ops else ' and '.join(ops)}: write the function by "
                    f"name", line.lineno, expr.col)
            name = ops[0]
        if name not in program.FUNCTIONS or name in ("dot", "sum") and expr.prime:
            raise NotationError(f"unknown function {expr.func!r}", line.lineno, expr.col)
        if name == "dot":
            raise NotationError("dot() is not part of the notation: write w1*x1 + w2*x2",
                                line.lineno, expr.col)
        if expr.prime and len(expr.args) != 1:
            raise NotationError(f"{expr.func}'() takes one argument", line.lineno, expr.col)
        function = program.FUNCTIONS[name]

        def run(func, prime, args):
            if prime:
                x = Value(args[0])
                (d,) = reverse_grad(function(x), [x])
                return d
            if name == "clamp":
                return function(Value(args[0]), *args[1:]).data
            out = function(*(Value(a) for a in args))
            return out.data
        return run

    def evaluate(self, line: Line, expr, *, vals=None, point=None, learner=False,
                 fix_literals=False, moved=None) -> float:
        """``expr`` with names taken as the truth (at ``vals``), or as the learner's
        earlier numbers where they exist; ``moved`` replaces some leaves' values."""
        calls = {}

        def value_of(leaf):
            if moved is not None and id(leaf) in moved:
                return moved[id(leaf)]
            if isinstance(leaf, Num):
                if fix_literals:
                    hit = self.carried_literal(leaf)
                    if hit is not None:
                        return hit.truth
                return leaf.value
            key = self.key_of(leaf, line)
            if learner and key in self.learned:
                return self.learned[key].value
            return self.truth(key, vals, point)

        def call(func, prime, args):
            for node in _calls(expr):
                if node.func == func and node.prime == prime:
                    if id(node) not in calls:
                        calls[id(node)] = self.call(line, node)
                    return calls[id(node)](func, prime, args)
            raise AssertionError(func)  # pragma: no cover

        return evaluate(expr, value_of, call)

    def carried_literal(self, num: Num) -> _Learned | None:
        """The wrong earlier line whose number ``num`` repeats, if any."""
        v = num.value
        for value, quantum, learned in self.wrong_numbers:
            if abs(v - value) <= max(quantum, num.quantum) / 2 + 1e-12 * abs(value):
                return learned
        return None

    def with_bound(self, line: Line, expr, *, learner: bool, fix_literals=False) -> _Eval:
        """The value, and how far rounding of the numbers in it can move it."""
        value = self.evaluate(line, expr, learner=learner, fix_literals=fix_literals)
        bound = 0.0
        tainted = by_name = None
        for leaf in leaves(expr):
            q = 0.0
            center = None
            if isinstance(leaf, Num):
                q = leaf.quantum
                center = leaf.value
                if fix_literals:
                    hit = self.carried_literal(leaf)
                    if hit is not None:
                        center, q = hit.truth, 0.0
                elif learner:
                    hit = self.carried_literal(leaf)
                    if hit is not None:
                        tainted = tainted or hit.lineno
            elif learner:
                key = self.key_of(leaf, line)
                learned = self.learned.get(key)
                if learned is not None:
                    q, center = learned.quantum, learned.value
                    if learned.wrong:
                        tainted = tainted or learned.lineno
                        by_name = by_name or learned.lineno
            if q > 0 and center is not None:
                hi = self.evaluate(line, expr, learner=learner, fix_literals=fix_literals,
                                   moved={id(leaf): center + q / 2})
                lo = self.evaluate(line, expr, learner=learner, fix_literals=fix_literals,
                                   moved={id(leaf): center - q / 2})
                if math.isfinite(hi) and math.isfinite(lo):
                    bound += abs(hi - lo) / 2
        return _Eval(value, bound * 1.01, tainted, by_name)

    def symbolic_ok(self, line: Line, expr, key: tuple) -> bool:
        """Whether a names-only expression equals the target at the moved points too."""
        for p, vals in enumerate(self.g.points()):
            t = self.truth(key, vals, p)
            try:
                v = self.evaluate(line, expr, vals=vals, point=p)
            except (ValueError, OverflowError, ZeroDivisionError):
                continue
            if not (math.isfinite(t) and math.isfinite(v)):
                continue
            if not _close(v, t):
                return False
        return True

    # -- one line ----------------------------------------------------------------------
    def check_line(self, line: Line) -> CheckedLine:
        key = self.target_key(line)
        name = line.target_text
        if line.kind == "update" and self.lr is None:
            for part in line.parts:  # the names must still be known
                for leaf in leaves(part):
                    if not isinstance(leaf, (Num, Blank)):
                        self.key_of(leaf, line)
            return CheckedLine(line.text, line.lineno, name, "cannot check", None, None,
                               "an update line needs the learning rate: pass lr=",
                               None, ())
        t = self.truth(key)
        parts: list[PartCheck] = []
        prev: tuple[_Eval, str] | None = None  # the previous part's value and verdict
        last_value: float | None = None
        last_quantum = 0.0
        for expr in line.parts:
            check, ev = self.check_part(line, key, t, expr, prev)
            if ev is not None and check.verdict == "right":
                # a right part repeats no wrong number, unless it uses one by name
                ev = _Eval(ev.value, ev.bound, ev.by_name, ev.by_name)
            parts.append(check)
            if ev is not None:
                prev = (ev, check.verdict if check.kind != "carried" else "carried")
                last_value = ev.value
                last_quantum = expr.quantum if isinstance(expr, Num) else 0.0
        verdict, kind, message = _line_verdict(parts)
        if last_value is not None:
            learned = _Learned(last_value, last_quantum, verdict == "wrong", line.lineno, t)
            self.learned[key] = learned
            if learned.wrong:
                for expr in line.parts:
                    if isinstance(expr, Num):
                        self.wrong_numbers.append((expr.value, expr.quantum, learned))
        return CheckedLine(line.text, line.lineno, name, verdict, t, kind, message,
                           last_value, tuple(parts))

    def check_part(self, line, key, t, expr, prev):
        text = str(expr)
        if isinstance(expr, Blank):
            return PartCheck(text, "cannot check", None, None, "left blank"), None
        if not math.isfinite(t):
            ev = self.with_bound(line, expr, learner=True)
            return PartCheck(text, "cannot check", None, ev.value,
                             f"the engine's value of {self.target_text(key)} is {t}"), ev
        names = [leaf for leaf in leaves(expr) if not isinstance(leaf, Num)]
        numbers = len(names) < sum(1 for _ in leaves(expr))
        learner = self.with_bound(line, expr, learner=True)
        if isinstance(expr, Num):
            return self.check_number(line, key, t, expr, prev), learner
        # names only: a formula, checked as a function of the leaves.  With a number in
        # it (even 1 in 1 - ypred, which may stand for a leaf y_true) it is checked at
        # this point only.
        if names and not numbers:
            exact = self.evaluate(line, expr)
            if _close(exact, t):
                if self.symbolic_ok(line, expr, key):
                    return PartCheck(text, "right", None, learner.value), learner
                return PartCheck(text, "wrong", "formula", learner.value, (
                    f"{text} equals {self.target_text(key)} here only by coincidence: "
                    f"as a function of the leaves it differs (move a weight and they "
                    f"part). {self.formula(key)}")), learner
            return self.diagnosed(line, key, t, text, exact, learner, _REL * abs(t), True,
                                  prev)
        truth = self.with_bound(line, expr, learner=False)
        if _within(truth.value, t, truth.bound) or (
                learner.tainted is None and _within(learner.value, t, learner.bound)):
            return PartCheck(text, "right", None, learner.value), learner
        if prev is not None and _within(learner.value, prev[0].value,
                                        learner.bound + prev[0].bound):
            if prev[1] == "right" and learner.tainted is None:
                return PartCheck(text, "right", None, learner.value), learner
            return PartCheck(text, "wrong", "carried", learner.value,
                             "follows from the part before it"), learner
        fixed = self.with_bound(line, expr, learner=False, fix_literals=True)
        if learner.tainted is not None or fixed.value != truth.value:
            hits = [self.carried_literal(leaf) for leaf in leaves(expr)
                    if isinstance(leaf, Num)]
            first = min((h.lineno for h in hits if h is not None),
                        default=learner.tainted)
            if _within(fixed.value, t, fixed.bound) or (
                    learner.tainted is not None and _within(truth.value, t, truth.bound)):
                return PartCheck(text, "wrong", "carried", learner.value,
                                 f"follows from the mistake on line {first}"), learner
        return self.diagnosed(line, key, t, text, learner.value, learner,
                              max(learner.bound, truth.bound), True, prev)

    def check_number(self, line, key, t, num: Num, prev) -> PartCheck:
        text = num.text
        if _matches(num, t):
            return PartCheck(text, "right", None, num.value)
        if prev is not None and (_matches(num, prev[0].value) or abs(
                num.value - prev[0].value) <= _unit(num) / 2 + prev[0].bound):
            if prev[1] == "right" and prev[0].tainted is None:
                exact = format_number(t, 6)
                return PartCheck(text, "right", "rounding", num.value, (
                    f"{text} follows from the rounded numbers before it; the exact value "
                    f"{exact} rounds to {_round_like(num, t)} (rounded early: accepted)"))
            where = prev[0].tainted
            return PartCheck(text, "wrong", "carried", num.value,
                             f"follows from the mistake on line {where}" if where and
                             where != line.lineno else "follows from the part before it")
        learner = _Eval(num.value, _unit(num), None)
        return self.diagnosed(line, key, t, text, num.value, learner, _unit(num), False,
                              prev)[0]

    def diagnosed(self, line, key, t, text, value, learner, tol, is_expr, prev):
        for cand in self.candidates(key):
            tol_c = max(tol, _REL * abs(cand.value), 1e-12)
            if math.isfinite(cand.value) and abs(value - cand.value) <= tol_c \
                    and abs(cand.value - t) > tol_c:
                return PartCheck(text, "wrong", cand.kind, learner.value,
                                 f"{cand.message} {self.formula(key)}"), learner
        kind = "formula" if is_expr else "unknown"
        what = ("a formula that gives " if is_expr else "") + format_number(value, 4)
        return PartCheck(text, "wrong", kind, learner.value, (
            f"{what} is not {self.target_text(key)} = {format_number(t, 4)}, and matches "
            f"no known slip. {self.formula(key)}")), learner

    # -- what the right answer is ------------------------------------------------------
    def formula(self, key: tuple) -> str:
        """The correct formula, from the rule table, as ``explain`` writes it."""
        g = self.g
        exact = format_number(self.truth(key), 4)
        if key[0] == "u":
            name = g.show(key[1])
            return (f"The update is {name} ← {name} - η*d{g.show(len(g.order) - 1)}/d{name}"
                    f" = {exact}.")
        if key[0] == "v" and not g.inputs[key[1]]:
            return f"{g.show(key[1])} is a leaf of the graph, holding {exact}."
        if key[0] == "v":
            return f"{g.show(key[1])} = {_node_formula(g, key[1])} = {exact}."
        top, bottom = key[1], key[2]
        kwargs = {}
        if "names" in inspect.signature(explain).parameters:
            kwargs["names"] = {g.order[i]: s for i, s in g.name.items()}
        try:
            e = explain(g.order[top], g.order[bottom], **kwargs)
        except (ValueError, TypeError, UnknownOpError):
            return f"The exact value is {exact}."
        if e.n_paths == 1 and len(e.paths[0].factors) == 1:
            f = e.paths[0].factors[0]
            return f"By the chain rule: {e.name} = {f.formula} = {exact}."
        paths = f", summed over {e.n_paths} paths" if e.n_paths > 1 else ""
        return f"By the chain rule: {e.equation()} (exactly {exact}{paths})."

    def updated(self) -> list[float]:
        """Forward values after one SGD step on every named leaf."""
        if self._updated is None:
            g = self.g
            grads = g.adjoint(len(g.order) - 1)
            moved = {i: g.base[i] - self.lr * grads[i] for i in g.name if not g.inputs[i]}
            self._updated = g.forward(moved)
        return self._updated

    def candidates(self, key: tuple) -> list[_Candidate]:
        """The values of the known slips for ``key``, in the order of :data:`KINDS`."""
        if key in self._candidates:
            return self._candidates[key]
        g, t = self.g, self.truth(key)
        out: list[_Candidate] = []
        name = self.target_text(key)
        if t != 0:
            out.append(_Candidate("sign", -t, f"The sign is flipped: {name} is "
                                              f"{format_number(t, 4)}, not "
                                              f"{format_number(-t, 4)}."))
        if key[0] == "d":
            out += self.path_candidates(key[1], key[2], t)
        if key[0] == "u" and self.lr:
            i = key[1]
            gr = g.adjoint(len(g.order) - 1)[i]
            out.append(_Candidate("sign", g.base[i] + self.lr * gr,
                                  "The step goes up the gradient: subtract η times the "
                                  "derivative, do not add it."))
            out.append(_Candidate("missing_factor", g.base[i] - gr,
                                  "The learning rate η is missing from the step."))
            out.append(_Candidate("after_update", g.base[i] - 2 * self.lr * gr,
                                  "The step is applied twice."))
        out += self.other_candidates(key, t)
        if self.lr and key[0] in ("v", "d"):
            u = self.updated()
            after = u[key[1]] if key[0] == "v" else g.adjoint(key[1], u)[key[2]]
            out.append(_Candidate("after_update", after, (
                f"This is {name} after the SGD step with lr={self.lr:g} "
                f"({format_number(after, 4)}); the work is at the point before it.")))
        self._candidates[key] = out
        return out

    def path_candidates(self, top: int, bottom: int, t: float) -> list[_Candidate]:
        g = self.g
        paths = _paths(g, top, bottom)
        out: list[_Candidate] = []
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
                out.append(_Candidate("missing_path", t - c, (
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
                    out.append(_Candidate(kind, t - c + changed, (
                        f"The factor {_local_formula(g, i, k)} = {format_number(e, 4)} "
                        f"{verb}.")))
        for p, c in zip(paths, contributions):
            for i, k, child in p:
                op = g.order[i].op
                e = partial(i, k)
                if op not in ACTIVATIONS or e == 0.0 or not math.isfinite(e):
                    continue
                rule = _rule(op)
                z, out_v = g.base[child], g.base[i]
                node = g.order[i]
                wrong_at_input = rule.local_partials(z, node.ctx, [z])[0]
                out.append(_Candidate("pre_activation", t - c + c / e * wrong_at_input, (
                    f"The derivative of {op} at {g.show(i)} is written in terms of its "
                    f"input ({format_number(z, 4)}) where the rule uses its output "
                    f"{g.show(i)} = {format_number(out_v, 4)}: "
                    f"{_local_formula(g, i, k)} = {format_number(e, 4)}.")))
        return out

    def other_candidates(self, key: tuple, t: float) -> list[_Candidate]:
        g = self.g
        out: list[_Candidate] = []
        root = len(g.order) - 1
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
                if (a, b) in seen or a == b:
                    continue
                seen.add((a, b))
                out.append(_Candidate("other_node", v, (
                    f"This is {derivative_name(g.show(a), g.show(b))} "
                    f"({format_number(v, 4)}), not {self.target_text(key)}.")))
        if key[0] == "u":
            grads = g.adjoint(root)
            for x in g.name:
                if x != key[1] and not g.inputs[x]:
                    v = g.base[x] - self.lr * grads[x]
                    out.append(_Candidate("other_node", v, f"This is the update of "
                                                           f"{g.show(x)}."))
            return out
        target = key[1] if key[0] == "v" else None
        for x in list(g.name) + (g.inputs[target] if target is not None else []):
            if x == target:
                continue
            what = (f"the value of {g.show(x)}" if x in g.name else
                    f"the input of {g.order[target].op} at {g.show(target)}, "
                    f"{_node_formula(g, x)}")
            out.append(_Candidate("other_node", g.base[x],
                                  f"This is {what} ({format_number(g.base[x], 4)})."))
        return out


def _calls(expr):
    return [leaf for leaf in _walk(expr) if isinstance(leaf, Call)]


def _walk(expr):
    stack = [expr]
    while stack:
        e = stack.pop()
        yield e
        for attr in ("args",):
            stack.extend(getattr(e, attr, ()))
        if hasattr(e, "operand"):
            stack.append(e.operand)
        if hasattr(e, "terms"):
            stack.extend(x for _, x in e.terms)
        if hasattr(e, "factors"):
            stack.extend(x for _, x in e.factors)
        if hasattr(e, "base") and hasattr(e, "exponent"):
            stack.extend((e.base, e.exponent))


def _paths(g: _Graph, top: int, bottom: int) -> list | None:
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


def _path_text(g: _Graph, path) -> str:
    nodes = [path[0][0]] + [c for _, _, c in path]
    shown = [g.show(i) for i in nodes if i in g.name or i == nodes[-1]]
    if len(shown) < 3 and len(nodes) > 2:  # unnamed middle: name the op it runs through
        inner = [g.order[i].op for i in nodes[1:-1]]
        return f"{shown[0]} → ({', '.join(inner)}) → {shown[-1]}"
    return " → ".join(shown)


def _local_formula(g: _Graph, i: int, k: int) -> str:
    """d(node i)/d(its input k) for people: ``dh1/d(w1*x1 + w2*x2 + b1) = h1*(1 - h1)
    (the sigmoid rule)``, the rule table's formula with the operands put in."""
    node = g.order[i]
    rule = _rule(node.op)
    ins = g.inputs[i]
    if node.op == "dot":
        n = (len(ins) - 1) // 2 if node.ctx else len(ins) // 2
        text = g.show(ins[k + n]) if k < n else (g.show(ins[k - n]) if k < 2 * n else "1")
    else:
        text = rule.formula[0] if rule.arity == -1 else rule.formula[min(k, len(rule.formula) - 1)]
        if i in g.name:
            text = text.replace(f"{node.op}(x)", g.name[i])
        if node.op == "pow":
            text = text.replace("(k-1)", f"{node.ctx - 1.0:g}").replace("k", f"{node.ctx:g}")
        operand = {"x": ins[0], "a": ins[0], "b": ins[-1]}
        text = re.sub(r"\b[xab]\b", lambda m: _operand(g, operand[m.group(0)]), text)
    return f"{_derivative_of(g, i, ins[k])} = {text} (the {node.op} rule)"


def _operand(g: _Graph, i: int) -> str:
    if i in g.name:
        return g.name[i]
    text = _node_formula(g, i) if g.inputs[i] else format_number(g.base[i], 4)
    return f"({text})" if any(ch in text for ch in " +-*/") else text


def _derivative_of(g: _Graph, top: int, bottom: int) -> str:
    return f"d{_operand(g, top)}/d{_operand(g, bottom)}"


def _node_formula(g: _Graph, i: int, budget: int = 12) -> str:
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
    if op == "add" or op == "sum":
        return " + ".join(args)
    if op == "mul":
        return "*".join(f"({a})" if " + " in a else a for a in args)
    if op == "pow":
        a = args[0]
        return f"({a})**{ctx:g}" if (" " in a or "*" in a) else f"{a}**{ctx:g}"
    if op == "div":
        return f"{args[0]}/{args[1]}"
    return f"{op}({', '.join(args)})"


def _line_verdict(parts: list[PartCheck]) -> tuple[str, str | None, str]:
    for p in parts:
        if p.verdict == "wrong" and p.kind != "carried":
            return "wrong", p.kind, p.message
    for p in parts:
        if p.verdict == "wrong":
            return "wrong", "carried", p.message
    for p in parts:
        if p.verdict == "cannot check":
            return "cannot check", None, p.message
    for p in parts:
        if p.kind == "rounding":
            return "right", "rounding", p.message
    return "right", None, ""


# --- numbers at the precision written ---------------------------------------------------


def _unit(num: Num) -> float:
    """The unit of the last digit written (1 for a whole number)."""
    return num.quantum or 1.0 * _scale_of_whole(num.text)


def _scale_of_whole(text: str) -> float:
    mantissa, _, exponent = text.lower().partition("e")
    return 10.0 ** int(exponent) if exponent else 1.0


def _matches(num: Num, x: float) -> bool:
    """Whether ``x`` rounds to ``num`` at the precision ``num`` is written (on an exact
    tie, both neighbours match)."""
    if not math.isfinite(x):
        return False
    q = _unit(num)
    k = x / q
    written = round(num.value / q)
    lo = math.floor(k)
    frac = k - lo
    slack = 1e-9 * max(1.0, abs(k))
    if abs(frac - 0.5) <= slack:
        return written in (lo, lo + 1)
    return written == (lo if frac < 0.5 else lo + 1)


def _round_like(num: Num, x: float) -> str:
    q = _unit(num)
    decimals = max(0, -math.floor(math.log10(q) + 1e-9))
    return f"{round(x / q) * q:.{decimals}f}"


def _within(value: float, target: float, bound: float) -> bool:
    if not (math.isfinite(value) and math.isfinite(target)):
        return value == target
    return abs(value - target) <= bound + _REL * 1e-3 * max(abs(target), 1e-300) + 1e-15


def _close(a: float, b: float) -> bool:
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b
    return math.isclose(a, b, rel_tol=_REL, abs_tol=1e-12)


# --- the public function ----------------------------------------------------------------


def _graph_notes(g: _Graph) -> list[str]:
    """``backward ran N times without zero_grad`` when the stored grads say so."""
    root = len(g.order) - 1
    truth = g.adjoint(root)
    ratios = set()
    for i in g.name:
        t, stored = truth[i], g.order[i].grad
        if not g.inputs[i] and t != 0 and math.isfinite(t) and stored != 0:
            r = stored / t
            n = round(r)
            if n >= 2 and math.isclose(r, n, rel_tol=1e-9):
                ratios.add(n)
            else:
                ratios.add(None)
    if len(ratios) == 1 and None not in ratios:
        (n,) = ratios
        return [f"the stored .grad values are {n} times reverse mode's: backward ran "
                f"{n} times without zero_grad (the check uses the graph, not .grad)"]
    return []


def check_work(root: Value, work, *, lr: float | None = None,
               names: Names = None) -> CheckResult:
    """Check a learner's hand calculation against ``root``'s graph, line by line.

    Args:
        root: the output of the graph the work is about (e.g. the loss ``L``).
        work: the derivation in the notation of :mod:`autograd.notation`: a ``str`` is
            the text itself; an ``os.PathLike`` is a file to read; a list of lines or a
            dict such as ``{"h1": 0.0474, "dL/dw1": 0.0214}`` is accepted too.
        lr: the learning rate, for update lines (``w1 ← w1 - η*dL/dw1``).
        names: how nodes are named (see :mod:`autograd.naming`): None for labels and the
            caller's variables, False for labels only, or a mapping ``{node: name}`` /
            ``{name: node}``.

    Returns:
        A :class:`CheckResult`: ``.ok``, ``.lines`` (verdict, expected value, diagnosis
        ``kind`` from :data:`KINDS` and a message for each line), ``.first_error``;
        ``print`` it for the work annotated ✔ / ✘ / ?.

    Raises:
        TypeError: ``root`` is not a Value, or ``work`` is of no accepted type.
        ValueError: a line cannot be read or names an unknown node
            (:class:`~autograd.notation.NotationError`, naming line and column), or
            ``lr`` is not a finite number.

    >>> from autograd import Value, check_work
    >>> x = Value(1.5, label="x"); u = x * x; u.label = "u"
    >>> r = check_work(u, "u = x**2 = 2.25\\ndu/dx = 2*x = 3.00")
    >>> r.ok
    True
    >>> r = check_work(u, "du/dx = x = 1.50")
    >>> r.first_error.kind
    'missing_path'
    """
    frame = user_frame()
    if not isinstance(root, Value):
        raise TypeError(f"check_work() root must be a Value, got {type(root).__name__}")
    if lr is not None:
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr):
            raise ValueError(f"lr must be a finite number, got {lr!r}")
        lr = float(lr)
    text = read_work(work)
    graph = _Graph(root, names, frame)
    known = set(graph.by_name)
    if graph.frame is not None:  # variables that hold nodes of the graph name them too
        for scope in (graph.frame.f_locals, graph.frame.f_globals):
            known.update(k for k, v in list(scope.items())
                         if isinstance(v, Value) and id(v) in graph.index
                         and not k.startswith("_"))
    functions = set(program.FUNCTIONS) | {a for a in _F_ALIASES if a not in known}
    lines = parse_work(text, known=known, functions=functions)
    checker = _Checker(graph, lr)
    checked = [checker.check_line(line) for line in lines]
    return CheckResult(checked, _graph_notes(graph), text)

