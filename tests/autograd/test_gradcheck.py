"""gradcheck: passes on correct rules, and on a wrong rule names the input and the node."""

from __future__ import annotations

import pytest

import autograd as ag
from autograd import GradcheckError, Value, gradcheck
from autograd.engine import new_node
from autograd.extend import registered
from autograd.rules.maths import safe_sin


def test_passes_on_a_mixed_expression():
    f = lambda x, y: (x * y).tanh() + ag.dot([x, y], [y, x], bias=x) + 2**x - y.sin() / x
    assert gradcheck(f, [0.3, 1.2])


def test_accepts_values_and_keeps_labels():
    x = Value(0.5, label="x")
    assert gradcheck(lambda v: v.exp() * v, [x])


@pytest.fixture
def bad_sin():
    """A primitive of our own whose rule is wrong: +sin(x) where cos(x) is right.

    Registered through the public seam (as a user's own primitive would be) for the
    test only; the built-in ``sin`` is never touched.
    """
    name = "bad_sin"
    with registered(name, 1, lambda ctx, x: safe_sin(x), lambda m, out, ctx, x: (m.sin(x),),
                    "sin(x)"):
        yield lambda v: new_node(safe_sin(v.data), (v,), name)


def test_names_the_input_the_numbers_and_the_node(bad_sin):
    x = Value(0.4, label="x")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: bad_sin(a * b) + b, [x, 2.0])
    message = str(info.value)
    assert "input 0 ('x')" in message
    assert "reverse mode" in message and "finite difference" in message
    assert "difference" in message
    assert "first disagreeing node: op 'bad_sin'" in message


def test_returns_false_when_asked_not_to_raise(bad_sin):
    assert gradcheck(bad_sin, [0.4], raise_exception=False) is False


def test_check_local_derivatives_is_quiet_on_correct_rules():
    x, y = Value(0.3), Value(-0.8)
    out = ((x * y).sigmoid() + x.exp()).log() + ag.sum([x, y, x * x])
    assert ag.check_local_derivatives(out) is None


def test_f_must_return_a_value():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda a: 1.0, [0.3])
