"""A learner's own micrograd-style nodes drawn, explained and explored through
``autograd.foreign`` (issue 20).

Oracles: the lecture's hand-derived numbers for its neuron (x1.grad = -1.5, w1.grad = 1,
x2.grad = 0.5, w2.grad = 0), and the learner's own data and grad as they have them.
"""

from __future__ import annotations

import pytest
from lecture_engine import make_value, neuron

import autograd as ag
from autograd import Value, check_engine, draw, draw_dot, explain, explore, render
from autograd.foreign import mirror


def lecture_graph():
    V = make_value()
    g = neuron(V)
    g["o"].backward()
    return g


def test_draw_dot_on_the_lectures_own_value_shows_its_numbers():
    g = lecture_graph()
    src = draw_dot(g["o"]).source
    assert "x1*w1 + x2*w2" in src and "grad -1.5" in src and "tanh" in src
    svg = draw_dot(g["o"]).pipe(format="svg", encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "x1*w1" in svg
    # The learner's nodes are only read.
    assert g["x1"].grad == pytest.approx(-1.5) and g["o"]._op == "tanh"


def test_render_and_draw_accept_foreign_roots(tmp_path):
    g = lecture_graph()
    path = render(g["o"], tmp_path / "o.svg")
    assert "<svg" in path.read_text()
    assert "data 0.7071" in draw(g["o"]).source


def test_explain_on_foreign_nodes_gives_the_lecture_numbers():
    g = lecture_graph()
    e = explain(g["o"], g["x1"], digits=None)
    assert e.value == pytest.approx(-1.5) and e.stored_grad == pytest.approx(-1.5)
    assert "x1.grad" in str(e)


def test_explore_on_foreign_nodes():
    g = lecture_graph()
    page = explore(g["o"]).html
    assert 'data-node="x1"' in page


def test_refusal_names_module_and_class():
    class Thing:
        pass
    with pytest.raises(TypeError, match=r"draw\(\) needs a Value or a micrograd-style node, "
                                        r"got test_foreign\..*Thing"):
        draw(Thing())
    with pytest.raises(TypeError, match=r"draw_dot\(\) needs .* got int"):
        draw_dot(3)
    with pytest.raises(TypeError, match=r"explain\(\) needs"):
        explain(object(), Value(1.0))


def test_a_plus_a_in_a_set_uses_the_child_twice():
    V = make_value()
    a = V(3.0, label="a")
    b = a + a
    assert len(b._prev) == 1  # the lecture's set
    m = mirror(b)
    assert [x.label for x in m.root.inputs] == ["a", "a"]
    b.backward()  # the lecture's own engine gets 2 here
    assert check_engine(b).ok


def test_order_is_deterministic_and_division_finds_its_numerator():
    class N:  # a learner's '/' op with a set of inputs
        def __init__(self, data, kids=(), op="", label=""):
            self.data, self.grad, self._prev, self._op, self.label = \
                data, 0.0, set(kids), op, label
    a, b = N(6.0, label="z"), N(3.0, label="a")
    q = N(2.0, (a, b), "/")
    m = mirror(q)
    assert m.root.op == "div" and [x.label for x in m.root.inputs] == ["z", "a"]
    srcs = {draw(q).source for _ in range(3)}
    assert len(srcs) == 1
    r = N(0.5, (a, b), "/")  # 3 / 6: the other order
    assert [x.label for x in mirror(r).root.inputs] == ["a", "z"]


def test_minus_is_drawn_as_ours_and_checked():
    class N:
        def __init__(self, data, kids=(), op="", label=""):
            self.data, self.grad, self._prev, self._op, self.label = \
                data, 0.0, tuple(kids), op, label
    a, b = N(5.0, label="a"), N(2.0, label="b")
    d = N(3.0, (a, b), "-", "d")
    d.grad, a.grad, b.grad = 1.0, 1.0, -1.0
    assert check_engine(d).ok
    b.grad = 1.0  # the sign forgotten: a wrong local derivative
    r = check_engine(d)
    assert r.first_error.name == "b" and r.first_error.diagnosis == "local_derivative"
    assert "yours 1, ours -1" in r.first_error.message
    assert "grad 3" not in draw(d).source  # -b holds the learner's grad of d: 1
    neg = N(-5.0, (a,), "-", "n")
    assert mirror(neg).root.op == "mul"


def test_an_unknown_op_is_drawn_with_an_unknown_derivative():
    class N:
        def __init__(self, data, kids=(), op="", label=""):
            self.data, self.grad, self._prev, self._op, self.label = \
                data, 0.0, tuple(kids), op, label
    x = N(2.0, label="x")
    y = N(7.389, (x,), "frobnicate", "y")
    src = draw(y).source
    assert "frobnicate" in src and 'label="?"' in src
    with pytest.raises(ValueError, match="cannot check op 'frobnicate'"):
        check_engine(y)
    # explain needs the number: it names the op it cannot differentiate.
    with pytest.raises(ag.UnknownOpError, match="frobnicate"):
        explain(y, x)
    # The explorer shows the page, the edge's local derivative unknown, not invented.
    page = explore(y).html
    assert "frobnicate" in page and '"partial":"?"' in page
    # An op string that is ours but with the wrong number of inputs is not mapped either.
    z = N(1.0, (x, x), "tanh", "z")
    assert mirror(z).root.op not in ag.RULES


def test_pow_ops_map_with_their_exponent():
    V = make_value()
    a = V(3.0, label="a")
    b = a ** 2
    c = V(3.0, label="a") / V(4.0, label="d")  # the lecture's a * d**-1
    for root in (b, c):
        root.backward()
        assert check_engine(root).ok
    assert mirror(b).root.op == "pow" and mirror(b).root.ctx == 2.0


class _Node:
    """A minimal micrograd-style node with a tuple _prev and grads set by hand."""

    def __init__(self, data, kids=(), op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = \
            data, 0.0, tuple(kids), op, label


def test_highlight_and_focus_take_the_learners_nodes():
    g = lecture_graph()
    src = draw(g["o"], highlight=g["x1"], focus=g["n"]).source
    assert "color=red" in src and "tanh" not in src  # focus: only what feeds n
    with pytest.raises(ValueError, match="not part of the graph"):
        draw(g["o"], highlight=make_value()(1.0))


def test_a_deep_foreign_chain_needs_no_recursion():
    x = _Node(1.0, label="x")
    node = x
    for _ in range(3000):
        node = _Node(node.data + 1.0, (node, _Node(1.0)), "+")
    node.grad = 1.0
    walk = node
    while walk._prev:  # the learner's grads, set without recursion: all 1
        for child in walk._prev:
            child.grad = 1.0
        walk = walk._prev[0]
    r = check_engine(node)
    assert r.ok and len(r.nodes) == 6001


def test_a_learner_node_whose_data_is_not_a_number_is_named():
    bad = _Node("2.0x", label="x")
    with pytest.raises(TypeError, match="data must be a number, got str"):
        draw(_Node(1.0, (bad,), "tanh"))


def test_nodes_of_two_kinds_of_graph_are_refused_by_name():
    g = lecture_graph()
    with pytest.raises(TypeError, match=r"lecture_engine\..*Value is a micrograd-style node, "
                                        r"but the root is an autograd Value"):
        explain(Value(1.0), g["x1"])


def test_an_input_that_is_not_a_node_is_named():
    x = _Node(1.0, label="x")
    y = _Node(2.0, {x, 3.5}, "+")  # a raw number in a set of inputs
    with pytest.raises(TypeError, match="not a node: got float"):
        draw(y)


def test_unlabelled_learner_nodes_are_named_after_the_callers_variables():
    class N:  # the lecture's Value without labels
        def __init__(self, data, kids=(), op=""):
            self.data, self.grad, self._prev, self._op = data, 0.0, set(kids), op

        def __mul__(self, other):
            return N(self.data * other.data, (self, other), "*")

    weight, signal = N(3.0), N(-2.0)
    product = weight * signal
    product.grad, weight.grad, signal.grad = 1.0, -2.0, 3.0  # d(w*s)/dw = s, d/ds = w
    src = draw(product).source
    assert "weight" in src and "signal" in src and "product" in src
    assert "weight" not in draw(product, names=False).source
    assert explain(product, weight).equation() == "dproduct/dweight = signal = -2"
    assert not hasattr(weight, "label")  # the learner's objects are not touched


class _SetNode:
    """A learner's node, as the lecture writes it."""

    def __init__(self, data, children=(), op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = \
            data, 0.0, set(children), op, label


def test_a_learners_op_string_is_mapped_by_the_rules_aliases():
    from autograd.rules import registered

    a, b = _SetNode(5.0, label="a"), _SetNode(3.0, label="b")
    # the lecture's own spellings, from the built-in rules' aliases
    assert mirror(_SetNode(8.0, (a, b), "+")).root.op == "add"
    assert mirror(_SetNode(0.0, (a,), "ReLU")).root.op == "relu"
    assert (mirror(_SetNode(25.0, (a,), "**2")).root.op,
            mirror(_SetNode(25.0, (a,), "**2")).root.ctx) == ("pow", 2.0)
    # a rule registered with aliases is mapped by them, in the order its forward gives
    learner = _SetNode(-2.0, (a, b), "−")  # b − a, written with U+2212
    assert mirror(learner).root.op == "−"  # no rule spells it: kept under its own name
    with registered("minus", 2, lambda ctx, x, y: x - y,
                    lambda m, out, ctx, x, y: (1.0, -1.0), "1", "-1", aliases=("−",)):
        root = mirror(learner).root
        assert root.op == "minus" and [x.label for x in root.inputs] == ["b", "a"]
    with registered("scaled", 1, lambda k, x: k * x, lambda m, out, k, x: (k,), "k",
                    ctx_names=("k",), aliases=("×",)):
        root = mirror(_SetNode(15.0, (a,), "×3")).root
        assert (root.op, root.ctx) == ("scaled", 3.0)
    assert mirror(learner).root.op == "−"
