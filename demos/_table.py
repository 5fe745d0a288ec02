"""Verification rows and the table that ``python -m demos`` prints.

Every row compares a number (or a claim) quoted from a reference document with the
number our engine produced, so a reader can check each one against its source.
"""

from __future__ import annotations

import csv
import io
import math
import textwrap
from dataclasses import dataclass

__all__ = ["Row", "close", "printed", "claim", "format_table", "format_markdown", "format_csv",
           "SOURCES"]

# Where a reference value comes from: the five reference documents (their text is in
# the project's seeds; each is named here by its title, author and original address) and
# the other kinds of source.  Short keys keep the table narrow.
SOURCES = {
    "D1": '"How to train a Neural Network?", Saurabh Chopra (2022), '
          "https://saurabhchopra.co.uk/blog/2022/01/31/how-to-train-a-neural-network/",
    "D2": '"Understanding Neural Network Training with Python", an Ithy AI article '
          "(ithy.com, updated 2025-01-16; the project's copy does not record its address)",
    "D3": '"The training loop", NorthGradient, Neural Networks lesson 9, '
          "https://northgradient.com/chapter/neural-networks/09-the-training-loop",
    "D4": '"Training a Neural Network, 2", in Victor Zhou, "Machine Learning for '
          'Beginners: An Introduction to Neural Networks", '
          "https://victorzhou.com/blog/intro-to-neural-networks/",
    "D5": '"How to train a neural network from scratch", Drew Parmelee, Towards Data '
          "Science (towardsdatascience.com; the project's copy does not record its address)",
    "micrograd": "micrograd's demo.ipynb output (seed 1337; losses quoted to 4 decimals), "
                 "https://github.com/karpathy/micrograd",
    "target": "project target: a value or threshold this project set itself (the documents "
              "print no number here)",
    "chain": "the chain rule: the product of the factors must equal backward()'s dL/dw1",
    "numpy": "the document's own numpy code, run here as an independent oracle",
    "hand": "the document's hand-written partial-derivative formulas, computed here",
    "article": "the original article's next step (not in D4's text): Emily F, Frank M",
}


@dataclass(frozen=True)
class Row:
    """One line of the verification table."""

    example: str
    quantity: str
    reference: str  # as the source writes it
    source: str  # a key of SOURCES
    ours: str
    diff: str
    verdict: str  # "pass" or "FAIL"
    note: str = ""  # why a tolerance is wider than the printed digits

    @property
    def passed(self) -> bool:
        """True if the row's check held."""
        return self.verdict == "pass"


def _fmt(x: float) -> str:
    if isinstance(x, str):
        return x
    if x == 0 or 1e-4 <= abs(x) < 1e6:
        return f"{x:.8g}"
    return f"{x:.3e}"


def close(example: str, quantity: str, reference: float, ours: float, tol: float,
          source: str, reference_text: str | None = None, why: str = "") -> Row:
    """A row that passes when |ours - reference| <= tol (``why`` explains a wide tol)."""
    diff = abs(float(ours) - float(reference))
    ok = diff <= tol and math.isfinite(diff)
    return Row(example, quantity, reference_text or _fmt(reference), source, _fmt(ours),
               f"{diff:.1e} (tol {tol:.1e})", "pass" if ok else "FAIL", why)


def printed(example: str, quantity: str, reference_text: str, ours: float,
            source: str, tol: float | None = None, why: str = "") -> Row:
    """A row for a number the document prints rounded: ours must round to the same digits.

    The default tolerance is half a unit in the last printed digit, so ``0.0474`` accepts
    any value in [0.04735, 0.04745].  Where the document computed the number from
    already-rounded values, pass the wider ``tol`` that rounding implies and say ``why``.
    """
    if tol is None:
        decimals = len(reference_text.split(".")[1]) if "." in reference_text else 0
        tol = 0.5 * 10.0**-decimals * (1 + 1e-9)  # forgive the binary rounding of tol
    return close(example, quantity, float(reference_text), ours, tol, source, reference_text,
                 why)


def claim(example: str, quantity: str, reference: str, ours: str, ok: bool,
          source: str, diff: str = "") -> Row:
    """A row for a statement rather than a number (a class, an accuracy threshold)."""
    return Row(example, quantity, reference, source, ours, diff, "pass" if ok else "FAIL")


HEADERS = ("example", "quantity", "reference", "source", "ours", "difference", "verdict",
           "note")
WIDTH = 100  # columns of the printed table


def _cells(row: Row) -> tuple[str, ...]:
    return (row.example, row.quantity, row.reference, row.source, row.ours, row.diff,
            row.verdict, row.note)


def _legend(rows: list[Row], width: int | None) -> list[str]:
    used = [k for k in SOURCES if any(r.source == k for r in rows)]
    lines = []
    for key in used:
        text = f"  {key:<9} {SOURCES[key]}"
        if width is None:
            lines.append(text)
        else:
            lines.extend(textwrap.wrap(text, width, subsequent_indent=" " * 12,
                                       break_long_words=False, break_on_hyphens=False))
    return lines


def format_table(rows: list[Row], width: int = WIDTH) -> str:
    """The rows as a plain-text table at most ``width`` columns wide, then its sources.

    Rows are grouped under their example's name; the reference is prefixed with its
    source (``D4: 0.0474``); a note on a tolerance goes on a line of its own; a cell too
    long for its column wraps onto the next lines.  The full table, one line per row, is
    :func:`format_markdown` / :func:`format_csv`.
    """
    header = ("quantity", "source: reference", "ours", "difference", "verdict")

    def cells(r: Row) -> tuple[str, ...]:
        return (r.quantity, f"{r.source}: {r.reference}", r.ours, r.diff, r.verdict)

    table = [header] + [cells(r) for r in rows]
    widths = [max(len(c[i]) for c in table) for i in range(len(header))]
    indent, gap = 2, 2
    # Which columns give way, in order, and how far: long differences first (a number
    # and its tolerance stay on one line), then long values, quantities and references.
    for column, floor in ((3, 21), (2, 16), (0, 26), (1, 20), (0, 22), (1, 16), (3, 12)):
        excess = indent + sum(widths) + gap * (len(widths) - 1) - width
        if excess > 0:
            widths[column] = max(floor, widths[column] - excess)

    def lines_of(c) -> list[str]:
        wrapped = [textwrap.wrap(s, w, break_long_words=True, break_on_hyphens=False) or [""]
                   for s, w in zip(c, widths)]
        out = []
        for k in range(max(len(w) for w in wrapped)):
            parts = [(w[k] if k < len(w) else "").ljust(n) for w, n in zip(wrapped, widths)]
            out.append((" " * indent + (" " * gap).join(parts)).rstrip())
        return out

    lines = lines_of(header)
    lines.append(" " * indent + (" " * gap).join("-" * w for w in widths))
    example = None
    for r in rows:
        if r.example != example:
            example = r.example
            lines.append(example)
        lines.extend(lines_of(cells(r)))
        if r.note:
            lines.extend(textwrap.wrap(f"note: {r.note}", width, initial_indent=" " * 6,
                                       subsequent_indent=" " * 12))
    legend = _legend(rows, width)
    if legend:
        lines.append("")
        lines.extend(legend)
    return "\n".join(lines)


def format_markdown(rows: list[Row]) -> str:
    """The full table as Markdown, one row per line, then the sources it cites."""
    def line(c) -> str:
        return "| " + " | ".join(s.replace("|", "\\|") for s in c) + " |"

    lines = [line(HEADERS), "| " + " | ".join("---" for _ in HEADERS) + " |"]
    lines += [line(_cells(r)) for r in rows]
    legend = _legend(rows, None)
    if legend:
        lines += ["", "Sources:", ""] + [f"- {t.strip()}" for t in legend]
    return "\n".join(lines) + "\n"


def format_csv(rows: list[Row]) -> str:
    """The full table as CSV (a header line, then one line per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS)
    writer.writerows(_cells(r) for r in rows)
    return buffer.getvalue()
