"""The README's Python examples run, and print what their comments say.

Convention (see tests/markdown_blocks.py): a line ``print(...)  # text`` must print
exactly ``text``.
"""

import pathlib

import pytest
from markdown_blocks import python_blocks, run_block

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_BLOCKS = python_blocks(README.read_text())


def test_readme_has_examples():
    assert README_BLOCKS, "README.md should show Python examples"


@pytest.mark.parametrize("index", range(len(README_BLOCKS)))
def test_readme_block_runs_and_prints_its_comments(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_block(README_BLOCKS[index], {"__name__": "__readme__"}, README.name)
