"""The check itself: every ``= EXPR`` part of every line against the graph, the first
mistake named (:func:`check_work`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .. import program
from ..diagnose import Diagnoser, GraphEval, stale_grad_notes
from ..engine import Value
from ..functional import grad as reverse_grad
from ..naming import Names, user_frame
from ..notation import (
    Blank,
    Call,
    Deriv,
    Line,
    NotationError,
    Num,
    evaluate,
    format_number,
    leaves,
    parse_work,
    read_work,
)
from ..rules import rule_of
from .precision import (
    REL,
    close_to,
    matches_written,
    round_like,
    significant_digits,
    unit_of,
    within,
)
from .result import CheckedLine, CheckResult, PartCheck

__all__ = ["LR_NAMES", "check_work"]


#: Names of the learning rate in update lines (unless a node has that name).
LR_NAMES = ("η", "lr", "eta")
_F_ALIASES = ("f", "σ")
_LOOKED_UP = ("other_node", "after_update")


# --- the graph, evaluated on floats from the rule table ---------------------------------


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


class _Checker:
    def __init__(self, graph: GraphEval, lr: float | None) -> None:
        self.g = graph
        self.lr = lr
        self.d = Diagnoser(graph, lr)
        self.learned: dict[tuple, _Learned] = {}
        self.wrong_numbers: list[tuple[float, float, _Learned]] = []  # value, quantum, line

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
        if name in _F_ALIASES and name not in program.FUNCTIONS:
            ops = self.g.activation_ops()
            if len(ops) != 1:
                raise NotationError(
                    f"{name!r} stands for the graph's activation, but the graph has "
                    f"{'none' if not ops else ' and '.join(ops)}: write the function by "
                    f"name", line.lineno, expr.col)
            name = ops[0]
            if name not in program.FUNCTIONS:  # an activation the language cannot call
                return self.rule_call(line, expr, name)
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
        """``f`` standing for an activation that no function of the language builds (a
        primitive registered by the user): its rule, at the graph's constant."""
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
        t = self.d.truth(key)
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
                             f"the engine's value of {self.d.target_text(key)} is {t}"), ev
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
            if close_to(exact, t):
                if self.symbolic_ok(line, expr, key):
                    return PartCheck(text, "right", None, learner.value), learner
                return PartCheck(text, "wrong", "formula", learner.value, (
                    f"{text} equals {self.d.target_text(key)} here only by coincidence: "
                    f"as a function of the leaves it differs (move a weight and they "
                    f"part). {self.d.formula(key)}")), learner
            return self.diagnosed(line, key, t, text, exact, learner, REL * abs(t), True,
                                  prev)
        truth = self.with_bound(line, expr, learner=False)
        if within(truth.value, t, truth.bound) or (
                learner.tainted is None and within(learner.value, t, learner.bound)):
            return PartCheck(text, "right", None, learner.value), learner
        if prev is not None and within(learner.value, prev[0].value,
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
            if within(fixed.value, t, fixed.bound) or (
                    learner.tainted is not None and within(truth.value, t, truth.bound)):
                return PartCheck(text, "wrong", "carried", learner.value,
                                 f"follows from the mistake on line {first}"), learner
        return self.diagnosed(line, key, t, text, learner.value, learner,
                              max(learner.bound, truth.bound), True, prev)

    def check_number(self, line, key, t, num: Num, prev) -> PartCheck:
        text = num.text
        if matches_written(num, t):
            return PartCheck(text, "right", None, num.value)
        if prev is not None and (matches_written(num, prev[0].value) or abs(
                num.value - prev[0].value) <= unit_of(num) / 2 + prev[0].bound):
            if prev[1] == "right" and prev[0].tainted is None:
                exact = format_number(t, 6)
                return PartCheck(text, "right", "rounding", num.value, (
                    f"{text} follows from the rounded numbers before it; the exact value "
                    f"{exact} rounds to {round_like(num, t)} (rounded early: accepted)"))
            where = prev[0].tainted
            return PartCheck(text, "wrong", "carried", num.value,
                             f"follows from the mistake on line {where}" if where and
                             where != line.lineno else "follows from the part before it")
        learner = _Eval(num.value, unit_of(num), None)
        return self.diagnosed(line, key, t, text, num.value, learner, unit_of(num), False,
                              prev)[0]

    def diagnosed(self, line, key, t, text, value, learner, tol, is_expr, prev):
        vague = not is_expr and significant_digits(text) < 2
        for cand in self.d.candidates(key):
            if vague and cand.kind in _LOOKED_UP:
                continue  # one digit matches some node or other: no diagnosis from it
            # a slip of arithmetic may be a unit of the last digit off (rounded inputs);
            # a number looked up elsewhere (another node's) must round to what is written
            near = tol / 2 if not is_expr and cand.kind in _LOOKED_UP else tol
            tol_c = max(near, REL * abs(cand.value), 1e-12)
            if math.isfinite(cand.value) and abs(value - cand.value) <= tol_c \
                    and abs(cand.value - t) > tol_c:
                return PartCheck(text, "wrong", cand.kind, learner.value,
                                 f"{cand.message} {self.d.formula(key)}"), learner
        kind = "formula" if is_expr else "unknown"
        what = ("a formula that gives " if is_expr else "") + format_number(value, 4)
        return PartCheck(text, "wrong", kind, learner.value, (
            f"{what} is not {self.d.target_text(key)} = {format_number(t, 4)}, and matches "
            f"no known slip. {self.d.formula(key)}")), learner


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


# --- the public function ----------------------------------------------------------------


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
    graph = GraphEval(root, names, frame)
    known = set(graph.by_name)
    if graph.frame is not None:  # variables that hold nodes of the graph name them too
        for scope in (graph.frame.f_locals, graph.frame.f_globals):
            known.update(k for k, v in list(scope.items())
                         if isinstance(v, Value) and id(v) in graph.index
                         and not k.startswith("_"))
    functions = set(program.FUNCTIONS) | {a for a in _F_ALIASES if a not in known}
    lines = parse_work(text, known=known, functions=functions)
    checker = _Checker(graph, lr)
    # the leaves the work updates are the parameters an after_update slip has moved
    checker.d.params = [i for line in lines if line.kind == "update"
                        for i in [graph.resolve(line.target)] if i is not None]
    checked = [checker.check_line(line) for line in lines]
    return CheckResult(checked, stale_grad_notes(graph), text)
