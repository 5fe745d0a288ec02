"""The worksheet: its sections of lines, as text (its key too), in each format, saved."""

from __future__ import annotations

import os
from pathlib import Path

from ..fileio import write_atomically
from .latex import latex_document
from .lines import Line, Section, line_text
from .markdown import markdown_text
from .page import html_page

__all__ = ["Worksheet"]


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
                out.append(line_text(item, filled) if isinstance(item, Line) else f"# {item}")
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

    def markdown(self) -> str:
        """The sheet as Markdown: prose, and each section's lines in a text block."""
        return markdown_text(self)

    def latex(self) -> str:
        """The sheet as a complete LaTeX document (amsmath), every formula in math."""
        return latex_document(self)

    def html(self) -> str:
        """The sheet as one self-contained HTML page: formulas in MathML, no script, no
        request; the plain lines (to copy into ``check_work``) under each section."""
        return html_page(self)

    def _repr_markdown_(self) -> str:
        return self.markdown()

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
