"""The Alice graph shown in the README is the one `make demo` draws, not a stale copy.

Graphviz versions place nodes differently, so what is compared is what the picture
says: every text (labels, data, grads, local derivatives), the edges, and which nodes
and edges are highlighted.
"""

import pathlib
import xml.etree.ElementTree as ET

from demos import alice

ROOT = pathlib.Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "images" / "alice_graph.svg"
NS = "{http://www.w3.org/2000/svg}"


def content(path: pathlib.Path) -> dict:
    root = ET.parse(path).getroot()
    groups = {}
    for g in root.iter(f"{NS}g"):
        kind = g.get("class")
        if kind not in ("node", "edge"):
            continue
        title = g.findtext(f"{NS}title")
        texts = tuple(t.text for t in g.iter(f"{NS}text"))
        colours = tuple(sorted({e.get("stroke") for e in g.iter() if e.get("stroke")}))
        groups[(kind, title)] = (texts, colours)
    return groups


def test_the_readme_shows_the_graph_make_demo_draws(tmp_path):
    alice.worked_example(out=tmp_path, echo=lambda *args: None)
    drawn = content(tmp_path / "alice_graph.svg")
    assert drawn, "the demo drew no nodes"
    assert content(COMMITTED) == drawn, (
        "docs/images/alice_graph.svg is stale: run `make demo` and copy "
        "out/alice_graph.svg over it")


def test_the_readme_embeds_it():
    assert "](docs/images/alice_graph.svg)" in (ROOT / "README.md").read_text()
