"""``Value``: a scalar node that records the operation that made it.

Every arithmetic operation on a ``Value`` returns a new ``Value`` whose ``_prev`` holds
its inputs (a tuple, in order) and whose ``_op`` names the primitive in
:data:`autograd.rules.RULES`.  The forward values come from that table; derivatives are
only ever taken from it (see :mod:`autograd.graph` for the walk that uses them).

The operators (``+ * / ** %`` and the composites ``-``, ``neg``) are written here; every
other operation, as a ``Value`` method (``v.exp()``) and as a function (``exp(v)``), is
generated at import from its rule, which carries its name, docstring, constants and
forward (:func:`_generate`): adding an op to the table adds them.

Nodes are lean (``__slots__``, no closures): a node refers to its inputs and never back
to itself, so the graph has no reference cycles and is freed by reference counting
alone, without work for Python's cycle collector.
"""

from __future__ import annotations

import builtins
import inspect
import linecache
import operator
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


def _comparison(symbol: str, test, equality: bool):
    """A comparison method: it compares data and returns a bool, as in PyTorch, JAX and
    tinygrad (so ``if loss == 0`` means what it says).  While ``autograd.compile`` traces
    a function it reports what it saw (:func:`_observe`), since it may steer control flow.
    """
    if equality:  # == and != must not raise: not a number falls back to identity
        def method(self, other) -> bool:
            o = other.data if type(other) is Value else _number_or_none(other)
            if o is None:
                return NotImplemented
            result = test(self.data, o)
            if STATE.active and o == o:  # against nan the answer never depends on the data
                _observe(self, symbol, other, result)
            return result
    else:
        def method(self, other) -> bool:
            result = test(self.data, _data(other))
            if STATE.active:
                _observe(self, symbol, other, result)
            return result

    method.__name__ = f"__{test.__name__}__"
    method.__qualname__ = f"Value.{method.__name__}"
    return method


# The operators' forwards (the other ops' are bound into their generated code).
_POW, _POWV, _DIV = RULES["pow"].forward, RULES["powv"].forward, RULES["div"].forward


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

    # Hashing stays by identity: dictionaries and sets of nodes hold distinct nodes however
    # equal their values (a dictionary hit between two live objects never calls __eq__,
    # their identity hashes differ), and no code in autograd or nn looks a node up with ==,
    # `in` on a list, .index or .remove.
    __eq__ = _comparison("==", operator.eq, equality=True)
    __ne__ = _comparison("!=", operator.ne, equality=True)
    __lt__ = _comparison("<", operator.lt, equality=False)
    __le__ = _comparison("<=", operator.le, equality=False)
    __gt__ = _comparison(">", operator.gt, equality=False)
    __ge__ = _comparison(">=", operator.ge, equality=False)
    __hash__ = object.__hash__

    # --- the operators (add and mul inline their float forward: the hot path) ----------
    def __add__(self, other) -> Value:
        if type(other) is not Value:
            other = as_value(other)
        return new_node(self.data + other.data, (self, other), "add")

    def __radd__(self, other) -> Value:
        other = as_value(other)
        return new_node(other.data + self.data, (other, self), "add")

    def __mul__(self, other) -> Value:
        if type(other) is not Value:
            other = as_value(other)
        return new_node(self.data * other.data, (self, other), "mul")

    def __rmul__(self, other) -> Value:
        other = as_value(other)
        return new_node(other.data * self.data, (other, self), "mul")

    def __truediv__(self, other) -> Value:
        if type(other) is not Value:
            other = as_value(other)
        return new_node(_DIV(None, self.data, other.data), (self, other), "div")

    def __rtruediv__(self, other) -> Value:
        other = as_value(other)
        return new_node(_DIV(None, other.data, self.data), (other, self), "div")

    def __pow__(self, other) -> Value:
        if type(other) is Value:
            return new_node(_POWV(None, self.data, other.data), (self, other), "powv")
        k = to_float(other)
        return new_node(_POW(k, self.data), (self,), "pow", k)

    def __rpow__(self, other) -> Value:
        base = as_value(other)
        return new_node(_POWV(None, base.data, self.data), (base, self), "powv")

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

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from the graph."""
        return Value(self.data, self.label)

    def zero_grad(self) -> None:
        """Set this node's gradient to zero."""
        self.grad = 0.0


# --- the operations generated from the rule table ----------------------------------------

# Source of an op's method and function, by the shape of its rule: one input (its forward
# as of_x(x)), one input with constants (ctx_of checks them), or two inputs.  {params} are
# the constants' parameters (from ctx_of's signature), {args} their names.
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
}


def _shape(rule) -> str:
    if rule.ctx_of is not None:
        return "constants"
    if rule.arity == 1 and rule.of_x is not None:
        return "unary"
    if rule.arity == 2:
        return "binary"
    raise ValueError(f"op {rule.name!r}: no method or function can be generated for it "
                     f"(give it of_x, ctx_of, or two inputs)")


def _parameters(ctx_of) -> tuple[str, str]:
    """``ctx_of``'s parameters as source (with annotations and defaults), and their names."""
    params = inspect.signature(ctx_of).parameters.values()
    text = ", ".join(
        p.name + (f": {p.annotation}" if p.annotation is not p.empty else "")
        + (f" = {p.default!r}" if p.default is not p.empty else "") for p in params)
    return text, ", ".join(p.name for p in params)


def _generate(rule, name: str, method: bool):
    """The method (``method``) or function ``name`` building one node of ``rule``'s op."""
    shape = _shape(rule)
    params, args = _parameters(rule.ctx_of) if shape == "constants" else ("", "")
    source = "from __future__ import annotations\n" + _TEMPLATES[shape][0 if method else 1]\
        .format(name=name, op=rule.name, params=params, args=args)
    filename = f"<autograd.engine: {'Value.' if method else ''}{name}, from rule {rule.name!r}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": __name__, "Value": Value, "as_value": as_value, "new_node": new_node,
                 "of_x": rule.of_x, "forward": rule.forward, "ctx_of": rule.ctx_of}
    exec(compile(source, filename, "exec"), namespace)
    fn = namespace[name]
    fn.__doc__ = rule.doc
    fn.__qualname__ = f"Value.{name}" if method else name
    return fn


#: Every module-level function that builds an op, by name (generated ones and those
#: written below), and the names the command line may call (``autograd.program``).
FUNCTIONS: dict[str, object] = {}
COMMAND_LINE: list[str] = []

for _rule in RULES.values():
    if _rule.method:
        setattr(Value, _rule.name, _generate(_rule, _rule.name, method=True))
    if _rule.functions:  # one function, under each of its names (abs is absolute)
        _fn = _generate(_rule, _rule.functions[0], method=False)
        FUNCTIONS.update(dict.fromkeys(_rule.functions, _fn))
        if _rule.cli:
            COMMAND_LINE += _rule.functions
globals().update(FUNCTIONS)
del _rule, _fn
Value.__abs__ = Value.abs  # abs(v)


# --- functions written by hand: one of two rules, a composite, the fused n-ary ops -------


def gelu(x: Value | float, approximate: str = "none") -> Value:
    """x * Phi(x) (Phi the normal CDF), or PyTorch's tanh approximation.

    Args:
        x: a Value or number.
        approximate: ``"none"`` (exact, with erfc) or ``"tanh"``.

    Raises:
        ValueError: ``approximate`` is neither.
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    op = "gelu" if approximate == "none" else "gelu_tanh"
    x = as_value(x)
    return new_node(RULES[op].of_x(x.data), (x,), op)


def relu6(x: Value | float) -> Value:
    """min(max(x, 0), 6).

    A composite, not a rule: it is exactly ``hardtanh(x, 0, 6)``, as in PyTorch (so its
    derivative is 0 at 0 and at 6).
    """
    return FUNCTIONS["hardtanh"](x, 0.0, 6.0)


_ONLY_VALUES = frozenset([Value])


def as_values(items: Iterable) -> tuple:
    """``items`` as a tuple of Values, numbers made leaves."""
    t = tuple(items)
    # The common case, all Values already, is checked in C without a Python-level loop.
    if _ONLY_VALUES.issuperset(map(type, t)):
        return t
    return tuple(map(as_value, t))


def sum(values: Iterable) -> Value:  # noqa: A001 - mirrors torch.sum / numpy.sum
    """x1 + ... + xn as one node (a fused n-ary sum), not n - 1 additions.

    >>> from autograd import Value, sum
    >>> xs = [Value(1.0), Value(2.0), Value(3.0)]
    >>> s = sum(xs); s.backward()
    >>> s.data, [x.grad for x in xs]
    (6.0, [1.0, 1.0, 1.0])
    """
    xs = as_values(values)
    if not xs:
        raise ValueError("sum() of no values: give at least one")
    total = 0.0  # left to right from 0.0, as rules.left_to_right_sum (a plain loop is fastest)
    for v in xs:
        total += v.data
    return new_node(total, xs, "sum")


def dot(weights: Iterable, inputs: Iterable, bias=None) -> Value:
    """w1*x1 + ... + wn*xn (+ bias) as one node, not 2n nodes.

    >>> from autograd import Value, dot
    >>> w, x = [Value(1.0), Value(2.0)], [3.0, 4.0]
    >>> y = dot(w, x, bias=0.5); y.backward()
    >>> y.data, [wi.grad for wi in w]
    (11.5, [3.0, 4.0])
    """
    ws = as_values(weights)
    xs = as_values(inputs)
    if len(ws) != len(xs):
        raise ValueError(f"dot() needs as many weights as inputs, got {len(ws)} and {len(xs)}")
    if not ws:
        raise ValueError("dot() of no values: give at least one weight and input")
    return fused_dot(ws, xs,
                     None if bias is None else bias if type(bias) is Value else as_value(bias))


def fused_dot(ws, xs, bias) -> Value:
    """``dot`` for callers that have checked their arguments (``nn`` layers): ``ws`` and
    ``xs`` are non-empty sequences of Values of one length, ``bias`` a Value or None."""
    total = 0.0  # left to right from 0.0, as rules.left_to_right_sum (a plain loop is fastest)
    for w, x in zip(ws, xs):
        total += w.data * x.data
    if bias is None:
        return new_node(total, (*ws, *xs), "dot", False)
    return new_node(total + bias.data, (*ws, *xs, bias), "dot", True)


FUNCTIONS.update(gelu=gelu, relu6=relu6, sum=sum, dot=dot)
COMMAND_LINE += ["gelu", "relu6", "sum", "dot"]

# The public names; those of Python's built-ins (abs, round, sum) are left out, so that
# `from autograd import *` does not shadow them: import them by name.
__all__ = ["Value", "as_value", *[name for name in FUNCTIONS if not hasattr(builtins, name)]]

# graph.py needs Value, so it is imported last; binding it here, not inside backward(), saves
# an import statement on every call (a tenth of a small graph's backward).
from . import graph as _graph  # noqa: E402
