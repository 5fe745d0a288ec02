"""A worksheet as Markdown: prose, and each section's lines in a text block."""

from __future__ import annotations

from .lines import Line, line_text

__all__ = ["markdown_text"]


def markdown_text(sheet) -> str:
    """The sheet as Markdown: prose, and each section's lines in a text block."""
    out = [f"# {_md_text(sheet.title)}", ""]
    for section in sheet.sections:
        out += [f"## {_md_text(section.title)}", ""]
        if section.prose:
            out += [_md_text(section.prose), ""]
        block: list[str] = []
        for item in section.items:
            if isinstance(item, Line):
                block.append(line_text(item, False))
                continue
            if block:
                out += _md_block(block)
                block = []
            out += [_md_text(item), ""]
        if block:
            out += _md_block(block)
    return "\n".join(out).rstrip("\n") + "\n"


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
