"""What ``autograd.ops`` builds from the rule table: methods, functions, exports, the command
line's whitelist, batched replay's forwards; and that people and tools can read them
(``help``, ``__doc__``, ``inspect.signature``)."""

from __future__ import annotations

import builtins
import inspect
import math
import pydoc

import pytest

import autograd
from autograd import RULES, Value, ops, program, vectorized
from autograd.rules import op_table
from autograd.rules.maths import array_function

FUNCTIONS = sorted((name, r) for r in RULES.values() for name in r.functions)
METHODS = sorted(name for name, r in RULES.items() if r.method)


@pytest.mark.parametrize("name, rule", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_every_function_of_a_rule_is_exported_with_its_doc(name, rule):
    fn = getattr(autograd, name)
    assert fn.__doc__ == rule.doc and rule.doc
    assert fn.__name__ == rule.functions[0] and fn.__module__ == "autograd.ops"
    assert (name in autograd.__all__) == (not hasattr(builtins, name)), name
    # it builds one node of its op, from numbers too
    args = (0.5,) * rule.arity if rule.arity > 0 else (0.5, 0.25)
    constants = (0.0, 0.25) if name == "clamp" else ()  # clamp has no default bounds
    ctx = None if rule.ctx_of is None else rule.ctx_of(*constants)
    if rule.paired:  # dot(weights, inputs): no bias
        out, ctx = fn(args[:1], args[1:]), False
    elif rule.summed:  # sum(values)
        out = fn(args)
    else:
        out = fn(*args, *constants)
    assert type(out) is Value and out.op == rule.name and len(out.inputs) == len(args)
    expected = rule.forward(ctx, *args)
    assert out.data == expected or (math.isnan(out.data) and math.isnan(expected))


@pytest.mark.parametrize("name", METHODS)
def test_every_method_of_a_rule_is_on_value_with_its_doc(name):
    method = getattr(Value, name)
    assert method.__doc__ == RULES[name].doc
    assert method.__qualname__ == f"Value.{name}"
    text = pydoc.render_doc(method, renderer=pydoc.plaintext)
    assert RULES[name].doc.splitlines()[0] in text


def test_signatures_are_the_real_ones():
    sig = inspect.signature(autograd.softplus)
    assert list(sig.parameters) == ["x", "beta", "threshold"]
    assert sig.parameters["beta"].default == 1.0
    assert sig.parameters["threshold"].default == 20.0
    assert list(inspect.signature(Value.clamp).parameters) == ["self", "min", "max"]
    assert list(inspect.signature(autograd.atan2).parameters) == ["a", "b"]
    assert list(inspect.signature(Value.exp).parameters) == ["self"]
    assert list(inspect.signature(autograd.exp).parameters) == ["x"]
    # keywords work, and a wrong one is named by the op, not by a helper
    assert autograd.leaky_relu(-1.0, negative_slope=0.5).data == -0.5
    with pytest.raises(TypeError, match="leaky_relu.*slope"):
        autograd.leaky_relu(-1.0, slope=0.5)


def test_help_shows_the_doc_and_signature():
    text = pydoc.render_doc(autograd.softplus, renderer=pydoc.plaintext)
    assert "softplus(x: 'Value | float', beta: 'float' = 1.0, threshold: 'float' = 20.0)" \
        in text
    assert "Raises" in text
    assert autograd.exp.__doc__ == Value.exp.__doc__ == RULES["exp"].doc


def test_constants_are_checked_naming_them():
    with pytest.raises(TypeError, match="beta must be a number, not a Value"):
        autograd.softplus(1.0, beta=Value(2.0))
    with pytest.raises(ValueError, match="softplus: beta must be a finite non-zero"):
        Value(1.0).softplus(beta=0.0)
    with pytest.raises(ValueError, match="clamp: give min, max or both"):
        Value(1.0).clamp()
    with pytest.raises(ValueError, match="hardtanh: min_val 2.0 is greater than max_val"):
        autograd.hardtanh(0.0, 2.0, 1.0)
    with pytest.raises(ValueError, match="celu: alpha must not be 0"):
        autograd.celu(0.0, 0)


def test_the_command_line_may_call_what_the_rules_allow():
    from_rules = {name for r in RULES.values() if r.cli for name in r.functions}
    assert set(program.FUNCTIONS) == from_rules | {"gelu", "relu6", "sum", "dot"}
    assert "div" not in program.FUNCTIONS  # the operator / is the way
    assert set(program.BINARY) == {n for r in RULES.values() if r.cli and r.arity == 2
                                   for n in r.functions}


def test_batched_replay_uses_each_rules_array_forward():
    pytest.importorskip("numpy")
    names = vectorized.numpy_globals()
    for op, r in RULES.items():
        if r.array is not None:
            assert names[f"_f_{op}"] is r.array
        if r.array_of_x is not None:  # NumPy's own function where it names one
            assert names[f"_x_{op}"] is array_function(r.array_of_x)


def test_the_op_table_has_a_row_per_rule():
    rows = op_table().splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{op}`" for op in RULES]


def test_exports_follow_the_table():
    assert set(ops.FUNCTIONS) == {n for r in RULES.values() for n in r.functions} | {
        "gelu", "relu6", "sum", "dot"}
    assert autograd.abs is autograd.absolute
    assert abs(Value(-2.0)).op == "abs"


_PYTHON = {"+": lambda a, b: a + b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
           "**": lambda a, b: a ** b}
OPERATORS = [r for r in RULES.values() if r.operator and r.arity == 2]


@pytest.mark.parametrize("rule", OPERATORS, ids=[r.name for r in OPERATORS])
def test_every_operator_builds_the_rule_that_names_it(rule):
    apply = _PYTHON[rule.operator]
    constant = [r for r in RULES.values() if r.operator == rule.operator and r.arity == 1]
    a, b = Value(0.5), Value(-2.0)
    for out, inputs in ((apply(a, b), (a, b)), (apply(-1.5, b), None)):
        assert out.op == rule.name
        assert inputs is None or out.inputs == inputs
    assert apply(a, b).data == rule.forward(None, 0.5, -2.0)
    assert apply(-1.5, b).data == rule.forward(None, -1.5, -2.0)  # reflected: __radd__ ...
    right = apply(a, -2.0)  # a number on the right: the rule with a constant, if any
    if constant:
        assert (right.op, right.ctx, right.inputs) == (constant[0].name, -2.0, (a,))
        assert right.data == constant[0].forward(-2.0, 0.5)
    else:
        assert right.op == rule.name and right.data == rule.forward(None, 0.5, -2.0)


def test_an_operators_method_is_generated_from_the_rules_fields():
    import linecache

    from autograd.rules import registered

    for native in (True, False):
        with registered("times", 2, lambda ctx, x, y: x * y + 0.0,
                        lambda m, out, ctx, x, y: (y, x), "b", "a", operator="*",
                        native=native) as times:
            methods = ops._operators(times, None)
            assert sorted(methods) == ["__mul__", "__rmul__"]
            out = methods["__mul__"](Value(3.0), 4.0)
            assert (out.op, out.data) == ("times", 12.0)
            source = "".join(linecache.getlines(methods["__mul__"].__code__.co_filename))
            assert ("self.data * other.data" in source) == native
            assert ("forward(None, self.data, other.data)" in source) == (not native)
            back = methods["__rmul__"](Value(3.0), 4.0)
            assert (back.op, back.inputs[1].data, back.inputs[0].data) == ("times", 3.0, 4.0)
