"""Verification rows and the table that ``python -m demos`` prints.

Every row compares a number (or a claim) quoted from a reference document with the
number our engine produced, so a reader can check each one against its source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Row", "close", "printed", "claim", "format_table", "SOURCES"]

# The reference documents (their text is in the shared seeds) and the other sources a
# reference value may come from.  Short keys keep the table narrow.
SOURCES = {
    "D1": '"How to train a Neural Network?"',
    "D2": '"Understanding Neural Network Training with Python"',
    "D3": '"The training loop"',
    "D4": '"Training a Neural Network, 2"',
    "D5": '"How to train a neural network from scratch"',
    "micrograd": "micrograd's demo.ipynb output (seed 1337; losses quoted to 4 decimals)",
    "issue": "issue 5 (a target or value it states; the documents print no number here)",
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
    note = f"{diff:.1e} (tol {tol:.1e}{'; ' + why if why else ''})"
    return Row(example, quantity, reference_text or _fmt(reference), source, _fmt(ours),
               note, "pass" if ok else "FAIL")


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


HEADERS = ("example", "quantity", "reference", "source", "ours", "difference", "verdict")


def format_table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table, followed by the sources it cites."""
    cells = [HEADERS] + [
        (r.example, r.quantity, r.reference, r.source, r.ours, r.diff, r.verdict) for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(s.ljust(w) for s, w in zip(c, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    used = [k for k in SOURCES if any(r.source == k for r in rows)]
    if used:
        lines.append("")
        lines.extend(f"  {k:<9} {SOURCES[k]}" for k in used)
    return "\n".join(lines)
