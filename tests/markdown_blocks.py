"""Run the Python examples of a Markdown file (README.md, docs/*.md).

Shared by ``tests/docs/test_readme.py``, ``tests/docs/test_docs.py`` and the docs build hook
(``docs/hooks.py``), so the README, the test suite and the site agree on what an
example is and what it must print.

Conventions:

* An example is a fenced block that starts with ```` ```python ```` at the beginning of
  a line.  The blocks of one file run in order in one namespace.
* A ```` ```console ```` block holds ``$ autograd ...`` command lines; they run too
  (:func:`run_console`).
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
import io
import os
import re
import shlex
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass

FIGURES = "figures"  # examples write the site's pictures into this folder of their cwd
BLOCK = re.compile(r"^```(python|console)[^\n]*\n(.*?)^```", re.S | re.M)
FENCE = re.compile(r"^```(\S*)", re.M)
PRINT_COMMENT = re.compile(r"^\s*print\(.*\)\s+#\s?(.*)$")


@dataclass(frozen=True)
class Block:
    """One runnable block: its language, code, and the line of the file it starts on."""

    lang: str  # "python" or "console"
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


def runnable_blocks(text: str) -> list[Block]:
    """The ```python and ```console blocks of a Markdown text, in order."""
    return [
        Block(m.group(1), m.group(2), text.count("\n", 0, m.start(2)) + 1)
        for m in BLOCK.finditer(text)
    ]


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks of a Markdown text, in order."""
    return [b for b in runnable_blocks(text) if b.lang == "python"]


def fence_languages(text: str) -> list[str]:
    """The language of every fenced code block (``""`` when none is given)."""
    langs, inside = [], False
    for m in FENCE.finditer(text):
        if not inside:
            langs.append(m.group(1))
        inside = not inside
    return langs


EXIT_STATUS = re.compile(r"\s+#\s*exit status (\d+)\s*$")


def run_console(block: Block, filename: str) -> str:
    """Run the ``$ autograd ...`` commands of a ```console block in the current directory.

    Each command must exit with status 0, or with the status its trailing comment
    ``# exit status N`` announces.  Only the project's own ``autograd`` command may appear
    (run from this Python's environment, never through a shell).  Returns what the
    commands printed, each after its ``$`` line (stderr only for a failing command).
    """
    shown = []
    for offset, line in enumerate(block.code.splitlines()):
        if not line.startswith("$ "):
            continue
        where = f"{filename}:{block.line + offset}"
        command = line[2:]
        expected = 0
        m = EXIT_STATUS.search(command)
        if m:
            expected, command = int(m.group(1)), command[: m.start()]
        argv = shlex.split(command)
        assert argv and argv[0] == "autograd", f"{where}: only `autograd` commands run here"
        script = os.path.join(os.path.dirname(sys.executable), "autograd")
        result = subprocess.run([script, *argv[1:]], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == expected, (
            f"{where}: exit status {result.returncode}, expected {expected}\n"
            f"{result.stdout}{result.stderr}"
        )
        # A successful command says nothing on stderr: no warning a reader did not cause
        # (the bundled Graphviz's Fontconfig used to warn on every drawing).
        assert expected or not result.stderr, f"{where}: warned\n{result.stderr}"
        errors = result.stderr if expected else ""
        shown.append(f"$ {command.strip()}\n{result.stdout}{errors}")
    return "".join(shown)


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
