"""Trees and graphs in sympy: :func:`to_sympy` and :func:`symbolic_grad` (sympy is an
optional dependency).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from ..engine import Value
from ..graph import topological_order
from ..naming import Names, node_names, user_frame
from ..rules import RULES
from .formulas import constants_env, forward_tree, from_formula, input_names
from .tree import (
    BinOp,
    Call,
    Compare,
    Expr,
    IfExp,
    Juxt,
    Name,
    Neg,
    NotExpressible,
    Num,
    fold,
    number_text,
)

__all__ = ["to_sympy_expr", "to_sympy", "symbolic_grad"]


def _sympy():
    try:
        import sympy
    except ImportError:
        raise ImportError("autograd's symbolic view needs sympy, an optional dependency: "
                          "pip install sympy") from None
    return sympy


# The notation's own functions that are not ops (an op is translated from its rule).
_SYMPY_NOTATION: dict[str, Callable] = {
    "Phi": lambda sp: lambda x: (1 + sp.erf(x / sp.sqrt(2))) / 2,
    "min": lambda sp: sp.Min, "max": lambda sp: sp.Max, "and": lambda sp: sp.And,
}


def _default_ctx(rule):
    """The ctx of a call that gives no constants (``softplus(x)`` in a formula)."""
    if rule.ctx_of is None:
        return None
    try:
        return rule.ctx_of()
    except (TypeError, ValueError):
        raise NotExpressible(f"op {rule.name!r} needs its constants") from None


def _call_in_sympy(sp, call: Call, args: list, seen: frozenset):
    """A call of the notation in sympy: one of its own functions, or an op, by its rule:
    ``Rule.sympy``, else the rule's ``expr`` with the arguments put in."""
    if call.fn in _SYMPY_NOTATION:
        return _SYMPY_NOTATION[call.fn](sp)(*args)
    rule = RULES.get(call.fn)
    if rule is None or rule.arity not in (-1, len(args)):
        raise NotExpressible(f"no sympy form for the function {call.fn!r}")
    ctx = call.ctx if call.ctx is not None else _default_ctx(rule)
    if rule.sympy is not None:
        return rule.sympy(sp, ctx, *args)
    if rule.arity == -1 or not rule.expr or call.fn in seen:
        raise NotExpressible(f"no sympy form for the function {call.fn!r}")
    tree = from_formula(rule.expr, constants_env(rule, ctx))
    return _to_sympy(sp, tree, dict(zip(input_names(len(args)), args)), seen | {call.fn})


def to_sympy_expr(e: Expr, symbols: Mapping[str, object] | None = None):
    """``e`` as a sympy expression; names become symbols (or ``symbols[name]``).

    Raises:
        ImportError: sympy is not installed.
        NotExpressible: ``e`` has a blank, a derivative name or an unknown function.
    """
    return _to_sympy(_sympy(), e, dict(symbols or {}), frozenset())


def _to_sympy(sp, e: Expr, symbols: dict, seen: frozenset):
    relations = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq,
                 "!=": sp.Ne}

    def combine(node, kids):
        if isinstance(node, Num):
            v = node.value
            if math.isfinite(v) and v == math.floor(v) and abs(v) < 2**53:
                return sp.Integer(int(v))
            if node.const and math.isfinite(v) and v == round(v, 12):
                return sp.nsimplify(v)  # the formula's 1/2, 1/3: exact
            return sp.Float(v) if math.isfinite(v) else (sp.nan if v != v else
                                                          sp.oo if v > 0 else -sp.oo)
        if isinstance(node, Name):
            if node.name == "pi":
                return sp.pi
            if node.name not in symbols:
                symbols[node.name] = sp.Symbol(node.name, real=True)
            return symbols[node.name]
        if isinstance(node, BinOp):
            a, b = kids
            return {"+": a + b, "-": a - b, "*": a * b}[node.op] if node.op in "+-*" \
                else (a / b if node.op == "/" else a**b)
        if isinstance(node, Neg):
            return -kids[0]
        if isinstance(node, Compare):
            return relations[node.op](*kids)
        if isinstance(node, Call):
            return _call_in_sympy(sp, node, kids, seen)
        if isinstance(node, IfExp):
            return sp.Piecewise((kids[0], kids[1]), (kids[2], True))
        if isinstance(node, Juxt):
            return sp.Mul(*kids)
        raise NotExpressible(f"{type(node).__name__} has no sympy form")

    return fold(e, combine)


def _graph_tree(root: Value, names: dict) -> Expr:
    """The whole graph as one tree over its leaves (named leaves as names, the others as
    their numbers), from each rule's ``expr``."""
    trees: dict[Value, Expr] = {}
    for node in topological_order(root):
        if not node.inputs:
            name = names.get(node)
            trees[node] = Name(name) if name else Num(node.data, number_text(node.data),
                                                      const=False)
        else:
            trees[node] = forward_tree(node, [trees[c] for c in node.inputs], calls=False)
    return trees[root]


def _leaf_names(root: Value, names: Names, frame) -> dict:
    order = topological_order(root)
    return node_names([n for n in order if not n.inputs], names, frame=frame)


def to_sympy(root: Value, *, names: Names = None):
    """The graph of ``root`` as a sympy expression in its leaves' names.

    Leaves are named as everywhere else (labels, then the caller's variables,
    :mod:`autograd.naming`); a leaf without a name is a constant, its number.

    Raises:
        ImportError: sympy is not installed.
        NotExpressible: an op's rule has no ``expr`` sympy can read.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); y = (x * x).exp()
    >>> to_sympy(y)
    exp(x**2)
    """
    _sympy()
    frame = user_frame()
    if not isinstance(root, Value):
        raise TypeError(f"to_sympy() needs a Value, got {type(root).__name__}")
    return to_sympy_expr(_graph_tree(root, _leaf_names(root, names, frame)))


def _FLAT(sp) -> tuple:  # noqa: N802 - a constant of sympy's, made when sympy is there
    return (sp.floor, sp.ceiling, sp.sign)


def symbolic_grad(root: Value, wrt, *, names: Names = None, simplify: bool = True):
    """d(root)/d(wrt) in closed form, as a sympy expression in the leaves' names.

    Args:
        root: the output.
        wrt: a named leaf of ``root``'s graph, or a list of them (then a list is returned).
        names: as for :func:`to_sympy`.
        simplify: run ``sympy.simplify`` on the result.

    Raises:
        ImportError: sympy is not installed.
        ValueError: ``wrt`` is not a named leaf of the graph.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x + x
    >>> symbolic_grad(y, x)
    2*x + 1
    """
    sp = _sympy()
    frame = user_frame()
    if not isinstance(root, Value):
        raise TypeError(f"symbolic_grad() needs a Value, got {type(root).__name__}")
    leaf_names = _leaf_names(root, names, frame)
    symbols: dict[str, object] = {}
    expression = to_sympy_expr(_graph_tree(root, leaf_names), symbols)
    many = isinstance(wrt, list | tuple)
    results = []
    for w in (wrt if many else [wrt]):
        name = leaf_names.get(w) if isinstance(w, Value) else None
        if name is None:
            raise ValueError("symbolic_grad() wrt must be a named leaf of the graph "
                             "(a Value with a label or held in a variable)")
        symbol = symbols.get(name) or sp.Symbol(name, real=True)
        # sympy leaves d floor(u)/du and d sign(u)/du unevaluated; they are 0 wherever
        # they exist (between the jumps), the rule table's convention for these ops
        d = sp.diff(expression, symbol).replace(
            lambda e: isinstance(e, sp.Derivative) and e.expr.func in _FLAT(sp),
            lambda e: sp.Integer(0)).doit()
        results.append(sp.simplify(d) if simplify else d)
    return results if many else results[0]
