"""Formulas as trees: the nodes, a fold over them with an explicit stack, and the
simplifying constructors a person's hand would use.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..notation import format_number

__all__ = [
    "NotExpressible", "Expr", "Num", "Name", "Deriv", "Blank", "BinOp", "Neg", "Call",
    "Compare", "IfExp", "Juxt", "children", "fold", "substitute", "number_text", "constant",
    "neg", "binop", "product", "total",
]


class NotExpressible(ValueError):
    """A rule's formula cannot be written as an expression (no ``expr``, or prose)."""


# --- the tree ---------------------------------------------------------------------------


class Expr:
    """A node of an expression tree (immutable)."""

    __slots__ = ()


@dataclass(frozen=True, eq=False)
class Num(Expr):
    """A number: ``value``, written as ``text``; ``const`` for a formula's own constants
    (folded when they meet), False for numbers written in for names (never folded)."""

    value: float
    text: str
    const: bool = True


@dataclass(frozen=True, eq=False)
class Name(Expr):
    """A node's name (``h1``) or a constant's name (``pi``, ``η``)."""

    name: str


@dataclass(frozen=True, eq=False)
class Deriv(Expr):
    """The derivative name ``d<top>/d<bottom>`` (never a division)."""

    top: str
    bottom: str


@dataclass(frozen=True, eq=False)
class Blank(Expr):
    """The n-th blank of a worksheet."""

    n: int


@dataclass(frozen=True, eq=False)
class BinOp(Expr):
    op: str  # + - * / **
    left: Expr
    right: Expr


@dataclass(frozen=True, eq=False)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True, eq=False)
class Call(Expr):
    """A call ``fn(*args)``; ``ctx`` is the op's constant where the call stands for a
    node (None: the op's defaults, as a formula's ``softplus(x)`` means)."""

    fn: str
    args: tuple
    ctx: object = None


@dataclass(frozen=True, eq=False)
class Compare(Expr):
    op: str  # < <= > >= == !=
    left: Expr
    right: Expr


@dataclass(frozen=True, eq=False)
class IfExp(Expr):
    body: Expr
    test: Expr
    orelse: Expr


@dataclass(frozen=True, eq=False)
class Juxt(Expr):
    """Numbers multiplied the documents' way: ``(-0.952)(0.249)(-0.0904)``."""

    factors: tuple


def children(e: Expr) -> tuple:
    """The subtrees of ``e``, in order."""
    if isinstance(e, (BinOp, Compare)):
        return (e.left, e.right)
    if isinstance(e, Neg):
        return (e.operand,)
    if isinstance(e, Call):
        return e.args
    if isinstance(e, IfExp):
        return (e.body, e.test, e.orelse)
    if isinstance(e, Juxt):
        return e.factors
    return ()


def fold(e: Expr, combine: Callable[[Expr, list], object]):
    """``combine(node, [results of its children])`` bottom-up, with an explicit stack."""
    results: dict[int, object] = {}
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            results[id(node)] = combine(node, [results[id(c)] for c in children(node)])
        elif id(node) not in results:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(children(node)))
    return results[id(e)]


def _rebuild(node: Expr, kids: list) -> Expr:
    """``node`` with new children (through the simplifying constructors)."""
    if isinstance(node, BinOp):
        return binop(node.op, *kids)
    if isinstance(node, Neg):
        return neg(kids[0])
    if isinstance(node, Call):
        return Call(node.fn, tuple(kids), node.ctx)
    if isinstance(node, Compare):
        return Compare(node.op, *kids)
    if isinstance(node, IfExp):
        return IfExp(*kids)
    if isinstance(node, Juxt):
        return Juxt(tuple(kids))
    return node


def substitute(e: Expr, replace: Callable[[Expr], Expr | None]) -> Expr:
    """``e`` with every leaf for which ``replace`` gives a tree replaced by it."""

    def combine(node, kids):
        if not children(node):
            new = replace(node)
            return node if new is None else new
        return _rebuild(node, kids)

    return fold(e, combine)


# --- numbers ------------------------------------------------------------------------------


def number_text(x: float, digits: int | None = None) -> str:
    """``x`` as a person writes it: to ``digits`` significant digits as the notation's
    writer does (:func:`autograd.notation.format_number`: ``-0.210``, whole numbers
    whole), or exactly (the shortest text that reads back as ``x``) when ``digits`` is
    None."""
    if digits is not None or not math.isfinite(x):
        return format_number(x, min(digits or 17, 17))
    if x == math.floor(x) and abs(x) < 1e15:
        return format_number(x)
    return repr(x)


def constant(value: float) -> Num:
    return Num(value, number_text(value))


def _is_num(e: Expr, value: float | None = None) -> bool:
    return isinstance(e, Num) and (value is None or e.value == value)


# --- simplifying constructors -------------------------------------------------------------

_FOLD = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
         "/": lambda a, b: a / b if b else None, "**": lambda a, b: a ** b}


def neg(e: Expr) -> Expr:
    """``-e``, simplified (``--x`` is ``x``, ``-(2)`` is ``-2``)."""
    if isinstance(e, Neg):
        return e.operand
    if isinstance(e, Num) and e.const:
        return constant(-e.value)
    return Neg(e)


def binop(op: str, a: Expr, b: Expr) -> Expr:
    """``a op b``, with the simplifications a person makes without thinking: constants
    folded, ``x*1``, ``x**1``, ``x + 0`` dropped, ``x*(-1)`` as ``-x``, ``a + -b`` as
    ``a - b``."""
    if isinstance(a, Num) and isinstance(b, Num) and a.const and b.const:
        try:
            value = _FOLD[op](a.value, b.value)
        except (OverflowError, ZeroDivisionError, ValueError, TypeError):
            value = None
        if isinstance(value, float | int) and math.isfinite(value):
            return constant(float(value))
    if op == "*":
        return product([a, b])
    if op == "**" and _is_num(b, 1.0):
        return a
    if op == "+":
        if _is_num(b, 0.0) and b.const:
            return a
        if _is_num(a, 0.0) and a.const:
            return b
        if isinstance(b, Neg):
            return BinOp("-", a, b.operand)
        if isinstance(b, Num) and b.const and b.value < 0:
            return BinOp("-", a, constant(-b.value))
        if isinstance(b, BinOp) and b.op == "*" and isinstance(b.left, Num) and b.left.const \
                and b.left.value < 0:
            return BinOp("-", a, product([constant(-b.left.value), b.right]))
    if op == "-" and isinstance(b, Neg):
        return binop("+", a, b.operand)
    if op == "/" and _is_num(b, 1.0) and b.const:
        return a
    return BinOp(op, a, b)


def _factors(e: Expr) -> list[Expr]:
    """The factors of a product tree, flattened (without recursion)."""
    out, stack = [], [e]
    while stack:
        node = stack.pop()
        if isinstance(node, BinOp) and node.op == "*":
            stack += [node.right, node.left]
        elif isinstance(node, Neg):
            out.append(constant(-1.0))
            stack.append(node.operand)
        else:
            out.append(node)
    return out


def product(terms: list[Expr]) -> Expr:
    """The product of ``terms``: constant factors multiplied into one coefficient written
    first (``-2*(1 - y)``), factors of 1 left out; 1 for no factors."""
    coefficient = 1.0
    rest: list[Expr] = []
    for term in terms:
        for f in _factors(term):
            if isinstance(f, Num) and f.const:
                coefficient *= f.value
            else:
                rest.append(f)
    if not rest:
        return constant(coefficient)
    tree = rest[0]
    for f in rest[1:]:
        tree = BinOp("*", tree, f)
    if coefficient == 1.0:
        return tree
    if coefficient == -1.0:
        return Neg(tree)
    return BinOp("*", constant(coefficient), tree)


def total(terms: list[Expr]) -> Expr:
    """The sum of ``terms`` (0 for none), through :func:`binop`'s simplifications."""
    if not terms:
        return constant(0.0)
    tree = terms[0]
    for t in terms[1:]:
        tree = binop("+", tree, t)
    return tree
