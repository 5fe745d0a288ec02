"""The line notation of hand calculations: read it (:func:`parse_work`) and write it.

A learner's derivation, as the reference documents and :func:`autograd.explain` write
it, is a sequence of lines of three kinds::

    h1 = sigmoid(w1*x1 + w2*x2 + b1) = f(-2 + -1 + 0) = 0.0474          # forward
    dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214
    w1 <- w1 - lr*dL/dw1 = 0.998                                        # update

* A **forward** line ``NAME = EXPR = ... = NUMBER`` gives a node's value, a
  **derivative** line ``dA/dB = EXPR = ...`` a derivative, an **update** line
  ``NAME ← EXPR = ...`` (or ``<-``) a value after one gradient-descent step.  A line may
  have any number of ``= EXPR`` parts; the last is usually a number.
* ``dA/dB`` (or ``∂A/∂B``) is always the *name* of a derivative, never a division.
* An EXPR is in the command line's expression language (:mod:`autograd.program`):
  numbers, names, ``+ - * / **`` (and ``^``), unary minus and calls of the engine's
  functions, written the documents' way too: ``·``, ``×`` and ``∗`` multiply, ``−`` is
  minus, juxtaposition multiplies (``(-0.952)(0.249)``, ``-2(1 - ypred)``, and ``w1x1``
  when the names ``w1`` and ``x1`` are known), and ``f'(z)`` is the derivative of the
  function ``f`` at ``z``.
* A part written ``?`` or ``___`` is a blank, left for the learner to fill in.
* Blank lines and lines starting with ``#`` (comments, Markdown headings) are skipped.

A line that cannot be read raises :class:`NotationError` (a ``ValueError``) naming the
line and column.  The writer (:func:`format_line`, :func:`format_number`,
:func:`derivative_name`) emits exactly what the parser reads, so worksheets and checkers
speak one notation.

>>> line = parse_line("dL/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214")
>>> line.kind, line.target, [str(p) for p in line.parts]
('derivative', ('L', 'w1'), ['-0.952*0.249*(-0.0904)', '0.0214'])
>>> format_line(("L", "w1"), "dL/dypred * dypred/dh1 * dh1/dw1", 0.02148)
'dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = 0.0215'
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "NotationError", "Num", "Name", "Deriv", "Call", "Neg", "Sum", "Prod", "Pow", "Blank",
    "Expr", "Line", "parse_line", "parse_work", "read_work", "evaluate", "leaves",
    "format_number", "format_line", "derivative_name", "MAX_LINE_CHARS", "MAX_NESTING",
]

MAX_LINE_CHARS = 10_000
MAX_NESTING = 64  # parentheses and unary signs, one inside another

# How the documents write the operators, mapped to the language's own.
_TIMES = "*·×∗⋅"
_MINUS = "-−–"
_ARROWS = ("←", "<-", "⟵")


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


# --- numbers ----------------------------------------------------------------------------


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


def format_number(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits as a hand calculation writes it.

    Trailing zeros are kept (``-0.210``), whole numbers stay whole (``3``), very small or
    large numbers use an exponent (``1.50e-07``); the parser reads the precision back.

    >>> format_number(0.021480), format_number(-0.0903532), format_number(3.0)
    ('0.0215', '-0.0904', '3')
    """
    if type(digits) is bool or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an integer from 1 to 17, got {digits!r}")
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == math.floor(x) and abs(x) < 1e15:
        return str(int(x)) if x != 0 or math.copysign(1, x) > 0 else "-0"
    text = f"{x:#.{digits}g}"
    return text.replace(".e", "e").rstrip(".")


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


def format_line(target: str | tuple[str, str], *parts, update: bool = False,
                digits: int = 3) -> str:
    """One line of the notation, as :func:`parse_line` reads it.

    Args:
        target: a node's name, or ``(top, bottom)`` for the derivative ``dtop/dbottom``.
        *parts: each an expression (a string in the notation, or a parsed expression)
            or a number (written with :func:`format_number`); ``None`` is a blank (``?``).
        update: write an update line (``NAME ← ...``) instead of a forward line.
        digits: significant digits of the numbers.

    Returns:
        The line, e.g. ``h1 = sigmoid(w1*x1 + w2*x2 + b1) = 0.0474``.

    Raises:
        ValueError: a part or the target does not read back as written.
    """
    if isinstance(target, tuple):
        if update:
            raise ValueError("an update line assigns a node, not a derivative")
        head = derivative_name(*target)
    else:
        head = target
    texts = []
    for part in parts:
        if part is None:
            texts.append("?")
        elif isinstance(part, (int, float)) and not isinstance(part, bool):
            texts.append(format_number(part, digits))
        else:
            texts.append(str(part))
    if not texts:
        raise ValueError("a line needs at least one part after its target")
    line = head + (" ← " if update else " = ") + " = ".join(texts)
    parse_line(line)  # what is written is read back, or refused here
    return line


# --- the tokenizer ----------------------------------------------------------------------


def _is_name_start(ch: str) -> bool:
    return ch == "_" or (ch.isidentifier() and ch != "∂")


def _is_name_char(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


@dataclass(frozen=True)
class _Tok:
    kind: str  # num name deriv op ( ) , ' = ← blank end
    text: str
    col: int  # 1-based
    space_before: bool = False


def _read_name(text: str, i: int) -> int:
    """The end of a (possibly dotted: ``layers.0.w.1``) name starting at ``i``."""
    n = len(text)
    while i < n and _is_name_char(text[i]):
        i += 1
    while i + 1 < n and text[i] == "." and _is_name_char(text[i + 1]):
        i += 1
        while i < n and _is_name_char(text[i]):
            i += 1
    return i


def _read_number(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i].isdigit():
        i += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and text[i].isdigit():
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j].isdigit():
            while j < n and text[j].isdigit():
                j += 1
            i = j
    return i


def _derivative_at(text: str, i: int):
    """``(top, bottom, end)`` if a derivative name ``dA/dB`` or ``∂A/∂B`` starts at ``i``."""
    n = len(text)
    if i >= n or text[i] not in "d∂":
        return None
    j = i + 1
    if j >= n or not _is_name_start(text[j]):
        return None
    top_end = _read_name(text, j)
    k = top_end
    while k < n and text[k] == " ":
        k += 1
    if k >= n or text[k] != "/":
        return None
    k += 1
    while k < n and text[k] == " ":
        k += 1
    if k >= n or text[k] not in "d∂" or text[i] == "∂" and text[k] != "∂":
        return None
    if k + 1 >= n or not _is_name_start(text[k + 1]):
        return None
    bottom_end = _read_name(text, k + 1)
    return text[j:top_end], text[k + 1:bottom_end], bottom_end


def _tokens(text: str, lineno: int) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    space = False
    while i < n:
        ch = text[i]
        col = i + 1
        if ch in " \t\u00a0":
            i += 1
            space = True
            continue
        deriv = _derivative_at(text, i)
        if deriv is not None:
            top, bottom, end = deriv
            out.append(_Tok("deriv", f"{top}/{bottom}", col, space))
            i = end
        elif ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            end = _read_number(text, i)
            out.append(_Tok("num", text[i:end], col, space))
            i = end
        elif _is_name_start(ch):
            end = _read_name(text, i)
            word = text[i:end]
            # "___" (two or more underscores alone) is a blank, as worksheets print them
            blank = len(word) > 1 and not word.strip("_")
            out.append(_Tok("blank" if blank else "name", word, col, space))
            i = end
        elif ch == "?":
            out.append(_Tok("blank", ch, col, space))
            i += 1
        elif text.startswith("**", i):
            out.append(_Tok("op", "**", col, space))
            i += 2
        elif text.startswith("<-", i):
            out.append(_Tok("←", "<-", col, space))
            i += 2
        elif ch in "←⟵":
            out.append(_Tok("←", ch, col, space))
            i += 1
        elif ch in _TIMES:
            out.append(_Tok("op", "*", col, space))
            i += 1
        elif ch in _MINUS:
            out.append(_Tok("op", "-", col, space))
            i += 1
        elif ch in "+/^":
            out.append(_Tok("op", "**" if ch == "^" else ch, col, space))
            i += 1
        elif ch in "()=,'′":
            out.append(_Tok("'" if ch in "'′" else ch, ch, col, space))
            i += 1
        elif ch in "[]{}":
            out.append(_Tok("(" if ch in "[{" else ")", ch, col, space))
            i += 1
        else:
            raise NotationError(f"unexpected character {ch!r}", lineno, col)
        space = False
    out.append(_Tok("end", "", n + 1, space))
    return out


# --- the parser -------------------------------------------------------------------------


class _Parser:
    """Recursive descent over one line; nesting is bounded by :data:`MAX_NESTING`."""

    def __init__(self, tokens: list[_Tok], lineno: int, known: Collection[str] | None,
                 functions: Collection[str]) -> None:
        self.toks, self.pos, self.lineno = tokens, 0, lineno
        self.known, self.functions = known, functions
        self.depth = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.pos]

    def error(self, message: str, tok: _Tok | None = None) -> NotationError:
        return NotationError(message, self.lineno, (tok or self.tok).col)

    def take(self) -> _Tok:
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"nested more than {MAX_NESTING} deep")

    def part(self):
        """One ``= EXPR`` part: an expression or a blank, up to ``=`` or the end."""
        if self.tok.kind == "blank":
            start = self.tok
            while self.tok.kind == "blank":
                self.take()
            if self.tok.kind not in ("=", "end"):
                raise self.error("a blank ('?' or '___') stands alone between '=' signs")
            return Blank(start.col)
        if self.tok.kind in ("=", "end"):
            raise self.error("expected an expression")
        return self.expr()

    def expr(self):
        start = self.tok
        terms = []
        sign = 1
        while True:
            terms.append((sign, self.term()))
            if self.tok.kind == "op" and self.tok.text in "+-":
                sign = 1 if self.take().text == "+" else -1
            else:
                break
        if len(terms) == 1:
            return terms[0][1]
        return Sum(tuple(terms), start.col)

    def term(self):
        start = self.tok
        factors = [("*", self.unary())]
        while True:
            t = self.tok
            if t.kind == "op" and t.text in "*/":
                self.take()
                factors.append((t.text, self.unary()))
            elif t.kind in ("(", "name", "deriv") or (
                    t.kind == "num" and self.toks[self.pos - 1].kind == ")"):
                # juxtaposition: (-0.952)(0.249), -2(1 - y), 2x
                factors.append(("*", self.unary()))
            else:
                break
        if len(factors) == 1:
            return factors[0][1]
        return Prod(tuple(factors), start.col)

    def unary(self):
        t = self.tok
        if t.kind == "op" and t.text in "+-":
            self.take()
            self.nest()
            operand = self.unary()
            self.depth -= 1
            if t.text == "+":
                return operand
            if isinstance(operand, Num) and not operand.text.startswith("-"):
                return Num("-" + operand.text, t.col)
            return Neg(operand, t.col)
        return self.power()

    def power(self):
        base = self.primary()
        if self.tok.kind == "op" and self.tok.text == "**":
            t = self.take()
            self.nest()
            exponent = self.unary()
            self.depth -= 1
            return Pow(base, exponent, t.col)
        return base

    def primary(self):
        t = self.tok
        if t.kind == "num":
            self.take()
            return Num(t.text, t.col)
        if t.kind == "deriv":
            self.take()
            top, bottom = t.text.split("/")
            return Deriv(top, bottom, t.col)
        if t.kind == "(":
            self.take()
            self.nest()
            inner = self.expr()
            self.depth -= 1
            if self.tok.kind != ")":
                raise self.error("expected ')'" if self.tok.kind != "end" else
                                 "missing ')'")
            self.take()
            return inner
        if t.kind == "name":
            self.take()
            nxt = self.tok
            prime = nxt.kind == "'"
            if prime:
                self.take()
                if self.tok.kind != "(":
                    raise self.error(f"{t.text}' is a derivative: write {t.text}'(x)")
            called = prime or (self.tok.kind == "(" and (
                t.text in self.functions or self.known is None or t.text not in self.known))
            if called:
                return self.call(t, prime)
            return self.name(t)
        if t.kind == "end":
            raise self.error("the expression ends too early")
        raise self.error(f"unexpected {t.text!r}")

    def call(self, t: _Tok, prime: bool):
        self.take()  # "("
        self.nest()
        args = []
        if self.tok.kind != ")":
            while True:
                args.append(self.expr())
                if self.tok.kind == ",":
                    self.take()
                    continue
                break
        self.depth -= 1
        if self.tok.kind != ")":
            raise self.error("expected ')' or ','")
        self.take()
        if not args:
            raise self.error(f"{t.text}() needs an argument", t)
        return Call(t.text, tuple(args), t.col, prime)

    def name(self, t: _Tok):
        """A name; ``w1x1`` is ``w1*x1`` when the names are known and it is not one."""
        if self.known is None or t.text in self.known or t.text in self.functions:
            return Name(t.text, t.col)
        pieces = _split_names(t.text, self.known)
        if pieces is None:
            return Name(t.text, t.col)
        col, factors = t.col, []
        for piece in pieces:
            factors.append(("*", Name(piece, col)))
            col += len(piece)
        return Prod(tuple(factors), t.col)


def _split_names(text: str, known: Collection[str]) -> list[str] | None:
    """``text`` as a concatenation of known names, if there is exactly one way."""
    ways: list[list[list[str]]] = [[] for _ in range(len(text) + 1)]
    ways[0] = [[]]
    for end in range(1, len(text) + 1):
        for start in range(end):
            if ways[start] and text[start:end] in known:
                for w in ways[start]:
                    ways[end].append([*w, text[start:end]])
                    if len(ways[end]) > 2:
                        break
    found = ways[len(text)]
    return found[0] if len(found) == 1 and len(found[0]) > 1 else None


def parse_line(text: str, lineno: int = 1, *, known: Collection[str] | None = None,
               functions: Collection[str] = ()) -> Line | None:
    """One line of work, or None for a blank line or a ``#`` line.

    Args:
        text: the line.
        lineno: its 1-based number (for errors and :attr:`Line.lineno`).
        known: the node names, if known: a name followed by ``(`` is then a call only
            if it is not a node (``w5(h1 + h2)`` multiplies), and an unknown name that is
            a concatenation of known ones is their product (``w1x1``).
        functions: names that are always functions (``sigmoid``), never nodes.

    Raises:
        NotationError: the line cannot be read; the message names line and column.
    """
    if len(text) > MAX_LINE_CHARS:
        raise NotationError(f"the line has {len(text)} characters; at most "
                            f"{MAX_LINE_CHARS} are allowed", lineno, 1)
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    toks = _tokens(text.rstrip("\r\n"), lineno)
    p = _Parser(toks, lineno, known, functions)
    head = p.take()
    if head.kind == "deriv":
        kind = "derivative"
        target: str | tuple[str, str] = tuple(head.text.split("/"))  # type: ignore
    elif head.kind == "name":
        kind = "forward"
        target = head.text
    else:
        raise p.error("a line starts with a node's name (h1 = ...), a derivative "
                      "(dL/dw1 = ...) or an update (w1 ← ...)", head)
    sep = p.take()
    if sep.kind == "←":
        if kind == "derivative":
            raise p.error("an update (←) assigns a node, not a derivative", sep)
        kind = "update"
    elif sep.kind != "=":
        raise p.error(f"expected '=' after {text[head.col - 1:sep.col - 1].strip()}"
                      + (" (or '←' for an update)" if kind == "forward" else ""), sep)
    parts, columns = [], []
    while True:
        columns.append(p.tok.col)
        parts.append(p.part())
        if p.tok.kind == "=":
            p.take()
            continue
        if p.tok.kind != "end":
            raise p.error(f"unexpected {p.tok.text!r}" if p.tok.text else "unexpected text")
        break
    return Line(kind, target, tuple(parts), tuple(columns), lineno, text.rstrip("\r\n"))


def parse_work(text: str, *, known: Collection[str] | None = None,
               functions: Collection[str] = ()) -> list[Line]:
    """Every line of ``text`` that is work (see :func:`parse_line`), in order.

    Raises:
        NotationError: a line cannot be read; the message names its line and column.

    >>> [line.target for line in parse_work("# Alice\\nh1 = 0.0474\\n\\ndL/dw1 = ?")]
    ['h1', ('L', 'w1')]
    """
    out = []
    for i, raw in enumerate(text.splitlines(), start=1):
        line = parse_line(raw, i, known=known, functions=functions)
        if line is not None:
            out.append(line)
    return out


def read_work(work) -> str:
    """The text of a learner's work given as text, a file, lines or a dict.

    Args:
        work: a ``str`` (always the text itself), an ``os.PathLike`` (a file to read, as
            UTF-8), a list of lines, or a dict ``{"h1": 0.0474, "dL/dw1": 0.0214}`` (each
            item becomes the line ``key = value``, the number written as ``repr`` writes
            it, so its precision is what was typed).

    Raises:
        TypeError: ``work`` is none of these.
    """
    if isinstance(work, str):
        return work
    if isinstance(work, os.PathLike):
        with open(work, encoding="utf-8") as f:
            return f.read()
    if isinstance(work, dict):
        rows = []
        for key, value in work.items():
            if not isinstance(key, str):
                raise TypeError(f"work's keys are names like 'h1' or 'dL/dw1', got "
                                f"{type(key).__name__} {key!r}")
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise TypeError(f"work[{key!r}] must be a number, got "
                                f"{type(value).__name__}")
            rows.append(f"{key} = {value if isinstance(value, str) else repr(value)}")
        return "\n".join(rows)
    if isinstance(work, (list, tuple)):
        for i, line in enumerate(work, start=1):
            if not isinstance(line, str):
                raise TypeError(f"work's lines must be str, line {i} is "
                                f"{type(line).__name__}")
            if "\n" in line:
                raise TypeError(f"work's line {i} contains a newline; give one line each")
        return "\n".join(work)
    raise TypeError(f"work must be the text, a path, a list of lines or a dict, got "
                    f"{type(work).__name__}")


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
