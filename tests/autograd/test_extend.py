"""autograd.primitive: a user's op, checked against sympy, finite differences and eager mode.

Every primitive defined here is removed again (``unregister``) when its test is done, so
the rule table the other tests see is the built-in one.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from oracles import build, step

import autograd as ag
from autograd import RULES, GradcheckError, Value, grad
from autograd.extend import unregister

X, Y = sp.symbols("x y", real=True)
LN2 = math.log(2.0)


def stable_log1mexp(x: float) -> float:
    """log(1 - exp(-x)) for x >= 0 (Maechler's two branches), IEEE at the edges."""
    if x != x or x < 0.0:
        return math.nan
    if x == 0.0:
        return -math.inf
    return math.log(-math.expm1(-x)) if x <= LN2 else math.log1p(-math.exp(-x))


# d/dx log(1 - exp(-x)) = exp(-x) / (1 - exp(-x)) = exp(-x - out): stable at both ends.
LOG1MEXP_PARTIALS = lambda m, out, ctx, x: (m.exp(-x - out),)  # noqa: E731


@pytest.fixture
def define():
    """``define(name, ...)`` is ``ag.primitive``, undone after the test."""
    names = []

    def make(name, *args, **kwargs):
        op = ag.primitive(name, *args, **kwargs)
        names.append(name)
        return op

    yield make
    for name in names:
        unregister(name)


@pytest.fixture
def log1mexp(define):
    return define("t_log1mexp", stable_log1mexp, LOG1MEXP_PARTIALS,
                  formula="exp(-x - t_log1mexp(x))")


@pytest.fixture
def logaddexp2(define):
    """A two-input primitive: log(exp(a) + exp(b)), with partials from its output."""

    def forward(a, b):
        hi = max(a, b)
        if math.isinf(hi):
            return hi if hi > 0 or a == b else max(a, b)
        return hi + math.log1p(math.exp(-abs(a - b)))

    return define("t_logaddexp", forward,
                  lambda m, out, ctx, a, b: (m.exp(a - out), m.exp(b - out)),
                  formula=("exp(a - t_logaddexp(a, b))", "exp(b - t_logaddexp(a, b))"),
                  arity=2)


def _sympy(expr, env, digits=400) -> float:
    """``expr`` at ``env`` in 400-digit arithmetic, rounded to a float."""
    return float(sp.N(expr.subs({s: sp.Float(v, digits) for s, v in env.items()}), 30))


# --- values and derivatives against sympy, ordinary points and edges ---------------------

LOG1MEXP = sp.log(1 - sp.exp(-X))
ORDINARY = [0.5, LN2, 0.7, 1.0, 3.0, 40.0]
TINY_AND_HUGE = [1e-300, 2.2250738585072014e-308, 1e-20, 1e-8, 700.0, 1e300]


@pytest.mark.parametrize("x", ORDINARY + TINY_AND_HUGE)
def test_log1mexp_value_first_and_second_derivative_match_sympy(log1mexp, x):
    v = Value(x)
    y = log1mexp(v)
    assert y.op == "t_log1mexp" and y.inputs == (v,)
    assert y.data == pytest.approx(_sympy(LOG1MEXP, {X: x}), rel=1e-14, abs=0)
    (d1,) = grad(y, [v], create_graph=True)
    assert d1.data == pytest.approx(_sympy(sp.diff(LOG1MEXP, X), {X: x}), rel=1e-13, abs=0)
    (d2,) = grad(d1, [v])
    expected = _sympy(sp.diff(LOG1MEXP, X, 2), {X: x})
    if math.isinf(expected):  # -1/x**2 at 1e-300 is beyond the floats: -inf
        assert d2 == expected
    else:
        assert d2 == pytest.approx(expected, rel=1e-12, abs=0)
    v.grad = 0.0
    y.backward()
    assert v.grad == d1.data  # backward's generated code and grad() agree bit for bit


@pytest.mark.parametrize("x, value, slope", [
    (0.0, -math.inf, math.inf),            # log(0), and its derivative 1/x there
    (-0.0, -math.inf, math.inf),
    (math.inf, 0.0, 0.0),
    (-1.0, math.nan, math.nan),            # outside the domain: nan, never an exception
    (math.nan, math.nan, math.nan),
])
def test_log1mexp_at_the_edges_of_its_domain(log1mexp, x, value, slope):
    v = Value(x)
    y = log1mexp(v)
    (g,) = grad(y, [v])
    for got, want in ((y.data, value), (g, slope)):
        assert (math.isnan(got) and math.isnan(want)) or got == want, (x, got, want)


def test_two_input_primitive_matches_sympy_to_second_order(logaddexp2):
    expr = sp.log(sp.exp(X) + sp.exp(Y))
    for point in [(0.3, -1.2), (2.0, 2.0), (-30.0, 5.0)]:
        env = dict(zip((X, Y), point))
        xs = [Value(v) for v in point]
        out = logaddexp2(*xs)
        assert out.data == pytest.approx(_sympy(expr, env), rel=1e-14)
        firsts = grad(out, xs, create_graph=True)
        for i, (s, first) in enumerate(zip((X, Y), firsts)):
            assert first.data == pytest.approx(_sympy(sp.diff(expr, s), env), rel=1e-13)
            for t, h in zip((X, Y), grad(first, xs)):
                want = _sympy(sp.diff(expr, s, t), env)
                # p(1 - p) with p = exp(b - out) near 1: 1 - p is known to 1e-16 at best
                assert h == pytest.approx(want, rel=1e-10, abs=1e-15), (i, t)


def test_numbers_become_leaves_and_the_op_composes(log1mexp):
    y = log1mexp(2.0)
    assert y.data == stable_log1mexp(2.0) and y.inputs[0].is_leaf
    x = Value(1.5)
    z = log1mexp(log1mexp(x) * -1.0)  # log1mexp of a positive number, twice
    # by the chain rule: d/dx = l'(-l(x)) * (-l'(x)), with l'(x) = 1/expm1(x)
    inner = stable_log1mexp(1.5)
    assert grad(z, [x])[0] == pytest.approx(-1 / math.expm1(-inner) / math.expm1(1.5),
                                            rel=1e-14)


# --- the tools that read the rule table ----------------------------------------------------


def test_gradcheck_and_local_derivatives_pass(log1mexp, logaddexp2):
    assert ag.gradcheck(lambda t: log1mexp(t) * t, [0.5])
    assert ag.gradcheck(lambda a, b: logaddexp2(a * b, log1mexp(a)), [1.3, -0.4])
    assert ag.check_local_derivatives(log1mexp(Value(0.9)) + logaddexp2(0.1, 0.2)) is None


def test_gradcheck_catches_a_wrong_user_derivative(define):
    wrong = define("t_wrong", stable_log1mexp, lambda m, out, ctx, x: (m.exp(-x),),
                   formula="exp(-x)")  # forgets the 1/(1 - exp(-x))
    with pytest.raises(GradcheckError, match="op 't_wrong'"):
        ag.gradcheck(lambda t: wrong(t) * 2.0, [0.5])


def test_explain_shows_the_users_formula(log1mexp):
    x = Value(0.5, label="x")
    y = log1mexp(x)
    y.label = "y"
    e = ag.explain(y, x)
    assert "exp(-x - y)" in str(e)  # the formula, with the node's label for t_log1mexp(x)
    assert e.agrees


def test_explain_names_both_inputs_of_a_two_input_primitive(logaddexp2):
    p, q = Value(0.3, label="p"), Value(-1.2, label="q")
    y = logaddexp2(p, q)
    y.label = "y"
    e = ag.explain(y, q)
    assert "exp(q - t_logaddexp(p, q))" in str(e)
    # by hand: d/dq log(e^p + e^q) = e^q / (e^p + e^q)
    assert e.value == pytest.approx(math.exp(-1.2) / (math.exp(0.3) + math.exp(-1.2)))


def test_draw_labels_edges_with_the_local_derivative(log1mexp):
    x = Value(0.5, label="x")
    source = ag.draw(log1mexp(x)).source
    assert "t_log1mexp" in source
    assert f"label={1 / math.expm1(0.5):.4g}" in source


def test_compile_generates_code_that_equals_eager_mode(log1mexp, logaddexp2):
    w = Value(0.8, label="w")
    fn = lambda x, y: logaddexp2(log1mexp(w * x), y * w)  # noqa: E731
    step = ag.compile(fn, [1.5, -0.5])
    for x, y in [(1.5, -0.5), (0.01, 3.0), (20.0, 0.0)]:
        w.grad = 0.0
        value = step.backward(x, y)
        compiled_grad = w.grad
        w.grad = 0.0
        eager = fn(Value(x), Value(y))
        eager.backward()
        assert value == eager.data and compiled_grad == w.grad  # bit for bit
    # generated code calls the user's forward; its derivative is generated from partials
    assert "_f_t_log1mexp(None, " in step.source and "_f_t_logaddexp(None, " in step.source


def test_detect_anomaly_names_the_user_op(log1mexp):
    with pytest.raises(FloatingPointError, match="op 't_log1mexp' produced nan"):
        with ag.detect_anomaly():
            log1mexp(Value(-1.0))
    # exp(0) - 1 = 0: the derivative at 0 is inf, found by the backward pass
    x = Value(1e-320)
    with pytest.raises(FloatingPointError, match="backward of op 't_log1mexp'"):
        with ag.detect_anomaly():
            (log1mexp(x) * 0.5).backward()


def test_no_grad_makes_a_leaf(log1mexp):
    with ag.no_grad():
        y = log1mexp(Value(1.0))
    assert y.is_leaf and y.data == stable_log1mexp(1.0)


def test_jvp_and_hessian_use_the_users_rule(log1mexp):
    value, slope = ag.jvp(log1mexp, 0.5, 2.0)
    assert value == stable_log1mexp(0.5) and slope == pytest.approx(2 / math.expm1(0.5))
    h = ag.hessian(log1mexp, 0.5)
    assert h == pytest.approx(_sympy(sp.diff(LOG1MEXP, X, 2), {X: 0.5}), rel=1e-13)


# --- the boundary: every mistake is named ---------------------------------------------------

def _ok(m, out, ctx, x):
    return (m.exp(x),)


@pytest.mark.parametrize("name, message", [
    ("log 1mexp", "must be a Python identifier"),
    ("", "must be a Python identifier"),
    (3, "must be a Python identifier"),
    ("exp", "'exp' is a built-in op"),
    ("mul", "'mul' is a built-in op"),
])
def test_bad_names_are_refused(name, message):
    with pytest.raises(ValueError, match=message):
        ag.primitive(name, math.exp, _ok, formula="exp(x)")
    assert name not in RULES or name in ("exp", "mul")


def test_a_name_is_defined_once_until_unregistered(define):
    define("t_twice", math.exp, _ok, formula="exp(x)")
    with pytest.raises(ValueError, match="already defined.*unregister"):
        ag.primitive("t_twice", math.exp, _ok, formula="exp(x)")


def test_unregister_then_redefine_uses_the_new_rule(define):
    op = define("t_redo", lambda x: 2.0 * x, lambda m, out, ctx, x: (3.0,), formula="3")
    x = Value(1.0)
    op(x).backward()  # generates and caches backward code for the op
    assert x.grad == 3.0
    unregister("t_redo")
    assert "t_redo" not in RULES
    with pytest.raises(ag.UnknownOpError, match="t_redo"):
        op(Value(1.0)).backward()
    op2 = define("t_redo", lambda x: 2.0 * x, lambda m, out, ctx, x: (2.0,), formula="2")
    x = Value(1.0)
    op2(x).backward()
    assert x.grad == 2.0  # not the cached code of the first definition
    unregister("t_never_defined")  # nothing to do
    with pytest.raises(ValueError, match="built-in"):
        unregister("exp")
    assert "exp" in RULES


@pytest.mark.parametrize("arity", [0, -1, 1.5, True, "1"])
def test_bad_arity_is_refused(arity):
    with pytest.raises(ValueError, match="arity must be a positive int"):
        ag.primitive("t_arity", math.exp, _ok, formula="exp(x)", arity=arity)
    assert "t_arity" not in RULES


@pytest.mark.parametrize("formula", ["", ("a", "b"), [], (1,), None, 3])
def test_one_formula_per_input(formula):
    with pytest.raises(ValueError, match="formula must give the derivative"):
        ag.primitive("t_formula", math.exp, _ok, formula=formula)


@pytest.mark.parametrize("partials, arity, message", [
    (lambda m, out, ctx, x: (m.exp(x), 1.0), 1, "returned 2 partial derivative.* 1 input"),
    (lambda m, out, ctx, a, b: (b,), 2, "returned 1 partial derivative.* 2 input"),
    (lambda m, out, ctx, x: m.exp(x), 1, r"must return a tuple.*return \(d,\)"),
    (lambda m, out, ctx, x: ("1",), 1, "partial 0 is a str"),
    (lambda m, out, ctx, x: (math.exp(x),), 1, "no math or numpy calls"),
    (lambda m, out, ctx, x: (1.0 if x > 0 else 0.0,), 1, "branched on an input's value"),
    (lambda m, out, ctx, x: (x**2,), 1, r"x\*\*k is m.pow\(x, k\)"),
    (lambda m, out, ctx, x: (m.arctan(x),), 1, "m has no function 'arctan'"),
    (lambda m, out, ctx, x: (1.0 - out.arctan(),), 1, "or Value methods.*'arctan'"),
    (lambda m, out, x: (1.0,), 1, "TypeError"),
])
def test_bad_partials_are_refused_naming_the_op(partials, arity, message):
    formula = ("d",) * arity
    with pytest.raises(ValueError, match="primitive 't_bad'") as info:
        ag.primitive("t_bad", lambda *xs: 0.0, partials, formula=formula, arity=arity)
    assert info.match(message)
    assert "t_bad" not in RULES


def test_forward_and_partials_must_be_callable():
    with pytest.raises(TypeError, match="forward must be callable"):
        ag.primitive("t_call", 1.0, _ok, formula="exp(x)")
    with pytest.raises(TypeError, match="partials must be callable"):
        ag.primitive("t_call", math.exp, None, formula="exp(x)")


def test_calls_are_checked(define):
    op = define("t_calls", lambda x: "text", _ok, formula="exp(x)")
    with pytest.raises(TypeError, match=r"t_calls\(\) takes 1 input\(s\), got 2"):
        op(1.0, 2.0)
    with pytest.raises(TypeError, match="forward of primitive 't_calls' returned str"):
        op(1.0)
    with pytest.raises(TypeError, match="unsupported operand type"):
        op("1.0")


def test_the_returned_function_documents_itself(log1mexp):
    assert log1mexp.__name__ == "t_log1mexp"
    assert "exp(-x - t_log1mexp(x))" in log1mexp.__doc__
    assert log1mexp.rule is RULES["t_log1mexp"]
    assert log1mexp.rule.forward(None, 2.0) == stable_log1mexp(2.0)


# --- random graphs (hypothesis) with user primitives inside -----------------------------------


@settings(max_examples=60, deadline=None)
@given(
    point=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=3),
    program=st.lists(step, min_size=1, max_size=20),
)
def test_random_graphs_through_user_primitives_match_differences_and_forward_mode(
        point, program):
    names = []
    try:
        lme = ag.primitive("t_rg_log1mexp", stable_log1mexp, LOG1MEXP_PARTIALS,
                           formula="exp(-x - t_rg_log1mexp(x))")
        names.append("t_rg_log1mexp")
        hyp = ag.primitive("t_rg_hypot", lambda a, b: math.hypot(a, b),
                           lambda m, out, ctx, a, b: (a / out, b / out),
                           formula=("a/t_rg_hypot(a, b)", "b/t_rg_hypot(a, b)"), arity=2)
        names.append("t_rg_hypot")

        def f(*xs):
            out = build(program, list(xs))  # in (-2, 2): squashed by tanh
            # log1mexp on (0.5, 4.5), hypot away from its kink at the origin
            return hyp(lme(out + 2.5) * xs[0], out * 0.5 + 3.0)

        # A built-in node exactly at a kink (relu at 0 inside softplus) has a subgradient
        # that no finite difference reproduces: such graphs test the kink, not this.
        assume(ag.check_local_derivatives(build(program, [Value(v) for v in point])) is None)
        assert ag.gradcheck(f, point, atol=1e-5, rtol=1e-4)
        leaves = [Value(v) for v in point]
        gradient = grad(f(*leaves), leaves)
        direction = [1.0 + i for i in range(len(point))]
        _, slope = ag.jvp(f, point, direction)
        assert slope == pytest.approx(math.fsum(g * t for g, t in zip(gradient, direction)),
                                      rel=1e-9, abs=1e-12)
    finally:
        for name in names:
            unregister(name)


def test_batched_replay_runs_a_primitive_sample_by_sample(define):
    np = pytest.importorskip("numpy")
    square = define("t_square", lambda x: x * x, lambda m, out, ctx, x: (2.0 * x,),
                    formula="2*x")
    w = Value(2.0)
    uses = ag.compile(lambda x: square(w * x), [1.0])
    assert list(uses.batch_backward(np.array([1.0, -3.0]))) == [4.0, 36.0]
    assert w.grad == 2 * 2.0 * 1.0 + 2 * 6.0 * 3.0  # d (w x)^2 / dw = 2 w x^2, summed
    other = ag.compile(lambda x: (w * x).tanh(), [1.0])
    assert list(other.batch_forward(np.array([0.5, 1.0]))) == pytest.approx(
        [math.tanh(1.0), math.tanh(2.0)], rel=1e-15)
