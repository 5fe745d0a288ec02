"""A worksheet's lines and sections: each line in the checker's notation, its parts as
trees any printer can write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..notation import format_line
from ..symbolic import Blank, Deriv, Expr, Num, to_text

__all__ = ["Line", "line_text", "Section"]


@dataclass
class Line:
    """One line of the derivation, in the checker's notation.

    Attributes:
        lhs: what the line defines (a name, or a derivative name ``dA/dB``).
        arrow: ``"="``, or ``"←"`` for an SGD update.
        symbols: the right-hand sides in symbols only (or names of factors).
        numbers: the same with numbers written in (left out of blank worksheets).
        value: the line's result, as written (rounded as the sheet carries it).
        text: how the result is written.
        given: a given value (never a blank).
        blank: the blank's number on a blank worksheet, else 0.
    """

    lhs: Expr
    arrow: str
    symbols: list
    numbers: list
    value: float
    text: str
    given: bool = False
    blank: int = 0

    def parts(self, filled: bool) -> list[Expr]:
        """Right-hand sides in order; the result a blank unless ``filled``."""
        result = Num(self.value, self.text, const=False)
        if self.blank and not filled:
            return [*self.symbols, Blank(self.blank)]
        if self.blank:  # the answer key of a blank sheet: what the learner writes
            return [*self.symbols, result]
        return [*self.symbols, *self.numbers, result]

    def render(self, printer, filled: bool = True) -> list[str]:
        return [printer(self.lhs), *(printer(p) for p in self.parts(filled))]


def line_text(line: Line, filled: bool) -> str:
    """``line`` in the checker's notation, by the notation's own writer (which reads it
    back); a line whose names the notation cannot read (a label with spaces or
    punctuation) is written all the same, for people."""
    parts = [_text(p) for p in line.parts(filled)]
    target = (line.lhs.top, line.lhs.bottom) if isinstance(line.lhs, Deriv) else \
        _text(line.lhs)
    try:
        return format_line(target, *parts, update=line.arrow == "←")
    except ValueError:
        return f"{_text(line.lhs)} {line.arrow} " + " = ".join(parts)


def _text(e: Expr) -> str:
    """The checker's notation; a blank is ``___`` (the n-th of the sheet is blank n)."""
    return to_text(e, blank=lambda n: "___")


@dataclass
class Section:
    """A heading, the prose the renderings put under it, and its lines and notes."""

    title: str
    title_expr: Expr | None = None  # a derivative name, rendered as math
    prose: str = ""
    items: list = field(default_factory=list)  # Line, or str (a note: a '#' line)
