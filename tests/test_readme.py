"""The README's Python examples run, and print what their comments say.

Convention: a line ``print(...)  # text`` must print exactly ``text``.
"""

import contextlib
import io
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```python\n(.*?)```", re.S)
PRINT_COMMENT = re.compile(r"^\s*print\(.*\)\s+#\s?(.*)$")


def blocks(path):
    return BLOCK.findall(path.read_text())


README_BLOCKS = blocks(ROOT / "README.md")


def test_readme_has_examples():
    assert README_BLOCKS, "README.md should show Python examples"


@pytest.mark.parametrize("index", range(len(README_BLOCKS)))
def test_readme_block_runs_and_prints_its_comments(index, tmp_path, monkeypatch):
    code = README_BLOCKS[index]
    expected = [m.group(1).rstrip() for m in map(PRINT_COMMENT.match, code.splitlines()) if m]
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README.md[block {index}]", "exec"), {"__name__": "__readme__"})
    printed = out.getvalue().splitlines()
    n_prints = sum(1 for line in code.splitlines() if line.lstrip().startswith("print("))
    if expected and len(expected) == n_prints:
        assert printed == expected
