"""The documentation site cannot go stale.

* Every ```python block of every page under docs/ runs, in order, in one namespace per
  page, and each ``print(...)  # text`` prints exactly ``text`` (tests/markdown_blocks.py);
  every ``$ autograd ...`` line of a ```console block runs and exits as it says.
* The built site is checked in tests/docs/test_site.py.
"""

import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
from markdown_blocks import (
    FIGURES,
    fence_languages,
    run_block,
    run_console,
    runnable_blocks,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
BLOCKS = {page: runnable_blocks(page.read_text(encoding="utf-8")) for page in PAGES}
CASES = [
    pytest.param(page, i, id=f"{page.relative_to(DOCS)}:{block.line}")
    for page, blocks in BLOCKS.items()
    for i, block in enumerate(blocks)
]


class PageRun:
    """The shared state of one page's blocks: namespace, scratch directory, progress."""

    def __init__(self, workdir: pathlib.Path) -> None:
        self.namespace = {"__name__": "__docs__"}
        self.workdir = workdir
        (workdir / FIGURES).mkdir()  # where examples write the pictures the site shows
        self.done = 0  # blocks run so far
        self.failed: str | None = None  # where the first failing block is


_runs: dict[pathlib.Path, PageRun] = {}


def test_docs_have_examples():
    assert CASES, "the docs should show Python examples"


@pytest.mark.parametrize("page, index", CASES)
def test_docs_block_runs_and_prints_its_comments(page, index, tmp_path_factory, monkeypatch):
    run = _runs.get(page)
    if run is None:
        run = _runs[page] = PageRun(tmp_path_factory.mktemp(page.stem))
    monkeypatch.chdir(run.workdir)
    blocks = BLOCKS[page]
    # Blocks share a namespace: run the earlier ones first when only this one was selected.
    while run.done <= index:
        block = blocks[run.done]
        run.done += 1
        if run.failed is not None:
            continue
        try:
            if block.lang == "console":
                run_console(block, str(page.relative_to(ROOT)))
            else:
                run_block(block, run.namespace, str(page.relative_to(ROOT)))
        except BaseException:
            run.failed = f"{page.relative_to(DOCS)}:{block.line}"
            raise
    if run.failed is not None:
        pytest.fail(f"an earlier block of this page failed, at {run.failed}")


# What each fence language means on these pages.  Only python and console blocks run;
# the others are shell set-up commands (sh: make, pip), program text and output (text),
# patches (diff), and Python that needs PyTorch, which is not a dependency (py).
FENCE_LANGUAGES = {"python", "console", "sh", "text", "diff", "json", "py"}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_docs_code_fences_say_what_they_hold(page):
    text = page.read_text(encoding="utf-8")
    langs = fence_languages(text)
    unknown = sorted(set(langs) - FENCE_LANGUAGES)
    assert not unknown, f"fences without a known language (python runs): {unknown}"
    # The runner only sees fences at the start of a line: an indented one (in a list or
    # an admonition) would be shown but never run.
    indented = re.findall(r"^[ \t]+```.*$", text, re.M)
    assert not indented, f"indented code fences are not run: {indented}"
    # ```py is only for PyTorch snippets, never a way around running an example.
    for block in re.findall(r"^```py\n(.*?)^```", text, re.S | re.M):
        assert "import torch" in block, "a ```py block must be PyTorch code; use ```python"


def test_pytorch_examples_build_their_layers_in_float64():
    # Copying float64 weights into a float32 layer rounds them to 7 digits before any
    # .double(): the comparison the example prints would differ in the 4th digit.
    for page in PAGES:
        for block in re.findall(r"^```py\n(.*?)^```", page.read_text(encoding="utf-8"),
                                re.S | re.M):
            for call in re.findall(r"torch\.nn\.Linear\(([^)]*)\)", block):
                assert "dtype=torch.float64" in call, f"{page.name}: Linear({call})"
            assert ".double()" not in block and ".float()" not in block, page.name


def test_docs_python_dash_m_commands_name_real_modules():
    # Shell lines are not run here (the demos' own tests run them), but a renamed module
    # must not leave a page pointing at nothing.
    named = {m for page in PAGES
             for m in re.findall(r"python -m ([\w.]+)", page.read_text(encoding="utf-8"))}
    assert "demos" in named
    missing = sorted(m for m in named if importlib.util.find_spec(m) is None)
    assert not missing, f"docs run modules that do not exist: {missing}"


def apply_recipe(patch: str, root: pathlib.Path) -> None:
    """Apply the Design page's patch: each hunk's ``+`` lines go after its context line."""
    path, anchor, at = None, None, None
    for line in patch.splitlines():
        if line.startswith("+++ b/"):
            path = root / line[len("+++ b/"):]
        elif line.startswith(("--- a/", "@@")):
            anchor, at = None, None
        elif line.startswith(" "):
            anchor, at = line[1:], None
        elif line.startswith("+") and path is not None:
            lines = path.read_text(encoding="utf-8").split("\n")
            if at is None:
                assert lines.count(anchor) == 1, f"{path.name}: {anchor!r} is not one line"
                at = lines.index(anchor) + 1
            lines.insert(at, line[1:])
            at += 1
            path.write_text("\n".join(lines), encoding="utf-8")


def test_design_recipe_for_a_new_op_works(tmp_path):
    """Design says a new op is one rule plus node-building code; do it, then use the op."""
    (patch,) = re.findall(r"^```diff\n(.*?)^```", (DOCS / "design.md").read_text(), re.S | re.M)
    shutil.copytree(ROOT / "autograd", tmp_path / "autograd",
                    ignore=shutil.ignore_patterns("__pycache__"))
    apply_recipe(patch, tmp_path)
    check = """
import math
from autograd import RULES, Value, compile, explain, gradcheck, grad, exp10
assert "exp10" in RULES
x = Value(0.4, label="x")
y = exp10(x) * x; y.label = "y"
y.backward()
assert abs(x.grad - (10 ** 0.4 * math.log(10) * 0.4 + 10 ** 0.4)) < 1e-12
assert gradcheck(lambda t: exp10(t) * t, [0.4])
(d,) = grad(exp10(x), [x], create_graph=True)           # second derivative
(d2,) = grad(d, [x])
assert abs(d2 - 10 ** 0.4 * math.log(10) ** 2) < 1e-12
assert compile(lambda t: exp10(t), [0.4]).backward(0.4) == 10 ** 0.4
assert explain(y, x).agrees and RULES["exp10"].formula == ("10**x*log(10)",)
# generated from the rule: method, function with its doc, export, command line, NumPy
import autograd, numpy
from autograd.program import run_program
assert Value.exp10.__doc__ == autograd.exp10.__doc__ == "10 ** x." and "exp10" in autograd.__all__
assert run_program("y = exp10(2)").output.data == 100.0
fast = compile(lambda t: exp10(t), [0.4]).batch_forward(numpy.array([0.0, 2.0]))
assert list(fast) == [1.0, 100.0]
"""
    result = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
