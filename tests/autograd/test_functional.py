"""jvp, jacobian, hessian, hvp against reverse mode, sympy and each other; grad(allow_unused).

Forward mode (``jvp``) and reverse mode share only the rule table, so agreeing on random
graphs checks the forward sweep; sympy is the independent oracle for exact functions,
including the Hessian of D4's Alice loss with respect to its nine parameters.
"""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import build, step

import autograd as ag
from autograd import Value, grad, hessian, hvp, jacobian, jvp
from autograd import graph as graph_module

X, Y, Z = sp.symbols("x y z", real=True)


def _num(expr, env) -> float:
    return float(expr.subs(env).evalf(30))


def _close(a: float, b: float, scale: float) -> bool:
    """Equal up to rounding of sums whose terms are about ``scale`` (nan and inf exactly)."""
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12 * (1.0 + scale))


# --- forward mode against reverse mode on random graphs -----------------------------------


@given(
    data=st.data(),
    point=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4),
    program=st.lists(step, min_size=1, max_size=40),
)
def test_jvp_equals_the_gradient_dotted_with_the_direction(data, point, program):
    direction = data.draw(st.lists(st.floats(-3.0, 3.0), min_size=len(point),
                                   max_size=len(point)))
    leaves = [Value(v) for v in point]
    out = build(program, leaves)
    gradient = grad(out, leaves)
    terms = [g * t for g, t in zip(gradient, direction)]
    value, slope = jvp(lambda *xs: build(program, list(xs)), point, direction)
    assert value == out.data
    assert _close(slope, math.fsum(terms), sum(abs(t) for t in terms)), (slope, terms)


@settings(max_examples=40)
@given(
    point=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=3),
    programs=st.lists(st.lists(step, min_size=1, max_size=15), min_size=1, max_size=3),
)
def test_jacobian_forward_mode_equals_reverse_mode(point, programs):
    f = lambda *xs: [build(p, list(xs)) for p in programs]  # noqa: E731
    forward = jacobian(f, point, strategy="forward-mode")
    reverse = jacobian(f, point, strategy="reverse-mode")
    assert len(forward) == len(programs) and all(len(row) == len(point) for row in forward)
    for row_f, row_r in zip(forward, reverse):
        for a, b in zip(row_f, row_r):
            assert _close(a, b, abs(b)), (a, b)


@settings(max_examples=30)
@given(
    data=st.data(),
    point=st.lists(st.floats(-1.5, 1.5), min_size=1, max_size=3),
    program=st.lists(step, min_size=1, max_size=10),
)
def test_hvp_forward_over_reverse_equals_hessian_times_v(data, point, program):
    v = data.draw(st.lists(st.floats(-2.0, 2.0), min_size=len(point), max_size=len(point)))
    f = lambda *xs: build(program, list(xs))  # noqa: E731
    H = hessian(f, point)
    value, product = hvp(f, point, v)
    assert value == f(*[Value(p) for p in point]).data
    for i, row in enumerate(H):
        terms = [h * t for h, t in zip(row, v)]
        assert _close(product[i], math.fsum(terms), sum(abs(t) for t in terms)), i
        # the Hessian of a smooth function is symmetric
        for j in range(len(point)):
            assert _close(H[i][j], H[j][i], abs(H[i][j])), (i, j)


def test_jvp_walks_no_graph_backwards(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("jvp must not run reverse mode")

    monkeypatch.setattr(ag.functional, "_accumulate", refuse)
    monkeypatch.setattr(graph_module, "backward", refuse)
    monkeypatch.setattr(ag.functional, "grad", refuse)
    value, slope = jvp(lambda x, y: (x * y).tanh() + ag.dot([x], [y], bias=x), [0.5, 2.0],
                       [1.0, -1.0])
    t = math.tanh(1.0)
    assert value == t + 1.0 + 0.5
    # d/dx = y(1 - t^2) + y + 1, d/dy = x(1 - t^2) + x
    assert slope == pytest.approx(2 * (1 - t * t) + 3.0 - (0.5 * (1 - t * t) + 0.5))


# --- against sympy -------------------------------------------------------------------------

F = X * sp.exp(Y) * sp.sin(Z) + sp.log(X * X + Y * Y) + X**3 / (1 + Z * Z)


def f_values(x, y, z):
    return x * y.exp() * z.sin() + (x * x + y * y).log() + x**3 / (1 + z * z)


POINTS = [(0.7, -0.3, 1.1), (-1.5, 0.4, -2.0), (2.0, 1.0, 0.0)]


@pytest.mark.parametrize("point", POINTS)
def test_jacobian_hessian_hvp_jvp_match_sympy(point):
    env = dict(zip((X, Y, Z), point))
    symbols = (X, Y, Z)
    gradient = [_num(sp.diff(F, s), env) for s in symbols]
    H = [[_num(sp.diff(F, s, t), env) for t in symbols] for s in symbols]
    for strategy in ("reverse-mode", "forward-mode"):
        assert jacobian(f_values, list(point), strategy=strategy) == pytest.approx(gradient,
                                                                                   rel=1e-12)
    got = hessian(f_values, list(point))
    for row, want in zip(got, H):
        assert row == pytest.approx(want, rel=1e-12, abs=1e-12)
    v = [0.5, -2.0, 1.5]
    value, product = hvp(f_values, list(point), v)
    assert value == pytest.approx(_num(F, env), rel=1e-14)
    assert product == pytest.approx([sum(h * t for h, t in zip(row, v)) for row in H],
                                    rel=1e-12, abs=1e-12)
    value, slope = jvp(f_values, list(point), v)
    assert slope == pytest.approx(sum(g * t for g, t in zip(gradient, v)), rel=1e-12)


def test_jacobian_of_a_vector_function_matches_sympy():
    outs = [X * Y, sp.sin(X) * sp.exp(Y), 1 / (1 + sp.exp(-X * Y))]
    f = lambda x, y: [x * y, x.sin() * y.exp(), (x * y).sigmoid()]  # noqa: E731
    env = {X: 0.3, Y: -1.7}
    want = [[_num(sp.diff(o, s), env) for s in (X, Y)] for o in outs]
    for strategy in ("reverse-mode", "forward-mode"):
        got = jacobian(f, [0.3, -1.7], strategy=strategy)
        for row, w in zip(got, want):
            assert row == pytest.approx(w, rel=1e-13)
    value, slopes = jvp(f, [0.3, -1.7], [1.0, 0.0])  # the first column
    assert value == pytest.approx([_num(o, env) for o in outs], rel=1e-14)
    assert slopes == pytest.approx([row[0] for row in want], rel=1e-13)


# --- the Alice network (D4): the Hessian of its loss in its nine parameters --------------

NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")
SYMS = sp.symbols(NAMES, real=True)


def _alice_loss(p, x1, x2, y_true, sigmoid):
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = p
    h1 = sigmoid(w1 * x1 + w2 * x2 + b1)
    h2 = sigmoid(w3 * x1 + w4 * x2 + b2)
    o1 = sigmoid(w5 * h1 + w6 * h2 + b3)
    return (y_true - o1) ** 2


@pytest.mark.parametrize("params, sample", [
    ((1.0,) * 6 + (0.0,) * 3, (-2.0, -1.0, 1.0)),         # D4's worked example: Alice
    ((0.3, -0.8, 1.2, 0.5, -1.1, 0.9, 0.1, -0.2, 0.3), (25.0, 6.0, 0.0)),  # Bob
])
def test_alice_loss_hessian_matches_sympy(params, sample):
    x1, x2, y_true = sample
    expr = _alice_loss(SYMS, x1, x2, y_true, lambda t: 1 / (1 + sp.exp(-t)))
    # The 81 second derivatives, evaluated in 30-digit arithmetic (mpmath) at params.
    with mpmath.workdps(30):
        exact = sp.lambdify(SYMS, sp.hessian(expr, SYMS), modules="mpmath",
                            cse=True)(*params)
        want = [[float(exact[i, j]) for j in range(9)] for i in range(9)]
    got = hessian(lambda *p: _alice_loss(p, x1, x2, y_true, ag.sigmoid), list(params))
    assert len(got) == 9 and all(len(row) == 9 for row in got)
    scale = max(abs(h) for row in want for h in row)
    for i, (row, w) in enumerate(zip(got, want)):
        assert row == pytest.approx(w, rel=1e-9, abs=1e-12 * scale), NAMES[i]
    # and H v, by forward over reverse, for one direction
    v = [1.0, -1.0, 0.5, 2.0, 0.0, 1.0, -0.5, 1.0, 3.0]
    _, product = hvp(lambda *p: _alice_loss(p, x1, x2, y_true, ag.sigmoid), list(params), v)
    assert product == pytest.approx([sum(h * t for h, t in zip(row, v)) for row in want],
                                    rel=1e-9, abs=1e-12 * scale)


# --- create_graph: results that can be differentiated again ----------------------------------


def test_create_graph_gives_third_derivatives():
    expr = sp.sin(X) * X**3
    x = Value(0.9)
    h = hessian(lambda t: t.sin() * t**3, x, create_graph=True)
    assert isinstance(h, Value)
    (third,) = grad(h, [x])
    assert third == pytest.approx(_num(sp.diff(expr, X, 3), {X: 0.9}), rel=1e-12)
    value, slope = jvp(lambda t: t.sin() * t**3, x, 1.0, create_graph=True)
    (second,) = grad(slope, [x])
    assert isinstance(value, Value) and second == pytest.approx(
        _num(sp.diff(expr, X, 2), {X: 0.9}), rel=1e-12)
    J = jacobian(lambda a, b: a * b.exp(), [x, 2.0], create_graph=True)
    assert grad(J[1], [x])[0] == pytest.approx(math.exp(2.0))  # d/dx of x e^y
    _, (hv,) = hvp(lambda t: t**4, [x], [1.0], create_graph=True)
    assert grad(hv, [x])[0] == pytest.approx(24 * 0.9)


def test_results_with_create_graph_stay_connected_to_value_inputs():
    w = Value(1.5)
    (g,) = jacobian(lambda a: [a * a], w, create_graph=True)  # d(w^2)/dw = 2w
    g.backward()
    assert g.data == 3.0 and w.grad == 2.0


# --- conventions of torch.autograd.functional ---------------------------------------------


def test_shapes_follow_the_inputs_and_outputs():
    assert jacobian(lambda x: x * x, 3.0) == 6.0
    assert jacobian(lambda x: [x * x, x], 3.0) == [6.0, 1.0]
    assert jacobian(lambda x, y: x * y, [3.0, 2.0]) == [2.0, 3.0]
    assert jacobian(lambda x, y: x * y, (3.0, 2.0)) == [2.0, 3.0]
    assert jacobian(lambda x: x * x, [3.0]) == [6.0]  # a list of one input is a list
    assert jvp(lambda x: x * x, 3.0) == (9.0, 6.0)  # v defaults to 1 for one input
    assert jvp(lambda x: [x, x * x], 3.0, 2.0) == ([3.0, 9.0], [2.0, 12.0])
    assert hessian(lambda x: x**3, 2.0) == 12.0
    assert hvp(lambda x: x**3, 2.0, 0.5) == (8.0, 6.0)


def test_the_same_value_given_twice_is_two_inputs():
    x = Value(3.0)
    assert jacobian(lambda a, b: a * b, [x, x]) == [3.0, 3.0]
    assert jacobian(lambda a, b: a * b, [x, x], create_graph=True)[0].data == 3.0


def test_constant_outputs_and_unused_inputs_give_zero():
    assert jacobian(lambda x, y: x * 2.0, [1.0, 5.0]) == [2.0, 0.0]
    assert jacobian(lambda x: 7.0, 1.0) == 0.0
    assert jvp(lambda x: 7.0, 1.0) == (7.0, 0.0)
    assert hessian(lambda x, y: x * y, [1.0, 2.0]) == [[0.0, 1.0], [1.0, 0.0]]
    assert hessian(lambda x: x, 1.0) == 0.0


def test_ieee_special_points_agree_with_reverse_mode():
    f = lambda x, y: (x * y).relu() + abs(x) + (y * y + 1.0).log() * x.exp()  # noqa: E731
    for point in [(0.0, 0.0), (-0.0, 1.0), (math.inf, 1.0), (1.0, math.nan),
                  (1e-300, 1e300), (-1e300, 2.0)]:
        leaves = [Value(v) for v in point]
        out = f(*leaves)
        gradient = grad(out, leaves)
        # forward mode seeded with one input at a time: exactly reverse mode's numbers
        forward = jacobian(f, list(point), strategy="forward-mode")
        for k in range(2):
            assert _close(forward[k], gradient[k], 0.0), (point, k, forward[k], gradient[k])
            # a direction with a 0 is a dot product in IEEE arithmetic: inf * 0 is nan
            e = [1.0 if j == k else 0.0 for j in range(2)]
            _, slope = jvp(f, list(point), e)
            dot = gradient[0] * e[0] + gradient[1] * e[1]
            assert _close(slope, dot, 0.0), (point, k, slope, dot)


@pytest.mark.parametrize("call, error, message", [
    (lambda: jvp(lambda x: x, []), ValueError, "inputs is empty"),
    (lambda: jvp(lambda x: x, [[1.0, 2.0]]), TypeError, r"inputs\[0\] is a list"),
    (lambda: jvp(lambda x: x, "1"), TypeError, "inputs: unsupported operand"),
    (lambda: jvp(lambda x, y: x, [1.0, 2.0]), ValueError, "v is required"),
    (lambda: jvp(lambda x, y: x, [1.0, 2.0], [1.0]), ValueError, "v has 1 entries"),
    (lambda: jvp(lambda x, y: x, [1.0, 2.0], 1.0), ValueError, "shaped like inputs"),
    (lambda: jvp(lambda x: x, 1.0, [1.0]), ValueError, "shaped like inputs"),
    (lambda: jvp(lambda x: "y", 1.0), TypeError, "f must return a Value or a number"),
    (lambda: jvp(3, 1.0), TypeError, "f must be callable"),
    (lambda: jacobian(lambda x: x, 1.0, strategy="forward"), ValueError, "strategy"),
    (lambda: hessian(lambda x: [x, x], 1.0), ValueError, "hessian: f must return one"),
    (lambda: hvp(lambda x: [x], 1.0, 1.0), ValueError, "hvp: f must return one"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- grad(allow_unused=...) -----------------------------------------------------------------


def test_grad_gives_zero_for_unused_inputs_by_default():
    x, y = Value(2.0), Value(5.0)
    assert grad(x * x, [x, y]) == [4.0, 0.0]
    dx, dy = grad(x * x, [x, y], create_graph=True)
    assert dy.data == 0.0 and dy.is_leaf


def test_grad_strict_names_the_unused_input():
    x, y = Value(2.0, label="x"), Value(5.0, label="y")
    with pytest.raises(ValueError, match=r"input 1 'y' \(data 5.0\) is not used.*allow_unused"):
        grad(x * x, [x, y], allow_unused=False)
    with pytest.raises(ValueError, match=r"input 0 \(data 7.0\) is not used"):
        grad(x * x, [Value(7.0)], allow_unused=False, create_graph=True)


def test_grad_strict_accepts_inputs_used_with_a_zero_derivative():
    x = Value(0.0)
    z = Value(-1.0)
    # relu'(-1) = 0 and x * 0: used, so no error, even though the gradient is 0
    assert grad(z.relu() + x * 0.0, [z, x], allow_unused=False) == [0.0, 0.0]
    assert grad(x, [x], allow_unused=False) == [1.0]  # the output itself
