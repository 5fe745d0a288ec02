"""mkdocs hooks: the site shows what its examples really do.

At build time every page's ```python blocks (and the ``$ autograd`` lines of its
```console blocks) run in order, in one namespace per page,
in a scratch directory (the same convention as ``tests/test_docs.py``, from
``tests/markdown_blocks.py``):

* what a block prints is shown under it, in an "Output" block, and a console block
  shows each command's real output after it, so no output on the site is copied by
  hand;
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
_pending: dict[str, list[str]] = {}  # src_uri -> why some of its examples did not run

_PLACEHOLDER = """<svg xmlns="http://www.w3.org/2000/svg" width="640" height="60">
<rect width="640" height="60" fill="#fff3cd" stroke="#d39e00"/>
<text x="12" y="35" font-family="sans-serif" font-size="14">Figure not generated: {}</text>
</svg>
"""


def run_page(path: pathlib.Path, workdir: pathlib.Path) -> tuple[list[str | None], list[str]]:
    """Run a page's blocks in ``workdir``; return their outputs and why some were skipped."""
    blocks = markdown_blocks.runnable_blocks(path.read_text(encoding="utf-8"))
    pending = markdown_blocks.pending_reasons(blocks)
    name = str(path.relative_to(ROOT))
    namespace = {"__name__": "__docs__"}
    outputs: list[str | None] = []
    (workdir / FIGURES).mkdir()
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        for block, reason in zip(blocks, pending):
            if reason:
                outputs.append(None)
            elif block.lang == "console":
                outputs.append(markdown_blocks.run_console(block, name))
            else:
                outputs.append(markdown_blocks.run_block(block, namespace, name))
    finally:
        os.chdir(cwd)
    return outputs, sorted({r for r in pending if r})


def on_files(files, config):
    _outputs.clear()
    _pending.clear()
    figures: dict[str, bytes] = {}
    for page in list(files.documentation_pages()):
        with tempfile.TemporaryDirectory() as tmp:
            work = pathlib.Path(tmp)
            outputs, reasons = run_page(pathlib.Path(page.abs_src_path), work)
            _outputs[page.src_uri] = outputs
            if reasons:
                _pending[page.src_uri] = reasons
            base = pathlib.PurePosixPath(page.src_uri).parent
            for svg in sorted((work / FIGURES).rglob("*")):
                if svg.is_file():
                    uri = str(base / svg.relative_to(work).as_posix())
                    if uri in figures:
                        raise ValueError(f"two pages write the figure {uri}")
                    figures[uri] = svg.read_bytes()
    # Figures a pending page would draw: a visible placeholder, so links stay valid.
    for src_uri, reasons in _pending.items():
        text = (ROOT / config["docs_dir"] / src_uri).read_text(encoding="utf-8")
        base = pathlib.PurePosixPath(src_uri).parent
        for name in _figure_links(text):
            uri = str(base / name)
            figures.setdefault(uri, _PLACEHOLDER.format("; ".join(reasons)).encode())
    for uri, content in figures.items():
        files.append(File.generated(config, uri, content=content))
    return files


def _figure_links(markdown: str) -> list[str]:
    return re.findall(r"\]\(((?:\./)?" + FIGURES + r"/[^)\s]+)\)", markdown)


def on_page_markdown(markdown, page, config, files):
    outputs = _outputs.get(page.file.src_uri, [])
    blocks = markdown_blocks.runnable_blocks(markdown)
    lines = markdown.splitlines(keepends=True)
    # Edit from the last block up, so earlier line numbers stay valid.
    for block, output in reversed(list(zip(blocks, outputs))):
        first = block.line - 1  # index of the first code line
        end = first + block.code.count("\n")  # index of the closing fence line
        if block.lang == "console":
            if output:  # the commands, each followed by what it printed
                lines[first:end] = [output if output.endswith("\n") else output + "\n"]
            continue
        if not output or _all_prints_checked(block):
            continue
        shown = output if output.endswith("\n") else output + "\n"
        lines.insert(end + 1, f'\n```text title="Output"\n{shown}```\n')
    reasons = _pending.get(page.file.src_uri)
    if reasons:
        listed = "".join(f"    - {r}\n" for r in reasons)
        lines.insert(_after_title(lines), (
            f'\n!!! warning "Examples not run yet"\n    Some examples on this page show an '
            f"API that is specified but not merged yet, and were not run:\n\n{listed}\n"
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
