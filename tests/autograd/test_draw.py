"""draw() and render(): structure, numbers, determinism, both layout paths, guards.

Oracles: numbers computed here with :mod:`math` and central finite differences of the
rule table's forward functions; the golden DOT file's numbers are checked by hand in
``test_golden_numbers_by_hand``.
"""

import math
import os
import pathlib
import re
import stat
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

from autograd import RULES, GraphTooLargeError, Value, dot, draw, draw_dot, render

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden" / "tanh_graph.dot"
SVG = "{http://www.w3.org/2000/svg}"
MICROGRAD = dict(rankdir="LR", op_nodes=True)  # micrograd's style: op nodes, left to right


def tanh_graph():
    """y = tanh(x*w + x**2) at x = 2, w = -1, after backward."""
    x, w = Value(2.0, label="x"), Value(-1.0, label="w")
    y = (x * w + x**2).tanh()
    y.label = "y"
    y.backward()
    return x, w, y


def svg_texts(path):
    root = ET.parse(path).getroot()
    return [t.text for t in root.iter(f"{SVG}text")]


def svg_edges(path):
    root = ET.parse(path).getroot()
    return {g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")
            if g.get("class") == "edge"}


# --- DOT source -------------------------------------------------------------------------


def test_golden_dot_file():
    _, _, y = tanh_graph()
    assert draw(y, **MICROGRAD).source == GOLDEN.read_text()
    assert draw_dot(y).source == GOLDEN.read_text()


def test_golden_numbers_by_hand():
    # z = x*w + x^2 = -2 + 4 = 2; y = tanh(2); dy/dz = 1 - tanh(2)^2;
    # dy/dx = dy/dz * (w + 2x) = 3 dy/dz; dy/dw = dy/dz * x = 2 dy/dz.
    text = GOLDEN.read_text()
    dz = 1 - math.tanh(2.0) ** 2
    assert f"{{ y | data {math.tanh(2.0):.4g} | grad 1 }}" in text
    assert f"{{ x | data 2 | grad {3 * dz:.4g} }}" in text
    assert f"{{ w | data -1 | grad {2 * dz:.4g} }}" in text
    assert f"label={dz:.4g}" in text  # local derivative on the tanh edge
    assert "n1 -> o2 [label=2]" in text  # d(x*w)/dw = x = 2, on w's edge


def test_source_is_identical_across_processes():
    code = textwrap.dedent("""
        from autograd import Value, draw
        x, w = Value(2.0, label="x"), Value(-1.0, label="w")
        y = (x * w + x**2).tanh(); y.label = "y"; y.backward()
        print(draw(y, rankdir="LR", op_nodes=True).source, end="")
    """)
    outputs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outputs.add(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                   capture_output=True, text=True).stdout)
    assert outputs == {GOLDEN.read_text()}


def test_node_ids_follow_topological_order_not_id():
    _, _, y = tanh_graph()
    ids = re.findall(r"^\s*(n\d+) \[", draw(y).source, re.M)
    assert ids == [f"n{i}" for i in range(len(ids))]


@pytest.mark.parametrize("op_nodes", [False, True])
def test_edge_labels_are_local_derivatives(op_nodes):
    a, b = Value(0.7, label="a"), Value(1.3, label="b")
    y = ((a * b).sigmoid() + (a ** 3) + (b.log() - a.exp()) * a.sin() + abs(b) ** a).cos()
    source = draw(y, number_format=".12g", op_nodes=op_nodes).source
    into = "o" if op_nodes else "n"
    nodes = re.findall(r"^\s*n(\d+) \[", source, re.M)
    from autograd import topological_order

    order = topological_order(y)
    assert len(nodes) == len(order)
    checked = 0
    for i, node in enumerate(order):
        for k, child in enumerate(node.inputs):
            xs = [c.data for c in node.inputs]
            hi, lo = list(xs), list(xs)
            hi[k] += 1e-6
            lo[k] -= 1e-6
            r = RULES[node.op]
            numeric = (r.forward(node.ctx, *hi) - r.forward(node.ctx, *lo)) / 2e-6
            child_id = next(j for j, n in enumerate(order) if n is child)  # identity, not ==
            labels = re.findall(rf"n{child_id} -> {into}{i} \[label=\"?([-\d.e+]+)", source)
            assert any(math.isclose(float(lab), numeric, rel_tol=1e-5, abs_tol=1e-7)
                       for lab in labels), (node.op, k, labels, numeric)
            checked += 1
    assert checked >= 15


def test_without_edge_derivatives_no_edge_labels():
    _, _, y = tanh_graph()
    assert "label=" not in "".join(line for line in draw(y, edge_derivatives=False)
                                   .source.splitlines() if "->" in line)


def test_highlight_marks_exactly_the_paths_to_the_node():
    _, w, y = tanh_graph()
    source = draw(y, highlight=w, **MICROGRAD).source
    red_values = set(re.findall(r"^\s*(n\d+) \[[^\]]*color=red", source, re.M))
    # w feeds x*w (n2), then the sum (n4), then y (n5); x and x**2 are off the path.
    assert red_values == {"n1", "n2", "n4", "n5"}
    red_edges = set(re.findall(r"^\s*(\w+ -> \w+) \[[^\]]*color=red", source, re.M))
    assert red_edges == {"n1 -> o2", "o2 -> n2", "n2 -> o4", "o4 -> n4", "n4 -> o5",
                         "o5 -> n5"}


def test_focus_draws_only_what_feeds_the_node():
    x, w = Value(2.0, label="x"), Value(-1.0, label="w")
    p = x * w
    p.label = "p"
    y = (p + x**2).tanh()
    source = draw(y, focus=p, **MICROGRAD).source
    labels = re.findall(r"\{ (\w+) \|", source)
    assert labels == ["x", "w", "p"]
    assert "tanh" not in source


def test_labels_with_record_characters_are_escaped(tmp_path, monkeypatch):
    x = Value(1.0, label='a{b}|<c> "d"')
    y = x * 2.0
    monkeypatch.setenv("PATH", "")
    out = render(y, tmp_path / "g.svg")
    assert 'a{b}|<c> "d"' in svg_texts(out)


@pytest.mark.parametrize("bad, error", [
    (dict(rankdir="UP"), "rankdir"),
    (dict(number_format="%d"), "number_format"),
    (dict(highlight=Value(1.0)), "highlight"),
    (dict(focus=Value(1.0)), "focus"),
])
def test_bad_options_are_named(bad, error):
    _, _, y = tanh_graph()
    with pytest.raises(ValueError, match=error):
        draw(y, **bad)


def test_draw_needs_a_value():
    with pytest.raises(TypeError, match="Value"):
        draw(3.0)


# --- the max_nodes guard ------------------------------------------------------------------


def test_max_nodes_refuses_and_says_how_to_narrow():
    x = Value(0.5, label="x")
    y = x
    for _ in range(3000):
        y = y * 1.0001
    with pytest.raises(GraphTooLargeError, match=r"6001 value nodes.*focus=.*max_nodes"):
        draw(y)
    small = x * 2.0
    z = small + y
    assert "{ x |" in draw(z, focus=small).source
    assert draw(y, max_nodes=10_000).source.count("shape=record") == 6001


# --- render: both layout paths ----------------------------------------------------------


def test_render_svg_in_process_without_dot_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")  # no `dot`: pygraphviz's bundled Graphviz lays it out
    _, _, y = tanh_graph()
    out = render(y, tmp_path / "graph.svg", **MICROGRAD)
    assert out == tmp_path / "graph.svg"
    texts = svg_texts(out)
    dz = 1 - math.tanh(2.0) ** 2
    for expected in ["x", "w", "y", "data 2", "data -1", f"data {math.tanh(2.0):.4g}",
                     f"grad {3 * dz:.4g}", f"grad {2 * dz:.4g}", "tanh", "**2", "+", "*"]:
        assert expected in texts
    assert svg_edges(out) == {
        "n0->o2", "n1->o2", "o2->n2", "n0->o3", "o3->n3",
        "n2->o4", "n3->o4", "o4->n4", "n4->o5", "o5->n5",
    }


FAKE_DOT = """#!{python}
# A stand-in for Graphviz's `dot`: records its call, then lays out with pygraphviz.
import pathlib, sys
pathlib.Path({marker!r}).write_text(" ".join(sys.argv[1:]))
if {fail!r}:
    sys.stderr.write("syntax error in line 1")
    sys.exit(3)
import pygraphviz
sys.stdout.buffer.write(pygraphviz.AGraph(string=sys.stdin.read())
                        .draw(format=sys.argv[1][2:], prog="dot"))
"""


def fake_dot(directory, fail=False):
    marker = directory / "dot-was-called"
    exe = directory / "dot"
    exe.write_text(FAKE_DOT.format(python=sys.executable, marker=str(marker), fail=fail))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return marker


def test_render_uses_the_dot_executable_when_on_path(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    marker = fake_dot(bindir)
    monkeypatch.setenv("PATH", str(bindir))
    _, _, y = tanh_graph()
    out = render(y, tmp_path / "graph.svg", **MICROGRAD)
    assert marker.read_text() == "-Tsvg"
    assert "tanh" in svg_texts(out)


def test_a_failing_dot_raises_and_leaves_no_file(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake_dot(bindir, fail=True)
    monkeypatch.setenv("PATH", str(bindir))
    _, _, y = tanh_graph()
    target = tmp_path / "graph.svg"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="syntax error in line 1"):
        render(y, target)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "graph.svg"]


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_render_binary_formats(tmp_path, monkeypatch, suffix, magic):
    monkeypatch.setenv("PATH", "")
    _, _, y = tanh_graph()
    assert render(y, tmp_path / f"g{suffix}").read_bytes().startswith(magic)


def test_render_dot_writes_the_source(tmp_path):
    _, _, y = tanh_graph()
    assert render(y, tmp_path / "g.dot", **MICROGRAD).read_text() == GOLDEN.read_text()


def test_render_leaves_no_temporary_files(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    _, _, y = tanh_graph()
    render(y, tmp_path / "g.svg")
    render(y, tmp_path / "g.svg")  # overwriting is atomic too
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]


def test_render_rejects_unknown_suffix_and_missing_directory(tmp_path):
    _, _, y = tanh_graph()
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        render(y, tmp_path / "g.jpeg")
    with pytest.raises(FileNotFoundError, match="no directory"):
        render(y, tmp_path / "missing" / "g.svg")


def test_without_dot_and_pygraphviz_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # makes the import fail
    _, _, y = tanh_graph()
    with pytest.raises(RuntimeError, match="no `dot` program on PATH.*pygraphviz"):
        render(y, tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()
    render(y, tmp_path / "g.dot")  # DOT source needs no layout engine


# --- what draw() returns shows itself, with no system Graphviz ----------------------------


def test_a_notebook_displays_the_drawing_without_dot(monkeypatch):
    formatters = pytest.importorskip("IPython.core.formatters")
    monkeypatch.setenv("PATH", "")
    _, _, y = tanh_graph()
    for drawing in (draw(y), draw_dot(y)):
        data, _ = formatters.DisplayFormatter().format(drawing)
        svg = data["image/svg+xml"]
        root = ET.fromstring(svg.encode())
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert f"grad {3 * (1 - math.tanh(2.0) ** 2):.4g}" in texts  # x's grad, by hand
        assert "x" in texts


def test_pipe_and_render_methods_work_without_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    _, _, y = tanh_graph()
    g = draw(y)
    assert g.pipe(format="svg").startswith(b"<?xml")
    assert g.pipe(format="svg", encoding="utf-8").startswith("<?xml")
    assert g.pipe(format="png").startswith(b"\x89PNG")
    out = g.render(tmp_path / "graph", format="svg")
    assert out == str(tmp_path / "graph.svg") and "data 2" in svg_texts(out)
    assert (tmp_path / "graph").read_text() == g.source  # the source is saved, as graphviz does
    png = g.render(outfile=tmp_path / "g.png")
    assert pathlib.Path(png).read_bytes().startswith(b"\x89PNG")
    assert g._repr_mimebundle_(include=["image/png"]).keys() == {"image/png"}


def test_render_without_a_path_returns_the_svg(monkeypatch):
    monkeypatch.setenv("PATH", "")
    _, w, y = tanh_graph()
    svg = render(y, highlight=w, op_nodes=True)
    assert isinstance(svg, str) and svg.startswith("<?xml")
    root = ET.fromstring(svg.encode())
    assert "tanh" in [t.text for t in root.iter(f"{SVG}text")]  # an op node of its own


def test_draw_dot_is_micrographs_signature():
    _, _, y = tanh_graph()
    g = draw_dot(y, format="png", rankdir="TB")
    assert g.format == "png" and "rankdir=TB" in g.source and "o5 [label=tanh" in g.source
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(y, rankdir="XY")


def test_the_default_puts_the_op_in_the_values_record():
    _, _, y = tanh_graph()
    source = draw(y).source
    assert "rankdir=TB" in source and "o5" not in source
    assert '{ y = tanh | data 0.964 | grad 1 }' in source
    assert "n4 -> n5 [label=0.07065]" in source  # dy/dz = 1 - tanh(2)^2, on z's edge
    assert f"{1 - math.tanh(2.0) ** 2:.4g}" == "0.07065"


@pytest.mark.parametrize("option, error", [
    (dict(max_nodes="5"), TypeError),
    (dict(max_nodes=2.5), TypeError),
    (dict(max_nodes=True), TypeError),
    (dict(max_nodes=0), ValueError),
    (dict(max_edges="9"), TypeError),
    (dict(op_nodes="yes"), TypeError),
    (dict(edge_derivatives=1), TypeError),
    (dict(layout_timeout="5"), TypeError),
    (dict(layout_timeout=-1), ValueError),
    (dict(layout_timeout=math.inf), ValueError),
    (dict(number_format=4), TypeError),
    (dict(collapse="neurons"), ValueError),
])
def test_bad_option_types_are_named_at_the_boundary(option, error):
    _, _, y = tanh_graph()
    (name,) = option
    for call in (draw, render):
        with pytest.raises(error, match=name):
            call(y, **option)


@pytest.mark.parametrize("inputs, shown", [
    ([1e308, 1.7e308], "Σ inf ×2"),  # the true sum, 2.7e308, is past the largest float
    ([math.inf, -math.inf], "Σ nan ×2"),  # IEEE: inf - inf is nan
])
def test_merged_edges_whose_sum_overflows_show_ieee_not_a_traceback(inputs, shown):
    # x feeds one dot twice with different partials (the two inputs it is multiplied by),
    # so the two edges merge into one labelled with their sum; math.fsum raised here.
    x = Value(1.0, label="x")
    z = dot([x, x], inputs)
    z.label = "z"
    assert shown in draw(z).source


@pytest.mark.parametrize("label, shown", [("a\x00b", "NUL ('\\x00', U+0000 at position 1)"),
                                          ("x\udc80", "a lone surrogate ('\\udc80', U+DC80")])
def test_undrawable_labels_are_refused_naming_the_character(label, shown):
    # Was a LayoutError with pygraphviz's traceback, or a bare UnicodeEncodeError
    # (issue 17, item 13).  Our Value refuses such a label where it is set
    # (tests/autograd/test_engine_bad_input.py); a learner's micrograd-style node holds
    # anything, and reaches the drawing all the same.
    from autograd import explore, render

    class Learners:
        def __init__(self, data, kids=(), op="", label=""):
            self.data, self.grad, self._prev, self._op, self.label = \
                data, 0.0, tuple(kids), op, label

    x = Learners(1.5, label=label)
    y = Learners(2.25, (x, x), "*")
    for show in (draw, render, explore):
        with pytest.raises(ValueError, match="label") as e:
            show(y)
        assert shown in str(e.value)


@pytest.mark.parametrize("name, shown", [("a\x00b", "NUL ('\\x00', U+0000 at position 1)"),
                                         ("x\udc80", "a lone surrogate ('\\udc80', U+DC80")])
def test_undrawable_names_are_refused_naming_the_character(name, shown):
    from autograd import explore, render

    x = Value(1.5, label="x")
    y = x * x
    for show in (draw, render, explore):
        with pytest.raises(ValueError, match="name") as e:
            show(y, names={x: name})
        assert shown in str(e.value)


def test_an_op_without_a_rule_draws_its_partials_as_unknown():
    # A learner's node whose op has no rule (issue 18): drawn, its local derivative "?".
    from autograd import explore

    x = Value(1.5, label="x")
    y = x * 2.0
    y._op = "mystery"  # as a foreign node arrives: an op the rule table does not know
    source = draw(y).source
    assert "mystery" in source and "label=\"?\"" in source.replace("label=?", 'label="?"')
    assert draw(y).pipe(format="svg", encoding="utf-8").count("?") >= 2
    page = explore(y).html
    assert '"partial":"?"' in page


def test_an_op_is_drawn_by_its_rules_symbol_not_by_its_name():
    from autograd.engine import new_node
    from autograd.rules import registered

    def drawn(data, inputs, op, ctx=None) -> str:
        y = new_node(data, inputs, op, ctx)
        y.label = "y"
        return draw(y).source

    a, b = Value(5.0, label="a"), Value(3.0, label="b")
    with registered("minus", 2, lambda ctx, x, y: x - y, lambda m, out, ctx, x, y: (1.0, -1.0),
                    "1", "-1", symbol=" - "):
        assert "{ y = - | data 2 |" in drawn(2.0, (a, b), "minus")
    with registered("scaled", 1, lambda k, x: k * x, lambda m, out, k, x: (k,), "k",
                    ctx_names=("k",), symbol="*"):  # its constant is the right operand
        assert "{ y = *3 | data 15 |" in drawn(15.0, (a,), "scaled", 3.0)
    with registered("minus", 2, lambda ctx, x, y: x - y, lambda m, out, ctx, x, y: (1.0, -1.0),
                    "1", "-1"):  # no symbol: drawn by its name
        assert "{ y = minus | data 2 |" in drawn(2.0, (a, b), "minus")
