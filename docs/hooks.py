"""mkdocs hooks: the site shows what its examples really do.

At build time every page's ```python blocks (and the ``$ autograd`` lines of its
```console blocks) run in order, in one namespace per page,
in a scratch directory (the same convention as ``tests/docs/test_docs.py``, from
``tests/markdown_blocks.py``):

* what a block prints is shown under it, in an "Output" block, and a console block
  shows each command's real output after it, so no output on the site is copied by
  hand;
* every file a page's examples write under ``figures/`` (``autograd.render(...,
  "figures/x.svg")``) becomes a file of the site, so ``![...](figures/x.svg)`` shows
  the picture the project itself just drew.  A copy of each is committed in
  ``docs/figures/`` so the Markdown sources show their pictures on GitHub too;
  ``tests/docs/test_docs.py`` fails when a copy differs from what the build drew, and
  ``make figures`` (``python docs/hooks.py``) redraws them.

An example that raises, or a ``print(...)  # text`` that prints something else, stops
the build.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
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

_spec = importlib.util.spec_from_file_location("floors", ROOT / "docs" / "floors.py")
floors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(floors)

FIGURES = markdown_blocks.FIGURES
_outputs: dict[str, list[str]] = {}  # src_uri of a page -> what each runnable block printed


def run_page(path: pathlib.Path, workdir: pathlib.Path) -> list[str]:
    """Run a page's blocks in ``workdir``; return what each one printed."""
    blocks = markdown_blocks.runnable_blocks(path.read_text(encoding="utf-8"))
    name = str(path.relative_to(ROOT))
    namespace = {"__name__": "__docs__"}
    outputs: list[str] = []
    (workdir / FIGURES).mkdir()
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        for block in blocks:
            if block.lang == "console":
                outputs.append(markdown_blocks.run_console(block, name))
            else:
                outputs.append(markdown_blocks.run_block(block, namespace, name))
    finally:
        os.chdir(cwd)
    return outputs


def draw_figures(pages: list[tuple[str, pathlib.Path]]) -> dict[str, bytes]:
    """Run each ``(src_uri, path)`` page; return the figures they drew, by site URI."""
    _outputs.clear()
    figures: dict[str, bytes] = {}
    for src_uri, path in pages:
        with tempfile.TemporaryDirectory() as tmp:
            work = pathlib.Path(tmp)
            _outputs[src_uri] = run_page(path, work)
            base = pathlib.PurePosixPath(src_uri).parent
            for svg in sorted((work / FIGURES).rglob("*")):
                if svg.is_file():
                    uri = str(base / svg.relative_to(work).as_posix())
                    if uri in figures:
                        raise ValueError(f"two pages write the figure {uri}")
                    figures[uri] = svg.read_bytes()
    # The Design page's picture of the floors, drawn from the source now.
    figures[f"{FIGURES}/floors.svg"] = floors.svg()
    return figures


def on_files(files, config):
    pages = [(p.src_uri, pathlib.Path(p.abs_src_path)) for p in files.documentation_pages()]
    drawn = draw_figures(pages)
    # The site shows what was drawn now, never a committed copy (a stale copy, or one no
    # example draws any more, is the test suite's to report).
    for committed in list(files):
        if FIGURES in pathlib.PurePosixPath(committed.src_uri).parts[:-1]:
            files.remove(committed)
    for uri, content in drawn.items():
        files.append(File.generated(config, uri, content=content))
    return files


#: A line of a page replaced by the table of every op, made from the rule table now.
OP_TABLE = "<!-- the op table, generated from autograd.rules.RULES when the site is built -->"


def on_page_markdown(markdown, page, config, files):
    if OP_TABLE in markdown:
        from autograd.rules import op_table

        markdown = markdown.replace(OP_TABLE, op_table())
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
    return "".join(lines)


def _all_prints_checked(block) -> bool:
    # Output that the example's own comments already show, and the tests check, is not
    # repeated under it.
    n_prints = sum(1 for line in block.code.splitlines() if line.lstrip().startswith("print("))
    return n_prints == len(block.expected_prints())


def main() -> None:
    """``make figures``: redraw the committed copies in docs/figures/ (and drop stale ones)."""
    docs = ROOT / "docs"
    pages = [(p.relative_to(docs).as_posix(), p) for p in sorted(docs.rglob("*.md"))]
    figures = draw_figures(pages)
    target = docs / FIGURES
    for old in target.glob("*") if target.is_dir() else []:
        if f"{FIGURES}/{old.name}" not in figures:
            old.unlink()
            print(f"removed {old.relative_to(ROOT)}")
    for uri, content in sorted(figures.items()):
        path = docs / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != content:
            path.write_bytes(content)
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
