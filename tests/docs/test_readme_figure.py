"""The Alice graph shown in the README is the one `make demo` draws, not a stale copy.

Graphviz versions place nodes differently, so what is compared is what the picture
says: every text (labels, data, grads, local derivatives), the edges, and which nodes
and edges are highlighted.
"""

import pathlib
import xml.etree.ElementTree as ET

from oracles import NS, svg_content

from demos import alice

ROOT = pathlib.Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "images" / "alice_graph.svg"


def test_the_readme_shows_the_graph_make_demo_draws(tmp_path):
    alice.worked_example(out=tmp_path, echo=lambda *args: None)
    drawn = svg_content(tmp_path / "alice_graph.svg")
    assert drawn, "the demo drew no nodes"
    assert svg_content(COMMITTED) == drawn, (
        "docs/images/alice_graph.svg is stale: run `make demo` and copy "
        "out/alice_graph.svg over it")


def test_it_is_readable_at_readme_width():
    # At most 1000 pt wide, drawn at its natural size (no scaling that would shrink the
    # text), with text of normal size, still showing every number.
    root = ET.parse(COMMITTED).getroot()
    width = float(root.get("width").removesuffix("pt"))
    assert width <= 1000
    view = [float(v) for v in root.get("viewBox").split()]
    assert abs(view[2] - width) <= 1.5  # 1 unit = 1 pt: nothing scaled down
    sizes = {float(t.get("font-size")) for t in root.iter(f"{NS}text")}
    assert min(sizes) >= 10
    texts = [text for kind, title in svg_content(COMMITTED) if kind == "node"
             for text in svg_content(COMMITTED)[(kind, title)][0]]
    for expected in ("w1", "x1", "data -2", "ypred = sigmoid", "L = **2", "grad 1"):
        assert expected in texts
    edge_labels = [t for (kind, _), (ts, _) in svg_content(COMMITTED).items() if kind == "edge"
                   for t in ts]
    edges = [key for key in svg_content(COMMITTED) if key[0] == "edge"]
    assert len(edge_labels) == len(edges)  # a local derivative on every edge


def test_the_readme_embeds_it():
    assert "](docs/images/alice_graph.svg)" in (ROOT / "README.md").read_text()
