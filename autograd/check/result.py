"""A checked work: each line's verdict, expected value, diagnosis and message, printed
annotated (text, or a table in a notebook).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

__all__ = ["PartCheck", "CheckedLine", "CheckResult"]


_MARK = {"right": "✔", "wrong": "✘", "cannot check": "?"}


@dataclass(frozen=True)
class PartCheck:
    """The check of one ``= EXPR`` part of a line.

    Attributes:
        text: the part as parsed (normalised).
        verdict: ``"right"``, ``"wrong"`` or ``"cannot check"``.
        kind: a diagnosis kind (:data:`KINDS`) or None.
        value: the part's value as the learner computes it (their earlier numbers put
            in), or None.
        message: what is wrong, or a note; "" when right without remark.
    """

    text: str
    verdict: str
    kind: str | None
    value: float | None
    message: str = ""


@dataclass(frozen=True)
class CheckedLine:
    """One line of the learner's work, checked.

    Attributes:
        text: the line as written.
        lineno: its 1-based line number in the work.
        target: what the line computes (``h1``, ``dL/dw1``).
        verdict: ``"right"``, ``"wrong"`` or ``"cannot check"``.
        expected: the engine's (exact) value of the target, or None.
        kind: the diagnosis (:data:`KINDS`): for a wrong line the kind of mistake
            (``carried`` when it only follows from an earlier wrong line); for a right
            line ``rounding`` when its number was rounded early; else None.
        message: the diagnosis for people, naming the nodes, with the correct formula.
        value: the learner's value for the target (their last number), or None.
        parts: the check of each ``= EXPR`` part.
    """

    text: str
    lineno: int
    target: str
    verdict: str
    expected: float | None
    kind: str | None
    message: str
    value: float | None
    parts: tuple[PartCheck, ...] = ()


@dataclass
class CheckResult:
    """The learner's work, checked line by line.

    Attributes:
        lines: one :class:`CheckedLine` per line of work (comments and blank lines are
            kept in ``text`` only).
        notes: remarks about the graph itself (``backward ran 2 times without
            zero_grad``).
        text: the work as given.
    """

    lines: list[CheckedLine]
    notes: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def ok(self) -> bool:
        """True when every line is right."""
        return all(line.verdict == "right" for line in self.lines)

    @property
    def first_error(self) -> CheckedLine | None:
        """The first wrong line whose mistake is new there (not ``carried``), or None."""
        for line in self.lines:
            if line.verdict == "wrong" and line.kind != "carried":
                return line
        return None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        by_lineno = {line.lineno: line for line in self.lines}
        first = self.first_error
        out = []
        for i, raw in enumerate(self.text.splitlines(), start=1):
            line = by_lineno.get(i)
            if line is None:
                out.append(f"  {raw}")
                continue
            out.append(f"{_MARK[line.verdict]} {raw}")
            if line is first:
                out.append(f"    {line.kind}: {line.message}")
            elif line.verdict == "wrong":
                out.append(f"    {line.kind}: {_first_sentence(line.message)}")
            elif line.message:
                out.append(f"    {'note' if line.verdict == 'right' else 'cannot check'}: "
                           f"{line.message}")
        right = sum(line.verdict == "right" for line in self.lines)
        summary = f"{right} of {len(self.lines)} lines right"
        if first is not None:
            summary += f"; the first mistake is on line {first.lineno} ({first.kind})"
        out.append(summary)
        out.extend(f"note: {note}" for note in self.notes)
        return "\n".join(out)

    def __repr__(self) -> str:
        return (f"CheckResult(ok={self.ok}, lines={len(self.lines)}, first_error="
                f"{self.first_error.lineno if self.first_error else None})")

    def _repr_html_(self) -> str:
        first = self.first_error
        rows = []
        for line in self.lines:
            note = html.escape(line.message if line is first or line.verdict != "wrong"
                               else _first_sentence(line.message))
            kind = html.escape(line.kind or "")
            rows.append(
                f'<tr class="{line.verdict.replace(" ", "-")}"><td>{_MARK[line.verdict]}'
                f"</td><td><code>{html.escape(line.text)}</code></td>"
                f"<td>{kind}{': ' if kind and note else ''}{note}</td></tr>")
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return ('<table class="autograd-check"><thead><tr><th></th><th>work</th>'
                "<th>check</th></tr></thead><tbody>" + "".join(rows)
                + "</tbody></table>" + notes)


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")
