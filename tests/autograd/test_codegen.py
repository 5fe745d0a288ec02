"""Code generated from the rule table does exactly what evaluating the rule on floats does.

Oracle: the rule's ``partials`` evaluated with ``FloatMath`` (the generic chain-rule loop),
compared bit for bit; parametrised over ``RULES`` so a new op is covered at once.
"""

from __future__ import annotations

import math

import pytest

from autograd import RULES, Value, codegen
from autograd.rules import FloatMath, registered
from autograd.rules.arithmetic import left_to_right_sum

# Input values per op that reach every branch of its rule (relu and abs at 0, pow with a
# negative base); ctx values per op (pow's exponent, dot's bias flag).
POINTS = [0.7, -1.3, 0.0, 2.5]
CTX = {"pow": [2.0, -1.0, 0.5, 0.0, 3.0], "dot": [True, False], "leaky_relu": [0.01, 0.2],
       "elu": [1.0, 0.5], "celu": [1.0, 2.0], "softplus": [(1.0, 20.0), (2.0, 1.0)],
       "hardtanh": [(-1.0, 1.0), (0.0, 6.0)], "clamp": [(0.0, 1.0), (None, 0.5), (-1.0, None)]}


def _cases():
    for op, r in RULES.items():
        arities = [r.arity] if r.arity > 0 else [2, 5] if op == "sum" else [4, 5]
        for ctx in CTX.get(op, [None]):
            for n in arities:
                if op == "dot" and (n % 2 == 1) != bool(ctx):
                    continue
                yield pytest.param(op, ctx, n, id=f"{op}-{ctx}-{n}")


CASES = list(_cases())


def _node(op, ctx, xs):
    inputs = tuple(Value(x) for x in xs)
    node = Value(RULES[op].forward(ctx, *xs))
    node._prev, node._op, node._ctx = inputs, op, ctx
    return node


def _same(a: float, b: float) -> bool:
    return a == b and math.copysign(1, a) == math.copysign(1, b) or (a != a and b != b)


@pytest.mark.parametrize("op, ctx, n", CASES)
def test_generated_backward_equals_the_generic_loop(op, ctx, n):
    fn = codegen.backward_function(op, RULES[op].partials, ctx, n)
    for shift in range(len(POINTS)):
        xs = [POINTS[(shift + i) % len(POINTS)] for i in range(n)]
        if op in ("log", "powv"):
            xs = [abs(x) + 0.5 for x in xs]
        node = _node(op, ctx, xs)
        g = -1.75
        fn(node, g)
        generated = [c.grad for c in node._prev]
        ps = RULES[op].partials(FloatMath, node.data, ctx, *xs)
        expected = [0.0 + g * p for p in ps]
        assert all(map(_same, generated, expected)), (op, ctx, xs, generated, expected)


@pytest.mark.parametrize("op, ctx, n", CASES)
def test_generated_forward_equals_the_table(op, ctx, n):
    names = [f"x{i}" for i in range(n)]
    source = codegen.forward_src(op, ctx, names)
    for shift in range(len(POINTS)):
        xs = [POINTS[(shift + i) % len(POINTS)] for i in range(n)]
        got = eval(source, codegen.code_globals(), dict(zip(names, xs)))
        assert _same(got, RULES[op].forward(ctx, *xs)), (op, ctx, xs)


@pytest.mark.parametrize("op", sorted(n for n, r in RULES.items() if r.inline))
def test_inline_forwards_equal_the_rules_function(op):
    source = codegen.forward_src(op, None, ["x"], inline=True)
    edges = POINTS + [0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, 745.2, -745.2, 36.7, -36.7,
                      math.inf, -math.inf, math.nan, 5e-324, 0.5, -0.5, 1.0 / 3.0]
    for x in edges:
        got = eval(source, codegen.code_globals(), {"x": x})
        assert _same(got, RULES[op].of_x(x)), (op, x, got)


def test_generated_forwards_follow_the_rules_fields_not_their_names():
    # native: Python's own operator written inline, on floats and arrays alike
    with registered("minus", 2, lambda ctx, a, b: a - b, lambda m, out, ctx, a, b: (1.0, -1.0),
                    "1", "-1", operator="-", native=True):
        assert codegen.forward_src("minus", None, ["a", "b"]) == "(a - b)"
    with registered("minus", 2, lambda ctx, a, b: a - b, lambda m, out, ctx, a, b: (1.0, -1.0),
                    "1", "-1"):
        assert codegen.forward_src("minus", None, ["a", "b"]) == "_f_minus(None, a, b)"
    # summed: added left to right from 0.0, in statements of at most CHUNK terms
    with registered("total", -1, lambda ctx, *xs: left_to_right_sum(xs),
                    lambda m, out, ctx, *xs: (1.0,) * len(xs), "1", summed=True):
        assert codegen.forward_src("total", None, ["a", "b"]) == "(0.0 + a + b)"
        xs = [0.1 * i - 3.0 for i in range(2 * codegen.CHUNK + 7)]
        names = [f"x{i}" for i in range(len(xs))]
        lines = codegen.forward_lines("t", "total", None, names)
        scope = dict(zip(names, xs))
        exec("\n".join(lines), codegen.code_globals(), scope)
        assert len(lines) == 3 and scope["t"] == left_to_right_sum(xs)
    # inline: the rule's own expression, for floats only
    with registered("twice", 1, lambda ctx, x: x + x, lambda m, out, ctx, x: (2.0,), "2",
                    of_x=lambda x: x + x, inline="({x} + {x})"):
        assert codegen.forward_src("twice", None, ["y"], inline=True) == "(y + y)"
        assert codegen.forward_src("twice", None, ["y"]) == "_x_twice(y)"


def test_a_rule_that_branches_on_data_is_refused():
    with pytest.raises(TypeError, match="branched"):
        codegen.partials_src(lambda m, out, ctx, x: (1.0 if x > 0 else 0.0,), None, "o", ["x"])


def test_a_repeated_input_gets_both_contributions():
    x = Value(3.0)
    y = x * x
    codegen.backward_function("mul", RULES["mul"].partials, None, 2)(y, 2.0)
    assert x.grad == 12.0  # 2 * (x + x)
