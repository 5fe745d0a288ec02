"""``Value``: a scalar node that records the operation that made it.

Every arithmetic operation on a ``Value`` returns a new ``Value`` whose ``_prev`` holds
its inputs (a tuple, in order) and whose ``_op`` names the primitive in
:data:`autograd.rules.RULES`.  The forward values come from that table; derivatives are
only ever taken from it (see :mod:`autograd.graph` for the walk that uses them).

The comparisons, ``%`` and the composites (``-``, negation, ``relu6``) are written here.
The operators ``+ * / **`` (from the rule that names its Python operator, ``Rule.operator``:
:func:`_operators`) and every other operation, as a ``Value`` method (``v.exp()``) and as
a function (``exp(v)``, ``sum``, ``dot``), are generated at import from the rules, which
carry their names, docstrings, constants and forwards (:func:`_generate`): adding an op to
the table adds them.  No op is named here.

Nodes are lean (``__slots__``, no closures): a node refers to its inputs and never back
to itself, so the graph has no reference cycles and is freed by reference counting
alone, without work for Python's cycle collector.
"""

from __future__ import annotations

import builtins
import inspect
import linecache
from collections.abc import Iterable

from .floats import to_float
from .modes import STATE, thread_state
from .rules import RULES

_new = object.__new__


def _special(node: Value) -> None:
    """Slow path of node construction, taken only while a mode is open somewhere."""
    if not getattr(thread_state, "grad_enabled", True):
        node._prev = ()
        node._op = ""
        node._ctx = None
    anomaly = getattr(thread_state, "anomaly", None)
    if anomaly is not None:
        anomaly.on_node(node)


def _observe(value: Value, op: str, other, result) -> None:
    """Tell an active ``autograd.compile`` trace that a branch may depend on ``value``."""
    tracer = getattr(thread_state, "tracer", None)
    if tracer is not None:
        tracer.guard(value, op, other, result)


# A node's six fields are set in three places, each the fastest way for its caller: op
# nodes (new_node), leaves from numbers in arithmetic (as_value: `v * 2.0`), and leaves the
# user makes (Value.__init__).  A helper call would cost each node a tenth of its making.
def new_node(data: float, prev: tuple, op: str, ctx=None) -> Value:
    """A new node of ``op`` (the modes see it: ``no_grad`` makes it a leaf)."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._prev = prev
    v._op = op
    v._ctx = ctx
    v.label = ""
    if STATE.active:
        _special(v)
    return v


def as_value(x) -> Value:
    """``x`` if it is a ``Value``, else a new leaf holding the number ``x``.

    Raises:
        TypeError: ``x`` is neither a Value nor a real number (a one-element numpy array
            counts as a number).

    >>> as_value(2).data, as_value(Value(3.0)).data
    (2.0, 3.0)
    """
    if type(x) is Value:
        return x
    v = _new(Value)
    v.data = x if type(x) is float else to_float(x)  # floats, the common case, without a call
    v.grad = 0.0
    v._prev = ()
    v._op = ""
    v._ctx = None
    v.label = ""
    return v


def _number_or_none(x):
    """``x`` as a float, or None if it is not a real number (for ==, which must not raise)."""
    try:
        return to_float(x)
    except TypeError:
        return None


def _data(x) -> float:
    return x.data if type(x) is Value else to_float(x)


# Comparisons compare data and return bools, as in PyTorch, JAX and tinygrad (so
# `if loss == 0` means what it says).  While autograd.compile traces a function they report
# what they saw (_observe), since it may steer control flow.  One template for the six,
# with the operator written inline (a call of operator.lt would cost each comparison).
_COMPARISONS = {
    # == and != must not raise: not a number falls back to identity (NotImplemented),
    # and against nan the answer never depends on the data (so no guard is reported)
    True: ("def {name}(self, other) -> bool:\n"
           "    o = other.data if type(other) is Value else _number_or_none(other)\n"
           "    if o is None:\n"
           "        return NotImplemented\n"
           "    result = self.data {symbol} o\n"
           "    if STATE.active and o == o:\n"
           "        _observe(self, {symbol!r}, other, result)\n"
           "    return result\n"),
    False: ("def {name}(self, other) -> bool:\n"
            "    result = self.data {symbol} _data(other)\n"
            "    if STATE.active:\n"
            "        _observe(self, {symbol!r}, other, result)\n"
            "    return result\n"),
}


def _defined(source: str, name: str, where: str, qualname: str, **names):
    """The function ``name`` that ``source`` defines, run with ``names`` as its globals
    (and kept in ``linecache``, so tracebacks show the generated line)."""
    filename = f"<autograd.engine: {where}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": __name__, **names}
    exec(compile(source, filename, "exec"), namespace)
    fn = namespace[name]
    fn.__qualname__ = qualname
    return fn


def _comparison(symbol: str, name: str):
    """The comparison method ``name`` (``__lt__``) for the operator ``symbol``."""
    source = _COMPARISONS[symbol in ("==", "!=")].format(name=name, symbol=symbol)
    return _defined(source, name, f"Value.{name}", f"Value.{name}", Value=Value, STATE=STATE,
                    _observe=_observe, _data=_data, _number_or_none=_number_or_none)


class Value:
    """A scalar that remembers how it was computed.

    Attributes:
        data: the value (a float).
        grad: d(root)/d(this node), filled in by :meth:`backward`; leaves accumulate
            across calls, like PyTorch.
        label: an optional name, shown by ``draw`` and ``explain``.

    >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (8.0, 4.0, 2.0)
    """

    __slots__ = ("data", "grad", "_prev", "_op", "_ctx", "label")
    # numpy must not broadcast over a Value: `array * value` then reaches __rmul__,
    # which refuses arrays with a clear TypeError.
    __array_ufunc__ = None

    def __init__(self, data, _children=(), _op: str = "", label: str = "") -> None:
        """A leaf holding the number ``data``, e.g. ``Value(2.0, label="a")``.

        The signature is micrograd's, so its lecture's ``Value(2.0, (), '', 'a')`` makes
        a leaf too.  Nodes with inputs are made by the operators (``a + b``,
        ``a.tanh()``), never by hand: their derivatives come from the rule table.

        Raises:
            TypeError: ``data`` is not a real number (a one-element array or tensor
                counts), ``label`` is not a string, or inputs / an op are given.
            ValueError: ``data`` is an int too large for a float.
        """
        if isinstance(_children, str) and not _op and not label:
            _children, label = (), _children  # Value(2.0, "a"): the label, positionally
        if _children or _op:
            raise TypeError(
                "Value(data, _children, _op) builds a node by hand, as micrograd's "
                "operators do; here the operators build nodes (a + b, a * b, a.tanh(), "
                "...) and take their derivatives from autograd.rules.  For a leaf write "
                "Value(data, label='a'); for a new operation add a rule (docs/design.md)")
        if type(label) is not str:
            raise TypeError(f"label must be a str, got {type(label).__name__} {label!r}")
        if isinstance(data, Value):
            raise TypeError("Value(v) of a Value: use v itself, or Value(v.data) for a "
                            "new leaf holding its number")
        self.data = to_float(data)
        self.grad = 0.0
        self._prev = ()
        self._op = ""
        self._ctx = None
        self.label = label

    # --- introspection ----------------------------------------------------------------
    @property
    def op(self) -> str:
        """Name of the primitive that produced this node ('' for a leaf)."""
        return self._op

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in order (empty for a leaf)."""
        return self._prev

    @property
    def ctx(self):
        """The op's constant (the exponent of ``pow``, ``dot``'s bias flag) or None."""
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        """True for nodes made by the user (or under ``no_grad``), not by an op."""
        return not self._prev

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # Reading a Value as a number can steer Python control flow, so while a function is
    # being traced by autograd.compile it reports what it saw (see _observe).
    def __float__(self) -> float:
        if STATE.active:
            _observe(self, "float", None, self.data)
        return self.data

    # ==, !=, <, <=, >, >= are set below the class, from one template (_comparison).
    # Hashing stays by identity: dictionaries and sets of nodes hold distinct nodes however
    # equal their values (a dictionary hit between two live objects never calls __eq__,
    # their identity hashes differ), and no code in autograd or nn looks a node up with ==,
    # `in` on a list, .index or .remove.
    __hash__ = object.__hash__

    # +, *, / and ** are set below the class, from the rules that name them (_operators).
    def __mod__(self, other) -> Value:
        """Python's ``%`` (``torch.remainder``): the result has the sign of ``other``."""
        return self.remainder(other)

    def __rmod__(self, other) -> Value:
        return as_value(other).remainder(self)

    # --- composites: no rules of their own ----------------------------------------------
    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other) -> Value:
        return self + (-as_value(other))

    def __rsub__(self, other) -> Value:
        return as_value(other) + (-self)

    # --- autodiff -----------------------------------------------------------------------
    def backward(self, gradient: float = 1.0) -> None:
        """Accumulate d(self)/d(leaf) into the ``grad`` of every leaf of the graph.

        Interior nodes' ``grad`` is reset first, so a second call adds exactly the same
        amount to the leaves again (as in PyTorch).  The walk is iterative: graphs of any
        depth work.

        Args:
            gradient: the seed, d(final output)/d(self); 1.0 when ``self`` is the output.

        Raises:
            UnknownOpError: a node's op has no rule in :data:`autograd.rules.RULES`.

        >>> x = Value(3.0); y = x * x; y.backward()
        >>> x.grad
        6.0
        """
        _graph.backward(self, gradient)

    def _backward(self) -> None:
        """One step of backward by hand, as in micrograd's lecture: add ``self.grad`` times
        each local partial (from the rule table) to the ``grad`` of this node's inputs.

        Nothing for a leaf.  Called on every node in reverse topological order, after
        setting the root's ``grad`` to 1 and every other ``grad`` to 0, it gives exactly
        what :meth:`backward` gives (see :func:`autograd.graph.backward_step`).
        """
        _graph.backward_step(self)

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from the graph."""
        return Value(self.data, self.label)

    def zero_grad(self) -> None:
        """Set this node's gradient to zero."""
        self.grad = 0.0


for _symbol, _name in [("==", "__eq__"), ("!=", "__ne__"), ("<", "__lt__"),
                      ("<=", "__le__"), (">", "__gt__"), (">=", "__ge__")]:
    setattr(Value, _name, _comparison(_symbol, _name))
del _symbol, _name


# --- the operations generated from the rule table ----------------------------------------

_ONLY_VALUES = frozenset([Value])


def as_values(items: Iterable) -> tuple:
    """``items`` as a tuple of Values, numbers made leaves."""
    t = tuple(items)
    # The common case, all Values already, is checked in C without a Python-level loop.
    if _ONLY_VALUES.issuperset(map(type, t)):
        return t
    return tuple(map(as_value, t))


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
    return {name: _defined(_OPERATOR_TEMPLATES[kind].format(name=name, **fields), name,
                           f"Value.{name}, from rule {binary.name!r}", f"Value.{name}",
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
    fn = _defined(source, name, f"{'Value.' if method else ''}{name}, from rule {rule.name!r}",
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

# The public names; those of Python's built-ins (abs, round, sum) are left out, so that
# `from autograd import *` does not shadow them: import them by name.
__all__ = ["Value", "as_value", *[name for name in FUNCTIONS if not hasattr(builtins, name)]]

# graph.py needs Value, so it is imported last; binding it here, not inside backward(), saves
# an import statement on every call (a tenth of a small graph's backward).
from . import graph as _graph  # noqa: E402
