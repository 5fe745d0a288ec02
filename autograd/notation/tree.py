"""The notation's expression tree (what a line reads as), its names and its arithmetic on floats."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "MAX_LINE_CHARS", "MAX_NESTING", "NotationError", "Num", "Name", "Deriv", "Call", "Neg",
    "Sum", "Prod", "Pow", "Blank", "Expr", "Line", "quantum", "derivative_name", "leaves",
    "evaluate",
]


MAX_LINE_CHARS = 10_000
MAX_NESTING = 64  # parentheses and unary signs, one inside another


class NotationError(ValueError):
    """A line of the notation that cannot be read; ``line`` and ``column`` are 1-based.

    ``str()`` reads ``line L, column C: message``.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


# --- the expression tree ----------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    """A number as written: ``text`` keeps its precision (``0.0214`` is to 1e-4)."""

    text: str
    col: int

    @property
    def value(self) -> float:
        return float(self.text)

    @property
    def quantum(self) -> float:
        """The unit of the last digit written (0 for a whole number: taken as exact)."""
        return quantum(self.text)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Name:
    """A node's name (or ``lr``/``η``)."""

    name: str
    col: int

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Deriv:
    """``dtop/dbottom``: the derivative of node ``top`` with respect to node ``bottom``."""

    top: str
    bottom: str
    col: int

    def __str__(self) -> str:
        return derivative_name(self.top, self.bottom)


@dataclass(frozen=True)
class Call:
    """``func(args)``; ``prime`` for ``func'(args)``, the derivative of ``func``."""

    func: str
    args: tuple
    col: int
    prime: bool = False

    def __str__(self) -> str:
        return f"{self.func}{chr(39) if self.prime else ''}({', '.join(map(str, self.args))})"


@dataclass(frozen=True)
class Neg:
    """``-x``."""

    operand: object
    col: int

    def __str__(self) -> str:
        return f"-{_wrapped(self.operand, 3)}"


@dataclass(frozen=True)
class Sum:
    """``a + b - c``: ``terms`` are ``(sign, expr)`` with sign ``+1`` or ``-1``."""

    terms: tuple
    col: int

    def __str__(self) -> str:
        out = []
        for i, (sign, term) in enumerate(self.terms):
            text = _wrapped(term, 1 if sign > 0 else 2)
            out.append(text if i == 0 else (" + " if sign > 0 else " - ") + text)
        if self.terms[0][0] < 0:
            out[0] = "-" + out[0]
        return "".join(out)


@dataclass(frozen=True)
class Prod:
    """``a * b / c``: ``factors`` are ``(op, expr)`` with op ``"*"`` or ``"/"``."""

    factors: tuple
    col: int

    def __str__(self) -> str:
        out = []
        for i, (op, factor) in enumerate(self.factors):
            text = _wrapped(factor, 2 if op == "*" else 3)
            if i and isinstance(factor, (Num, Neg)) and str(factor).startswith("-"):
                text = f"({text})"
            out.append(text if i == 0 else op + text)
        return "".join(out)


@dataclass(frozen=True)
class Pow:
    """``base ** exponent``."""

    base: object
    exponent: object
    col: int

    def __str__(self) -> str:
        base = _wrapped(self.base, 4)
        if isinstance(self.base, Num) and self.base.text.startswith("-"):
            base = f"({base})"
        return f"{base}**{_wrapped(self.exponent, 3)}"


@dataclass(frozen=True)
class Blank:
    """A part left blank (``?`` or ``___``): nothing to check yet."""

    col: int

    def __str__(self) -> str:
        return "?"


Expr = Num | Name | Deriv | Call | Neg | Sum | Prod | Pow | Blank
_LEVEL = {Sum: 1, Prod: 2, Neg: 3, Pow: 4}


def _wrapped(e, level: int) -> str:
    """``e`` as text, in parentheses when it binds less tightly than ``level`` needs."""
    text = str(e)
    return f"({text})" if _LEVEL.get(type(e), 5) < level else text


@dataclass(frozen=True)
class Line:
    """One line of work.

    Attributes:
        kind: ``"forward"``, ``"derivative"`` or ``"update"``.
        target: the node's name, or ``(top, bottom)`` for a derivative line.
        parts: the expressions after the target, in order (the last is usually a number).
        columns: the 1-based column where each part starts.
        lineno: the 1-based line number in the work.
        text: the line as written.
    """

    kind: str
    target: str | tuple[str, str]
    parts: tuple
    columns: tuple[int, ...]
    lineno: int
    text: str

    @property
    def target_text(self) -> str:
        """The target as written in the notation (``h1``, ``dL/dw1``)."""
        return derivative_name(*self.target) if self.kind == "derivative" else self.target


def quantum(text: str) -> float:
    """The unit of the last digit of a written number; 0 for whole numbers (exact)."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not d.is_finite():
        return 0.0
    exponent = d.as_tuple().exponent
    if exponent >= 0 and "e" not in text.lower():
        return 0.0
    return float(Decimal(1).scaleb(exponent))


# A name written as it is inside a derivative's name: letters, digits, _ . # and primes.
_PLAIN_NAME = re.compile(r"[\w.#′']+")


def derivative_name(top: str, bottom: str) -> str:
    """``dtop/dbottom``, the notation's name of a derivative.

    A name that is not a plain name (a lecture's label such as ``x1*w1 + x2*w2``) is put
    in parentheses, so ``d(x1*w1 + x2*w2)/dx1`` reads as one derivative.
    """
    return f"d{_plain(top)}/d{_plain(bottom)}"


def _plain(name: str) -> str:
    return name if _PLAIN_NAME.fullmatch(name) else f"({name})"


# --- evaluation -------------------------------------------------------------------------


def leaves(expr) -> Iterable:
    """Every Num, Name, Deriv and Blank in ``expr``, left to right (iterative)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, (Num, Name, Deriv, Blank)):
            yield e
        elif isinstance(e, Call):
            stack.extend(reversed(e.args))
        elif isinstance(e, Neg):
            stack.append(e.operand)
        elif isinstance(e, Sum):
            stack.extend(t for _, t in reversed(e.terms))
        elif isinstance(e, Prod):
            stack.extend(f for _, f in reversed(e.factors))
        elif isinstance(e, Pow):
            stack.extend((e.exponent, e.base))


def evaluate(expr, value_of: Callable, call: Callable) -> float:
    """``expr`` on floats, with IEEE semantics (``1/0`` is inf, never an exception).

    Args:
        expr: a parsed expression.
        value_of: ``value_of(leaf) -> float`` for each :class:`Num`, :class:`Name` and
            :class:`Deriv` (numbers are passed too, so a caller may put in another value).
        call: ``call(func, prime, args) -> float`` for each :class:`Call`.
    """
    results: dict[int, float] = {}
    stack = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if isinstance(e, (Num, Name, Deriv)):
            results[id(e)] = float(value_of(e))
            continue
        if isinstance(e, Blank):
            raise ValueError("a blank has no value")
        kids = _kids(e)
        if not ready:
            stack.append((e, True))
            stack.extend((k, False) for k in kids)
            continue
        vals = [results.pop(id(k)) for k in kids]
        if isinstance(e, Neg):
            r = -vals[0]
        elif isinstance(e, Sum):
            r = math.fsum(s * v for (s, _), v in zip(e.terms, vals)) if all(
                map(math.isfinite, vals)) else sum(s * v for (s, _), v in zip(e.terms, vals))
        elif isinstance(e, Prod):
            r = vals[0]
            for (op, _), v in zip(e.factors[1:], vals[1:]):
                r = r * v if op == "*" else _divide(r, v)
        elif isinstance(e, Pow):
            r = _power(vals[0], vals[1])
        else:
            r = float(call(e.func, e.prime, vals))
        results[id(e)] = r
    return results[id(expr)]


def _kids(e) -> list:
    if isinstance(e, Neg):
        return [e.operand]
    if isinstance(e, Sum):
        return [t for _, t in e.terms]
    if isinstance(e, Prod):
        return [f for _, f in e.factors]
    if isinstance(e, Pow):
        return [e.base, e.exponent]
    return list(e.args)


def _divide(a: float, b: float) -> float:
    if b == 0.0:
        if a == 0.0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _power(a: float, b: float) -> float:
    try:
        r = a ** b
    except ZeroDivisionError:
        return math.inf
    except OverflowError:
        return math.inf
    return r if isinstance(r, float) else math.nan  # a complex result: no real value
