"""Run the Python examples of a Markdown file (README.md, docs/*.md).

Shared by ``tests/test_readme.py``, ``tests/test_docs.py`` and the docs build hook
(``docs/hooks.py``), so the README, the test suite and the site agree on what an
example is and what it must print.

Conventions:

* An example is a fenced block that starts with ```` ```python ```` at the beginning of
  a line.  The blocks of one file run in order in one namespace.
* A line ``print(...)  # text`` must print exactly ``text`` every time it runs (and it
  must run).  Other prints are free: their output is shown on the site, not checked.
* Examples run in a scratch directory holding an empty ``figures/`` folder; the docs
  build publishes what they write there (``docs/hooks.py``).
* Line numbers in tracebacks are the Markdown file's own, so a failure points at the
  line of the page to fix.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import importlib.util
import io
import re
import sys
from collections import defaultdict
from dataclasses import dataclass

FIGURES = "figures"  # examples write the site's pictures into this folder of their cwd
BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)
PRINT_COMMENT = re.compile(r"^\s*print\(.*\)\s+#\s?(.*)$")


@dataclass(frozen=True)
class Block:
    """One ```python block: its code and the line of the Markdown file it starts on."""

    code: str
    line: int  # 1-based line of the first code line

    def compiled(self, filename: str):
        # Pad with blank lines so tracebacks and print checks use the file's line numbers.
        return compile("\n" * (self.line - 1) + self.code, filename, "exec")

    def expected_prints(self) -> dict[int, str]:
        """``{line: text}`` for every ``print(...)  # text`` line of the block."""
        expected = {}
        for offset, source in enumerate(self.code.splitlines()):
            m = PRINT_COMMENT.match(source)
            if m:
                expected[self.line + offset] = m.group(1).rstrip()
        return expected


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks of a Markdown text, in order."""
    return [
        Block(m.group(1), text.count("\n", 0, m.start(1)) + 1) for m in BLOCK.finditer(text)
    ]


def run_block(block: Block, namespace: dict, filename: str) -> str:
    """Execute ``block`` in ``namespace``; return what it printed.

    Raises whatever the example raises, and ``AssertionError`` when a commented print
    printed something else than its comment, or never ran.
    """
    printed: dict[int, list[str]] = defaultdict(list)

    def checked_print(*args, **kwargs):
        target = kwargs.get("file")
        if target is not None and target is not sys.stdout:
            return builtins.print(*args, **kwargs)
        one = io.StringIO()
        builtins.print(*args, **{**kwargs, "file": one})
        caller = sys._getframe(1)
        if caller.f_code.co_filename == filename:
            printed[caller.f_lineno].append(one.getvalue())
        sys.stdout.write(one.getvalue())

    namespace["print"] = checked_print
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(block.compiled(filename), namespace)
    finally:
        del namespace["print"]
    for line, text in block.expected_prints().items():
        calls = printed.get(line)
        assert calls, f"{filename}:{line}: the print commented {text!r} never ran"
        for got in calls:
            assert got.rstrip("\n") == text, (
                f"{filename}:{line}: printed {got.rstrip(chr(10))!r}, "
                f"its comment says {text!r}"
            )
    return out.getvalue()


# --- examples of features that have not landed on main yet ----------------------------
# TEMPORARY.  A page may show the API an open issue specifies before that branch
# is merged.  While the feature is missing, a block that uses it is skipped, with this
# reason (so such a block must not define names that later blocks use).  As soon as the
# feature exists the block runs like any other, so a page written against the spec fails
# the moment it disagrees with the real code.  Delete each entry once it has landed.
# feature: (module, attribute or None for "the module exists", regex on the block, reason)
PENDING: dict[str, tuple[str, str | None, str, str]] = {
    "autograd.explain": ("autograd", "explain", r"\bexplain\(",
                         "autograd.explain comes with issue 4 (viz), not merged yet"),
    "autograd.assert_grad": ("autograd", "assert_grad", r"\bassert_grad\b",
                             "autograd.assert_grad comes with issue 4 (viz), not merged yet"),
    "autograd.draw": ("autograd", "draw", r"\bdraw\(",
                      "autograd.draw comes with issue 4 (viz), not merged yet"),
    "autograd.render": ("autograd", "render", r"\brender\(",
                        "autograd.render comes with issue 4 (viz), not merged yet"),
    "nn": ("nn", "Module", r"^\s*(from nn\b|import nn\b)",
           "the nn package comes with issue 3 (nn), not merged yet"),
    "demos": ("demos", None, r"\bdemos\b",
              "the demos package comes with issue 5 (demos), not merged yet"),
}


def _available(module: str, attribute: str | None) -> bool:
    if importlib.util.find_spec(module) is None:
        return False
    return attribute is None or hasattr(importlib.import_module(module), attribute)


def pending_reason(code: str) -> str | None:
    """Why ``code`` cannot run yet (it uses a feature not on main), or None."""
    for module, attribute, pattern, reason in PENDING.values():
        if re.search(pattern, code, re.M) and not _available(module, attribute):
            return reason
    return None
