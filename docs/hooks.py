"""mkdocs hooks: the site shows what its examples really do.

At build time every page's ```python blocks run in order, in one namespace per page,
in a scratch directory (the same convention as ``tests/test_docs.py``, from
``tests/markdown_blocks.py``):

* what a block prints is shown under it, in an "Output" block, so no output on the
  site is copied by hand;
* every file a page's examples write under ``figures/`` (``autograd.render(...,
  "figures/x.svg")``) becomes a file of the site, so ``![...](figures/x.svg)`` shows
  the picture the project itself just drew.  No figure is committed.

An example that raises, or a ``print(...)  # text`` that prints something else, stops
the build.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import sys
import tempfile

from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "markdown_blocks", ROOT / "tests" / "markdown_blocks.py"
)
markdown_blocks = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("markdown_blocks", markdown_blocks)
_spec.loader.exec_module(markdown_blocks)

FIGURES = markdown_blocks.FIGURES
# src_uri of a page -> list with one output string (or None: skipped) per python block
_outputs: dict[str, list[str | None]] = {}
_pending: dict[str, str] = {}

_PLACEHOLDER = """<svg xmlns="http://www.w3.org/2000/svg" width="640" height="60">
<rect width="640" height="60" fill="#fff3cd" stroke="#d39e00"/>
<text x="12" y="35" font-family="sans-serif" font-size="14">Figure not generated: {}</text>
</svg>
"""


def run_page(path: pathlib.Path, workdir: pathlib.Path) -> tuple[list[str | None], str | None]:
    """Run a page's blocks in ``workdir``; return their outputs and a pending reason."""
    blocks = markdown_blocks.python_blocks(path.read_text(encoding="utf-8"))
    namespace = {"__name__": "__docs__"}
    outputs: list[str | None] = []
    reason = None
    (workdir / FIGURES).mkdir()
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        for block in blocks:
            pending = markdown_blocks.pending_reason(block.code)
            if pending:
                reason = reason or pending
                outputs.append(None)
                continue
            outputs.append(markdown_blocks.run_block(block, namespace, str(path.relative_to(ROOT))))
    finally:
        os.chdir(cwd)
    return outputs, reason


def on_files(files, config):
    _outputs.clear()
    _pending.clear()
    figures: dict[str, bytes] = {}
    for page in list(files.documentation_pages()):
        with tempfile.TemporaryDirectory() as tmp:
            work = pathlib.Path(tmp)
            outputs, reason = run_page(pathlib.Path(page.abs_src_path), work)
            _outputs[page.src_uri] = outputs
            if reason:
                _pending[page.src_uri] = reason
            base = pathlib.PurePosixPath(page.src_uri).parent
            for svg in sorted((work / FIGURES).rglob("*")):
                if svg.is_file():
                    uri = str(base / svg.relative_to(work).as_posix())
                    if uri in figures:
                        raise ValueError(f"two pages write the figure {uri}")
                    figures[uri] = svg.read_bytes()
    # Figures a pending page would draw: a visible placeholder, so links stay valid.
    for src_uri, reason in _pending.items():
        text = (ROOT / config["docs_dir"] / src_uri).read_text(encoding="utf-8")
        base = pathlib.PurePosixPath(src_uri).parent
        for name in _figure_links(text):
            uri = str(base / name)
            figures.setdefault(uri, _PLACEHOLDER.format(reason).encode())
    for uri, content in figures.items():
        files.append(File.generated(config, uri, content=content))
    return files


def _figure_links(markdown: str) -> list[str]:
    return re.findall(r"\]\(((?:\./)?" + FIGURES + r"/[^)\s]+)\)", markdown)


def on_page_markdown(markdown, page, config, files):
    outputs = _outputs.get(page.file.src_uri, [])
    blocks = markdown_blocks.python_blocks(markdown)
    lines = markdown.splitlines(keepends=True)
    # Insert from the last block up, so earlier line numbers stay valid.
    for block, output in reversed(list(zip(blocks, outputs))):
        if not output or _all_prints_checked(block):
            continue
        end = block.line - 1 + block.code.count("\n")  # index of the closing fence line
        shown = output if output.endswith("\n") else output + "\n"
        lines.insert(end + 1, f'\n```text title="Output"\n{shown}```\n')
    reason = _pending.get(page.file.src_uri)
    if reason:
        lines.insert(_after_title(lines), (
            f'\n!!! warning "Examples not run yet"\n    Some examples on this page '
            f"are not executed yet: {reason}.\n\n"
        ))
    return "".join(lines)


def _all_prints_checked(block) -> bool:
    # Output that the example's own comments already show, and the tests check, is not
    # repeated under it.
    n_prints = sum(1 for line in block.code.splitlines() if line.lstrip().startswith("print("))
    return n_prints == len(block.expected_prints())


def _after_title(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return i + 1
    return 0
