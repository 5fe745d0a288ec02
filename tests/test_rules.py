"""Every primitive in the rule table against sympy: values, first and second derivatives.

Parametrised over ``RULES``: an op added to the table without an oracle here fails
``test_every_rule_has_an_oracle`` at once.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp

import autograd as ag
from autograd import RULES, Value, grad

X, Y, Z, W = sp.symbols("x y z w", real=True)


def _relu(x):
    return sp.Piecewise((x, x > 0), (0, True))


# op -> (how to build it from Values, sympy expression of the same symbols, symbols, points)
# Points include the edges the issue names: relu and abs at 0, pow with a negative base.
ORACLES = {
    "add": (lambda a, b: a + b, X + Y, (X, Y), [(1.5, -2.0), (0.0, 0.0)]),
    "mul": (lambda a, b: a * b, X * Y, (X, Y), [(1.5, -2.0), (0.0, 3.0)]),
    "pow": (lambda a: a**3, X**3, (X,), [(2.0,), (-2.0,), (0.0,)]),
    "powv": (lambda a, b: a**b, X**Y, (X, Y), [(2.0, 3.0), (0.7, -1.5), (3.0, 0.5)]),
    "exp": (lambda a: a.exp(), sp.exp(X), (X,), [(0.3,), (-2.0,), (0.0,)]),
    "log": (lambda a: a.log(), sp.log(X), (X,), [(0.3,), (2.5,)]),
    "tanh": (lambda a: a.tanh(), sp.tanh(X), (X,), [(0.3,), (-1.7,), (0.0,)]),
    "sigmoid": (lambda a: a.sigmoid(), 1 / (1 + sp.exp(-X)), (X,), [(0.3,), (-4.0,), (0.0,)]),
    "relu": (lambda a: a.relu(), _relu(X), (X,), [(0.3,), (-1.0,), (0.0,)]),
    "abs": (lambda a: abs(a), sp.Abs(X), (X,), [(0.3,), (-1.0,), (0.0,)]),
    "sin": (lambda a: a.sin(), sp.sin(X), (X,), [(0.3,), (-2.0,)]),
    "cos": (lambda a: a.cos(), sp.cos(X), (X,), [(0.3,), (-2.0,)]),
    "sum": (lambda a, b, c: ag.sum([a, b, c]), X + Y + Z, (X, Y, Z), [(1.0, -2.0, 0.5)]),
    "dot": (lambda a, b, c, d: ag.dot([a, b], [c, d], bias=c), X * Z + Y * W + Z,
            (X, Y, Z, W), [(1.0, -2.0, 0.5, 3.0)]),
}

# More pow exponents: negative base with integer exponents, negative and fractional k.
POW_CASES = [(-2.0, 3), (-2.0, 2), (-2.0, -1), (1.5, -2), (4.0, 0.5), (0.0, 2), (3.0, 0), (0.0, 0)]


def _num(expr, env) -> float:
    # At a kink (relu, abs at 0) sympy's second derivative is a DiracDelta; like PyTorch we
    # use the derivative that holds almost everywhere, 0.
    expr = expr.replace(sp.DiracDelta, lambda *args: sp.Integer(0))
    value = complex(expr.subs(env).evalf())
    assert abs(value.imag) < 1e-12
    return value.real


def _cases():
    for op, (_, _, _, points) in ORACLES.items():
        for point in points:
            yield pytest.param(op, point, id=f"{op}{point}")


def test_every_rule_has_an_oracle():
    assert set(RULES) == set(ORACLES), "add a sympy oracle for every new op"


def test_the_oracle_builds_the_op_it_claims():
    for op, (build, _, _, points) in ORACLES.items():
        out = build(*[Value(v) for v in points[0]])
        assert out.op == op


@pytest.mark.parametrize("op, point", list(_cases()))
def test_value_and_first_derivatives_match_sympy(op, point):
    build, expr, symbols, _ = ORACLES[op]
    env = dict(zip(symbols, point))
    xs = [Value(v) for v in point]
    out = build(*xs)
    assert out.data == pytest.approx(_num(expr, env), rel=1e-12, abs=1e-12)
    grads = grad(out, xs)
    for s, g in zip(symbols, grads):
        assert g == pytest.approx(_num(sp.diff(expr, s), env), rel=1e-12, abs=1e-12), s
    # backward() stores the same numbers in .grad
    out.backward()
    assert [x.grad for x in xs] == pytest.approx(grads, rel=1e-15, abs=0)


@pytest.mark.parametrize("op, point", list(_cases()))
def test_second_derivatives_match_sympy(op, point):
    build, expr, symbols, _ = ORACLES[op]
    env = dict(zip(symbols, point))
    xs = [Value(v) for v in point]
    firsts = grad(build(*xs), xs, create_graph=True)
    for i, first in enumerate(firsts):
        row = grad(first, xs)
        for j, h in enumerate(row):
            expected = _num(sp.diff(expr, symbols[i], symbols[j]), env)
            assert h == pytest.approx(expected, rel=1e-10, abs=1e-10), (symbols[i], symbols[j])


@pytest.mark.parametrize("base, k", POW_CASES)
def test_pow_with_constant_exponents(base, k):
    x = Value(base)
    y = x**k
    expr = X**k
    assert y.op == "pow"
    assert y.data == pytest.approx(_num(expr, {X: base}))
    (d1,) = grad(y, [x], create_graph=True)
    assert d1.data == pytest.approx(_num(sp.diff(expr, X), {X: base}), abs=1e-12)
    (d2,) = grad(d1, [x])
    assert d2 == pytest.approx(_num(sp.diff(expr, X, 2), {X: base}), abs=1e-12)


def test_constant_base_power():
    x = Value(1.5)
    y = 2**x
    assert y.op == "powv"
    assert y.data == pytest.approx(2**1.5)
    (g,) = grad(y, [x])
    assert g == pytest.approx(_num(sp.diff(2**X, X), {X: 1.5}))


@pytest.mark.parametrize("op", sorted(RULES))
def test_forward_in_table_agrees_with_the_node(op):
    build, _, _, points = ORACLES[op]
    xs = [Value(v) for v in points[0]]
    out = build(*xs)
    table = RULES[op].forward(out.ctx, *[c.data for c in out.inputs])
    assert table == out.data


@pytest.mark.parametrize("op", sorted(RULES))
def test_rule_has_one_formula_per_input_kind(op):
    r = RULES[op]
    assert r.formula and all(isinstance(f, str) and f for f in r.formula)
    if r.arity > 0:
        assert len(r.formula) == r.arity


def test_composites_match_sympy():
    composites = [
        (lambda a, b: a - b, X - Y),
        (lambda a, b: a / b, X / Y),
        (lambda a, b: -a * b, -X * Y),
        (lambda a, b: 3.0 - a / 2.0 + 1.0 / b, 3 - X / 2 + 1 / Y),
        (lambda a, b: ag.sqrt(a) * b, sp.sqrt(X) * Y),
        (lambda a, b: ag.softplus(a) + b, sp.log(1 + sp.exp(X)) + Y),
    ]
    env = {X: 1.7, Y: -0.6}
    for build, expr in composites:
        xs = [Value(1.7), Value(-0.6)]
        out = build(*xs)
        assert out.data == pytest.approx(_num(expr, env), rel=1e-12)
        for s, g in zip((X, Y), grad(out, xs)):
            assert g == pytest.approx(_num(sp.diff(expr, s), env), rel=1e-12), (expr, s)


def test_softplus_is_stable_for_large_inputs():
    big, small = Value(1000.0), Value(-1000.0)
    assert ag.softplus(big).data == 1000.0
    assert ag.softplus(small).data == 0.0
    assert grad(ag.softplus(big), [big]) == [1.0]
    assert math.isfinite(grad(ag.softplus(small), [small])[0])
