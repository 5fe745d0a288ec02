"""The rule table's strings read into trees: an op's forward and its partials over the
trees of a node's inputs, as each rule writes them.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping

from ..engine import Value
from ..program import FUNCTIONS
from ..rules import rule_of
from .tree import (
    BinOp,
    Call,
    Compare,
    Expr,
    IfExp,
    Name,
    NotExpressible,
    binop,
    constant,
    neg,
    product,
    total,
)

__all__ = [
    "from_formula", "constants_env", "input_names", "sum_terms", "operator_of", "forward_tree",
    "partial_tree",
]


# --- reading the rule table's strings -----------------------------------------------------

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
           ast.NotEq: "!="}


def from_formula(text: str, env: Mapping[str, Expr],
                 calls: Mapping[tuple, Expr] | None = None) -> Expr:
    """Parse ``text`` (a rule's ``expr`` or ``formula``) into a tree.

    Args:
        text: a Python expression over the op's input and constant names.
        env: the tree each name stands for (``{"x": <tree>}``); other names are kept as
            names (``pi``).
        calls: ``{(fn, arg names): tree}``: a call such as ``sigmoid(x)`` written in the
            formula for the node itself is replaced by the node's name.

    Raises:
        NotExpressible: the text is not an expression of this notation.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise NotExpressible(f"{text!r} is not an expression") from None
    calls = calls or {}

    def convert(node: ast.AST) -> Expr:  # formula strings are short: recursion is bounded
        kind = type(node)
        if kind is ast.Constant and type(node.value) in (int, float):
            return constant(float(node.value))
        if kind is ast.Name:
            return env[node.id] if node.id in env else Name(node.id)
        if kind is ast.BinOp and type(node.op) in _BINOPS:
            return binop(_BINOPS[type(node.op)], convert(node.left), convert(node.right))
        if kind is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
            inner = convert(node.operand)
            return neg(inner) if type(node.op) is ast.USub else inner
        if kind is ast.Call and type(node.func) is ast.Name and not node.keywords:
            key = (node.func.id, tuple(a.id if type(a) is ast.Name else None
                                       for a in node.args))
            if key in calls:
                return calls[key]
            return Call(node.func.id, tuple(convert(a) for a in node.args))
        if kind is ast.IfExp:
            return IfExp(convert(node.body), convert(node.test), convert(node.orelse))
        if kind is ast.Compare and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
            return Compare(_CMPOPS[type(node.ops[0])], convert(node.left),
                           convert(node.comparators[0]))
        if kind is ast.Compare:  # a < x < b
            parts = [convert(node.left), *map(convert, node.comparators)]
            tests = [Compare(_CMPOPS[type(op)], parts[i], parts[i + 1])
                     for i, op in enumerate(node.ops)]
            return Call("and", tuple(tests))
        raise NotExpressible(f"{text!r}: {kind.__name__} is not part of the notation")

    return convert(tree)


def constants_env(rule, ctx) -> dict[str, Expr]:
    names = tuple(getattr(rule, "ctx_names", ()) or ())
    if not names or ctx is None:
        return {}
    values = ctx if isinstance(ctx, tuple) else (ctx,)
    env = {}
    for name, value in zip(names, values):
        if value is None:  # clamp without one of its bounds
            raise NotExpressible(f"the constant {name!r} is not set")
        if not isinstance(value, bool):
            env[name] = constant(float(value))
    return env


def input_names(n: int) -> tuple[str, ...]:
    """The names a rule's strings give its ``n`` inputs: ``x``, or ``a`` and ``b``."""
    return ("x",) if n == 1 else ("a", "b") if n == 2 else ()


def sum_terms(k: int, count: int) -> list[tuple[int, ...]]:
    """The inputs (by index) multiplied in each term of an op that sums its ``count``
    inputs' products ``k`` at a time (``Rule.sum_of``): ``k`` lists of one length, taken
    position by position, then each input left over (a bias) a term of its own."""
    n = count // k
    return [tuple(i + j * n for j in range(k)) for i in range(n)] + \
        [(i,) for i in range(k * n, count)]


def _times(factors: list[Expr]) -> Expr:
    return factors[0] if len(factors) == 1 else product(factors)


def _sum_forward(rule, args: list[Expr]) -> Expr:
    """An n-ary sum's (``Rule.sum_of``) terms written out: its strings have ``...``."""
    return total([_times([args[i] for i in term]) for term in sum_terms(rule.sum_of, len(args))])


def _sum_partial(rule, k: int, args: list[Expr]) -> Expr:
    """d/d(input k) of an n-ary sum of products: the other factors of k's term."""
    return total([_times([args[i] for i in term if i != k]) if len(term) > 1 else constant(1.0)
                  for term in sum_terms(rule.sum_of, len(args)) if k in term])


@functools.lru_cache(maxsize=256)
def _operator_in(expr: str, names: tuple[str, ...]) -> tuple[str, str, str] | None:
    try:
        tree = from_formula(expr, {})
    except NotExpressible:
        return None
    if isinstance(tree, BinOp) and isinstance(tree.left, Name) \
            and isinstance(tree.right, Name) and {tree.left.name, tree.right.name} <= set(names):
        return tree.op, tree.left.name, tree.right.name
    return None


def operator_of(rule) -> tuple[str, str, str] | None:
    """``(operator, left, right)`` when the rule's ``expr`` is one operator between its
    inputs or constants (``a*b``, ``a/b``, ``x**k``: the op is written infix), else None."""
    if rule is None or rule.arity == -1 or not rule.expr:
        return None
    return _operator_in(rule.expr, input_names(rule.arity) + tuple(rule.ctx_names))


def forward_tree(node: Value, args: list[Expr], *, calls: bool = True) -> Expr:
    """The forward of ``node`` over the trees of its inputs.

    With ``calls`` (the notation people write), an op that the command line's language
    can call by name is written as that call (``sigmoid(w*x + b)``, as the documents
    write f(...)); otherwise, and for ``calls=False`` (sympy), the rule's ``expr``.
    """
    rule = rule_of(node.op)
    if rule.arity == -1 and rule.sum_of:
        return _sum_forward(rule, args)
    expr = rule.expr if rule.arity != -1 else ""  # an n-ary op's is for people
    if not expr and not calls and rule.sympy is None:
        raise NotExpressible(f"op {node.op!r} has no expr (nor sympy form) in the rule table")
    if not expr or (calls and node.op in FUNCTIONS and node.ctx is None):
        return Call(node.op, tuple(args), node.ctx)
    env = dict(constants_env(rule, node.ctx))
    env.update(zip(input_names(len(args)), args))
    return from_formula(expr, env)


def partial_tree(node: Value, k: int, args: list[Expr], itself: Expr | None = None) -> Expr:
    """d(node)/d(input k) from the rule's formula, over the trees of its inputs.

    ``itself`` (the node's name) replaces a call of the op on its own inputs in the
    formula (``sigmoid(x)*(1 - sigmoid(x))`` for a node named h is ``h*(1 - h)``).
    """
    rule = rule_of(node.op)
    if rule.arity == -1 and rule.sum_of:  # "x_i (for w_i)": the other factors of the term
        return _sum_partial(rule, k, args)
    text = rule.formula[0] if rule.arity == -1 else rule.formula[k]
    names = input_names(len(args))
    env = dict(constants_env(rule, node.ctx))
    env.update(zip(names, args))
    calls = {(node.op, names): itself} if itself is not None else None
    return from_formula(text, env, calls)
