"""Every op of the rule table works with every tool: explain, draw, compile (generated code
and its NumPy batch replay), gradcheck and the command line's whitelist.

Parametrised over ``RULES`` (via test_rules.ORACLES, which must cover every op), so a new
op is checked by each tool the moment it is added.  Oracles: eager mode, and central
finite differences (gradcheck).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from oracles import ORACLES

import autograd as ag
from autograd import RULES, Value
from autograd.program import BINARY, FUNCTIONS, ProgramError, run_program

OPS = sorted(RULES)


def _point(op):
    return ORACLES[op][3][0]


def _build(op):
    return ORACLES[op][0]


def _close(a: float, b: float, tol: float = 1e-12) -> bool:
    return a == b or abs(a - b) <= tol * max(1.0, abs(a), abs(b)) or (a != a and b != b)


@pytest.mark.parametrize("op", OPS)
def test_explain_agrees_with_reverse_mode(op):
    xs = [Value(v, label=f"x{i}") for i, v in enumerate(_point(op))]
    out = _build(op)(*xs)
    out.label = "y"
    for x in xs:
        e = ag.explain(out, x)
        assert e.agrees, (op, x.label, e.value, e.reverse_mode)
        e.text() if hasattr(e, "text") else str(e)


@pytest.mark.parametrize("op", OPS)
def test_draw_labels_every_edge_with_its_local_derivative(op):
    xs = [Value(v, label=f"x{i}") for i, v in enumerate(_point(op))]
    out = _build(op)(*xs)
    source = ag.draw(out, number_format=".12g").source
    node = next(n for n in ag.topological_order(out) if n.op == op)
    partials = RULES[op].local_partials(node.data, node.ctx, [c.data for c in node.inputs])
    for p in partials:
        assert f"{p:.12g}" in source, (op, p)


@pytest.mark.parametrize("op", OPS)
def test_compile_replays_value_and_gradients(op):
    point = list(_point(op))
    build = _build(op)
    xs = [Value(v) for v in point]
    eager = build(*xs)
    eager_grads = ag.grad(eager, xs)
    f = ag.compile(lambda *args: build(*args), point)
    value, _, input_grads = f(*point)
    assert _close(value, eager.data), (op, value, eager.data)
    assert all(_close(a, b) for a, b in zip(input_grads, eager_grads)), (op, input_grads)
    assert f.forward(*point) == value
    assert "def grad" in f.source


@pytest.mark.parametrize("op", OPS)
def test_batch_replay_matches_one_sample_at_a_time(op):
    point = list(_point(op))
    build = _build(op)
    w = Value(1.0)  # a parameter, so batch_backward has a gradient to sum

    def fn(*args):
        return build(*[a * w for a in args])

    f = ag.compile(fn, point)
    shifts = [0.0, 1e-3, -2e-3]
    columns = [np.array([v + s for s in shifts]) for v in point]
    batch = f.batch_forward(*columns)
    singles = [f.forward(*[v + s for v in point]) for s in shifts]
    assert all(_close(a, b, 1e-9) for a, b in zip(batch, singles)), (op, batch, singles)
    w.grad = 0.0
    f.batch_backward(*columns)
    batched_grad = w.grad
    w.grad = 0.0
    for s in shifts:
        f.backward(*[v + s for v in point])
    assert _close(batched_grad, w.grad, 1e-9), (op, batched_grad, w.grad)


@pytest.mark.parametrize("op", OPS)
def test_gradcheck_passes(op):
    assert ag.gradcheck(_build(op), list(_point(op)))


# Points near the edge of each op's domain (a pole, a branch point, a kink, a saturation),
# 1e-3 or more from it so that gradcheck's central difference (step 1e-6) stays on one
# side; with the oracle's own points every op is checked at two or more places.
NEAR_EDGES = {
    "sqrt": [(1e-3,)], "rsqrt": [(1e-3,)], "cbrt": [(1e-3,), (-1e-3,)],
    "log": [(1e-3,)], "log2": [(1e-3,)], "log10": [(1e-3,)], "log1p": [(-0.999,)],
    "asin": [(0.999,), (-0.999,)], "acos": [(0.999,), (-0.999,)],
    "atanh": [(0.999,), (-0.999,)], "acosh": [(1.001,)], "tan": [(1.57,)],
    "asinh": [(1e3,)], "atan": [(1e3,)], "erf": [(-4.0,)], "erfc": [(-4.0,)],
    "exp": [(-700.0,)], "exp2": [(-1000.0,)], "sigmoid": [(30.0,)], "tanh": [(15.0,)],
    "div": [(1.0, 1e-3)], "atan2": [(1e-3, 1e-3)], "hypot": [(1e-3, -1e-3)],
    "powv": [(1e-3, 2.5), (1e-3, -0.5)], "pow": [(1e-3,)], "softsign": [(1e-3,)],
    "relu": [(1e-3,), (-1e-3,)], "leaky_relu": [(1e-3,), (-1e-3,)], "abs": [(1e-3,), (-1e-3,)],
    "elu": [(1e-3,), (-1e-3,)], "celu": [(1e-3,), (-1e-3,)], "selu": [(1e-3,), (-1e-3,)],
    "hardtanh": [(0.999,), (-0.999,)], "hardsigmoid": [(2.999,), (-2.999,)],
    "hardswish": [(2.999,), (-2.999,)], "clamp": [(-0.999,), (1.999,)],
    "floor": [(0.999,)], "ceil": [(0.001,)], "trunc": [(-0.999,)], "round": [(0.499,)],
    "maximum": [(1.0, 1.001)], "minimum": [(1.0, 1.001)], "copysign": [(1.5, 1e-3)],
    "softplus": [(19.999,), (-30.0,)], "logaddexp": [(30.0, -30.0)],
    "fmod": [(5.999, 2.0)], "remainder": [(-5.999, 2.0)],
    "add": [(1e3, -2e-3)], "mul": [(1e-3, -1e3)], "sin": [(1e3,)], "cos": [(1e3,)],
    "sinh": [(30.0,)], "cosh": [(-30.0,)],
    "sum": [(1e-3, -1e3, 2.0)], "dot": [(1e-3, -1e3, 2.0, 0.25)],
}


# Oracle points where finite differences straddle a kink or a jump, so they cannot check
# the derivative: the subgradient there is tests/autograd/test_rules.py's (KINKS, special points).
AT_A_KINK = {("relu", (0.0,)), ("leaky_relu", (0.0,)), ("sign", (0.0,)), ("round", (2.5,))}


def _gradcheck_cases():
    for op in OPS:
        points = [p for p in ORACLES[op][3] if (op, tuple(p)) not in AT_A_KINK]
        for point in points[:3] + NEAR_EDGES.get(op, []):
            yield pytest.param(op, point, id=f"{op}{point!r}")


def test_every_op_is_gradchecked_at_two_points_or_more():
    counts = {op: 0 for op in OPS}
    for case in _gradcheck_cases():
        counts[case.values[0]] += 1
    assert not [op for op, n in counts.items() if n < 2], counts


@pytest.mark.parametrize("op, point", list(_gradcheck_cases()))
def test_gradcheck_at_several_points_and_near_the_domain_edges(op, point):
    ag.gradcheck(_build(op), list(point))  # raises GradcheckError, naming the input


# Ops the command line reaches through an operator instead of a function name, and
# gelu(x, approximate="tanh"), which needs a keyword argument (the whitelist refuses them).
BY_OPERATOR = {"add": "x0 + x1", "mul": "x0 * x1", "div": "x0 / x1", "pow": "x0 ** 3",
               "powv": "x0 ** x1", "remainder": "x0 % x1", "sum": "sum(x0, x1, x0)",
               "dot": "dot([x0, x1], [x1, x0])"}


@pytest.mark.parametrize("op", OPS)
def test_the_command_line_whitelist_reaches_every_op(op):
    if op == "gelu_tanh":
        with pytest.raises(ProgramError, match="keyword arguments are not allowed"):
            run_program('y = gelu(x0, approximate="tanh")', {"x0": 0.3})
        return
    if op in BY_OPERATOR:
        program = run_program(f"y = {BY_OPERATOR[op]}", {"x0": 0.3, "x1": -1.5})
        assert program.values["y"].op == op
        return
    names = [n for n in FUNCTIONS if n == op or (op == "hardtanh" and n == "relu6")]
    assert names, f"{op} is not in autograd.program's whitelist"
    for name in names:
        args = ", ".join(f"x{i}" for i in range(2 if name in BINARY else 1))
        args += ", -1, 0.5" if name == "clamp" else ""
        program = run_program(f"y = {name}({args})", {"x0": 0.3, "x1": -1.5})
        assert program.values["y"].op == op


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_whitelisted_function_runs(name):
    args = "x, z" if name in BINARY else "x, 0, 1" if name == "clamp" else "x"
    args = {"sum": "x, z, x", "dot": "[x, z], [z, x]"}.get(name, args)
    program = run_program(f"y = {name}({args}) % 2", {"x": 0.4 if name != "acosh" else 1.4,
                                                      "z": 1.5})
    assert math.isfinite(program.values["y"].data)


def test_every_built_in_op_and_helper_has_a_numpy_version():
    """Batched replay falls back to the float function sample by sample for a user's op;
    the built-in ones must all have a NumPy version (not the slow fallback)."""
    from autograd.rules import FloatMath
    from autograd.rules.maths import ArrayMath

    inline = {"sum", "dot"}  # generated code writes these out as arithmetic
    missing = [op for op, r in RULES.items() if op not in inline and
               (r.array is None or (r.of_x is not None and r.array_of_x is None))]
    assert not missing
    assert not [n for n in dir(FloatMath) if not n.startswith("_") and not hasattr(ArrayMath, n)]
