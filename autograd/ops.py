"""The operations, generated from the rule table: every op as a ``Value`` method
(``v.exp()``), as a function (``exp(v)``, ``sum``, ``dot``) and as Python's operators
(``+ * / **``, from the rule that names its operator, ``Rule.operator``).

The rules carry the ops' names, docstrings, constants and forwards; this module writes
one small function per op and shape from them, and attaches the methods and operators to
:class:`autograd.engine.Value` when it is imported (``import autograd`` imports it, so
every way of reaching ``Value`` finds them): adding an op to the table adds them.  No op
is named here.  The node itself (its fields, comparisons, ``backward``) is
:mod:`autograd.engine`, below this module; :data:`FUNCTIONS` and :data:`COMMAND_LINE`
are what ``autograd.program`` and ``nn`` read.
"""

from __future__ import annotations

import builtins
import inspect
from collections.abc import Iterable

from .codegen import define
from .engine import Value, as_value, as_values, new_node
from .floats import to_float
from .rules import RULES

# The operators: a rule says which one builds it (Rule.operator); a native forward is
# written inline (the hot path: `self.data + other.data`, no call), another is called.
# Where a one-input rule with a constant shares the operator (x ** 2.0), a number on the
# right builds it and a Value the two-input rule.
_DUNDERS = {"+": ("__add__", "__radd__"), "*": ("__mul__", "__rmul__"),
            "/": ("__truediv__", "__rtruediv__"), "**": ("__pow__", "__rpow__")}
_OPERATOR_TEMPLATES = {
    "binary": ("def {name}(self, other) -> Value:\n"
               "    if type(other) is not Value:\n"
               "        other = as_value(other)\n"
               "    return new_node({left}, (self, other), {op!r})\n"),
    "reflected": ("def {name}(self, other) -> Value:\n"
                  "    other = as_value(other)\n"
                  "    return new_node({right}, (other, self), {op!r})\n"),
    "constant": ("def {name}(self, other) -> Value:\n"
                 "    if type(other) is Value:\n"
                 "        return new_node({left}, (self, other), {op!r})\n"
                 "    k = to_float(other)\n"
                 "    return new_node(constant_forward(k, self.data), (self,), {constant!r}, k)\n"),
}


def _operators(binary, constant) -> dict:
    """``Value``'s methods for ``binary.operator`` (``__add__`` and ``__radd__``), from its
    two-input rule and, if one shares the operator, the one-input rule with a constant."""
    try:
        names = _DUNDERS[binary.operator]
    except KeyError:
        raise ValueError(f"op {binary.name!r}: no Value method for the operator "
                         f"{binary.operator!r} (one of {sorted(_DUNDERS)})") from None

    def written(a: str, b: str) -> str:
        return f"{a} {binary.operator} {b}" if binary.native else f"forward(None, {a}, {b})"

    fields = {"op": binary.name, "constant": constant and constant.name,
              "left": written("self.data", "other.data"),
              "right": written("other.data", "self.data")}
    kinds = ("binary" if constant is None else "constant", "reflected")
    return {name: define(_OPERATOR_TEMPLATES[kind].format(name=name, **fields), name,
                         __name__, f"Value.{name}, from rule {binary.name!r}", f"Value.{name}",
                         Value=Value, as_value=as_value, new_node=new_node,
                         to_float=to_float, forward=binary.forward,
                         constant_forward=constant and constant.forward)
            for name, kind in zip(names, kinds)}


def _bind_operators() -> None:
    by_operator: dict[str, dict[int, object]] = {}
    for r in RULES.values():
        if r.operator:
            by_operator.setdefault(r.operator, {})[r.arity] = r
    for rules in by_operator.values():
        for name, method in _operators(rules[2], rules.get(1)).items():
            setattr(Value, name, method)


_bind_operators()


# Source of an op's method and function, by the shape of its rule: one input (its forward
# as of_x(x)), one input with constants (ctx_of checks them), two inputs, one input whose
# rule an argument chooses (choose), or a fused n-ary sum (summed; paired: a dot product,
# with a second function for callers that checked their arguments).  {params} are the
# constants' parameters (from ctx_of's or choose's signature), {args} their names.
_TEMPLATES = {
    "unary": (
        "def {name}(self) -> Value:\n"
        "    return new_node(of_x(self.data), (self,), {op!r})\n",
        "def {name}(x: Value | float) -> Value:\n"
        "    if type(x) is not Value:\n"
        "        x = as_value(x)\n"
        "    return new_node(of_x(x.data), (x,), {op!r})\n",
    ),
    "constants": (
        "def {name}(self, {params}) -> Value:\n"
        "    ctx = ctx_of({args})\n"
        "    return new_node(forward(ctx, self.data), (self,), {op!r}, ctx)\n",
        "def {name}(x: Value | float, {params}) -> Value:\n"
        "    ctx = ctx_of({args})\n"
        "    if type(x) is not Value:\n"
        "        x = as_value(x)\n"
        "    return new_node(forward(ctx, x.data), (x,), {op!r}, ctx)\n",
    ),
    "binary": (
        "def {name}(self, other: Value | float) -> Value:\n"
        "    if type(other) is not Value:\n"
        "        other = as_value(other)\n"
        "    return new_node(forward(None, self.data, other.data), (self, other), {op!r})\n",
        "def {name}(a: Value | float, b: Value | float) -> Value:\n"
        "    if type(a) is not Value:\n"
        "        a = as_value(a)\n"
        "    if type(b) is not Value:\n"
        "        b = as_value(b)\n"
        "    return new_node(forward(None, a.data, b.data), (a, b), {op!r})\n",
    ),
    "chosen": (
        None,
        "def {name}(x: Value | float, {params}) -> Value:\n"
        "    op = choose({args})\n"
        "    x = as_value(x)\n"
        "    return new_node(RULES[op].of_x(x.data), (x,), op)\n",
    ),
    # left to right from 0.0, as rules.left_to_right_sum (a plain loop is fastest)
    "summed": (
        None,
        "def {name}(values: Iterable) -> Value:\n"
        "    xs = as_values(values)\n"
        "    if not xs:\n"
        "        raise ValueError('{name}() of no values: give at least one')\n"
        "    total = 0.0\n"
        "    for v in xs:\n"
        "        total += v.data\n"
        "    return new_node(total, xs, {op!r})\n",
    ),
    "paired": (
        None,
        "def {name}(weights: Iterable, inputs: Iterable, bias=None) -> Value:\n"
        "    ws = as_values(weights)\n"
        "    xs = as_values(inputs)\n"
        "    if len(ws) != len(xs):\n"
        "        raise ValueError(f'{name}() needs as many weights as inputs, got {{len(ws)}} '\n"
        "                         f'and {{len(xs)}}')\n"
        "    if not ws:\n"
        "        raise ValueError('{name}() of no values: give at least one weight and input')\n"
        "    return fused(ws, xs,\n"
        "                 None if bias is None else bias if type(bias) is Value else "
        "as_value(bias))\n",
    ),
    "fused": (
        None,
        "def {name}(ws, xs, bias) -> Value:\n"
        "    total = 0.0\n"
        "    for w, x in zip(ws, xs):\n"
        "        total += w.data * x.data\n"
        "    if bias is None:\n"
        "        return new_node(total, (*ws, *xs), {op!r}, False)\n"
        "    return new_node(total + bias.data, (*ws, *xs, bias), {op!r}, True)\n",
    ),
}


def _shape(rule) -> str:
    if rule.choose is not None:
        return "chosen"
    if rule.paired:
        return "paired"
    if rule.summed:
        return "summed"
    if rule.ctx_of is not None:
        return "constants"
    if rule.arity == 1 and rule.of_x is not None:
        return "unary"
    if rule.arity == 2:
        return "binary"
    raise ValueError(f"op {rule.name!r}: no method or function can be generated for it "
                     f"(give it of_x, ctx_of, or two inputs)")


def _parameters(fn) -> tuple[str, str]:
    """``fn``'s parameters as source (with annotations and defaults), and their names."""
    params = inspect.signature(fn).parameters.values()
    text = ", ".join(
        p.name + (f": {p.annotation}" if p.annotation is not p.empty else "")
        + (f" = {p.default!r}" if p.default is not p.empty else "") for p in params)
    return text, ", ".join(p.name for p in params)


def _generate(rule, name: str, method: bool, shape: str | None = None, **names):
    """The method (``method``) or function ``name`` building one node of ``rule``'s op."""
    shape = shape or _shape(rule)
    template = _TEMPLATES[shape][0 if method else 1]
    if template is None:
        raise ValueError(f"op {rule.name!r}: no Value method can be generated for it "
                         f"(a {shape} op has functions only)")
    constants = rule.choose if shape == "chosen" else rule.ctx_of
    params, args = _parameters(constants) if constants is not None else ("", "")
    source = "from __future__ import annotations\n" + template.format(
        name=name, op=rule.name, params=params, args=args)
    fn = define(source, name, __name__,
                f"{'Value.' if method else ''}{name}, from rule {rule.name!r}",
                f"Value.{name}" if method else name, Value=Value, as_value=as_value,
                as_values=as_values, new_node=new_node, Iterable=Iterable, RULES=RULES,
                of_x=rule.of_x, forward=rule.forward, ctx_of=rule.ctx_of,
                choose=rule.choose, **names)
    fn.__doc__ = rule.doc
    return fn


#: Every module-level function that builds an op, by name (generated ones and ``relu6``,
#: written below), and the names the command line may call (``autograd.program``).
FUNCTIONS: dict[str, object] = {}
COMMAND_LINE: list[str] = []

for _rule in RULES.values():
    if _rule.method:
        setattr(Value, _rule.name, _generate(_rule, _rule.name, method=True))
    if not _rule.functions:
        continue
    _names = {}
    if _rule.paired:  # fused_dot: dot without the checks, for callers that made them (nn)
        _names["fused"] = _generate(_rule, f"fused_{_rule.name}", False, "fused")
        _names["fused"].__doc__ = (
            f"``{_rule.name}`` for callers that have checked their arguments (``nn`` "
            f"layers): ``ws`` and ``xs`` are non-empty sequences of Values of one length, "
            f"``bias`` a Value or None.")
        globals()[_names["fused"].__name__] = _names["fused"]
    # one function, under each of its names (abs is absolute)
    _fn = _generate(_rule, _rule.functions[0], False, **_names)
    FUNCTIONS.update(dict.fromkeys(_rule.functions, _fn))
    if _rule.cli:
        COMMAND_LINE += _rule.functions
globals().update(FUNCTIONS)
del _rule, _fn, _names
Value.__abs__ = Value.abs  # abs(v)


def relu6(x: Value | float) -> Value:
    """min(max(x, 0), 6).

    A composite, not a rule: it is exactly ``hardtanh(x, 0, 6)``, as in PyTorch (so its
    derivative is 0 at 0 and at 6).
    """
    return hardtanh(x, 0.0, 6.0)  # noqa: F821 - generated above, from its rule


FUNCTIONS.update(relu6=relu6)
COMMAND_LINE.append("relu6")

# The public names: every op's function, except those named like Python's built-ins (abs,
# round, sum), so that `from autograd import *` does not shadow them: import them by name.
__all__ = [name for name in FUNCTIONS if not hasattr(builtins, name)]
