"""``Value``: a scalar node that records the operation that made it.

Every operation on a ``Value`` returns a new ``Value`` whose ``_prev`` holds its inputs
(a tuple, in order) and whose ``_op`` names the primitive in
:data:`autograd.rules.RULES`.  The forward values come from that table; derivatives are
only ever taken from it (see :mod:`autograd.graph` for the walk that uses them).

This module is the node: its fields, how one is made (:func:`new_node`, :func:`as_value`),
its comparisons, ``%`` and the composites (``-``, negation), ``backward`` and
``zero_grad``.  The operators ``+ * / **`` and every op's method (``v.exp()``) and function
(``exp(v)``) are generated from the rules by :mod:`autograd.ops`, which attaches them to
``Value`` when ``autograd`` is imported.

Nodes are lean (``__slots__``, no closures): a node refers to its inputs and never back
to itself, so the graph has no reference cycles and is freed by reference counting
alone, without work for Python's cycle collector.
"""

from __future__ import annotations

from collections.abc import Iterable

from .codegen import define
from .floats import to_float
from .modes import STATE, thread_state
from .naming import check_label

__all__ = ["Value", "as_value", "as_values", "new_node"]

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
    v._label = ""
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
    v._label = ""
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


def _comparison(symbol: str, name: str):
    """The comparison method ``name`` (``__lt__``) for the operator ``symbol``."""
    source = _COMPARISONS[symbol in ("==", "!=")].format(name=name, symbol=symbol)
    return define(source, name, __name__, f"Value.{name}", f"Value.{name}", Value=Value,
                  STATE=STATE, _observe=_observe, _data=_data, _number_or_none=_number_or_none)


class Value:
    """A scalar that remembers how it was computed.

    Attributes:
        data: the value (a float).
        grad: d(root)/d(this node), filled in by :meth:`backward`; leaves accumulate
            across calls, like PyTorch.
        label: an optional name, shown by ``draw`` and ``explain`` (a str, checked
            where it is set).

    >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (8.0, 4.0, 2.0)
    """

    __slots__ = ("data", "grad", "_prev", "_op", "_ctx", "_label")
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
                counts), ``label`` is not a str, or inputs / an op are given.
            ValueError: ``data`` is an int too large for a float, or ``label`` holds a
                character no drawing can show (NUL, a lone surrogate; see ``label``).
        """
        if isinstance(_children, str) and not _op and not label:
            _children, label = (), _children  # Value(2.0, "a"): the label, positionally
        if _children or _op:
            raise TypeError(
                "Value(data, _children, _op) builds a node by hand, as micrograd's "
                "operators do; here the operators build nodes (a + b, a * b, a.tanh(), "
                "...) and take their derivatives from autograd.rules.  For a leaf write "
                "Value(data, label='a'); for a new operation add a rule (docs/design.md)")
        if label or type(label) is not str:  # the default "" costs one test, no call
            label = check_label(label)
        if isinstance(data, Value):
            raise TypeError("Value(v) of a Value: use v itself, or Value(v.data) for a "
                            "new leaf holding its number")
        self.data = to_float(data)
        self.grad = 0.0
        self._prev = ()
        self._op = ""
        self._ctx = None
        self._label = label

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

    @property
    def label(self) -> str:
        """An optional name, shown by ``draw``, ``explain`` and ``explore`` ("" for none).

        Setting it checks it at once: a ``TypeError`` unless it is a str, a
        ``ValueError`` naming the character if it holds NUL or a lone surrogate (which
        no drawing or UTF-8 file can hold), e.g. ``v.label = "∂L/∂w₁"`` is fine.
        """
        return self._label

    @label.setter
    def label(self, text: str) -> None:
        self._label = check_label(text)

    def __repr__(self) -> str:
        label = f", label={self._label!r}" if self._label else ""
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

    # +, *, / and ** are generated from the rules that name them, by autograd.ops.
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
        return Value(self.data, label=self._label)

    def zero_grad(self) -> None:
        """Set this node's gradient to zero."""
        self.grad = 0.0


for _symbol, _name in [("==", "__eq__"), ("!=", "__ne__"), ("<", "__lt__"),
                      ("<=", "__le__"), (">", "__gt__"), (">=", "__ge__")]:
    setattr(Value, _name, _comparison(_symbol, _name))
del _symbol, _name


_ONLY_VALUES = frozenset([Value])


def as_values(items: Iterable) -> tuple:
    """``items`` as a tuple of Values, numbers made leaves."""
    t = tuple(items)
    # The common case, all Values already, is checked in C without a Python-level loop.
    if _ONLY_VALUES.issuperset(map(type, t)):
        return t
    return tuple(map(as_value, t))


# graph.py needs Value, so it is imported last; binding it here, not inside backward(), saves
# an import statement on every call (a tenth of a small graph's backward).
from . import graph as _graph  # noqa: E402
