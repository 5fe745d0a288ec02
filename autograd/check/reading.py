"""The learner's work read against the graph: the names it uses, its expressions
evaluated on the truth or on the learner's own earlier numbers, and how far rounding of
the numbers written in it can move them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .. import program
from ..diagnose import Diagnoser, GraphEval
from ..engine import Value
from ..functional import grad as reverse_grad
from ..notation import Call, Deriv, Line, NotationError, Num, evaluate, leaves
from ..rules import rule_of
from .precision import close_to

__all__ = ["LR_NAMES", "F_ALIASES", "Learned", "Evaluated", "WorkReader"]

#: Names of the learning rate in update lines (unless a node has that name).
LR_NAMES = ("η", "lr", "eta")
#: The names a written activation goes by (``f(z)``, ``σ(z)``).
F_ALIASES = ("f", "σ")


@dataclass
class Learned:
    """What the learner wrote for a target: their value, its precision, whether it is
    wrong (or carried), and on which line."""

    value: float
    quantum: float
    wrong: bool
    lineno: int
    truth: float


@dataclass
class Evaluated:
    """An expression's value, how far rounding may move it, and the wrong earlier lines
    it uses."""

    value: float
    bound: float  # how far the value may be from the truth through rounding alone
    tainted: int | None  # the line number of a wrong earlier value used, if any
    # the line number of a wrong earlier value used by name (a written number that
    # repeats a wrong one may be a coincidence; a name is not)
    by_name: int | None = None


class WorkReader:
    """The names and values of a learner's work, against one graph."""

    def __init__(self, graph: GraphEval, lr: float | None) -> None:
        self.g = graph
        self.lr = lr
        self.d = Diagnoser(graph, lr)
        self.learned: dict[tuple, Learned] = {}
        self.wrong_numbers: list[tuple[float, float, Learned]] = []  # value, quantum, line

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

    def target_key(self, line: Line) -> tuple:
        col = 1
        if line.kind == "derivative":
            top, bottom = line.target
            return ("d", self.node(top, line, col + 1),
                    self.node(bottom, line, col + 3 + len(top)))
        i = self.node(line.target, line, col)
        return ("u", i) if line.kind == "update" else ("v", i)

    def call(self, line: Line, expr: Call):
        """A function of the notation on floats: the engine's own (rule table)."""
        name = expr.func
        if name in F_ALIASES and name not in program.FUNCTIONS:
            ops = self.g.activation_ops()
            if len(ops) != 1:
                raise NotationError(
                    f"{name!r} stands for the graph's activation, but the graph has "
                    f"{'none' if not ops else ' and '.join(ops)}: write the function by "
                    f"name", line.lineno, expr.col)
            return self.rule_call(line, expr, ops[0])
        rule = program.rule_of_function(name)
        n_ary = rule is not None and rule.arity == -1
        if name not in program.FUNCTIONS or n_ary and expr.prime:
            raise NotationError(f"unknown function {expr.func!r}", line.lineno, expr.col)
        if program.lists_of(name):
            raise NotationError(f"{name}() is not part of the notation: "
                                f"write w1*x1 + w2*x2", line.lineno, expr.col)
        if expr.prime and len(expr.args) != 1:
            raise NotationError(f"{expr.func}'() takes one argument", line.lineno, expr.col)
        function = program.FUNCTIONS[name]
        # the inputs as Values, then the op's constants as numbers (clamp's bounds)
        inputs = rule.arity if rule is not None and not n_ary else None

        def run(func, prime, args):
            if prime:
                x = Value(args[0])
                (d,) = reverse_grad(function(x), [x])
                return d
            if n_ary:
                return function([Value(a) for a in args]).data
            cut = len(args) if inputs is None else inputs
            return function(*(Value(a) for a in args[:cut]), *args[cut:]).data
        return run

    def rule_call(self, line: Line, expr: Call, op: str):
        """``f`` standing for the graph's activation: its rule, at the graph's constant
        (``leaky_relu``'s slope as the graph has it; a primitive registered by the user,
        which no function of the language builds, too)."""
        if len(expr.args) != 1:
            raise NotationError(f"{expr.func}() takes one argument", line.lineno, expr.col)
        rule, ctx = rule_of(op), self.g.ctx_of_op(op)

        def run(func, prime, args):
            out = rule.forward(ctx, args[0])
            return rule.local_partials(out, ctx, [args[0]])[0] if prime else out
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
            return self.d.truth(key, vals, point)

        def call(func, prime, args):
            for node in calls_in(expr):
                if node.func == func and node.prime == prime:
                    if id(node) not in calls:
                        calls[id(node)] = self.call(line, node)
                    return calls[id(node)](func, prime, args)
            raise AssertionError(func)  # pragma: no cover

        return evaluate(expr, value_of, call)

    def carried_literal(self, num: Num) -> Learned | None:
        """The wrong earlier line whose number ``num`` repeats, if any."""
        v = num.value
        for value, quantum, learned in self.wrong_numbers:
            if abs(v - value) <= max(quantum, num.quantum) / 2 + 1e-12 * abs(value):
                return learned
        return None

    def with_bound(self, line: Line, expr, *, learner: bool, fix_literals=False) -> Evaluated:
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
        return Evaluated(value, bound * 1.01, tainted, by_name)

    def symbolic_ok(self, line: Line, expr, key: tuple) -> bool:
        """Whether a names-only expression equals the target at the moved points too."""
        for p, vals in enumerate(self.g.points()):
            t = self.d.truth(key, vals, p)
            try:
                v = self.evaluate(line, expr, vals=vals, point=p)
            except (ValueError, OverflowError, ZeroDivisionError):
                continue
            if not (math.isfinite(t) and math.isfinite(v)):
                continue
            if not close_to(v, t):
                return False
        return True


def calls_in(expr):
    """Every call in a notation tree."""
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
