"""Worksheets: the hand calculation of a graph, laid out as the reference documents lay
it out, for any graph.

``worksheet(L, [w1])`` writes what D4 writes for Alice's network: the given values; the
forward pass (each named quantity's formula in symbols, the same with numbers, its
value); the loss; for each parameter the chain rule (the factors by name, each factor's
closed form in symbols, its number, the product, the sum over paths); with ``lr`` the
SGD step; and a closing check against reverse mode.

Every derivation line is in the line notation :func:`autograd.check_work` reads
(``h1 = sigmoid(w1*x1 + w2*x2 + b1) = ... = 0.0474``,
``dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214``,
``w1 ← w1 - η*dL/dw1 = ... = 0.998``); headings and notes are ``#`` lines.  Prose is
only in the Markdown, LaTeX and HTML renderings around those lines.

Numbers are carried as a hand calculation carries them (and as :func:`autograd.explain`
does): each named intermediate is written rounded to ``digits`` significant digits, and
what is computed from it reads the rounded value.  Every formula comes from the rule
table (:mod:`autograd.symbolic` reads its strings); this module only arranges them.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Value
from .fileio import write_atomically
from .functional import grad
from .graph import topological_order
from .naming import Names, node_names, user_frame
from .notation import format_line
from .rules import RULES, UnknownOpError
from .symbolic import (
    Blank,
    Call,
    Deriv,
    Expr,
    Juxt,
    Name,
    NotExpressible,
    Num,
    binop,
    fold,
    forward_tree,
    latex_text,
    partial_tree,
    product,
    substitute,
    to_latex,
    to_mathml,
    to_sympy_expr,
    to_text,
    total,
    writable,
)
from .symbolic import (
    number_text as _number_text,
)

__all__ = ["worksheet", "Worksheet", "Line", "MAX_NODES", "MAX_PATHS"]

MAX_NODES = 400  # a worksheet is a hand calculation: a bigger graph is refused
MAX_PATHS = 8  # sums over more paths than this are given as their total only
ETA = "η"


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


def _written(line: Line, filled: bool) -> str:
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


class Worksheet:
    """A derivation written out for a person; ``print`` it, save it, or show it.

    Attributes:
        title: the sheet's title (the renderings' heading).
        sections: the parts of the sheet, in order.
        blanks: how many blanks a blank worksheet has (0 otherwise); in the text the
            n-th ``___`` is blank n, the other formats number them.
        digits: the significant digits carried.
        exact: ``{name of each dL/dparam: the exact value}`` (reverse mode).
    """

    def __init__(self, title: str, sections: list[Section], digits: int | None,
                 blanks: int, exact: dict[str, float]) -> None:
        self.title = title
        self.sections = sections
        self.digits = digits
        self.blanks = blanks
        self.exact = exact

    # --- the lines ------------------------------------------------------------------------
    def _lines(self, filled: bool) -> list[str]:
        out: list[str] = []
        for section in self.sections:
            if out:
                out.append("")
            out.append(f"# {section.title}")
            for item in section.items:
                out.append(_written(item, filled) if isinstance(item, Line) else f"# {item}")
        return out

    @property
    def lines(self) -> list[str]:
        """The sheet's lines (blanks shown as ``____(n)`` on a blank worksheet)."""
        return self._lines(filled=False)

    def text(self) -> str:
        """The sheet as plain text: every line a checker line, a blank line or ``#``."""
        return "\n".join(self.lines) + "\n"

    __str__ = text

    def answers(self) -> str:
        """The sheet's lines with every blank filled in: its answer key (valid input to
        :func:`autograd.check_work`)."""
        return "\n".join(self._lines(filled=True)) + "\n"

    def __repr__(self) -> str:
        return f"<Worksheet {self.title!r}: {sum(1 for _ in self._items())} lines>"

    def _items(self):
        for section in self.sections:
            yield from (i for i in section.items if isinstance(i, Line))

    # --- Markdown -------------------------------------------------------------------------
    def markdown(self) -> str:
        """The sheet as Markdown: prose, and each section's lines in a text block."""
        out = [f"# {_md_text(self.title)}", ""]
        for section in self.sections:
            out += [f"## {_md_text(section.title)}", ""]
            if section.prose:
                out += [_md_text(section.prose), ""]
            block: list[str] = []
            for item in section.items:
                if isinstance(item, Line):
                    block.append(_written(item, False))
                    continue
                if block:
                    out += _md_block(block)
                    block = []
                out += [_md_text(item), ""]
            if block:
                out += _md_block(block)
        return "\n".join(out).rstrip("\n") + "\n"

    def _repr_markdown_(self) -> str:
        return self.markdown()

    # --- LaTeX ----------------------------------------------------------------------------
    def latex(self) -> str:
        """The sheet as a complete LaTeX document (amsmath), every formula in math."""
        out = [r"\documentclass{article}", r"\usepackage[utf8]{inputenc}",
               r"\usepackage{amsmath}", r"\usepackage{amssymb}",
               r"\begin{document}", rf"\section*{{{latex_text(self.title)}}}"]
        for section in self.sections:
            heading = (f"${to_latex(section.title_expr)}$" if section.title_expr is not None
                       else latex_text(section.title))
            out.append(rf"\subsection*{{{heading}}}")
            if section.prose:
                out.append(latex_text(section.prose))
            rows: list[str] = []
            for item in section.items:
                if not isinstance(item, Line):
                    if rows:
                        out.append(_align(rows))
                        rows = []
                    out.append(latex_text(item) + r"\par")
                    continue
                lhs, *rhs = item.render(to_latex, False)
                arrow = r"\leftarrow" if item.arrow == "←" else "="
                rows += [f"{lhs} &{arrow} {rhs[0]}"] + [f"&= {r}" for r in rhs[1:]]
            if rows:
                out.append(_align(rows))
        out.append(r"\end{document}")
        return "\n".join(out) + "\n"

    # --- HTML -----------------------------------------------------------------------------
    def html(self) -> str:
        """The sheet as one self-contained HTML page: formulas in MathML, no script, no
        request; the plain lines (to copy into ``check_work``) under each section."""
        esc = html.escape
        body = [f"<h1>{esc(self.title)}</h1>"]
        for section in self.sections:
            heading = (f"<math>{to_mathml(section.title_expr)}</math>"
                       if section.title_expr is not None else esc(section.title))
            body.append(f"<section><h2>{heading}</h2>")
            if section.prose:
                body.append(f"<p>{esc(section.prose)}</p>")
            plain: list[str] = []
            rows: list[str] = []
            for item in section.items:
                if not isinstance(item, Line):
                    body += [_mathml_table(rows)] if rows else []
                    rows = []
                    body.append(f'<p class="note">{esc(item)}</p>')
                    continue
                lhs, *rhs = item.render(to_mathml, False)
                arrow = "←" if item.arrow == "←" else "="
                rows.append(f"<mtd>{lhs}</mtd><mtd><mo>{arrow}</mo></mtd><mtd>{rhs[0]}</mtd>")
                rows += [f"<mtd></mtd><mtd><mo>=</mo></mtd><mtd>{r}</mtd>" for r in rhs[1:]]
                plain.append(_written(item, False))
            body += [_mathml_table(rows)] if rows else []
            if plain:
                body.append("<details><summary>as text lines</summary><pre>"
                            + esc("\n".join(plain)) + "</pre></details>")
            body.append("</section>")
        return _PAGE.format(title=esc(self.title), body="\n".join(body))

    def _repr_html_(self) -> str:
        return self.html()

    # --- files ----------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write the sheet to ``path``, atomically, in the format its extension names:
        ``.md``, ``.tex``, ``.html``/``.htm`` or ``.txt``.

        Raises:
            ValueError: the extension is none of these.
        """
        path = Path(os.fspath(path))
        writers = {".md": self.markdown, ".markdown": self.markdown, ".tex": self.latex,
                   ".html": self.html, ".htm": self.html, ".txt": self.text}
        writer = writers.get(path.suffix.lower())
        if writer is None:
            raise ValueError(f"cannot tell the format of {str(path)!r}: use a name ending "
                             f"in {', '.join(writers)}")
        write_atomically(path, writer())
        return path


def _mathml_table(rows: list[str]) -> str:
    table = "".join(f"<mtr>{r}</mtr>" for r in rows)
    return f'<math display="block"><mtable>{table}</mtable></math>'


def _align(rows: list[str]) -> str:
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #222; }}
math[display="block"] {{ margin: 0.6rem 0 0.6rem 1.5rem; font-size: 1.15rem; }}
mtd {{ padding: 0.15rem 0.2rem; }}
mtd:first-child {{ text-align: right; }}
mtd:last-child {{ text-align: left; }}
h2 math {{ font-size: 1.3rem; }}
.blank {{ border-bottom: 1px solid #222; }}
.note {{ color: #555; font-size: 0.95rem; }}
pre {{ background: #f5f5f5; padding: 0.6rem; overflow-x: auto; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def _md_text(text: str) -> str:
    """Text for Markdown prose: every ASCII punctuation mark that Markdown reads is
    backslash-escaped (CommonMark allows it before any of them)."""
    special = set("\\`*_{}[]#+-!|<>&~")
    return "".join("\\" + ch if ch in special else ch for ch in text).replace("\n", " ")


def _md_block(lines: list[str]) -> list[str]:
    """``lines`` as a fenced block, the fence longer than any backtick run inside."""
    run, best = 0, 0
    for ch in "\n".join(lines):
        run = run + 1 if ch == "`" else 0
        best = max(best, run)
    fence = "`" * max(3, best + 1)
    return [f"{fence}text", *lines, fence, ""]


# --- building a worksheet ---------------------------------------------------------------------


def _rounded(x: float, digits: int | None) -> float:
    return x if digits is None or not math.isfinite(x) else float(f"{x:.{digits}g}")


class _Graph:
    """The graph with its names, the hand calculation's values and the symbolic forms."""

    def __init__(self, root: Value, names: dict, digits: int | None) -> None:
        self.root = root
        self.names = names
        self.digits = digits
        self.order = topological_order(root)
        self.pos = {node: i for i, node in enumerate(self.order)}
        self.hand: dict[Value, float] = {}
        self.tree: dict[Value, Expr] = {}  # how consumers see a node: name, number, formula
        self.define: dict[Value, Expr] = {}  # a non-leaf node's formula over its inputs
        for node in self.order:
            if node.is_leaf:
                self.hand[node] = node.data
                name = names.get(node)
                self.tree[node] = Name(name) if name else Num(node.data,
                                                              _number_text(node.data))
                continue
            rule = _rule(node)
            self.hand[node] = rule.forward(node.ctx, *map(self.written, node.inputs))
            args = [self.tree[c] for c in node.inputs]
            define = forward_tree(node, args)
            if not writable(define):  # a case split (leaky_relu's expr): call it by name
                define = Call(node.op, tuple(args))
            self.define[node] = define
            self.tree[node] = Name(names[node]) if node in names else self.define[node]
        self.by_name = {name: node for node, name in names.items()}

    def written(self, node: Value) -> float:
        """A node's value as the hand calculation reads it (named results rounded)."""
        if node.is_leaf or node not in self.names:
            return self.hand[node]
        return _rounded(self.hand[node], self.digits)

    def number(self, raw: float) -> Num:
        """``raw`` as written: rounded, its precision shown (``1.00``, not ``1``)."""
        return Num(_rounded(raw, self.digits), _number_text(raw, self.digits), const=False)

    def with_numbers(self, tree: Expr) -> Expr:
        """``tree`` with every node name replaced by its written number."""

        def replace(leaf):
            if isinstance(leaf, Name) and leaf.name in self.by_name:
                node = self.by_name[leaf.name]
                if node.is_leaf:
                    return Num(node.data, _number_text(node.data), const=False)
                return self.number(self.hand[node])
            return None

        return substitute(tree, replace)


def _rule(node: Value):
    try:
        return RULES[node.op]
    except KeyError:
        raise UnknownOpError(node.op) from None


@dataclass
class _Segment:
    """d(top)/d(bottom) through unnamed nodes only (all such paths, merged)."""

    symbols: Expr
    written: float
    exact: float


def _segments(g: _Graph, top: Value, stations: set) -> dict[Value, _Segment]:
    """The segments from ``top`` down to the next stations: reverse accumulation over the
    unnamed nodes below ``top`` (iterative; paths through an unnamed node merged)."""
    region = {top}
    stack = [top]
    while stack:
        node = stack.pop()
        for c in node.inputs:
            if c not in stations and not c.is_leaf and c not in region:
                region.add(c)
                stack.append(c)
    adj_sym: dict[Value, list] = {top: [Num(1.0, "1")]}
    adj_w: dict[Value, float] = {top: 1.0}
    adj_x: dict[Value, float] = {top: 1.0}
    found: dict[Value, list] = {}
    for node in sorted(region, key=g.pos.__getitem__, reverse=True):
        if node not in adj_w:
            continue
        upstream = total(adj_sym[node]) if len(adj_sym[node]) > 1 else adj_sym[node][0]
        rule = _rule(node)
        args = [g.tree[c] for c in node.inputs]
        itself = Name(g.names[node]) if node in g.names else None
        xs_w = [g.written(c) for c in node.inputs]
        ps_w = rule.local_partials(g.hand[node], node.ctx, xs_w)
        ps_x = rule.local_partials(node.data, node.ctx, [c.data for c in node.inputs])
        for k, c in enumerate(node.inputs):
            if c not in stations and (c.is_leaf or c not in region):
                continue
            local = _local_formula(node, k, args, itself)
            term = product([local, upstream])  # x1*f'(...), as the documents write it
            if c in stations:
                found.setdefault(c, []).append((term, adj_w[node] * ps_w[k],
                                                adj_x[node] * ps_x[k]))
            else:
                adj_sym.setdefault(c, []).append(term)
                adj_w[c] = adj_w.get(c, 0.0) + adj_w[node] * ps_w[k]
                adj_x[c] = adj_x.get(c, 0.0) + adj_x[node] * ps_x[k]
    return {b: _Segment(total([t for t, _, _ in terms]), math.fsum(w for _, w, _ in terms),
                        math.fsum(x for _, _, x in terms))
            for b, terms in found.items()}


def _local_formula(node: Value, k: int, args: list[Expr], itself: Expr | None) -> Expr:
    """The rule's formula for d(node)/d(input k); where the notation cannot write it (a
    case split such as relu's), ``f'(x)`` as the documents write a derivative."""
    try:
        local = partial_tree(node, k, args, itself)
    except NotExpressible:
        local = None
    if local is None or not writable(local):
        if len(args) != 1:
            raise ValueError(f"the worksheet cannot write the derivative of op "
                             f"{node.op!r} in the line notation")
        return Call(f"{node.op}'", tuple(args))
    return local


def _as_values(root: Value, wrt, names: dict, g: _Graph) -> list[Value]:
    if wrt is None:
        return [n for n in _reading_order(g) if n.is_leaf and n in names and n is not root]
    items = [wrt] if isinstance(wrt, Value | str) else list(wrt)
    out = []
    for item in items:
        if isinstance(item, str):
            if item not in g.by_name:
                raise ValueError(f"worksheet() wrt {item!r} is not a name in the graph; "
                                 f"names: {', '.join(g.by_name)}")
            item = g.by_name[item]
        if not isinstance(item, Value):
            raise TypeError(f"worksheet() wrt must be Values or names, got "
                            f"{type(item).__name__}")
        if item not in g.pos:
            raise ValueError("worksheet() wrt: a Value that the output does not depend on")
        if item not in names:
            raise ValueError("worksheet() wrt: a Value without a name (give it a label, or "
                             "hold it in a variable)")
        if item is root:
            raise ValueError("worksheet() wrt: the output itself")
        if all(item is not o for o in out):  # by identity: Values compare by their data
            out.append(item)
    return out


def worksheet(root: Value, wrt: Value | str | Sequence | None = None, *,
              lr: float | None = None, digits: int | None = 3, blanks: bool = False,
              names: Names = None) -> Worksheet:
    """The hand calculation of ``root`` and its derivatives, as the documents write it.

    Args:
        root: the output (the loss).
        wrt: the Values (or names) to differentiate with respect to; default every named
            leaf.
        lr: a learning rate: adds the SGD step ``w ← w - η*dL/dw`` for each leaf in ``wrt``.
        digits: significant digits carried (named values are written, and read on,
            rounded); None for exact numbers.
        blanks: write every computed number as a numbered blank (given values stay);
            :meth:`Worksheet.answers` fills them in.
        names: node names, as :mod:`autograd.naming` (labels, then the caller's
            variables; ``False`` labels only; or a mapping).

    Returns:
        A :class:`Worksheet`.

    Raises:
        TypeError: ``root`` is not a Value, or ``wrt`` holds something else.
        ValueError: a bad ``digits``/``lr``, a ``wrt`` that is not a named node of the
            graph, two nodes with one name, a graph too large to work by hand, or an op
            whose formula cannot be written.

    >>> from autograd import Value, worksheet
    >>> w = Value(0.5, label="w"); x = Value(1.5, label="x")
    >>> y = (w * x).tanh(); y.label = "y"
    >>> sheet = worksheet(y, w)
    >>> print(sheet.lines[5]); print(sheet.lines[8])
    y = tanh(w*x) = tanh(0.5*1.5) = 0.635
    dy/dw = x*(1 - y**2) = 1.5*(1 - 0.635**2) = 0.895
    """
    frame = user_frame()
    if not isinstance(root, Value):
        raise TypeError(f"worksheet() needs a Value, got {type(root).__name__}")
    if digits is not None and (type(digits) is bool or not isinstance(digits, int)
                               or not 1 <= digits <= 17):
        raise ValueError(f"digits must be an integer from 1 to 17, or None; got {digits!r}")
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, int | float)
                           or not math.isfinite(lr)):
        raise ValueError(f"lr must be a finite number, got {lr!r}")
    order = topological_order(root)
    if len(order) > MAX_NODES:
        raise ValueError(f"the graph has {len(order)} nodes; a worksheet is a hand "
                         f"calculation and takes at most {MAX_NODES}")
    named = dict(node_names(order, names, frame=frame))
    if root not in named:
        taken = set(named.values())
        named[root] = "L" if "L" not in taken else "output"
    seen: dict[str, Value] = {}
    for node, name in named.items():
        if name in seen and seen[name] is not node:
            raise ValueError(f"two nodes are named {name!r}: give them different labels "
                             f"(or pass names=)")
        seen[name] = node
    g = _Graph(root, named, digits)
    params = _as_values(root, wrt, named, g)
    return _build(g, params, lr, blanks)


def _build(g: _Graph, params: list[Value], lr: float | None, blanks: bool) -> Worksheet:
    root, names, digits = g.root, g.names, g.digits
    out = names[root]
    precision = ("exact numbers" if digits is None else
                 f"{digits} significant digits, each named value written rounded and "
                 f"read on as written, as a hand calculation does")
    sections: list[Section] = []

    given = Section("Given values", prose="The inputs, weights and targets: the numbers "
                    "the calculation starts from.")
    for node in _reading_order(g):
        if node.is_leaf and node in names:
            text = _number_text(node.data)
            given.items.append(Line(Name(names[node]), "=", [], [], node.data, text,
                                    given=True))
    sections.append(given)

    forward = Section("Forward pass", prose="Each named quantity: its formula, the same "
                      f"formula with numbers, its value ({precision}).")
    what = "Loss" if out.lower() in ("l", "loss") else "Output"
    loss = Section(f"{what} {out}", prose=f"The output {out}, which the derivatives below "
                   "differentiate.")
    for node in g.order:
        if node.is_leaf or node not in names:
            continue
        section = loss if node is root else forward
        section.items.append(_value_line(g, node))
    if forward.items:
        sections.append(forward)
    sections.append(loss)

    stations = {n for n in g.order if not n.is_leaf and n in names} | set(params)
    segs: dict[Value, dict[Value, _Segment]] = {}
    stack = [root]
    while stack:  # the stations reachable from the output, and their segments
        node = stack.pop()
        if node in segs or node.is_leaf:
            continue
        segs[node] = _segments(g, node, stations)
        stack.extend(segs[node])
    reach = _reach(segs)

    factor_lines: set[tuple[Value, Value]] = set()
    exact: dict[str, float] = {}
    reverse = grad(root, params) if params else []
    written_grads: dict[Value, float] = {}
    for p, rev in zip(params, reverse):
        d_name = f"d{out}/d{names[p]}"
        section = Section(d_name, Deriv(out, names[p]))
        exact[d_name] = rev
        paths = _paths(segs, reach, root, p)
        written = _derivative_lines(g, section, segs, reach, root, p, paths, factor_lines)
        written_grads[p] = written
        if not blanks:
            note = _closed_form(g, segs, paths, root, p)
            if note:
                section.items.append(note)
        section.prose = ("The chain rule: the factors between named quantities, each "
                         "in symbols and in numbers, then their product"
                         + (", summed over the paths" if len(paths) > 1 else "") + ".")
        sections.append(section)

    leaves = [p for p in params if p.is_leaf]
    if lr is not None and leaves:
        step = Section(f"SGD step ({ETA} = {_number_text(float(lr))})",
                       prose=f"Each parameter moves against its gradient by {ETA} times it.")
        for p in leaves:
            name = names[p]
            d = Deriv(out, name)
            new, new_text = _stepped(p.data, lr * _rounded(written_grads[p], digits), digits)
            symbols = [binop("-", Name(name), binop("*", Name(ETA), d))]
            numbers = [binop("-", Num(p.data, _number_text(p.data), const=False),
                             binop("*", Num(float(lr), _number_text(float(lr)), const=False),
                                   g.number(written_grads[p])))]
            step.items.append(Line(Name(name), "←", symbols, numbers, new, new_text))
        sections.append(step)

    if params and not blanks:  # the check's numbers would fill the blanks
        check = Section("Check against reverse mode", prose="The same derivatives from "
                        "the engine's reverse mode, exactly.")
        for p, rev in zip(params, reverse):
            check.items.append(_check_note(g, p, rev, written_grads[p]))
        sections.append(check)

    count = 0
    if blanks:
        for section in sections:
            for item in section.items:
                if isinstance(item, Line) and not item.given:
                    count += 1
                    item.blank = count
    title = f"Worksheet: {out}" + (" and its derivatives" if params else "")
    return Worksheet(title, sections, digits, count, exact)


def _stepped(w: float, change: float, digits: int | None) -> tuple[float, str]:
    """``w - change``, written to the decimal place of the change's last significant
    digit (1 - 0.00112 is 1.00112, not 1.00: the step must show)."""
    new = w - change
    if digits is None or not math.isfinite(new) or change == 0.0 or not math.isfinite(change):
        return new, _number_text(new, digits)
    places = digits - 1 - math.floor(math.log10(abs(change)))
    if places <= 0:
        return _rounded(new, digits), _number_text(new, digits)
    places = min(places, 17)
    value = round(new, places)
    return value, f"{value:.{places}f}"


def _reading_order(g: _Graph) -> list[Value]:
    """The leaves in the order a reader meets them in the forward pass's formulas, then
    any others (the target of a loss is met last, in the loss)."""
    seen: dict[str, None] = {}
    for node in g.order:
        if node in g.define and node in g.names:
            collect = lambda e, kids: [e.name] if isinstance(e, Name) else sum(kids, [])
            for name in fold(g.define[node], collect):
                seen.setdefault(name, None)
    first = [g.by_name[n] for n in seen if n in g.by_name]
    return first + [n for n in g.order if all(n is not f for f in first)]


def _value_line(g: _Graph, node: Value) -> Line:
    symbols = g.define[node]
    numbers = g.with_numbers(symbols)
    return _line(g, Name(g.names[node]), [symbols], _distinct(symbols, numbers),
                 g.hand[node])


def _distinct(symbols: Expr, numbers: Expr) -> list[Expr]:
    """The numbers part, unless it says nothing the symbols do not (no names in them)."""
    return [] if to_text(numbers) == to_text(symbols) else [numbers]


def _reach(segs: dict) -> dict[Value, set]:
    """The stations below each station (transitively), by a fixed-point sweep."""
    reach = {a: set(b) for a, b in segs.items()}
    changed = True
    while changed:
        changed = False
        for a in reach:
            extra = set()
            for b in reach[a]:
                extra |= reach.get(b, set())
            if not extra <= reach[a]:
                reach[a] |= extra
                changed = True
    return reach


def _paths(segs: dict, reach: dict, root: Value, p: Value) -> list[list]:
    """Up to MAX_PATHS + 1 station paths from root down to p (iterative DFS)."""
    paths: list[list] = []
    if p is not root and p not in reach.get(root, set()):
        return paths
    stack: list[tuple[Value, list]] = [(root, [])]
    while stack and len(paths) <= MAX_PATHS:
        node, path = stack.pop()
        below = [b for b in segs.get(node, {}) if b is p or p in reach.get(b, set())]
        for b in reversed(below):
            step = [*path, (node, b)]
            if b is p:
                paths.append(step)
            else:
                stack.append((b, step))
    return paths


def _nameable(segs: dict, reach: dict, a: Value, b: Value) -> bool:
    """Whether the segment a -> b is the whole derivative da/db (no other path from a to
    b through a named node), so that the name ``da/db`` may stand for it."""
    return not any(b in reach.get(c, set()) for c in segs[a] if c is not b)


def _derivative_lines(g, section, segs, reach, root, p, paths, factor_lines) -> float:
    names, digits = g.names, g.digits
    out, target = names[root], names[p]
    if not paths:
        section.items.append(Line(Deriv(out, target), "=", [], [], 0.0, "0"))
        section.items.append(f"{out} does not depend on {target}")
        return 0.0
    if len(paths) > MAX_PATHS:
        (value,) = grad(root, [p])
        section.items.append(f"{target} reaches {out} by more than {MAX_PATHS} paths: "
                             f"their sum is given, not written out")
        section.items.append(_line(g, Deriv(out, target), [], [], value))
        return value
    terms, number_terms, path_values = [], [], []
    for path in paths:
        factors, numbers, written = [], [], 1.0
        for a, b in path:
            seg = segs[a][b]
            written *= _rounded(seg.written, digits)
            numbers.append(g.number(seg.written))
            if _nameable(segs, reach, a, b):
                factors.append(Deriv(names[a], names[b]))
                if (a, b) not in factor_lines and (len(paths) > 1 or len(path) > 1):
                    factor_lines.add((a, b))
                    section.items.append(_factor_line(g, a, b, seg))
            elif not (isinstance(seg.symbols, Num) and seg.symbols.value == 1.0):
                factors.append(seg.symbols)
        chain = factors[0] if factors else Num(1.0, "1")
        for f in factors[1:]:
            chain = _times(chain, f)
        terms.append(chain)
        number_terms.append(Juxt(tuple(numbers)))
        path_values.append(_rounded(written, digits))
    value = math.fsum(path_values)
    if len(paths) == 1 and len(paths[0]) == 1:
        a, b = paths[0][0]
        section.items.append(_factor_line(g, a, b, segs[a][b]))
        return value
    symbols = terms[0]
    numbers = number_terms[0]
    for t, n in zip(terms[1:], number_terms[1:]):
        symbols = _plus(symbols, t)
        numbers = _plus(numbers, n)
    section.items.append(_line(g, Deriv(out, target), [symbols], [numbers], value))
    return value


def _times(a: Expr, b: Expr) -> Expr:
    from .symbolic import BinOp  # a product of names kept as written (not reordered)

    return BinOp("*", a, b)


def _plus(a: Expr, b: Expr) -> Expr:
    from .symbolic import BinOp

    return BinOp("+", a, b)


def _line(g: _Graph, lhs: Expr, symbols: list, numbers: list, raw: float,
          arrow: str = "=") -> Line:
    """A line whose result is ``raw`` written to the sheet's digits."""
    result = g.number(raw)
    return Line(lhs, arrow, symbols, numbers, result.value, result.text)


def _factor_line(g: _Graph, a: Value, b: Value, seg: _Segment) -> Line:
    lhs = Deriv(g.names[a], g.names[b])
    if isinstance(seg.symbols, Num):  # a constant factor (1): nothing to work out
        return _line(g, lhs, [], [], seg.written)
    numbers = g.with_numbers(seg.symbols)
    nums = [] if isinstance(seg.symbols, Name) else _distinct(seg.symbols, numbers)
    return _line(g, lhs, [seg.symbols], nums, seg.written)


def _closed_form(g: _Graph, segs, paths, root, p) -> str | None:
    """``closed form: dL/dp = ...`` from sympy (the product of the factors' formulas,
    factored), when sympy is installed and the paths are all written."""
    if not paths or len(paths) > MAX_PATHS:
        return None
    try:
        import sympy
    except ImportError:
        return None
    terms = [product([segs[a][b].symbols for a, b in path]) for path in paths]
    try:
        expression = sympy.factor(to_sympy_expr(total(terms)))
    except (NotExpressible, TypeError, ValueError):
        return None
    text = str(expression)
    if len(text) > 160:
        return None
    return f"closed form (sympy): d{g.names[root]}/d{g.names[p]} = {text}"


def _check_note(g: _Graph, p: Value, reverse: float, written: float) -> str:
    names, digits = g.names, g.digits
    name = f"d{names[g.root]}/d{names[p]}"
    exact_text = f"{reverse:.6g}"
    if digits is None:
        return f"{name} = {exact_text} by reverse mode, as above"
    rounded = _number_text(reverse, digits)
    mine = _number_text(written, digits)
    if rounded == mine:
        return f"{name} = {exact_text} by reverse mode: {mine} to {digits} digits, as above"
    return (f"{name} = {exact_text} by reverse mode, which is {rounded} to {digits} digits; "
            f"the {mine} above comes from the rounded numbers it is computed from, "
            f"as a hand calculation's does")
