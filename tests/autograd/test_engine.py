"""Regression tests of the engine: accumulation, reuse, depth and bad input."""

from __future__ import annotations

import gc
import math
from fractions import Fraction

import pytest

import autograd as ag
from autograd import Value, grad


# --- accumulation and reuse -------------------------------------------------------------
def test_second_backward_adds_the_same_amount_again():
    # y = (2x)^2 at x = 3: dy/dx = 8x = 24; micrograd gives 72 after two calls, we give 48.
    x = Value(3.0)
    y = (2 * x) ** 2
    y.backward()
    assert x.grad == 24.0
    y.backward()
    assert x.grad == 48.0


def test_reused_nodes_are_exact():
    # b = a + a; c = b*b = 4a^2; dc/da = 8a
    a = Value(-3.0)
    b = a + a
    c = b * b
    c.backward()
    assert a.grad == 8 * -3.0
    assert b.grad == 2 * b.data


def test_shared_subexpression_fan_out():
    # f = u*u + u with u = x*y: df/dx = (2u + 1) y
    x, y = Value(1.5), Value(-2.0)
    u = x * y
    f = u * u + u
    f.backward()
    assert x.grad == pytest.approx((2 * u.data + 1) * y.data)
    assert y.grad == pytest.approx((2 * u.data + 1) * x.data)


def test_backward_with_a_gradient_scales():
    x = Value(2.0)
    y = x * x
    y.backward(gradient=0.5)
    assert x.grad == 2.0


def test_backward_of_a_leaf():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


# --- depth --------------------------------------------------------------------------------
def test_million_node_chain():
    x = Value(0.5)
    y = x
    for _ in range(500_000):  # two nodes per step with the constant: over a million nodes
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0
    assert y.data == 500_000.5
    del y
    gc.collect()


def test_sum_over_100000_losses():
    w = Value(0.25)
    losses = [(w * float(i % 7) - 1.0) ** 2 for i in range(100_000)]
    total = ag.sum(losses)
    total.backward()
    expected = sum(2 * (0.25 * (i % 7) - 1.0) * (i % 7) for i in range(100_000))
    assert w.grad == pytest.approx(expected, rel=1e-12)


def test_grad_on_a_deep_chain():
    x = Value(1.0)
    y = x
    for _ in range(200_000):
        y = y * 1.0
    assert grad(y, [x]) == [1.0]


# --- grad() -------------------------------------------------------------------------------
def test_grad_does_not_touch_dot_grad():
    x = Value(3.0)
    y = x * x
    assert grad(y, x) == [6.0]
    assert x.grad == 0.0


def test_grad_of_an_unused_input_is_zero():
    x, z = Value(3.0), Value(1.0)
    assert grad(x * 2, [x, z]) == [2.0, 0.0]


def test_hessian_entries():
    # f = x^2 y + sin(y): f_xx = 2y, f_xy = 2x, f_yy = -sin(y)
    x, y = Value(1.3), Value(0.4)
    f = x**2 * y + y.sin()
    gx, gy = grad(f, [x, y], create_graph=True)
    assert grad(gx, [x, y]) == pytest.approx([2 * 0.4, 2 * 1.3])
    assert grad(gy, [x, y]) == pytest.approx([2 * 1.3, -math.sin(0.4)])


def test_third_derivative():
    x = Value(0.7)
    (d1,) = grad(x**4, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert d3 == pytest.approx(24 * 0.7)


def test_grad_rejects_non_values():
    with pytest.raises(TypeError, match="input 0 is float"):
        grad(Value(1.0), [1.0])
    with pytest.raises(TypeError, match="output must be a Value"):
        grad(1.0, [Value(1.0)])


def test_detach():
    x = Value(2.0, label="x")
    y = (x * x).detach()
    z = y * x
    z.backward()
    assert y.is_leaf and y.data == 4.0
    assert x.grad == 4.0  # only through the direct use of x


# --- IEEE results -------------------------------------------------------------------------
def test_ieee_results_never_raise():
    assert ag.exp(1000).data == math.inf
    assert ag.sigmoid(-1000).data == 0.0
    assert ag.sigmoid(1000).data == 1.0
    assert ag.log(0).data == -math.inf
    assert math.isnan(ag.log(-1).data)
    assert (Value(10.0) ** 400).data == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf
    assert math.isnan((Value(-8.0) ** (1 / 3)).data)
    assert (Value(0.0) ** -1).data == math.inf
    assert (Value(1.0) / 0.0).data == math.inf
    assert math.isnan(ag.sin(math.inf).data)
    assert math.isnan(ag.cos(math.inf).data)


def test_gradients_at_overflow_are_ieee():
    x = Value(1000.0)
    y = x.sigmoid()
    y.backward()
    assert x.grad == 0.0  # sigmoid saturates: finite 0, not nan
    z = Value(0.0)
    ag.log(z).backward()
    assert z.grad == math.inf


# --- types and bad input ------------------------------------------------------------------
@pytest.mark.parametrize("number", [3, 3.0, True, Fraction(3, 1)])
def test_numbers_on_either_side(number):
    x = Value(2.0)
    for out, expected in [
        (x + number, 2.0 + float(number)), (number + x, float(number) + 2.0),
        (x * number, 2.0 * float(number)), (number * x, float(number) * 2.0),
        (x - number, 2.0 - float(number)), (number - x, float(number) - 2.0),
        (x / number, 2.0 / float(number)), (number / x, float(number) / 2.0),
        (x**number, 2.0 ** float(number)), (number**x, float(number) ** 2.0),
    ]:
        assert isinstance(out, Value) and out.data == pytest.approx(expected)
    assert isinstance(Value(number).data, float)


@pytest.mark.parametrize("bad", ["a", 1j, None, [1.0], (1.0,), {1: 2}, object()])
def test_bad_operands_raise_type_error_naming_the_type(bad):
    x = Value(1.0)
    name = type(bad).__name__
    for op in (lambda: x + bad, lambda: bad + x, lambda: x * bad, lambda: bad * x,
               lambda: x - bad, lambda: bad - x, lambda: x / bad, lambda: x**bad,
               lambda: Value(bad)):
        with pytest.raises(TypeError, match=name):
            op()


def test_numpy_arrays():
    np = pytest.importorskip("numpy")
    x = Value(2.0)
    assert (x * np.float64(3.0)).data == 6.0
    assert (np.float64(3.0) * x).data == 6.0
    assert (x * np.array([3.0])).data == 6.0
    assert (x + np.int64(1)).data == 3.0
    with pytest.raises(TypeError, match="ndarray with 3 elements"):
        x * np.array([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="ndarray"):
        np.array([1.0, 2.0]) * x


def test_values_hash_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert len({a, b}) == 2
    assert a == b and a is not b  # == compares values; the set above keeps both
    assert a < 2 and b >= 1.0 and a <= b


def test_sum_and_dot_bad_input():
    with pytest.raises(ValueError, match="sum\\(\\) of no values"):
        ag.sum([])
    with pytest.raises(ValueError, match="2 and 3"):
        ag.dot([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="str"):
        ag.dot(["a"], [1.0])


def test_fused_nodes_are_single_nodes():
    w = [Value(float(i)) for i in range(5)]
    x = [Value(1.0) for _ in range(5)]
    d = ag.dot(w, x, bias=2.0)
    s = ag.sum(w)
    assert d.op == "dot" and len(d.inputs) == 11 and d.data == 12.0
    assert s.op == "sum" and len(s.inputs) == 5 and s.data == 10.0
    d.backward()
    assert [v.grad for v in w] == [1.0] * 5
    assert [v.grad for v in x] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_unknown_op_fails_loudly_naming_it():
    x = Value(1.0)
    y = x * 2
    y._op = "frobnicate"
    with pytest.raises(ag.UnknownOpError, match="frobnicate"):
        y.backward()
