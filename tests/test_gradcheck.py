"""gradcheck: passes on correct rules, and on a wrong rule names the input and the node."""

from __future__ import annotations

import dataclasses

import pytest

import autograd as ag
from autograd import RULES, GradcheckError, Value, gradcheck
from autograd import graph as graph_module


def test_passes_on_a_mixed_expression():
    f = lambda x, y: (x * y).tanh() + ag.dot([x, y], [y, x], bias=x) + 2**x - y.sin() / x
    assert gradcheck(f, [0.3, 1.2])


def test_accepts_values_and_keeps_labels():
    x = Value(0.5, label="x")
    assert gradcheck(lambda v: v.exp() * v, [x])


@pytest.fixture
def wrong_sin_rule(monkeypatch):
    """Replace sin's derivative by +sin(x) (it should be cos(x))."""
    wrong = lambda m, out, ctx, x: (m.sin(x),)
    monkeypatch.setitem(RULES, "sin", dataclasses.replace(RULES["sin"], partials=wrong))
    monkeypatch.setitem(graph_module._PARTIALS, "sin", wrong)


def test_names_the_input_the_numbers_and_the_node(wrong_sin_rule):
    x = Value(0.4, label="x")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: (a * b).sin() + b, [x, 2.0])
    message = str(info.value)
    assert "input 0 ('x')" in message
    assert "reverse mode" in message and "finite difference" in message
    assert "difference" in message
    assert "first disagreeing node: op 'sin'" in message


def test_returns_false_when_asked_not_to_raise(wrong_sin_rule):
    assert gradcheck(lambda a: a.sin(), [0.4], raise_exception=False) is False


def test_check_local_derivatives_is_quiet_on_correct_rules():
    x, y = Value(0.3), Value(-0.8)
    out = ((x * y).sigmoid() + x.exp()).log() + ag.sum([x, y, x * x])
    assert ag.check_local_derivatives(out) is None


def test_f_must_return_a_value():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda a: 1.0, [0.3])
