"""Every rule's ``expr`` (its forward in symbols) read by sympy equals its float forward.

``expr`` is written in the formula notation (Python expressions: ``x if x > 0 else 0``,
``maximum(a, b)``), so the test reads it with :mod:`ast` and builds the sympy expression
node by node, mapping the op's function names to sympy's; no code of ours evaluates it.
sympy then evaluates it exactly at points given as exact rationals, and that is compared
with the rule's float forward.
"""

from __future__ import annotations

import ast
import math

import pytest
import sympy as sp

from autograd.rules import RULES


class _round_half_even(sp.Function):
    """torch.round: half to even (sympy has no symbolic round)."""

    @classmethod
    def eval(cls, x):
        if x.is_Rational:
            lower = sp.floor(x)
            frac = x - lower
            if frac == sp.Rational(1, 2):
                return lower if lower % 2 == 0 else lower + 1
            return lower if frac < sp.Rational(1, 2) else lower + 1
        return None


FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos,
    "tan": sp.tan, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "atan2": sp.atan2,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "asinh": sp.asinh, "acosh": sp.acosh,
    "atanh": sp.atanh, "erf": sp.erf, "erfc": sp.erfc, "abs": sp.Abs, "sign": sp.sign,
    "floor": sp.floor, "ceil": sp.ceiling, "trunc": lambda x: sp.sign(x) * sp.floor(sp.Abs(x)),
    "round": _round_half_even, "maximum": sp.Max, "minimum": sp.Min,
}
CONSTANTS = {"pi": sp.pi}
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
           ast.Pow: lambda a, b: a**b}
_COMPARE = {ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Lt: sp.Lt, ast.LtE: sp.Le}


def to_sympy(text: str, names: dict):
    """The sympy expression ``text`` (the formula notation) denotes, ``names`` bound."""

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return sp.Rational(node.value)  # exact: 0.044715 is the float's exact value
        if isinstance(node, ast.Name):
            return names[node.id] if node.id in names else CONSTANTS[node.id]
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = walk(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return FUNCTIONS[node.func.id](*map(walk, node.args))
        if isinstance(node, ast.IfExp):
            return sp.Piecewise((walk(node.body), walk(node.test)), (walk(node.orelse), True))
        if isinstance(node, ast.Compare):
            left, parts = walk(node.left), []
            for op, right in zip(node.ops, map(walk, node.comparators)):
                parts.append(_COMPARE[type(op)](left, right))
                left = right
            return sp.And(*parts)
        raise AssertionError(f"expr uses {ast.dump(node)}, outside the formula notation")

    return walk(ast.parse(text, mode="eval"))


# Constants for the ops that have them (ctx), two settings where the constant picks a branch.
CTX = {
    "pow": [2.5, -3.0], "leaky_relu": [0.2], "softplus": [(2.0, 20.0), (1.0, 0.5)],
    "elu": [0.5], "celu": [2.0, -1.5], "clamp": [(-0.5, 1.0), (1.0, -0.5)],
    "hardtanh": [(-1.0, 2.0)],
}
ONE = [0.3, -0.7, 1.9, 2.5, -3.5, 3.0, -3.0, 0.0]
TWO = [(0.3, 1.7), (-1.2, 0.5), (2.5, -0.8), (5.5, 2.0), (-5.5, 2.0), (1.0, 0.1)]
# The n-ary fused ops: their expr is written for a person ("x_1 + ... + x_n").
NARY = {name for name, r in RULES.items() if r.arity == -1}


def _ctx_names(r, ctx) -> dict:
    values = ctx if isinstance(ctx, tuple) else (ctx,)
    assert len(r.ctx_names) == len(values), r.name
    return {n: sp.Rational(v) for n, v in zip(r.ctx_names, values)}


def test_every_rule_has_its_forward_in_symbols():
    missing = [name for name, r in RULES.items() if not r.expr]
    assert not missing, f"rules without expr: {missing}"
    # ops with a constant name it, the others have none
    for name, r in RULES.items():
        assert bool(r.ctx_names) == (name in CTX or name == "dot"), name


@pytest.mark.parametrize("op", sorted(set(RULES) - NARY))
def test_expr_equals_the_float_forward(op):
    r = RULES[op]
    checked = 0
    for ctx in CTX.get(op, [None]):
        names = _ctx_names(r, ctx) if ctx is not None else {}
        for point in (ONE if r.arity == 1 else TWO):
            xs = (point,) if r.arity == 1 else point
            got = r.forward(ctx, *xs)
            if not math.isfinite(got):
                continue  # outside the domain: no real value to compare
            env = dict(names, **dict(zip(("x",) if r.arity == 1 else ("a", "b"),
                                         map(sp.Rational, xs))))
            expected = complex(sp.N(to_sympy(r.expr, env), 40))
            assert expected.imag == 0, (op, ctx, xs, expected)
            assert got == pytest.approx(expected.real, rel=1e-12, abs=1e-300), (op, ctx, xs)
            checked += 1
    assert checked >= 3, f"{op}: only {checked} points inside the domain"


def test_the_nary_ops_are_written_for_a_person():
    assert RULES["sum"].expr == "x_1 + ... + x_n"
    assert RULES["dot"].ctx_names == ("has_bias",)
