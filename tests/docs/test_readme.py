"""The README's Python examples run, and print what their comments say.

Convention (see tests/markdown_blocks.py): a line ``print(...)  # text`` must print
exactly ``text``.
"""

import pathlib

import pytest
from markdown_blocks import python_blocks, run_block

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
README_BLOCKS = python_blocks(README.read_text())


def test_readme_has_examples():
    assert README_BLOCKS, "README.md should show Python examples"


@pytest.mark.parametrize("index", range(len(README_BLOCKS)))
def test_readme_block_runs_and_prints_its_comments(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_block(README_BLOCKS[index], {"__name__": "__readme__"}, README.name)


def _drawn_texts(svg: str) -> list:
    import re
    return sorted(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def test_the_alice_example_needs_no_labels(tmp_path, monkeypatch):
    # Issue 19, part 3: the README's Alice example sets no `.label`; named after its
    # variables, it draws and explains exactly as the labelled graph does.
    from autograd import Value, explain, render, sigmoid

    block = next(b for b in README_BLOCKS if "explain(L, w1)" in b.code)
    assert ".label" not in block.code and "label=" not in block.code
    monkeypatch.chdir(tmp_path)
    scope = {"__name__": "__readme__"}
    run_block(block, scope, README.name)
    w = [Value(1.0, label=f"w{i}") for i in range(1, 7)]
    b = [Value(0.0, label=f"b{i}") for i in range(1, 4)]
    x1, x2 = Value(-2.0, label="x1"), Value(-1.0, label="x2")
    h1 = sigmoid(w[0] * x1 + w[1] * x2 + b[0])
    h2 = sigmoid(w[2] * x1 + w[3] * x2 + b[1])
    ypred = sigmoid(w[4] * h1 + w[5] * h2 + b[2])
    L = (1 - ypred) ** 2
    for node, label in ((h1, "h1"), (h2, "h2"), (ypred, "ypred"), (L, "L")):
        node.label = label
    L.backward()
    assert str(scope["e"]) == str(explain(L, w[0]))
    labelled = render(L, highlight=w[0], names=False)
    assert _drawn_texts((tmp_path / "alice.svg").read_text()) == _drawn_texts(labelled)
