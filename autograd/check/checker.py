"""The check itself: every ``= EXPR`` part of every line against the graph, the first
mistake named (:func:`check_work`).
"""

from __future__ import annotations

import math

from .. import program
from ..diagnose import GraphEval, stale_grad_notes
from ..engine import Value
from ..naming import Names, user_frame
from ..notation import (
    Blank,
    Line,
    Num,
    format_number,
    leaves,
    parse_work,
    read_work,
)
from .precision import (
    REL,
    close_to,
    matches_written,
    round_like,
    significant_digits,
    unit_of,
    within,
)
from .reading import F_ALIASES, Evaluated, Learned, WorkReader
from .result import CheckedLine, CheckResult, PartCheck

__all__ = ["Checker", "check_work"]


_LOOKED_UP = ("other_node", "after_update")


class Checker(WorkReader):
    """The work read (:class:`WorkReader`), and each line judged."""

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
        prev: tuple[Evaluated, str] | None = None  # the previous part's value and verdict
        last_value: float | None = None
        last_quantum = 0.0
        for expr in line.parts:
            check, ev = self.check_part(line, key, t, expr, prev)
            if ev is not None and check.verdict == "right":
                # a right part repeats no wrong number, unless it uses one by name
                ev = Evaluated(ev.value, ev.bound, ev.by_name, ev.by_name)
            parts.append(check)
            if ev is not None:
                prev = (ev, check.verdict if check.kind != "carried" else "carried")
                last_value = ev.value
                last_quantum = expr.quantum if isinstance(expr, Num) else 0.0
        verdict, kind, message = _line_verdict(parts)
        if last_value is not None:
            learned = Learned(last_value, last_quantum, verdict == "wrong", line.lineno, t)
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
        learner = Evaluated(num.value, unit_of(num), None)
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
    functions = set(program.FUNCTIONS) | {a for a in F_ALIASES if a not in known}
    lines = parse_work(text, known=known, functions=functions)
    checker = Checker(graph, lr)
    # the leaves the work updates are the parameters an after_update slip has moved
    checker.d.params = [i for line in lines if line.kind == "update"
                        for i in [graph.resolve(line.target)] if i is not None]
    checked = [checker.check_line(line) for line in lines]
    return CheckResult(checked, stale_grad_notes(graph), text)
