"""A worksheet as one self-contained HTML page: formulas in MathML, no script."""

from __future__ import annotations

import html

from ..symbolic import to_mathml
from .lines import Line, line_text

__all__ = ["html_page"]


def html_page(sheet) -> str:
    """The sheet as one self-contained HTML page: formulas in MathML, no script, no
    request; the plain lines (to copy into ``check_work``) under each section."""
    esc = html.escape
    body = [f"<h1>{esc(sheet.title)}</h1>"]
    for section in sheet.sections:
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
            plain.append(line_text(item, False))
        body += [_mathml_table(rows)] if rows else []
        if plain:
            body.append("<details><summary>as text lines</summary><pre>"
                        + esc("\n".join(plain)) + "</pre></details>")
        body.append("</section>")
    return _PAGE.format(title=esc(sheet.title), body="\n".join(body))


def _mathml_table(rows: list[str]) -> str:
    table = "".join(f"<mtr>{r}</mtr>" for r in rows)
    return f'<math display="block"><mtable>{table}</mtable></math>'


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
