"""Issue 11, part 1: the edge bugs, each a regression test that failed before the fix.

Oracles: sympy's one-sided limits and PyTorch's / HIPS autograd's documented conventions
(named at each test), IEEE 754 for signed zeros and nan.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp

import autograd as ag
from autograd import Value, grad

A, B = sp.symbols("a b", positive=True)


def _same(a: float, b: float) -> bool:
    return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (a != a and b != b)


# d/da of a**b at a = 0: the limit a -> 0+ of b*a**(b-1) (sympy), 0 where b = 0 (the
# convention of PyTorch, HIPS autograd and tinygrad); d/db is 0 where the base is 0 and
# b >= 0.
@pytest.mark.parametrize("b", [0.0, 0.5, 1.0, 2.5])
@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_pow_with_a_zero_base_has_the_limit_derivatives(b, zero):
    a, e = Value(zero), Value(b)
    da, db = grad(a**e, [a, e])
    k = sp.nsimplify(b)
    expected = 0.0 if b == 0.0 else float(sp.limit(k * A ** (k - 1), A, 0, "+"))
    assert da == expected
    assert db == 0.0


def test_pow_with_a_zero_base_at_infinite_exponent():
    a, e = Value(0.0), Value(math.inf)
    da, db = grad(a**e, [a, e])
    assert db == 0.0
    assert math.isnan(da)  # inf * 0**inf: nan in PyTorch, HIPS and tinygrad alike


def test_x_to_the_x_at_zero_and_a_constant_zero_base():
    x = Value(0.0)
    assert grad(x**x, [x]) == [0.0]
    y = Value(0.0)
    assert grad(0.0 ** y, [y]) == [0.0]


# d/db of a**b where the base is a zero and b < 0: PyTorch's (and tinygrad's) value of
# a**b * log(a), with IEEE signs.  Written out: log(+-0) = -inf (the log of a zero of
# either sign), and a**b is the IEEE pole: +inf, except -inf for -0.0 to an odd whole
# negative power.  So (+0)**b: +inf * -inf = -inf for every b < 0 (-inf included);
# (-0.0)**-1, **-3: -inf * -inf = +inf; (-0.0)**-2, **-0.3, **-inf: +inf * -inf = -inf.
ZERO_BASE_NEGATIVE_EXPONENT = [
    (0.0, -1.0, -math.inf), (0.0, -2.0, -math.inf), (0.0, -0.3, -math.inf),
    (0.0, -math.inf, -math.inf), (-0.0, -1.0, math.inf), (-0.0, -3.0, math.inf),
    (-0.0, -2.0, -math.inf), (-0.0, -0.3, -math.inf), (-0.0, -math.inf, -math.inf),
]


@pytest.mark.parametrize("zero, b, expected", ZERO_BASE_NEGATIVE_EXPONENT)
def test_pow_at_a_zero_base_and_negative_exponent_has_pytorchs_exponent_derivative(
        zero, b, expected):
    a, e = Value(zero), Value(b)
    _, db = grad(a**e, [a, e])
    assert db == expected
    if zero == 0.0 and math.isfinite(b) and math.copysign(1, zero) > 0:
        # the one-sided limit a -> 0+ agrees (sympy)
        k = sp.nsimplify(b)
        assert sp.limit(A**k * sp.log(A), A, 0, "+") == -sp.oo


@pytest.mark.parametrize("zero, b, expected", ZERO_BASE_NEGATIVE_EXPONENT)
def test_backward_compile_and_batches_agree_at_a_zero_base(zero, b, expected):
    np = pytest.importorskip("numpy")
    a, e = Value(zero), Value(b)
    (a**e).backward()
    assert e.grad == expected
    f = ag.compile(lambda x, y: x**y, (0.5, -1.0))
    assert f(zero, b).input_grads[1] == expected
    p = Value(b)
    g = ag.compile(lambda x: x**p, (0.5,))
    g.batch_backward(np.array([zero]))
    assert p.grad == expected


def test_pow_at_a_zero_base_with_nan_exponent_is_nan_and_an_infinite_base_is_the_limit():
    a, e = Value(0.0), Value(math.nan)
    assert math.isnan(grad(a**e, [e])[0])
    # inf**b, b < 0: out is 0 and a**b log(a) -> 0 as a -> inf (sympy); PyTorch's 0 * inf
    # would give nan: the rule states the limit.
    assert sp.limit(A**-1 * sp.log(A), A, sp.oo) == 0
    a, e = Value(math.inf), Value(-1.0)
    assert grad(a**e, [e]) == [0.0]


def test_pow_second_derivatives_at_a_zero_base():
    # d2/da2 of a**2.5 at 0 is 2.5*1.5*0**0.5 = 0; d2/dadb = a**(b-1)(1 + b log a) -> 0.
    a, b = Value(0.0), Value(2.5)
    da, db = grad(a**b, [a, b], create_graph=True)
    assert grad(da, [a, b]) == [0.0, 0.0]
    assert grad(db, [a, b]) == [0.0, 0.0]


def test_softplus_at_zero_is_half_and_a_quarter():
    x = Value(0.0)
    (d1,) = grad(ag.softplus(x), [x], create_graph=True)
    assert d1.data == 0.5
    assert grad(d1, [x]) == [0.25]


def test_softplus_beta_and_threshold_as_torch():
    x = Value(0.5)
    y = ag.softplus(x, beta=2.0)
    assert y.data == pytest.approx(math.log1p(math.exp(1.0)) / 2.0, rel=1e-15)
    assert grad(y, [x]) == [pytest.approx(1 / (1 + math.exp(-1.0)), rel=1e-15)]
    z = Value(30.0)  # beta*x > threshold: the identity, derivative 1
    assert ag.softplus(z).data == 30.0
    assert grad(ag.softplus(z), [z]) == [1.0]
    with pytest.raises(ValueError, match="beta"):
        ag.softplus(x, beta=0.0)


def test_relu_propagates_nan():
    x = Value(math.nan)
    y = x.relu()
    assert math.isnan(y.data)
    assert grad(y, [x]) == [0.0]  # the stated convention (PyTorch's is 1)


def test_relu_and_sqrt_of_signed_zeros_are_ieee():
    assert _same(Value(-0.0).relu().data, 0.0)
    assert _same(Value(-0.0).sqrt().data, -0.0)
    x = Value(-0.0)
    assert grad(x.sqrt(), [x]) == [-math.inf]  # 0.5 / -0.0, as PyTorch
    assert math.isnan(ag.sqrt(-math.inf).data)
    assert math.isnan(ag.sqrt(-1.0).data)


def test_division_is_exact_down_to_the_smallest_normals():
    x = Value(1e-300)
    assert grad(x / x, [x]) == [0.0]
    a, b = Value(1e-300), Value(1e-300)
    assert grad(a / b, [a, b]) == pytest.approx([1e300, -1e300], rel=1e-15)
    s = Value(1e-300)
    assert grad(s.sqrt(), [s]) == [pytest.approx(0.5e150, rel=1e-15)]


def test_values_compare_by_value_and_hash_by_identity():
    assert Value(1) == Value(1)
    assert Value(2) == 2 and 2 == Value(2)
    assert Value(2) != Value(3)
    assert not (Value(2) != 2.0)
    assert (Value(1) == "1") is False
    a, b = Value(1.0), Value(1.0)
    assert hash(a) != hash(b) and hash(a) == object.__hash__(a)
    assert len({a, b}) == 2 and len({a: 1, b: 2}) == 2


def test_equal_valued_nodes_stay_distinct_everywhere():
    import nn

    # Two equal-valued parameters and equal-valued interior nodes.
    p, q = Value(0.5, label="p"), Value(0.5, label="q")
    u, v = p * 2.0, q * 2.0
    out = u * v + u
    out.backward()
    assert (p.grad, q.grad) == (pytest.approx(1.0 * 2 + 2.0), pytest.approx(2.0))
    assert ag.grad(out, [p, q]) == [p.grad, q.grad]
    assert len(ag.topological_order(out)) == len({id(n) for n in ag.topological_order(out)})
    assert ag.explain(out, q).agrees and ag.explain(out, p).agrees
    ag.draw(out)
    f = ag.compile(lambda x: (p * x) * (q * x), [1.0])
    p.grad = q.grad = 0.0
    f.backward(1.0)
    assert (p.grad, q.grad) == (0.5, 0.5)
    model = nn.MLP(2, [2, 1], seed=0) if hasattr(nn, "MLP") else None
    if model is not None:
        for w in model.parameters():
            w.data = 0.25  # every parameter equal
        params = model.parameters()
        assert len(params) == len({id(w) for w in params})
        opt = nn.SGD(params, lr=0.1)
        out = model([1.0, 2.0])
        out = out[0] if isinstance(out, list) else out
        opt.zero_grad()
        out.backward()
        opt.step()
        assert len(model.state_dict()) == len(params)


def test_a_comparison_inside_compile_is_a_guard():
    def f(x):
        return x * 2.0 if x == 1.0 else x * 3.0

    c = ag.compile(f, [1.0])
    assert c.forward(1.0) == 2.0
    assert c.forward(2.0) == 6.0  # the guard failed and fn was traced again
    assert c.traces == 2
