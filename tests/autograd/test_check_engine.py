"""``check_engine``: a learner's own micrograd-style engine checked against ours (issue 20).

Oracles: the lecture's hand-derived numbers for its neuron, and the bugs planted on purpose
in tests/lecture_engine.py.
"""

from __future__ import annotations

import math

import pytest
from lecture_engine import make_value, neuron
from pages import page_data

import autograd as ag
from autograd import Value, check_engine, draw_dot, explore
from autograd.foreign import mirror


def lecture_graph():
    V = make_value()
    g = neuron(V)
    g["o"].backward()
    return g


def test_a_correct_engine_checks_ok():
    g = lecture_graph()
    r = check_engine(g["o"])
    assert r.ok and r.first_error is None and len(r.nodes) == 10
    assert "All 10 gradients match ours" in str(r)


def test_not_run():
    g = neuron(make_value())
    r = check_engine(g["o"])
    assert r.first_error.diagnosis == "not_run"


def test_overwrite():
    V = make_value("overwrite")
    a = V(3.0, label="a")
    b = a * a + a  # a used three times
    b.label = "L"
    b.backward()
    r = check_engine(b)
    assert not r.ok and r.first_error.name == "a"
    assert r.first_error.diagnosis == "overwrite"


def test_order():
    V = make_value("order")
    x = V(0.5, label="x")
    u = x * 3
    u.label = "u"
    c = u.tanh()
    d = c * 2
    L = u + d
    L.backward()
    r = check_engine(L)
    assert r.first_error.name == "x" and r.first_error.diagnosis == "order"
    assert "u passed its gradient down to x" in r.first_error.message


def test_local_derivative_shows_ours_from_the_rule_table():
    V = make_value("tanh")
    g = neuron(V)
    g["o"].backward()
    r = check_engine(g["o"])
    e = r.first_error
    assert e.name == "n" and e.diagnosis == "local_derivative"
    # Ours: 1 - tanh(n)**2 = 0.5 (the lecture); the planted 1 - t = 1 - 0.7071.
    assert f"yours {1 - math.tanh(0.8813735870195432):.6g}, ours 0.5" in e.message
    assert "1 - tanh(x)**2" in e.message


def test_missing_local_derivative():
    V = make_value("missing_exp")
    x = V(0.5, label="x")
    y = (x * 2).exp()
    y.label = "y"
    L = y * 3
    L.label = "L"
    L.backward()
    e = check_engine(L).first_error
    assert e.diagnosis == "local_derivative" and "yours 0, ours 2.71828" in e.message


def test_accumulated():
    V = make_value()
    g = neuron(V)
    g["o"].backward()
    g["o"].backward()  # again, without zeroing
    r = check_engine(g["o"])
    assert r.first_error.name == "n" and r.first_error.diagnosis == "accumulated"
    assert "2 calls of backward()" in r.first_error.message


def test_report_escapes_labels_in_html():
    V = make_value("tanh")
    x = V(0.5, label="<script>x</script>")
    L = (x * 2).tanh()
    L.backward()
    r = check_engine(L)
    page = r._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "WRONG" in str(r) and repr(r).startswith("<EngineCheck")


def test_check_engine_refuses_our_own_values():
    with pytest.raises(TypeError, match="check_engine"):
        check_engine(Value(1.0))


def test_explore_compare_colours_the_wrong_nodes():
    V = make_value("tanh")
    g = neuron(V)
    g["o"].backward()
    data = page_data(explore(g["o"], compare=True).html)
    wrong = {data["nodes"][i]["key"] for i in data["wrong"]}
    assert wrong == {"n", "x1*w1 + x2*w2", "b", "x1*w1", "x2*w2", "x1", "x2", "w1"}
    assert page_data(explore(g["o"]).html)["wrong"] == []
    # The page shows our gradients: d o / d n is the lecture's 0.5, not the learner's.
    assert data["nodes"][[n["key"] for n in data["nodes"]].index("n")]["grad"] == "0.5"



class _Node:
    """A minimal micrograd-style node with a tuple _prev and grads set by hand."""

    def __init__(self, data, kids=(), op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = \
            data, 0.0, tuple(kids), op, label


def test_nan_and_inf_gradients_compare_as_themselves():
    x = _Node(0.0, label="x")
    y = _Node(math.inf, (x,), "**-1", "y")  # 1/0: our pow gives inf, its derivative -inf
    y.grad, x.grad = 1.0, -math.inf
    assert check_engine(y).ok
    x.grad = math.nan
    assert check_engine(y).first_error.name == "x"


def test_micrograds_own_engine_is_drawn_and_checks_ok():
    mg = pytest.importorskip("micrograd.engine")
    a, b = mg.Value(-4.0), mg.Value(2.0)
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    g.backward()  # micrograd's README example: g.data 24.7041, a.grad 138.8338
    assert check_engine(g).ok
    m = mirror(g)
    assert m.root.data == pytest.approx(24.7041, abs=1e-4)
    assert {n.op for n in ag.topological_order(m.root)} == {"", "add", "mul", "pow", "relu"}
    assert m[a].grad == pytest.approx(138.8338, abs=1e-4)
    assert "<svg" in draw_dot(g).pipe(format="svg", encoding="utf-8")
