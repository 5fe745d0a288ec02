"""The graph model that draw, explain and explore share (autograd/graph_model.py).

Oracles: the engine's own backward pass (the model's shares must add up to its numbers
bit for bit, since the page claims to replay it), central finite differences for the
gradients, and the rule table's formula strings for ``partial_formula``.
"""

import math

import pytest

from autograd import Value, dot
from autograd.graph_model import UNKNOWN, GraphModel, local_partials, partial_formula
from autograd.rules import RULES, UnknownOpError


def _graph():
    a, b = Value(0.7, label="a"), Value(-1.3, label="b")
    h = (a * b).tanh() + a * a
    y = dot([a, b], [h, h.exp()], bias=0.25).sigmoid()
    return y, a, b


def test_shares_add_up_to_the_engines_backward_bit_for_bit():
    y, a, b = _graph()
    model = GraphModel(y)
    grads, steps = model.shares()
    y.backward()
    assert [grads[model.index[v]] for v in model.order] == [v.grad for v in model.order]
    # one step per node, in the engine's order (topological order backwards)
    assert [i for i, _ in steps] == list(range(len(model.order)))[::-1]
    for x, leaf in ((0.7, a), (-1.3, b)):
        h = 1e-6
        leaf.data = x + h
        up = _graph_value(a.data, b.data)
        leaf.data = x - h
        down = _graph_value(a.data, b.data)
        leaf.data = x
        assert grads[model.index[leaf]] == pytest.approx((up - down) / (2 * h), rel=1e-6)


def _graph_value(a, b):
    h = math.tanh(a * b) + a * a
    z = a * h + b * math.exp(h) + 0.25
    return 1 / (1 + math.exp(-z))


def test_the_model_writes_nothing_onto_the_nodes():
    y, a, b = _graph()
    before = [(v.label, v.grad, v.data) for v in GraphModel(y).order]
    model = GraphModel(y, names={y: "y"})
    model.shares()
    assert [(v.label, v.grad, v.data) for v in model.order] == before
    assert model.name(y) == "y" and model.name(model.order[2]).startswith("#")


def test_dot_formulas_come_from_one_place():
    w, x = [Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]
    y = dot(w, x, bias=0.5)
    table = RULES["dot"].formula
    assert partial_formula(y, 0) == (table[0], 2)  # w0's partial is x0
    assert partial_formula(y, 3) == (table[1], 1)  # x1's partial is w1
    assert partial_formula(y, 4) == (table[2], "1")  # the bias


def test_an_unknown_op_has_unknown_partials():
    x = Value(2.0)
    y = x * 3.0
    y._op = "mystery"  # a foreign node's op that the rule table does not know
    with pytest.raises(UnknownOpError):
        local_partials(y)
    assert local_partials(y, unknown_ok=True) == (UNKNOWN, UNKNOWN)
    grads, _ = GraphModel(y).shares()
    assert math.isnan(grads[0])
    assert partial_formula(y, 0) == ("?", "?")


def test_a_paired_rule_is_read_as_weights_inputs_and_bias():
    from autograd.engine import new_node
    from autograd.rules import is_paired, registered

    dot_rule = RULES["dot"]
    with registered("affine", -1, dot_rule.forward, dot_rule.partials, *dot_rule.formula,
                    paired=True, summed=True):
        w, x, b = Value(2.0), Value(3.0), Value(1.0)
        y = new_node(7.0, (w, x, b), "affine", True)
        assert is_paired("affine")
        # a weight's partial is its partner input, an input's its weight, the bias's 1
        assert partial_formula(y, 0) == (dot_rule.formula[0], 1)
        assert partial_formula(y, 1) == (dot_rule.formula[1], 0)
        assert partial_formula(y, 2) == (dot_rule.formula[2], "1")
    with registered("affine", -1, dot_rule.forward, dot_rule.partials, *dot_rule.formula):
        assert not is_paired("affine")  # the same functions, not said to be paired
    assert not is_paired("affine") and not is_paired("") and not is_paired("mul")
