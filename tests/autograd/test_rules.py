"""Every primitive in the rule table against sympy: values, first and second derivatives.

Parametrised over ``RULES``: an op added to the table without an oracle here fails
``test_every_rule_has_an_oracle`` at once.  One-input ops are also checked at 0, -0.0, +-1,
+-3 and +-1e-300 against sympy or its one-sided limit, and (value, first and second
derivative) at +-1e300 against mpmath and at +-inf against sympy's limits at +-oo.
Two-input ops: values at every pair of special points (inf and nan too) against numpy's
IEEE functions, first derivatives and Hessians at the finite ones against mpmath.  The
edge cases of issue 11 (base 0 in ``a ** b``, softplus and relu at 0 and nan, division and
sqrt at 1e-300 and -0.0) are in tests/autograd/test_rules_edges.py.
"""

from __future__ import annotations

import fractions
import functools
import math

import pytest
import sympy as sp
from oracles import ORACLES, X, Y

import autograd as ag
from autograd import RULES, Value, grad

# More pow exponents: negative base with integer exponents, negative and fractional k.
POW_CASES = [(-2.0, 3), (-2.0, 2), (-2.0, -1), (1.5, -2), (4.0, 0.5), (0.0, 2), (3.0, 0), (0.0, 0)]


def _expr(op, point):
    expr = ORACLES[op][1]
    return expr(point) if callable(expr) else expr


GAVE_UP = "sympy gave up"


def _exact(expr, env):
    """sympy's value at the point to 60 digits: a float, or None if not a finite real."""
    # At a kink (relu, abs at 0) sympy's second derivative is a DiracDelta; like PyTorch we
    # use the derivative that holds almost everywhere, 0.
    expr = expr.replace(sp.DiracDelta, lambda *args: sp.Integer(0))
    value = expr.subs({s: sp.Rational(v) if isinstance(v, float) else v
                       for s, v in env.items()})  # exact binary values
    try:
        value = complex(sp.N(value, 30, maxn=4000)) if value.is_finite is not False else None
    except (OverflowError, TypeError, ValueError):  # mpmath gives up (erfc at 1e300)
        return GAVE_UP
    if value is None or value != value or abs(value.imag) > 1e-12 * abs(value):
        return None
    return value.real


def _num(expr, env) -> float:
    value = _exact(expr, env)
    assert value is not None and value is not GAVE_UP, (expr, env)
    return value


def _close(actual: float, expected: float, rel: float) -> bool:
    """``actual`` is the float nearest ``expected`` (from sympy, exact), to ``rel``:
    overflow to +-inf and underflow to 0 included."""
    if abs(expected) > 1.7976931348623157e308:
        return actual == math.copysign(math.inf, expected)
    return actual == pytest.approx(expected, rel=rel, abs=1e-300)


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
    build, _, symbols, _ = ORACLES[op]
    expr = _expr(op, point)
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
    build, _, symbols, _ = ORACLES[op]
    expr = _expr(op, point)
    env = dict(zip(symbols, point))
    xs = [Value(v) for v in point]
    firsts = grad(build(*xs), xs, create_graph=True)
    for i, first in enumerate(firsts):
        row = grad(first, xs) if isinstance(first, Value) else [0.0] * len(xs)
        for j, h in enumerate(row):
            expected = _num(sp.diff(expr, symbols[i], symbols[j]), env)
            assert h == pytest.approx(expected, rel=1e-10, abs=1e-10), (symbols[i], symbols[j])


# --- special points ----------------------------------------------------------------------

# (+-1e300 and +-inf are further down: sympy takes minutes over sin(10**300) exactly)
UNARY_SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 3.0, -3.0]
# Where sympy has no finite real value at a point (a pole, the edge of the domain), the rule
# gives sympy's one-sided limit: from inside the domain, or from the side a signed zero
# names (-0.0 from below).  These points are approached from below:
FROM_BELOW = {("asin", 1.0), ("acos", 1.0), ("atanh", 1.0)}
# IEEE choices where sympy's limit is complex or absent: sqrt(-0.0) = -0.0 and the
# derivative 0.5/out = -inf (as PyTorch); rsqrt(-0.0) = -inf; log(-0.0) = -inf.
STATED = {
    ("sqrt", "-0.0"): (-0.0, -math.inf),
    ("rsqrt", "-0.0"): (-math.inf, math.inf),
    ("cbrt", "-0.0"): (-0.0, math.inf),
    ("log", "-0.0"): (-math.inf, -math.inf),
    ("log2", "-0.0"): (-math.inf, -math.inf),
    ("log10", "-0.0"): (-math.inf, -math.inf),
}


def _special_cases():
    for op, r in RULES.items():
        if r.arity == 1 and op != "pow" and not callable(ORACLES[op][1]):
            for x in UNARY_SPECIAL:
                yield pytest.param(op, x, id=f"{op}({x!r})")


def _expected_at(op, expr, x):
    """sympy's value at x, or else its one-sided limit there (None: no real answer)."""
    value = _exact(expr, {X: x})
    if value is not None:
        return value  # a number, or GAVE_UP
    below = (x == 0.0 and math.copysign(1.0, x) < 0) or (op, x) in FROM_BELOW
    limit = sp.limit(expr.replace(sp.DiracDelta, lambda *a: sp.Integer(0)), X,
                     sp.Rational(x), "-" if below else "+")
    if limit in (sp.oo, -sp.oo):
        return float(limit)
    return _exact(limit, {}) if limit.is_real else None


# At a kink the rule takes PyTorch's subgradient where sympy's Piecewise takes the
# value of one side (these were read off torch 2.13, float64): (op, x) -> derivative.
KINKS = {("hardtanh", 1.0): 0.0, ("hardsigmoid", 3.0): 0.0,
         ("hardsigmoid", -3.0): 0.0, ("hardswish", 3.0): 1.0, ("hardswish", -3.0): 0.0}


@pytest.mark.parametrize("op, x", list(_special_cases()))
def test_special_points_match_sympy_or_its_limit(op, x):
    """Value and first derivative at 0, -0.0, +-1, +-3 and +-1e-300."""
    build = ORACLES[op][0]
    expr = ORACLES[op][1]
    v = Value(x)
    out = build(v)
    (d1,) = grad(out, [v])
    stated = STATED.get((op, repr(x)))
    if (op, x) in KINKS:
        assert d1 == KINKS[op, x]
        stated = (None, None)
    real = True
    for k, (got, e) in enumerate([(out.data, expr), (d1, sp.diff(expr, X))]):
        if stated == (None, None):
            continue
        if not real:
            # Outside the domain the value is nan, and the derivative either nan or, as in
            # PyTorch, the formula continued there (d log(x) = 1/x at x = -1): sympy's.
            if not math.isnan(got):
                assert _close(got, _expected_at(op, e, x), 1e-9), (op, x, got)
            continue
        if stated is not None:
            assert got == stated[k] and math.copysign(1, got) == math.copysign(1, stated[k])
            continue
        expected = _expected_at(op, e, x)
        if expected is GAVE_UP:  # mpmath cannot evaluate it (erfc at 1e300): not checked
            continue
        if expected is None:  # no real value or limit (log(-1)): IEEE says nan
            assert math.isnan(got), (op, x, k, got)
            real = False
        elif math.isinf(expected):
            assert got == expected, (op, x, k, got, expected)
        else:
            assert _close(got, expected, 1e-9), (op, x, k, got, expected)


@pytest.mark.parametrize("op", sorted(op for op, r in RULES.items() if r.arity == 1))
def test_nan_propagates(op):
    build = ORACLES[op][0] if op != "pow" else (lambda a: a**3)
    out = build(Value(math.nan))
    assert math.isnan(out.data), op


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
        (lambda a, b: -a * b, -X * Y),
        (lambda a, b: 3.0 - a / 2.0 + 1.0 / b, 3 - X / 2 + 1 / Y),
        (lambda a, b: ag.relu6(a * 2.0) * b, sp.Min(sp.Max(2 * X, 0), 6) * Y),
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


# --- +-1e300 and +-inf: mpmath and sympy's limits ------------------------------------------

# sympy's exact evaluation takes minutes over sin(10**300); mpmath, fed the exact binary
# value of the float, reduces the argument correctly at 50 digits and answers at once.
mpmath = pytest.importorskip("mpmath")
MP_DPS = 50
HUGE = [1e300, -1e300]
INFS = [math.inf, -math.inf]


def _smooth(expr):
    # At a kink sympy's second derivative carries a DiracDelta: 0 away from the kink.
    return expr.replace(sp.DiracDelta, lambda *args: sp.Integer(0))


@functools.cache
def _derivatives(op):
    """The op's sympy expression and its first and second derivatives (computed once)."""
    expr = _smooth(ORACLES[op][1])
    return tuple(_smooth(sp.diff(expr, X, k)) for k in range(3))


def _mp(expr, x):
    """mpmath's value of expr at the float x (50 digits): a float, or a complex number
    where the result is not real, or None where mpmath cannot evaluate it."""
    f = sp.lambdify(X, expr, "mpmath")
    with mpmath.workdps(MP_DPS):
        try:
            value = mpmath.mpmathify(f(mpmath.mpf(x)))
        except (OverflowError, ZeroDivisionError, ValueError):
            return None
        if isinstance(value, mpmath.mpc) and value.imag != 0:
            return complex(value)
        return float(mpmath.re(value))  # beyond the float range: +-inf; below it: +-0


def _branch_at(expr, x_sign):
    """A Piecewise replaced by the branch that holds far out (sympy's limit cannot take
    the relational conditions of relu and its kin at oo)."""
    far = x_sign * sp.Integer(10) ** 400

    def pick(*pieces):
        for value, cond in pieces:
            if cond is sp.true or bool(cond.subs(X, far)):
                return value
        raise AssertionError(pieces)

    return expr.replace(sp.Piecewise, pick)


@functools.cache
def _limits(op, x_sign):
    """sympy's limits of the value and both derivatives at x_sign*oo, once per op: a float
    each, nan where there is none (sin at oo oscillates: AccumBounds), or a complex."""
    out = []
    for expr in _derivatives(op):
        limit = sp.limit(_branch_at(expr, x_sign), X, x_sign * sp.oo)
        if isinstance(limit, sp.AccumBounds) or limit is sp.nan:
            out.append(math.nan)
        elif not limit.is_extended_real:
            out.append(1j)  # outside the real domain
        else:
            out.append(float(limit))
    return tuple(out)


def _ours(op, x):
    """Our value, first and second derivative of the op at x."""
    v = Value(x)
    out = ORACLES[op][0](v)
    (d1,) = grad(out, [v], create_graph=True)
    d2 = grad(d1, [v])[0] if isinstance(d1, Value) else 0.0
    return out.data, float(d1), d2


# erfc(x) < exp(-x**2) underflows to 0 from x = 27 on, with its derivatives; mpmath's erfc
# overflows an integer at 1e300, so the value there comes from that bound.
STATED_HUGE = {("erfc", 1e300): (0.0, 0.0, 0.0)}


def _check(op, x, got, expected):
    """Each of value, d1, d2 against the oracle: outside the real domain (a complex
    expected value) the value is nan and each derivative nan or, as in PyTorch, the real
    formula continued there (d log(x) = 1/x at x = -1e300)."""
    outside = isinstance(expected[0], complex)
    for k, (g, e) in enumerate(zip(got, expected)):
        where = (op, x, "value d1 d2".split()[k], g, e)
        if outside and (k == 0 or isinstance(e, complex) or math.isnan(g)):
            assert math.isnan(g), where
        elif isinstance(e, complex) or math.isnan(e):
            assert math.isnan(g), where
        elif math.isinf(e):
            assert g == e, where
        else:
            assert _close(g, e, 1e-9), where


def _far_cases(points):
    for op, r in RULES.items():
        if r.arity == 1 and op != "pow" and not callable(ORACLES[op][1]):
            for x in points:
                yield pytest.param(op, x, id=f"{op}({x!r})")


@pytest.mark.parametrize("op, x", list(_far_cases(HUGE)))
def test_huge_points_match_mpmath(op, x):
    """Value, first and second derivative at +-1e300 (sin(1e300) reduced exactly)."""
    expected = STATED_HUGE.get((op, x)) or tuple(_mp(e, x) for e in _derivatives(op))
    assert None not in expected, (op, x, expected)
    _check(op, x, _ours(op, x), expected)


@pytest.mark.parametrize("op, x", list(_far_cases(INFS)))
def test_infinities_match_sympy_limits(op, x):
    """Value, first and second derivative at +-inf: sympy's limit at +-oo; nan where it
    oscillates (sin) or leaves the real domain (log at -oo: the domain is read off the
    value at -1e300, since sympy's limit of log at -oo is the complex log's)."""
    expected = _limits(op, 1 if x > 0 else -1)
    if isinstance(_mp(_derivatives(op)[0], math.copysign(1e300, x)), complex):
        expected = (1j,) + expected[1:]
    _check(op, x, _ours(op, x), expected)


# --- two-input ops at special points -------------------------------------------------------

np = pytest.importorskip("numpy")
BINARY_SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 1e300, -1e300]
EXTREME = BINARY_SPECIAL + [math.inf, -math.inf, math.nan]
# Values at every pair, inf and nan included, against numpy's float64 functions (C99/IEEE
# 754: x/+-0 = +-inf, atan2 by the signs of zeros, maximum propagates nan).
IEEE = {"add": np.add, "mul": np.multiply, "div": np.divide, "powv": np.power,
        "hypot": np.hypot, "logaddexp": np.logaddexp, "atan2": np.arctan2,
        "maximum": np.maximum, "minimum": np.minimum, "copysign": np.copysign,
        "fmod": np.fmod, "remainder": np.remainder}
BINARY = sorted(op for op, r in RULES.items() if r.arity == 2)


def test_every_two_input_op_has_an_ieee_value():
    assert set(IEEE) == set(BINARY), "add the op's IEEE (numpy) function to IEEE"


def _ours2(op, a, b):
    """Our value, both first derivatives and the 2x2 Hessian of the op at (a, b)."""
    xs = [Value(a), Value(b)]
    out = ORACLES[op][0](*xs)
    firsts = grad(out, xs, create_graph=True)
    hessian = [[float(h) for h in grad(f, xs)] if isinstance(f, Value) else [0.0, 0.0]
               for f in firsts]
    return out.data, [float(f) for f in firsts], hessian


@pytest.mark.parametrize("op", BINARY)
def test_two_input_values_at_special_points_are_ieee(op):
    with np.errstate(all="ignore"):
        for a in EXTREME:
            for b in EXTREME:
                got = ORACLES[op][0](Value(a), Value(b)).data
                expected = float(IEEE[op](np.float64(a), np.float64(b)))
                assert got == expected or (math.isnan(got) and math.isnan(expected)), \
                    (op, a, b, got, expected)
                if (op in ("maximum", "minimum") and a == b == 0.0
                        and math.copysign(1, a) != math.copysign(1, b)):
                    # a tie of signed zeros: IEEE 754-2019 maximum/minimum order -0.0 below
                    # +0.0 (numpy and PyTorch return one of the arguments by position)
                    expected = 0.0 if op == "maximum" else -0.0
                if got == 0.0:  # signed zeros too: atan2(-0.0, 1) = -0.0
                    assert math.copysign(1, got) == math.copysign(1, expected), (op, a, b)


@functools.cache
def _derivatives2(op):
    """mpmath functions of (x, y) for the op, its first derivatives and its Hessian."""
    expr = _smooth(ORACLES[op][1])
    firsts = [_smooth(sp.diff(expr, s)) for s in (X, Y)]
    second = [[_smooth(sp.diff(expr, s, t)) for t in (X, Y)] for s in (X, Y)]
    return (sp.lambdify((X, Y), expr, "mpmath"),
            [sp.lambdify((X, Y), e, "mpmath") for e in firsts],
            [[sp.lambdify((X, Y), e, "mpmath") for e in row] for row in second])


def _mp2(f, a, b):
    """f at (a, b) to 50 digits: a float, 1j where it is not real, None at a pole."""
    with mpmath.workdps(MP_DPS):
        try:
            value = mpmath.mpmathify(f(mpmath.mpf(a), mpmath.mpf(b)))
        except ZeroDivisionError:
            return None
        if isinstance(value, mpmath.mpc) and value.imag != 0:
            return 1j
        return float(mpmath.re(value))


# Where the two-input ops leave the math, on purpose or by a stated limit:
# * a pole or kink where mpmath divides by zero (x/0, hypot and atan2 at the origin,
#   0**b): the value is checked above against IEEE; the derivatives there are
#   tests/autograd/test_rules_edges.py's (division by 0, 0**b as PyTorch) or the stated
#   subgradient 0 (hypot and atan2 at the origin, in the rules).
# * where the value is not real ((-1)**1e-300), only the value (nan) is checked: the
#   derivatives are the formula continued, as PyTorch's.
# * a**b with a < 0 is real only at whole b: every derivative that involves b is nan, or 0
#   where a zero factor meets it (mul0, the rule's convention: (-1e300)**-1e300 is 0).
# * copysign reads only the sign bit of b, so at b = +-0 it is the function at
#   b = +-1e-300 (sympy's sign(0) = 0 would make it 0).
# * Known limits, not conventions: a true second derivative that is a difference or a
#   product of terms that overflow in float.  The engine gives nan or +-inf there (PyTorch
#   nan at each as well):
KNOWN_OVERFLOW = {
    # atan2 near the origin: -2ab/r**4 and (a**2 - b**2)/r**4 with r**4 = 1e-1200
    ("atan2", 0.0, 1e-300), ("atan2", 0.0, -1e-300), ("atan2", -0.0, 1e-300),
    ("atan2", -0.0, -1e-300), ("atan2", 1e-300, 0.0), ("atan2", 1e-300, -0.0),
    ("atan2", -1e-300, 0.0), ("atan2", -1e-300, -0.0), ("atan2", 1e-300, 1e-300),
    ("atan2", 1e-300, -1e-300), ("atan2", -1e-300, 1e-300), ("atan2", -1e-300, -1e-300),
    # d2(a**b)/da2 = b*(b - 1)*a**(b - 2), where a**(b - 2) = 1e600 overflows: 0 * inf at
    # b = 0, +-inf for +-1e300 at b = +-1e-300
    ("powv", 1e-300, 0.0), ("powv", 1e-300, -0.0), ("powv", -1e-300, 0.0),
    ("powv", -1e-300, -0.0), ("powv", 1e-300, 1e-300), ("powv", 1e-300, -1e-300),
}
# d(a**b)/da = b*a**(b - 1) with a < 0 and |b| = 1e300: b - 1 rounds to the even b, so
# a**(b - 1) has the wrong sign (PyTorch's formula, and its number, too).
KNOWN_WRONG_SIGN = {("powv", -1.0, 1e300), ("powv", -1.0, -1e300),
                    ("powv", -1e-300, -1e300), ("powv", -1e300, 1e300)}


def _binary_cases():
    for op in BINARY:
        if callable(ORACLES[op][1]):
            continue  # fmod, remainder: below, against exact rational quotients
        for a in BINARY_SPECIAL:
            for b in BINARY_SPECIAL:
                if op == "powv" and a == 0.0:
                    continue  # 0**b: tests/autograd/test_rules_edges.py (PyTorch's convention)
                yield pytest.param(op, a, b, id=f"{op}({a!r},{b!r})")


def _near(got, expected, scale):
    if math.isinf(expected):
        return got == expected
    return got == pytest.approx(expected, rel=1e-9, abs=1e-12 * scale)


def _same_ieee(got: float, expected: float) -> bool:
    """Equal as IEEE results: nan to nan, infinities and zeros by their sign too."""
    if math.isnan(expected):
        return math.isnan(got)
    return got == expected and math.copysign(1, got) == math.copysign(1, expected)


def _ieee_formulas(op, a, b):
    """sympy's first partials and Hessian of the op, evaluated in float64 (IEEE: x/+-0 is
    +-inf by the signs, 0/0 and inf - inf are nan): the formula continued to a pole."""
    expr = ORACLES[op][1]
    exprs = [sp.diff(expr, s) for s in (X, Y)] + [sp.diff(expr, s, t) for s in (X, Y)
                                                  for t in (X, Y)]
    with np.errstate(all="ignore"):
        values = [float(sp.lambdify((X, Y), e, "numpy")(np.float64(a), np.float64(b)))
                  for e in exprs]
    return values[:2], values[2:]


def _check_at_a_pole(op, a, b, order, got):
    """Where mpmath divides by zero: the origin's subgradient 0 for hypot and atan2 (the
    convention stated in their rules, every Hessian entry 0 too), and elsewhere (x/+-0)
    IEEE's value of the exact formula, signs included."""
    if op in ("hypot", "atan2") and a == 0.0 and b == 0.0:
        assert got == [0.0] * len(got), (op, a, b, order, got)
        return
    firsts, hessian = _ieee_formulas(op, a, b)
    expected = firsts if order == 1 else hessian
    assert all(_same_ieee(g, e) for g, e in zip(got, expected)), (op, a, b, order, got,
                                                                   expected)


def _check_not_real(op, a, b, firsts, hessian):
    """a**b with a < 0 and b not whole: the value is nan (checked above); d/da and d2/da2
    are the power rule continued in floats, as PyTorch's (b - 1 and b - 2 round to whole
    numbers at b = +-1e-300, so a**(b - 1) is real), and every entry involving b is nan."""
    assert op == "powv" and a < 0.0, (op, a, b)
    with np.errstate(all="ignore"):
        da = float(np.float64(b) * np.power(np.float64(a), np.float64(b) - 1.0))
        daa = float(np.float64(b) * (np.float64(b) - 1.0) *
                    np.power(np.float64(a), np.float64(b) - 2.0))
    assert firsts[0] == pytest.approx(da, rel=1e-12) and math.isnan(firsts[1]), (a, b, firsts)
    assert _same_ieee(hessian[0][0], daa) or hessian[0][0] == pytest.approx(daa, rel=1e-12), \
        (a, b, hessian)
    assert all(math.isnan(h) for h in (hessian[0][1], hessian[1][0], hessian[1][1])), hessian


@pytest.mark.parametrize("op, a, b", list(_binary_cases()))
def test_two_input_derivatives_at_special_points_match_mpmath(op, a, b):
    """Both first derivatives and the Hessian at every pair of 0, -0.0, +-1, +-1e-300,
    +-1e300, against mpmath; entries that overflow are +-inf, underflow +-0."""
    _, firsts, hessian = _ours2(op, a, b)
    value, fs, hs = _derivatives2(op)
    at = (a, math.copysign(1e-300, b)) if op == "copysign" and b == 0.0 else (a, b)
    if isinstance(_mp2(value, *at), complex):
        _check_not_real(op, a, b, firsts, hessian)  # the value is nan (checked above)
        return
    for order, got, fns in ((1, firsts, fs), (2, sum(hessian, []), sum(hs, []))):
        expected = [_mp2(f, *at) for f in fns]
        if None in expected:  # a pole: see above
            _check_at_a_pole(op, a, b, order, got)
            continue
        finite = [abs(e) for e in expected if isinstance(e, float) and math.isfinite(e)]
        scale = max(finite, default=1.0)
        for k, (g, e) in enumerate(zip(got, expected)):
            where = (op, a, b, order, k, g, e)
            if op == "powv" and a < 0.0 and k > 0 and (order == 2 or k == 1):
                assert math.isnan(g) or g == 0.0, where  # involves b, a < 0
            elif order == 2 and (op, a, b) in KNOWN_OVERFLOW:
                assert math.isnan(g) or math.isinf(g) or _near(g, e, scale), where
            elif order == 1 and k == 0 and (op, a, b) in KNOWN_WRONG_SIGN:
                assert g == -e, where
            elif isinstance(e, complex) or math.isnan(e):
                assert math.isnan(g), where
            else:
                assert _near(g, e, scale), where


# --- rounding ops: far out, and under an infinite upstream gradient ------------------------

ROUNDING = {"floor": math.floor, "ceil": math.ceil, "round": round, "trunc": math.trunc}


@pytest.mark.parametrize("op", sorted(ROUNDING))
@pytest.mark.parametrize("x", [1e300, -1e300, math.inf, -math.inf, 2.5, -2.5])
def test_rounding_ops_far_out(op, x):
    """Every float from 2**52 up is whole, so each rounding op is the identity there (and
    at +-inf, IEEE); the derivative is 0 (PyTorch's), and so is the second."""
    expected = x if not math.isfinite(x) else float(ROUNDING[op](x))
    assert _ours(op, x) == (expected, 0.0, 0.0)


@pytest.mark.parametrize("op", sorted(ROUNDING) + ["sign"])
def test_rounding_ops_under_an_infinite_upstream_gradient_give_nan(op):
    """The convention stated in autograd/rules/piecewise.py: inf * 0 = nan (IEEE), where
    PyTorch's rounding backward gives 0 without reading the upstream gradient."""
    x, big = Value(2.5), Value(math.inf)
    out = ORACLES[op][0](x) * big  # d out / d op(x) = inf
    assert grad(out, [x]) == [pytest.approx(math.nan, nan_ok=True)]
    y = Value(2.5)
    assert grad(ORACLES[op][0](y) * 1e300, [y]) == [0.0]  # a finite upstream: 0


# --- fmod and remainder: the exact quotient -------------------------------------------------

# fmod(a, b) = a - trunc(a/b)*b and remainder(a, b) = a - floor(a/b)*b with the quotient
# of the exact rationals a/b (fractions), not of the rounded float a/b: 1 % 0.1 is
# 0.09999999999999995 because floor(1/0.1) is 9, though the float 1/0.1 is 10.0.
QUOTIENT = {"fmod": math.trunc, "remainder": math.floor}
MOD_POINTS = [(a, b) for a in BINARY_SPECIAL for b in BINARY_SPECIAL if b != 0.0] + [
    (1.0, 0.1), (-1.0, 0.1), (1.0, -0.1), (5.5, 2.0), (-5.5, 2.0), (7.0, -3.5)]


def _quotient_partial(op, a, b) -> float:
    """d op / db = -q, q the exact quotient (jumps where a/b is whole: PyTorch's side)."""
    q = -QUOTIENT[op](fractions.Fraction(a) / fractions.Fraction(b))
    try:
        return float(q)
    except OverflowError:  # 1e300 / 1e-300: the true -q is beyond the floats
        return math.inf if q > 0 else -math.inf


@pytest.mark.parametrize("op", sorted(QUOTIENT))
@pytest.mark.parametrize("a, b", MOD_POINTS)
def test_fmod_and_remainder_derivatives_use_the_exact_quotient(op, a, b):
    value, firsts, hessian = _ours2(op, a, b)
    assert firsts == [1.0, _quotient_partial(op, a, b)], (op, a, b, firsts)
    assert hessian == [[0.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("op, a, b, q", [
    ("remainder", 1.0, -math.inf, -1.0),  # 1 % -inf = -inf = 1 - (-1)*(-inf)
    ("remainder", -1.0, math.inf, -1.0),  # -1 % inf = inf
    ("remainder", 1.0, math.inf, 0.0),    # 1 % inf = 1
    ("fmod", 1.0, -math.inf, 0.0),        # fmod(1, -inf) = 1
])
def test_fmod_and_remainder_quotient_at_an_infinite_divisor(op, a, b, q):
    """The quotient the IEEE value implies (value = a - q*b), as PyTorch's d/db = -q."""
    _, firsts, _ = _ours2(op, a, b)
    assert firsts == [1.0, -q]


# --- derivatives at nan ---------------------------------------------------------------------

# Ops made of steps and signs take, at nan, the branch the rule's stated convention gives
# (m.step(nan) = 0, m.sign(nan) = 0; see the rule's comment); the second derivative is 0.
# PyTorch 2.13 (float64), for comparison, where it differs: relu 1, hardtanh 1,
# hardswish 1, clamp 0, maximum and minimum (1, 1).
NAN_DERIVATIVE = {
    "relu": 0.0, "leaky_relu": 0.2, "hardtanh": 0.0, "hardsigmoid": 0.0,
    "hardswish": 0.0, "abs": 0.0, "sign": 0.0, "floor": 0.0, "ceil": 0.0, "round": 0.0,
    "trunc": 0.0, "clamp": 1.0,
}


@pytest.mark.parametrize("op", sorted(op for op, r in RULES.items()
                                      if r.arity == 1 and op != "pow"))
def test_derivatives_at_nan(op):
    """Every other one-input op has nan first and second derivatives at nan (elu's, selu's
    and celu's too, where PyTorch's branch gives 1)."""
    value, d1, d2 = _ours(op, math.nan)
    assert math.isnan(value)
    if op in NAN_DERIVATIVE:
        assert (d1, d2) == (NAN_DERIVATIVE[op], 0.0)
    else:
        assert math.isnan(d1) and math.isnan(d2), (op, d1, d2)


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("which", [0, 1])
def test_two_input_first_derivatives_at_nan(op, which):
    """nan in either input: the value is nan (IEEE, checked above) and each partial nan
    wherever sympy's partial depends on the nan input; else that partial at the other
    input (d(a*b)/db = a).  maximum/minimum split the gradient (sign(nan) = 0, stated in
    the rule); copysign's d/da is sign(a)*sign(out), 0 at a = nan; fmod/remainder:
    d/da = 1 and d/db = -q with q nan."""
    point = [1.5, 1.5]
    point[which] = math.nan
    _, firsts, _ = _ours2(op, *point)
    if op in ("maximum", "minimum"):
        assert firsts == [0.5, 0.5]
        return
    if op in ("fmod", "remainder"):
        assert firsts[0] == 1.0 and math.isnan(firsts[1])
        return
    if op == "copysign" and which == 1:  # IEEE reads nan's sign bit: +-1.5, not nan
        assert firsts == [math.copysign(1.0, math.copysign(1.5, math.nan)), 0.0]
        return
    expr = _smooth(ORACLES[op][1])
    nan_symbol = (X, Y)[which]
    for k, s in enumerate((X, Y)):
        partial = _smooth(sp.diff(expr, s))
        if op == "copysign" and k == 0 and which == 0:
            assert firsts[0] == 0.0
        elif nan_symbol in partial.free_symbols:
            assert math.isnan(firsts[k]), (op, point, k, firsts)
        else:
            expected = _num(partial, {X: point[0], Y: point[1]})
            assert firsts[k] == pytest.approx(expected, rel=1e-12), (op, point, k)


# Known limit: d2 atanh = 2x/(1 - x**2)**2 is 2e-300 at 1e-300, but the rule's
# 1/((1 - x)*(1 + x)) (kept for its accuracy near +-1) cancels x in the product rule when
# 1 +- x rounds to 1: the engine gives 0, an absolute error below 1e-299.
CANCELLED_D2 = {("atanh", 1e-300), ("atanh", -1e-300)}


# Second derivatives at a pole where sympy has no one-sided answer: -0.0 for sqrt and
# rsqrt, whose first derivatives there are STATED (PyTorch's -inf and +inf, the formula in
# out = -0.0 and -inf).  The second is the same formula continued: d2 sqrt = -1/(4 out**3)
# = -1/(4 * -0.0) = +inf; d2 rsqrt = 3/4 * out**5 = 3/4 * (-inf) = -inf.
# (keyed by repr: as a key, -0.0 would also match 0.0)
STATED_D2 = {("sqrt", "-0.0"): math.inf, ("rsqrt", "-0.0"): -math.inf}
# Poles where sympy's one-sided limit of the second derivative is +-inf but the engine
# gives nan (a set: ("cbrt", 0.0) stands for -0.0 too): the rule's first derivative is a
# product or quotient whose own derivative meets inf * 0 or inf - inf there (d cbrt =
# out/(3x) with out = 0 and x = 0; asin, acos and atanh at +-1 through 1/((1 - x)(1 + x))
# and its square root).
POLE_D2_NAN = {("cbrt", 0.0), ("asin", 1.0), ("asin", -1.0),
               ("acos", 1.0), ("acos", -1.0), ("atanh", 1.0), ("atanh", -1.0)}


def _same_sign_or_nan(got: float, expected: float) -> bool:
    return (math.isnan(got) and math.isnan(expected)) or got == expected


@pytest.mark.parametrize("op, x", list(_far_cases(UNARY_SPECIAL)))
def test_second_derivatives_at_special_points_match_mpmath(op, x):
    """The second derivative at 0, -0.0, +-1, +-3, +-1e-300 (the value and the first are
    test_special_points_match_sympy_or_its_limit's).  At a pole (mpmath divides by zero)
    or outside the real domain the first-derivative test already says what holds."""
    value, _, got = _ours(op, x)
    if (op, x) in KINKS:  # PyTorch's side of the kink is linear (or flat): d2 = 0
        assert got == 0.0
        return
    if (op, x) in CANCELLED_D2:
        assert abs(got) <= 1e-299, (op, x, got)
        return
    expected = _mp(_derivatives(op)[2], x)
    if isinstance(_mp(_derivatives(op)[0], x), complex) and \
            (expected is None or isinstance(expected, complex)):
        # outside the real domain (sqrt(-1), asin(3)): IEEE's nan, as value and derivatives
        assert math.isnan(value) and math.isnan(got), (op, x, value, got)
        return
    if expected is None or isinstance(expected, complex):  # a pole
        if (op, repr(x)) in STATED_D2:
            assert _same_sign_or_nan(got, STATED_D2[op, repr(x)]), (op, x, got)
        else:
            # sympy's one-sided limit (from below at -0.0 and at FROM_BELOW's points)
            limit = _expected_at(op, sp.diff(ORACLES[op][1], X, 2), x)
            if (op, x) in POLE_D2_NAN:
                assert math.isinf(limit) and math.isnan(got), (op, x, got, limit)
            else:
                assert got == limit, (op, x, got, limit)
        return
    if isinstance(_mp(_derivatives(op)[0], x), complex):  # outside the domain (acosh(0))
        assert math.isnan(value) and (math.isnan(got) or _close(got, expected, 1e-9))
        return
    assert _close(got, expected, 1e-9) or (math.isinf(expected) and got == expected), \
        (op, x, got, expected)


def test_with_constant_writes_an_operand_constant_as_its_number():
    from autograd.rules import registered

    assert RULES["pow"].with_constant(RULES["pow"].formula[0], 3.0) == "3*x**2"
    assert RULES["pow"].with_constant(RULES["pow"].formula[0], -0.5) == "-0.5*x**-1.5"
    with registered("scaled", 1, lambda k, x: k * x, lambda m, out, k, x: (k,), "k",
                    ctx_names=("k",), symbol="*") as scaled:  # x*k: the constant an operand
        assert scaled.with_constant("k", 2.5) == "2.5"
    with registered("scaled", 1, lambda k, x: k * x, lambda m, out, k, x: (k,), "k",
                    ctx_names=("k",)) as scaled:  # a parameter, written by its name
        assert scaled.with_constant("k", 2.5) == "k"
    assert RULES["leaky_relu"].with_constant(RULES["leaky_relu"].formula[0], 0.1) == \
        RULES["leaky_relu"].formula[0]
