"""The parser of the line notation: a line (or a whole work) read into trees."""

from __future__ import annotations

import os
from collections.abc import Collection

from .tokens import Token, tokenize
from .tree import (
    MAX_LINE_CHARS,
    MAX_NESTING,
    Blank,
    Call,
    Deriv,
    Line,
    Name,
    Neg,
    NotationError,
    Num,
    Pow,
    Prod,
    Sum,
)

__all__ = ["parse_line", "parse_work", "read_work"]


# --- the parser -------------------------------------------------------------------------


class _Parser:
    """Recursive descent over one line; nesting is bounded by :data:`MAX_NESTING`."""

    def __init__(self, tokens: list[Token], lineno: int, known: Collection[str] | None,
                 functions: Collection[str]) -> None:
        self.toks, self.pos, self.lineno = tokens, 0, lineno
        self.known, self.functions = known, functions
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.pos]

    def error(self, message: str, tok: Token | None = None) -> NotationError:
        return NotationError(message, self.lineno, (tok or self.tok).col)

    def take(self) -> Token:
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

    def call(self, t: Token, prime: bool):
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

    def name(self, t: Token):
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
    toks = tokenize(text.rstrip("\r\n"), lineno)
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
