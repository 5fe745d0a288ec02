"""A worksheet as a LaTeX document."""

from __future__ import annotations

from ..symbolic import latex_text, to_latex
from .lines import Line

__all__ = ["latex_document"]


def latex_document(sheet) -> str:
    """The sheet as a complete LaTeX document (amsmath), every formula in math."""
    out = [r"\documentclass{article}", r"\usepackage[utf8]{inputenc}",
           r"\usepackage{amsmath}", r"\usepackage{amssymb}",
           r"\begin{document}", rf"\section*{{{latex_text(sheet.title)}}}"]
    for section in sheet.sections:
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


def _align(rows: list[str]) -> str:
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
