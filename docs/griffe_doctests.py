"""A griffe extension for the API reference: docstrings as their authors wrote them.

The project's docstrings use two conventions that mkdocstrings would otherwise render
badly:

* bare ``>>>`` examples (doctests, run by the test suite) with no ``Examples:``
  heading: Markdown would turn them into nested block quotes, so each run of example
  lines becomes a fenced ``pycon`` code block;
* Sphinx roles (``:class:`Value```, ``:func:`~autograd.grad```): shown as inline code,
  since Markdown does not know them;
* one ``Args:`` entry for several parameters that share a description
  (``atol, rtol: ...``): it becomes one entry per parameter, so each is checked against
  the signature and listed.
"""

from __future__ import annotations

import re

import griffe

_GROUPED = re.compile(r"^(\s+)(\w+(?:, \w+)+):(.*)$")
_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):`~?([^`]+)`")


def fence_doctests(text: str) -> str:
    """Wrap every run of ``>>>`` lines and their expected output in a pycon fence."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    in_fence = False
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if in_fence or not line.lstrip().startswith(">>>"):
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip():
            out.append(lines[i])
            i += 1
        out.append(f"{indent}```")
    return "\n".join(out)


def inline_roles(text: str) -> str:
    """``:func:`~autograd.grad``` -> ```autograd.grad```."""
    return _ROLE.sub(lambda m: f"`{m.group(1)}`", text)


def split_grouped_params(text: str) -> str:
    """``a, b: description`` -> ``a: description`` and ``b: description``."""
    out: list[str] = []
    for line in text.splitlines():
        m = _GROUPED.match(line)
        if m:
            indent, names, rest = m.groups()
            out.extend(f"{indent}{name}:{rest}" for name in names.split(", "))
        else:
            out.append(line)
    return "\n".join(out)


class DocstringConventions(griffe.Extension):
    """Rewrites each docstring once it is loaded, before mkdocstrings parses it."""

    def on_object(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            text = fence_doctests(obj.docstring.value)
            obj.docstring.value = split_grouped_params(inline_roles(text))
