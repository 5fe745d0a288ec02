"""Trees written for people: the checker's line notation, LaTeX and MathML (every text
escaped for its language where it is placed).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from ..rules import RULES
from .tree import (
    BinOp,
    Blank,
    Call,
    Compare,
    Deriv,
    Expr,
    IfExp,
    Juxt,
    Name,
    Neg,
    Num,
    children,
    fold,
)

__all__ = [
    "writable", "to_text", "latex_text", "tex_escape", "latex_name", "to_latex", "mathml_name",
    "to_mathml",
]


# --- printers: text (the checker's notation) ----------------------------------------------


def writable(e: Expr) -> bool:
    """Whether the line notation can write ``e`` (it has no case splits)."""
    return fold(e, lambda node, kids: all(kids) and not isinstance(node, IfExp | Compare))


_PREC = {"+": 2, "-": 2, "*": 3, "/": 3, "**": 5}
_ATOM = 9


def _prec(e: Expr) -> int:
    if isinstance(e, IfExp):
        return 0
    if isinstance(e, Compare) or (isinstance(e, Call) and e.fn == "and"):
        return 1
    if isinstance(e, BinOp):
        return _PREC[e.op]
    if isinstance(e, Neg):
        return 4
    if isinstance(e, Num) and (e.text.startswith("-") or "e" in e.text):
        return 4 if e.text.startswith("-") else _ATOM
    return _ATOM


def _needs_parens(child: Expr, parent: Expr, side: str) -> bool:
    p, c = _prec(parent), _prec(child)
    if isinstance(parent, BinOp) and side == "right" and c == 4:
        return True  # a*(-b), a - (-2), never a*-b
    if isinstance(parent, BinOp):
        if parent.op == "**":
            return c <= 5 if side == "left" else c < 5
        if side == "right" and parent.op in ("-", "/", "*"):
            return c <= p
        return c < p
    if isinstance(parent, Neg):
        return c <= 4
    if isinstance(parent, Compare):
        return c <= 1
    if isinstance(parent, IfExp):
        return c <= 0
    return False


def _sides(node: Expr) -> list[str]:
    if isinstance(node, BinOp | Compare):
        return ["left", "right"]
    return ["only"] * len(children(node))


def _wrap_children(node: Expr, kids: list, paren: Callable[[object], object]) -> list:
    return [paren(k) if _needs_parens(c, node, s) else k
            for c, k, s in zip(children(node), kids, _sides(node))]


def to_text(e: Expr, *, blank: Callable[[int], str] = lambda n: f"____({n})",
            times: str = "*") -> str:
    """``e`` in the checker's line notation (a Python-like expression)."""

    def combine(node, kids):
        kids = _wrap_children(node, kids, lambda k: f"({k})")
        if isinstance(node, Num):
            return node.text
        if isinstance(node, Name):
            return node.name
        if isinstance(node, Deriv):
            return f"d{node.top}/d{node.bottom}"
        if isinstance(node, Blank):
            return blank(node.n)
        if isinstance(node, BinOp):
            op = times if node.op == "*" else node.op
            names = isinstance(node.left, Deriv) or isinstance(node.right, Deriv)
            spaced = f" {op} " if node.op in "+-" or names else op
            return f"{kids[0]}{spaced}{kids[1]}"
        if isinstance(node, Neg):
            return f"-{kids[0]}"
        if isinstance(node, Compare):
            return f"{kids[0]} {node.op} {kids[1]}"
        if isinstance(node, Call):
            if node.fn == "and":
                return " and ".join(kids)
            return f"{node.fn}({', '.join(kids)})"
        if isinstance(node, IfExp):
            return f"{kids[0]} if {kids[1]} else {kids[2]}"
        if isinstance(node, Juxt):
            return "".join(f"({k})" for k in kids)
        raise TypeError(f"not an expression tree: {node!r}")

    return fold(e, combine)


# --- printers: LaTeX ------------------------------------------------------------------------

# The notation's own functions that are not ops (an op's call is written as its rule says).
_LATEX_NOTATION = {"max": r"\max", "min": r"\min"}
_LATEX_SPECIAL = re.compile(r"([\\{}$&#^_%~])")
_LATEX_CHARS = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}",
                "~": r"\textasciitilde{}"}


# The notation's own symbols outside ASCII, which pdflatex's inputenc does not know.
_LATEX_SYMBOLS = {"η": r"\ensuremath{\eta}", "←": r"\ensuremath{\leftarrow}",
                  "·": r"\ensuremath{\cdot}", "−": "-", "∂": r"\ensuremath{\partial}"}


def latex_text(text: str) -> str:
    """``text`` escaped for LaTeX's text mode (titles and prose; a name in a formula is
    :func:`tex_escape`'s)."""
    text = _LATEX_SPECIAL.sub(lambda m: _LATEX_CHARS.get(m.group(1), "\\" + m.group(1)),
                              text)
    return "".join(_LATEX_SYMBOLS.get(ch, ch) for ch in text)


# Math mode (a name inside ``\mathrm``): LaTeX for each character a name may hold that
# LaTeX, or the Markdown and HTML a formula is shown in, would read as markup.  `<` and
# `>` are braced so they are never followed by a letter (no HTML tag can start); `*`, `[`,
# `]` and the backtick are written as symbols so no emphasis, link or code span can form
# around a formula.
_TEX_SPECIAL = {
    "\\": r"\backslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "&": r"\&", "%": r"\%",
    "$": r"\$", "#": r"\#", "^": r"\wedge{}", "~": r"\sim{}", "<": "{<}", ">": "{>}",
    " ": r"\ ", "*": r"\ast{}", "[": r"\lbrack{}", "]": r"\rbrack{}", "`": r"\backprime{}",
}


def tex_escape(text: str) -> str:
    r"""``text`` as math-mode LaTeX characters (for ``\mathrm{...}``): each special is
    escaped, line breaks and other control characters become spaces."""
    return "".join(_TEX_SPECIAL.get(ch, ch) if ch.isprintable() else r"\ " for ch in text)


def latex_name(name: str) -> str:
    """A node name in math: ``w1`` as ``w_{1}``, ``x`` as ``x``, others upright."""
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    if re.fullmatch(r"[A-Za-z]", name):
        return name
    if name in ("η", "pi"):
        return r"\eta" if name == "η" else r"\pi"
    return rf"\mathrm{{{tex_escape(name)}}}"


def _call_markup(fn: str, language: str, args: list[str]) -> str | None:
    """A call of op ``fn`` as its rule writes it in ``language`` (``Rule.latex`` or
    ``Rule.mathml``), or None where the rule gives no form for this many arguments."""
    rule = RULES.get(fn)
    template = getattr(rule, language, "") if rule is not None else ""
    if not template or rule.arity not in (-1, len(args)):
        return None
    return template.format(*args)


def to_latex(e: Expr) -> str:
    """``e`` in LaTeX math."""

    def combine(node, kids):
        raw = kids
        kids = _wrap_children(node, kids, lambda k: rf"\left({k}\right)")
        if isinstance(node, Num):
            return node.text.replace("inf", r"\infty")
        if isinstance(node, Name):
            return latex_name(node.name)
        if isinstance(node, Deriv):
            return (rf"\frac{{\partial {latex_name(node.top)}}}"
                    rf"{{\partial {latex_name(node.bottom)}}}")
        if isinstance(node, Blank):
            return rf"\underline{{\hspace{{3em}}}}_{{({node.n})}}"
        if isinstance(node, BinOp):
            if node.op == "/":
                return rf"\frac{{{raw[0]}}}{{{raw[1]}}}"
            if node.op == "**":
                return f"{{{kids[0]}}}^{{{raw[1]}}}"
            op = r" \cdot " if node.op == "*" else f" {node.op} "
            return f"{kids[0]}{op}{kids[1]}"
        if isinstance(node, Neg):
            return f"-{kids[0]}"
        if isinstance(node, Compare):
            op = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", "==": "="}.get(node.op, node.op)
            return f"{kids[0]} {op} {kids[1]}"
        if isinstance(node, Call):
            if node.fn == "and":
                return r" \wedge ".join(kids)
            written = _call_markup(node.fn, "latex", raw)
            if written is not None:
                return written
            head = _LATEX_NOTATION.get(node.fn, rf"\operatorname{{{latex_text(node.fn)}}}")
            return rf"{head}\left({', '.join(raw)}\right)"
        if isinstance(node, IfExp):
            return (rf"\begin{{cases}} {raw[0]} & \text{{if }} {raw[1]} \\ {raw[2]}"
                    rf" & \text{{otherwise}} \end{{cases}}")
        if isinstance(node, Juxt):
            return "".join(rf"\left({k}\right)" for k in raw)
        raise TypeError(f"not an expression tree: {node!r}")

    return fold(e, combine)


# --- printers: MathML -----------------------------------------------------------------------


def mathml_name(name: str) -> str:
    """A node name as MathML (escaped): ``w1`` as w with subscript 1."""
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return f"<msub><mi>{m.group(1)}</mi><mn>{m.group(2)}</mn></msub>"
    if name == "pi":
        return "<mi>π</mi>"
    variant = "" if len(name) == 1 else ' mathvariant="italic"'
    return f"<mi{variant}>{html.escape(name)}</mi>"


def _mo(op: str) -> str:
    return f"<mo>{html.escape(op)}</mo>"


def _fenced(inner: str) -> str:
    return f"<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"


def to_mathml(e: Expr) -> str:
    """``e`` as the content of a MathML ``<math>`` element (every text escaped)."""

    def combine(node, kids):
        raw = kids
        kids = _wrap_children(node, kids, _fenced)
        if isinstance(node, Num):
            text = node.text
            if text.startswith("-"):
                return f"<mrow><mo>−</mo><mn>{html.escape(text[1:])}</mn></mrow>"
            return f"<mn>{html.escape(text)}</mn>"
        if isinstance(node, Name):
            return mathml_name(node.name)
        if isinstance(node, Deriv):
            return (f"<mfrac><mrow><mo>∂</mo>{mathml_name(node.top)}</mrow>"
                    f"<mrow><mo>∂</mo>{mathml_name(node.bottom)}</mrow></mfrac>")
        if isinstance(node, Blank):
            return (f'<msub><mtext class="blank">\u2003\u2003\u2003</mtext>'
                    f"<mtext>({node.n})</mtext></msub>")
        if isinstance(node, BinOp):
            if node.op == "/":
                return f"<mfrac><mrow>{raw[0]}</mrow><mrow>{raw[1]}</mrow></mfrac>"
            if node.op == "**":
                return f"<msup><mrow>{kids[0]}</mrow><mrow>{raw[1]}</mrow></msup>"
            op = {"*": "·", "-": "−"}.get(node.op, node.op)
            return f"<mrow>{kids[0]}{_mo(op)}{kids[1]}</mrow>"
        if isinstance(node, Neg):
            return f"<mrow><mo>−</mo>{kids[0]}</mrow>"
        if isinstance(node, Compare):
            op = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "="}.get(node.op, node.op)
            return f"<mrow>{kids[0]}{_mo(op)}{kids[1]}</mrow>"
        if isinstance(node, Call):
            if node.fn == "and":
                return "<mrow>" + _mo("∧").join(kids) + "</mrow>"
            written = _call_markup(node.fn, "mathml", raw)
            if written is not None:
                return written
            args = _mo(",").join(raw)
            return f"<mrow><mi>{html.escape(node.fn)}</mi><mo>\u2061</mo>{_fenced(args)}</mrow>"
        if isinstance(node, IfExp):
            return (f"<mrow><mo>{{</mo><mtable><mtr><mtd>{raw[0]}</mtd><mtd><mtext>if"
                    f"</mtext>{raw[1]}</mtd></mtr><mtr><mtd>{raw[2]}</mtd><mtd><mtext>"
                    f"otherwise</mtext></mtd></mtr></mtable></mrow>")
        if isinstance(node, Juxt):
            return "<mrow>" + "".join(_fenced(k) for k in raw) + "</mrow>"
        raise TypeError(f"not an expression tree: {node!r}")

    return fold(e, combine)
