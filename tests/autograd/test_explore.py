"""``autograd.explore``: the page's numbers, its markup contract, and that it is one file.

Oracles: the reference document's Alice numbers (D4: dL/dw1 = (-0.952)(0.249)(-0.0904)
= 0.0214), central finite differences for every gradient, and graph facts worked out
here by hand.  The page itself is driven in a real browser in test_explore_browser.py.
"""

import html
import math
import pathlib
import re
import sys

import pytest
from oracles import DOC_LINE, alice, small_mlp_loss
from pages import data_nodes, page_data

import autograd
from autograd import Value, explore
from autograd.cli import main
from autograd.explore import backward_order
from demos.alice import NAMES


def test_alice_w1_chain_rule_is_the_documents():
    loss, v = alice()
    data = page_data(explore(loss).html)
    w1 = next(n for n in data["nodes"] if n["key"] == "w1")
    assert w1["explain"]["equation"] == DOC_LINE
    assert "dh1/dw1 = h1*(1 - h1) * x1 = -0.0904" in w1["explain"]["where"]


def test_every_value_node_carries_its_name():
    loss, _ = alice()
    order = autograd.topological_order(loss)
    page = explore(loss).html
    expected = [n.label or f"#{i}" for i, n in enumerate(order)]
    assert sorted(data_nodes(page)) == sorted(expected)
    # Alice's graph: 9 parameters, 2 inputs, h1, h2, ypred, L, and unlabelled
    # intermediates (products, sums, the constants 1 and -1) named by their index.
    assert {"w1", "b3", "x2", "h1", "ypred", "L"} <= set(expected)
    assert "#0" in expected  # the constant 1 of (1 - ypred) comes first
    assert 'id="details"' in page


def finite_difference(loss_of, leaf, h=1e-6):
    x = leaf.data
    leaf.data = x + h
    up = loss_of()
    leaf.data = x - h
    down = loss_of()
    leaf.data = x
    return (up - down) / (2 * h)


def test_gradients_are_the_engines_and_match_finite_differences():
    loss, v = alice()
    order = autograd.topological_order(loss)
    data = page_data(explore(loss).html)
    engine = autograd.grad(loss, order)
    for entry, g in zip(data["nodes"], engine):
        assert float(entry["gradExact"]) == g  # the same accumulation, bit for bit

    def recompute():
        # A fresh forward pass over the same graph: each node from its inputs.
        vals = {}
        for node in order:
            if node.is_leaf:
                vals[node] = node.data
            else:
                rule = autograd.RULES[node.op]
                vals[node] = rule.forward(node.ctx, *[vals[c] for c in node.inputs])
        return vals[loss]

    for name in NAMES + ("x1", "x2"):
        entry = next(n for n in data["nodes"] if n["key"] == name)
        fd = finite_difference(recompute, v[name])
        assert float(entry["gradExact"]) == pytest.approx(fd, rel=1e-6, abs=1e-9), name


def test_backward_steps_follow_the_engine_and_add_up():
    loss, _ = alice()
    order = autograd.topological_order(loss)
    data = page_data(explore(loss).html)
    assert [s["node"] for s in data["backward"]] == list(range(len(order)))[::-1]
    assert backward_order(loss) == order[::-1]
    assert data["forward"] == list(range(len(order)))
    # Every node's gradient is the sum of the shares its users pass down.
    for i, entry in enumerate(data["nodes"]):
        if i == data["root"]:
            continue
        shares = [float(t["share"]) for t in entry["terms"]]
        assert math.fsum(shares) == pytest.approx(float(entry["gradExact"]), rel=1e-3,
                                                  abs=1e-6)
    # A node is final before any of its inputs are (they are below it).
    position = {s["node"]: k for k, s in enumerate(data["backward"])}
    for i, entry in enumerate(data["nodes"]):
        for inp in entry["inputs"]:
            assert position[i] < position[inp["node"]]


def test_local_derivatives_come_from_the_rule_table():
    loss, v = alice()
    data = page_data(explore(loss).html)
    h1 = next(n for n in data["nodes"] if n["key"] == "h1")
    (edge,) = h1["inputs"]
    assert edge["table"] == autograd.RULES["sigmoid"].formula[0]
    h = 1 / (1 + math.exp(3.0))  # h1 = sigmoid(-3)
    assert float(edge["partial"]) == pytest.approx(h * (1 - h), rel=1e-3)
    w1 = next(i for i, n in enumerate(data["nodes"]) if n["key"] == "w1")
    (user,) = data["nodes"][w1]["users"]
    mul = data["nodes"][user]
    assert mul["op"] == "mul"
    assert [i["table"] for i in mul["inputs"]] == ["b", "a"]
    # d(w1 * x1)/dw1 = x1 = -2, d(w1 * x1)/dx1 = w1 = 1
    assert [(i["formula"], i["partial"]) for i in mul["inputs"]] == [("x1", "-2"), ("w1", "1")]


def test_the_page_is_one_offline_file(tmp_path):
    loss, v = alice()
    path = tmp_path / "alice.html"
    result = explore(loss, path, highlight=v["w1"])
    page = path.read_text(encoding="utf-8")
    assert page == result.html and result.path == path
    assert len(page.encode()) < 1_000_000
    # No URL the browser could fetch: the only http text is the SVG's XML namespaces.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert not re.search(r"\b(src|href)\s*=", page.replace("xlink:href", ""))
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # and the browser is told to refuse any fetch
    order = autograd.topological_order(loss)
    w1 = next(i for i, n in enumerate(order) if n is v["w1"])  # identity: == compares values
    assert page_data(page)["selected"] == w1


def test_explore_leaves_the_graph_as_it_was():
    loss, v = alice()
    order = autograd.topological_order(loss)
    before = [(n.label, n.grad, n.data) for n in order]
    explore(loss)
    assert [(n.label, n.grad, n.data) for n in order] == before  # grads 0: not run


def test_unlabelled_nodes_are_explained_by_their_page_name():
    x = Value(3.0)
    y = (x * x).tanh()
    data = page_data(explore(y, names=False).html)  # labels only: no variable names
    assert [n["key"] for n in data["nodes"]] == ["#0", "#1", "#2"]
    eq = data["nodes"][0]["explain"]["equation"]
    # d tanh(x^2)/dx = (1 - tanh(9)^2) * 2x, through two uses of x
    assert eq.startswith("d#2/d#0 = d#2/d#0 + d#2/d#0")
    assert float(data["nodes"][0]["gradExact"]) == pytest.approx(
        (1 - math.tanh(9.0) ** 2) * 6.0, rel=1e-12)
    assert x.label == "" and y.label == ""


def test_unlabelled_nodes_are_named_after_the_callers_variables():
    # Issue 19, part 3: no `.label =` lines needed; nothing is written onto the nodes.
    x = Value(3.0)
    h = x * x
    y = h.tanh()
    data = page_data(explore(y).html)
    assert [n["key"] for n in data["nodes"]] == ["x", "h", "y"]
    assert data["nodes"][0]["explain"]["equation"].startswith("dy/dx = dy/dh * dh/dx")
    assert (x.label, h.label, y.label) == ("", "", "")
    # A leaf named by a variable is an input of the page (the panel says so), not a
    # constant; an unnamed leaf (the 2 of 2*y) stays a constant.
    z = 2 * y
    nodes = page_data(explore(z).html)["nodes"]
    assert [(n["key"], n["label"], n["leaf"]) for n in nodes if n["leaf"]] == \
        [("#0", "", True), ("x", "x", True)]
    assert page_data(explore(z, names=False).html)["nodes"][1]["label"] == ""


def test_a_quiz_hides_gradients_without_calling_them_stale():
    x = Value(3.0)
    y = x * x
    assert page_data(explore(y).html)["notice"].startswith("backward() has not run")
    assert page_data(explore(y, quiz=True).html)["notice"] is None


def test_user_text_cannot_break_the_page():
    a = Value(1.0, label='<script>alert("x")</script>')
    b = Value(2.0, label="</script><b>&amp;")
    y = a * b
    y.label = 'y" onclick="alert(1)'
    page = explore(y).html
    assert "<script>alert" not in page and "</script><b>" not in page
    assert 'onclick="alert' not in page
    assert sorted(data_nodes(page)) == sorted([a.label, b.label, y.label])
    assert {n["label"] for n in page_data(page)["nodes"]} == {a.label, b.label, y.label}


@pytest.mark.parametrize("x", [0.0, -0.0, 1e-300, 1e300, math.inf, -math.inf, math.nan])
def test_edge_values_make_a_valid_page(x):
    v = Value(x, label="v")
    y = v.exp() * v
    y.label = "y"
    data = page_data(explore(y).html)  # strict JSON: no NaN or Infinity tokens
    entry = data["nodes"][0]
    assert entry["dataExact"] == repr(x)
    (g,) = autograd.grad(y, [v])
    assert entry["gradExact"] == repr(g)


def test_a_single_leaf():
    x = Value(2.0, label="x")
    data = page_data(explore(x).html)
    assert data["nodes"][0]["explain"]["equation"] == "dx/dx = 1"
    assert data["backward"] == [{"node": 0, "grad": "1", "adds": [], "flows": {}}]


def test_bad_input_is_named(tmp_path):
    loss, _ = alice()
    with pytest.raises(TypeError,
                       match="explore\\(\\) needs a Value or a micrograd-style node, got float"):
        explore(1.0)
    with pytest.raises(ValueError, match="highlight .* is not part of the graph"):
        explore(loss, highlight=Value(1.0))
    with pytest.raises(TypeError, match="highlight must be a Value"):
        explore(loss, highlight="w1")
    with pytest.raises(FileNotFoundError, match="no directory"):
        explore(loss, tmp_path / "missing" / "x.html")
    with pytest.raises(autograd.GraphTooLargeError, match="31 values, more than max_nodes=10"):
        explore(loss, max_nodes=10)
    with pytest.raises(autograd.GraphTooLargeError, match="more than max_nodes=30"):
        explore(loss, collapse="layer", max_nodes=30)  # the page holds every value


ALICE = ("h1 = sigmoid(w1*x1 + w2*x2 + b1)\n"
         "h2 = sigmoid(w3*x1 + w4*x2 + b2)\n"
         "ypred = sigmoid(w5*h1 + w6*h2 + b3)\n"
         "L = (y - ypred)**2\n")
ALICE_SET = ["--set", "w1=1", "w2=1", "w3=1", "w4=1", "w5=1", "w6=1",
             "b1=0", "b2=0", "b3=0", "x1=-2", "x2=-1", "y=1"]


def test_the_command_writes_the_explorer(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "")  # no system Graphviz needed
    out = tmp_path / "graph.html"
    status = main(["explore", ALICE, *ALICE_SET, "-o", str(out), "--highlight", "w1"])
    stdout, stderr = capsys.readouterr()
    assert status == 0, stderr
    assert stdout == f"wrote {out} (open it in a browser)\n"
    data = page_data(out.read_text())
    selected = data["nodes"][data["selected"]]
    assert selected["key"] == "w1" and selected["explain"]["equation"] == DOC_LINE
    status = main(["explore", ALICE, *ALICE_SET, "-o", str(out), "--highlight", "nope"])
    _, stderr = capsys.readouterr()
    assert status == 2 and "--highlight 'nope' is not a name of the program" in stderr


def test_notebook_display_without_graphviz(monkeypatch):
    from IPython.core.formatters import DisplayFormatter

    monkeypatch.setenv("PATH", "")
    loss, v = alice()
    shown, _ = DisplayFormatter().format(explore(loss, highlight=v["w1"]))
    frame = shown["text/html"]
    # Sandboxed to scripts only: the page cannot reach the notebook (issue 17, item 2).
    assert frame.startswith('<iframe class="autograd-explorer" sandbox="allow-scripts" '
                            'srcdoc="')
    inner = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert inner.startswith("<!DOCTYPE html>")
    assert 'data-node="w1"' in inner and 'id="details"' in inner
    assert page_data(inner)["nodes"][0]["key"] == "#0"


def test_large_graphs_explain_labelled_nodes_only(monkeypatch):
    # (autograd.explore is the function; the module is reached through sys.modules)
    monkeypatch.setattr(sys.modules["autograd.explore"], "EXPLAIN_ALL_UP_TO", 3)
    loss, _ = alice()
    data = page_data(explore(loss).html)
    by_key = {n["key"]: n for n in data["nodes"]}
    assert by_key["w1"]["explain"]["equation"] == DOC_LINE
    assert by_key["#4"]["explain"] is None and by_key["#4"]["terms"]


ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["explorer_alice.png", "explorer_mlp.png",
                                  "explorer_mlp_expanded.png"])
def test_the_screenshots_are_committed_and_shown(name):
    # `make screenshots` (docs/screenshots.py) takes them in Chromium; the browser tests
    # take the same kind of picture on every run and check it is not blank.
    from PIL import Image

    image = Image.open(ROOT / "docs" / "images" / name)
    assert image.size == (1280, 800)
    assert f"](images/{name})" in (ROOT / "docs" / "drawing.md").read_text()
    if name == "explorer_alice.png":
        assert f"](docs/images/{name})" in (ROOT / "README.md").read_text()


def test_the_page_files_are_package_data():
    # A wheel without them would fail at explore(): pyproject.toml declares them.
    text = (ROOT / "pyproject.toml").read_text()
    for suffix in ("html", "js", "css"):
        assert f'"explorer/*.{suffix}"' in text
        assert (ROOT / "autograd" / "explorer" / f"explorer.{suffix}").is_file()


def test_collapsed_page_holds_the_boxes_and_the_full_graph():
    loss = small_mlp_loss()
    page = explore(loss, collapse="neuron").html
    data = page_data(page)
    drawn = autograd.draw(loss, collapse="neuron").members
    assert {b["name"]: b["members"] for b in data["boxes"]} == {
        name: sorted(m) for name, m in drawn.items()}
    assert len(data["boxes"]) == 7  # 3 + 3 + 1 neurons
    order = autograd.topological_order(loss)
    for box in data["boxes"]:
        out = order[box["output"]]
        assert out.op in ("tanh", "dot")  # the neuron's activation, or the linear output
        assert f'data-box="{box["name"]}"' in page
    # Two views; every value is in the full one, with its name.
    assert page.count('class="view" data-view=') == 2
    full = page[page.index('data-view="full"'):]
    assert sorted(data_nodes(full)) == sorted(n["key"] for n in data["nodes"])


def test_collapse_is_checked():
    loss = small_mlp_loss()
    with pytest.raises(ValueError, match="collapse must be"):
        explore(loss, collapse="module")


@pytest.mark.parametrize("inputs, flow", [
    ([1e308, 1.7e308], math.inf),  # the true sum, 2.7e308, is past the largest float
    ([math.inf, -math.inf], math.nan),  # IEEE: inf - inf is nan
])
def test_flows_that_overflow_are_ieee_numbers_not_a_traceback(inputs, flow):
    # x feeds one dot twice: what flows down its one drawn edge is the sum of two
    # contributions, which math.fsum refused to add.
    x = Value(1.0, label="x")
    z = autograd.dot([x, x], inputs)
    z.label = "z"
    data = page_data(explore(z).html)
    flows = [v for step in data["backward"] for v in step["flows"].values()]
    assert (str(flow) if flow == flow else "nan") in " ".join(flows)


def test_a_chain_of_one_factor_is_written_once():
    # Issue 19, part 3: was "dloss/d#2 = dloss/d#2 = (12) = 12".
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    loss = (x * w) ** 2
    loss.label = "loss"
    data = page_data(explore(loss, names=False).html)
    eq = data["nodes"][2]["explain"]["equation"]
    assert data["nodes"][2]["key"] == "#2"
    assert eq == "dloss/d#2 = 2*#2 = 12"  # d(t**2)/dt = 2t = 2*6, by hand


def test_a_forward_is_written_with_its_rules_symbol_not_by_its_name():
    from autograd.engine import new_node
    from autograd.rules import registered

    a, b = Value(5.0, label="a"), Value(3.0, label="b")
    with registered("minus", 2, lambda ctx, x, y: x - y, lambda m, out, ctx, x, y: (1.0, -1.0),
                    "1", "-1", symbol=" - "):
        y = new_node(2.0, (a, b), "minus")
        y.label = "y"
        assert page_data(explore(y).html)["nodes"][-1]["forward"] == "y = a - b = 2"
    with registered("scaled", 1, lambda k, x: k * x, lambda m, out, k, x: (k,), "k",
                    ctx_names=("k",), symbol="*"):
        y = new_node(15.0, (a,), "scaled", 3.0)
        y.label = "y"
        assert page_data(explore(y).html)["nodes"][-1]["forward"] == "y = a*3 = 15"
    # the built-in operators, the same way
    y = a * b + a**2
    y.label = "y"
    forwards = [n["forward"] for n in page_data(explore(y).html)["nodes"]]
    assert forwards[-1].startswith("y = ") and " + " in forwards[-1]
    assert any(f.endswith("= a * b = 15") for f in forwards)
    assert any(f.endswith("= a**2 = 25") for f in forwards)
