"""The answer key the quiz embeds: right values (against sympy) and the slips for each."""

import math

import pytest
import sympy as sp
from oracles import two_paths

from autograd import Value, explore, sigmoid
from autograd.cli import main
from autograd.diagnose import KINDS, GraphEval, answer_key, chain_text, quiz_data


def test_answer_key_values_against_sympy():
    X, Y = sp.symbols("x y")
    Ls = (X * Y) * (X * Y + X)
    at = {X: 2, Y: 3}
    key = {e["name"]: e for e in answer_key(two_paths())}
    assert [e["name"] for e in answer_key(two_paths())][0] == "L"  # backward order
    assert key["x"]["grad"]["value"] == pytest.approx(float(sp.diff(Ls, X).subs(at)))
    assert key["y"]["grad"]["value"] == pytest.approx(float(sp.diff(Ls, Y).subs(at)))
    assert key["L"]["value"]["value"] == pytest.approx(float(Ls.subs(at)))
    kinds = {m["kind"] for m in key["x"]["grad"]["mistakes"]}
    assert kinds <= set(KINDS)
    # the three paths from L to x contribute 24 (via u), 18 (via v, u) and 6 (via v)
    missing = sorted(m["value"] for m in key["x"]["grad"]["mistakes"]
                     if m["kind"] == "missing_path")
    assert missing == pytest.approx([48 - 24, 48 - 18, 48 - 6])
    sign = [m for m in key["x"]["grad"]["mistakes"] if m["kind"] == "sign"]
    assert sign[0]["value"] == -48.0
    assert all(m["value"] != key["x"]["grad"]["value"] for m in key["x"]["grad"]["mistakes"])


def test_pre_activation_slip_of_the_sigmoid():
    z = Value(0.5, label="z")
    h = sigmoid(z)
    h.label = "h"
    key = {e["name"]: e for e in answer_key(h)}
    pre = [m["value"] for m in key["z"]["grad"]["mistakes"] if m["kind"] == "pre_activation"]
    assert pre == [pytest.approx(0.5 * (1 - 0.5))]  # z*(1 - z) instead of h*(1 - h)
    s = 1 / (1 + math.exp(-0.5))
    assert key["z"]["grad"]["value"] == pytest.approx(s * (1 - s))


def test_not_finite_values_are_left_out():
    x = Value(-1.0, label="x")
    y = x.log()
    y.label = "y"
    key = {e["name"]: e for e in answer_key(y)}
    assert key["y"]["value"]["value"] is None and key["y"]["value"]["mistakes"] == []


def test_chain_text_sums_paths_by_their_local_derivatives():
    g = GraphEval(two_paths(), None, None)
    x = g.by_name["x"]
    assert chain_text(g, g.root_index, x) == "dL/dx = v * y + u * y + u"


def test_quiz_data_asks_in_the_engines_order():
    backward = quiz_data(two_paths())
    assert [i["answer"]["target"] for i in backward["items"]] == \
        ["dL/dv", "dL/du", "dL/dy", "dL/dx"]  # the root's own gradient is not asked
    forward = quiz_data(two_paths(), "forward")
    assert [i["answer"]["target"] for i in forward["items"]] == ["u", "v", "L"]
    assert forward["items"][1]["shown"] == "8"
    with pytest.raises(ValueError, match="quiz must be"):
        quiz_data(two_paths(), "sideways")


def test_explore_quiz_option(tmp_path):
    page = explore(two_paths(), quiz=True).html
    assert '"mode":"backward"' in page and 'id="quiz"' not in page  # built by the script
    assert '"quiz":null' in explore(two_paths()).html
    with pytest.raises(ValueError, match="quiz must be"):
        explore(two_paths(), quiz="yes")
    path = tmp_path / "q.html"
    assert main(["explore", "y = x*x + x", "--set", "x=2", "-o", str(path),
                 "--quiz", "forward"]) == 0
    assert '"mode":"forward"' in path.read_text(encoding="utf-8")


def test_a_node_is_written_as_its_rule_writes_it():
    """The diagnoser's formulas ask the rule: an op whose expr is one operator between
    its inputs is written infix (a primitive registered now too), others as calls; and
    whether an op is an activation is its rule's ``activation``, read when asked."""
    from autograd.diagnose import is_activation, node_formula
    from autograd.engine import new_node
    from autograd.rules import registered

    with registered("minus", 2, lambda ctx, a, b: a - b,
                    lambda m, out, ctx, a, b: (1.0, -1.0), "1", "-1", expr="a - b",
                    activation=True):
        x, y = Value(3.0, label="x"), Value(1.0, label="y")
        d = new_node(2.0, (x, y), "minus")
        L = d * d
        L.label = "L"
        g = GraphEval(L, False, None)
        assert node_formula(g, g.index[id(d)]) == "x - y"
        assert node_formula(g, g.root_index) == "(x - y)*(x - y)"
        assert is_activation("minus") and g.activation_ops() == ["minus"]
    assert not is_activation("minus") and is_activation("tanh") and not is_activation("mul")
    g = GraphEval((Value(2.0, label="a") ** Value(3.0, label="b")).exp(), False, None)
    assert node_formula(g, g.root_index) == "exp(a**b)"  # powv: its expr is a**b
