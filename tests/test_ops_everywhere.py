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
from autograd.program import BINARY, FUNCTIONS, run_program

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


# Ops the command line reaches through an operator instead of a function name, and
# gelu(x, approximate="tanh"), which needs a keyword argument (the whitelist refuses them).
BY_OPERATOR = {"add", "mul", "div", "pow", "powv", "remainder", "sum", "dot", "gelu_tanh"}


@pytest.mark.parametrize("op", OPS)
def test_the_command_line_whitelist_reaches_every_op(op):
    if op in BY_OPERATOR:
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
    if name in ("sum", "dot"):
        return
    args = "x, z" if name in BINARY else "x, 0, 1" if name == "clamp" else "x"
    program = run_program(f"y = {name}({args}) % 2", {"x": 0.4 if name != "acosh" else 1.4,
                                                      "z": 1.5})
    assert math.isfinite(program.values["y"].data)


@pytest.mark.parametrize("name", ["gelu", "silu", "leaky_relu", "elu", "selu", "celu", "mish",
                                  "softplus", "softsign", "logsigmoid", "hardtanh",
                                  "hardsigmoid", "hardswish", "relu6"])
def test_nn_accepts_each_activation_by_name(name):
    from nn.activations import activation

    f = activation(name)
    assert f(Value(0.5)).data == getattr(ag, name)(0.5).data


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
