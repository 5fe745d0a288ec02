"""The answer key the quiz embeds: right values (against sympy) and the slips for each."""

import math
import re

import pytest
import sympy as sp
from oracles import BINARY, NARY, UNARY, build, two_paths

from autograd import Value, explore, sigmoid
from autograd.cli import main
from autograd.diagnose import KINDS, GraphEval, answer_key, chain_text, quiz_data
from autograd.diagnose.quiz import chain, local_second_partials


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


# --- what the quiz follows a learner's own numbers with (diagnose.quiz.chain) ----------------


def test_backward_chain_is_the_chain_rule_against_sympy():
    """dL/dx = sum over x's users u of du/dx * dL/du: the local derivatives against sympy,
    the sum against sympy's dL/dx (L = u*v, u = x*y, v = u + x at x=2, y=3)."""
    X, Y, U, V = sp.symbols("x y u v")
    at = {X: 2, Y: 3}
    items = {i["answer"]["target"]: i for i in quiz_data(two_paths())["items"]}
    terms = items["dL/dx"]["chain"]["terms"]
    assert items["dL/dx"]["chain"]["second"] is None  # backward: sums of products only
    u_at, v_at = (X * Y).subs(at), (X * Y + X).subs(at)
    # x's users in topological order: u = x*y, then v = u + x
    assert [t["partial"] for t in terms] == [float(sp.diff(X * Y, X).subs(at)),
                                              float(sp.diff(U + X, X))]
    assert [t["given"] for t in terms] == [float(sp.diff(U * V, U).subs({U: u_at, V: v_at})
                                                 + sp.diff(U * V, V).subs({U: u_at,
                                                                          V: v_at})),
                                           float(sp.diff(U * V, V).subs({U: u_at}))]
    total = sum(t["partial"] * t["given"] for t in terms)
    assert total == pytest.approx(float(sp.diff((X * Y) * (X * Y + X), X).subs(at)))


def test_a_node_used_twice_gives_two_terms():
    x = Value(1.5, label="x")
    y = x * x
    y.label = "y"
    (item,) = quiz_data(y)["items"]
    assert [t["partial"] for t in item["chain"]["terms"]] == [1.5, 1.5]  # d(a*b)/da, /db
    assert sum(t["partial"] * t["given"] for t in item["chain"]["terms"]) == 3.0


def test_forward_chain_and_second_partials_against_sympy():
    """The forward terms are the op's inputs and its local derivatives; the second
    partials are its Hessian (sympy), which makes a Taylor step exact for a product."""
    z_, a_, b_ = sp.symbols("z a b")
    z = Value(-3.0, label="z")
    h = sigmoid(z)
    h.label = "h"
    (item,) = quiz_data(h, "forward")["items"]
    s = 1 / (1 + sp.exp(-z_))
    (term,) = item["chain"]["terms"]
    assert term["given"] == -3.0
    assert term["partial"] == pytest.approx(float(sp.diff(s, z_).subs(z_, -3)), rel=1e-12)
    assert item["chain"]["second"] == [[pytest.approx(float(sp.diff(s, z_, 2).subs(z_, -3)),
                                                      rel=1e-12)]]
    items = quiz_data(two_paths(), "forward")["items"]
    L = items[-1]["chain"]
    assert L["second"] == [[float(sp.diff(a_ * b_, a_, a_)), float(sp.diff(a_ * b_, a_, b_))],
                           [float(sp.diff(a_ * b_, b_, a_)), float(sp.diff(a_ * b_, b_, b_))]]
    # the Taylor step from u = 6, v = 8 to u = -6, v = -4 lands on (-6)(-4) = 24
    off = [-12.0, -12.0]
    step = 48 + sum(t["partial"] * d for t, d in zip(L["terms"], off)) + sum(
        L["second"][j][k] * off[j] * off[k] / 2 for j in range(2) for k in range(2))
    assert step == 24.0


@pytest.mark.parametrize("op, at", [("tanh", 0.3), ("exp", -1.2), ("sqrt", 2.5),
                                    ("log", 0.7)])
def test_second_partials_against_finite_differences(op, at):
    node = getattr(Value(at), op)()
    first = getattr(math, op)
    h = 1e-4
    fd = (first(at + h) - 2 * first(at) + first(at - h)) / h ** 2
    assert local_second_partials(node, [at]) == [[pytest.approx(fd, rel=1e-5)]]


def test_no_chain_where_a_local_derivative_is_not_finite():
    x = Value(0.0, label="x")
    y = x.sqrt() + x
    y.label = "y"
    key = {e["name"]: e for e in answer_key(y)}
    assert key["x"]["grad"]["value"] is None  # d sqrt(x)/dx at 0 is inf: not asked
    g = GraphEval(y, None, None)
    assert chain(g, g.by_name["x"]) is None
    assert chain(g, g.by_name["x"], "forward") is None  # x is a leaf: no op to follow
    root = chain(g, g.root_index, "forward")  # y = sqrt(x) + x: an add, followed
    assert [t["partial"] for t in root["terms"]] == [1.0, 1.0]
    sqrt_at_0 = g.inputs[g.root_index][0]
    assert chain(g, sqrt_at_0, "forward") is None  # d sqrt(x)/dx at 0 is inf


def test_every_chain_against_finite_differences_of_the_forward_ops():
    """Over a graph of every op of the oracles' tables: each forward term's partial and
    each second partial against central differences of the op's forward on floats, and
    each backward chain sums to the answer (the chain rule)."""
    from autograd.rules import rule_of

    program = [("u", name, k) for k, name in enumerate(sorted(UNARY))]
    program += [("b", name, k, k + 3) for k, name in enumerate(sorted(BINARY))]
    program += [("n", name, [k, k + 2, k + 5, k + 7]) for k, name in enumerate(sorted(NARY))]
    root = build(program, [Value(v, label=f"x{i}") for i, v in enumerate((0.3, -0.7, 1.1))])
    g = GraphEval(root, None, None)
    h = 1e-4
    for i in range(g.root_index + 1):
        found = chain(g, i, "forward")
        if found is None:
            assert not g.inputs[i]
            continue
        node, xs = g.order[i], [g.base[c] for c in g.inputs[i]]

        def f(*moves, node=node, xs=xs):
            moved = list(xs)
            for k, d in moves:
                moved[k] += d
            return rule_of(node.op).forward(node.ctx, *moved)

        for k, term in enumerate(found["terms"]):
            fd = (f((k, h)) - f((k, -h))) / (2 * h)
            assert term["partial"] == pytest.approx(fd, rel=1e-5, abs=1e-7), node.op
        if found["second"] is not None:
            for j, row in enumerate(found["second"]):
                for k, second in enumerate(row):
                    fd = (f((j, h), (k, h)) - f((j, h), (k, -h)) - f((j, -h), (k, h))
                          + f((j, -h), (k, -h))) / (4 * h * h)
                    assert second == pytest.approx(fd, rel=1e-3, abs=1e-4), node.op
    for item in quiz_data(root)["items"]:
        total = sum(t["partial"] * t["given"] for t in item["chain"]["terms"])
        assert total == pytest.approx(item["answer"]["value"], rel=1e-9, abs=1e-12)


def test_the_quiz_page_judges_with_check_works_tolerance():
    """quiz.js diagnoses a slip within check_work's relative tolerance (one rule)."""
    from pathlib import Path

    import autograd
    from autograd.check.precision import REL

    script = (Path(autograd.__file__).parent / "explorer" / "quiz.js").read_text("utf-8")
    (found,) = re.findall(r"var REL = ([0-9.e+-]+);  // autograd\.check\.precision\.REL",
                          script)
    assert float(found) == REL
