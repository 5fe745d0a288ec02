"""``Value``: a scalar node that records the operation that made it.

Every arithmetic operation on a ``Value`` returns a new ``Value`` whose ``_prev`` holds
its inputs (a tuple, in order) and whose ``_op`` names the primitive in
:data:`autograd.rules.RULES`.  The forward values come from that table; derivatives are
only ever taken from it (see :mod:`autograd.graph` for the walk that uses them).

Nodes are lean (``__slots__``, no closures): a node refers to its inputs and never back
to itself, so the graph has no reference cycles and is freed by reference counting
alone, without work for Python's cycle collector.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

from .modes import STATE, _tls
from .rules import RULES

__all__ = [
    "Value", "as_value", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt",
    "softplus", "absolute", "sum", "dot",
]

_new = object.__new__

_F_POW = RULES["pow"].forward
_F_POWV = RULES["powv"].forward
# One-input ops: their forward as a function of x alone (one call, not two).
_X_EXP = RULES["exp"].of_x
_X_LOG = RULES["log"].of_x
_X_TANH = RULES["tanh"].of_x
_X_SIGMOID = RULES["sigmoid"].of_x
_X_RELU = RULES["relu"].of_x
_X_ABS = RULES["abs"].of_x
_X_SIN = RULES["sin"].of_x
_X_COS = RULES["cos"].of_x
# add, mul and sum forwards are plain float arithmetic and are inlined below for speed;
# tests check that they agree with the table.


def _special(node: Value) -> None:
    """Slow path of node construction, taken only while a mode is open somewhere."""
    if not getattr(_tls, "grad_enabled", True):
        node._prev = ()
        node._op = ""
        node._ctx = None
    anomaly = getattr(_tls, "anomaly", None)
    if anomaly is not None:
        anomaly.on_node(node)


def _observe(value: Value, op: str, other, result) -> None:
    """Tell an active ``autograd.compile`` trace that a branch may depend on ``value``."""
    tracer = getattr(_tls, "tracer", None)
    if tracer is not None:
        tracer.guard(value, op, other, result)


def _node(data: float, prev: tuple, op: str, ctx=None) -> Value:
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


def _to_float(x) -> float:
    """A real number as a float, or TypeError / ValueError naming what it was."""
    t = type(x)
    if t is float:
        return x
    try:
        if t is int or t is bool or isinstance(x, numbers.Real):  # numpy scalars, fractions
            return float(x)
    except OverflowError:  # Value(10**400): an int no float can hold
        raise ValueError(f"{_number_text(x)} is too large for a float (the largest is about "
                         f"1.8e308)") from None
    size = getattr(x, "size", None)
    if callable(size):  # torch tensors: size() is a method, numel() the element count
        numel = getattr(x, "numel", None)
        size = numel() if callable(numel) else None
    if size == 1 and hasattr(x, "item") and isinstance(x.item(), numbers.Real):
        return _to_float(x.item())  # a one-element array or tensor
    if size is not None:
        raise TypeError(
            f"a Value holds one number, got {t.__module__}.{t.__qualname__} with {size} "
            f"elements; make one Value per element"
        )
    raise TypeError(
        f"unsupported operand type for Value: {t.__qualname__!r} "
        f"(expected int, float, bool or Value)"
    )


def _number_text(x) -> str:
    """A short description of a number too large for a float (its repr may be huge, or
    refused: Python will not convert ints of more than 4300 digits to text)."""
    if type(x) is int and x.bit_length() >= 200:
        if x.bit_length() < 14_000:
            return f"an int of {len(str(abs(x)))} digits"
        return f"an int of about {int(x.bit_length() * 0.30103) + 1} digits"
    try:
        text = repr(x)
    except ValueError:
        return f"a {type(x).__qualname__}"
    return text if len(text) <= 60 else text[:57] + "..."


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
    v.data = x if type(x) is float else _to_float(x)  # floats, the common case, without a call
    v.grad = 0.0
    v._prev = ()
    v._op = ""
    v._ctx = None
    v.label = ""
    return v


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
        self.data = _to_float(data)
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
    # being traced by autograd.compile these report what they saw (see _observe).
    def __float__(self) -> float:
        if STATE.active:
            _observe(self, "float", None, self.data)
        return self.data

    # Comparisons compare data and return bools; == stays identity so nodes hash.
    def __lt__(self, other) -> bool:
        result = self.data < _data(other)
        if STATE.active:
            _observe(self, "<", other, result)
        return result

    def __le__(self, other) -> bool:
        result = self.data <= _data(other)
        if STATE.active:
            _observe(self, "<=", other, result)
        return result

    def __gt__(self, other) -> bool:
        result = self.data > _data(other)
        if STATE.active:
            _observe(self, ">", other, result)
        return result

    def __ge__(self, other) -> bool:
        result = self.data >= _data(other)
        if STATE.active:
            _observe(self, ">=", other, result)
        return result

    __hash__ = object.__hash__

    # --- primitives -------------------------------------------------------------------
    def __add__(self, other) -> Value:
        if type(other) is not Value:
            other = as_value(other)
        return _node(self.data + other.data, (self, other), "add")

    def __radd__(self, other) -> Value:
        other = as_value(other)
        return _node(other.data + self.data, (other, self), "add")

    def __mul__(self, other) -> Value:
        if type(other) is not Value:
            other = as_value(other)
        return _node(self.data * other.data, (self, other), "mul")

    def __rmul__(self, other) -> Value:
        other = as_value(other)
        return _node(other.data * self.data, (other, self), "mul")

    def __pow__(self, other) -> Value:
        if type(other) is Value:
            return _node(_F_POWV(None, self.data, other.data), (self, other), "powv")
        k = _to_float(other)
        return _node(_F_POW(k, self.data), (self,), "pow", k)

    def __rpow__(self, other) -> Value:
        base = as_value(other)
        return _node(_F_POWV(None, base.data, self.data), (base, self), "powv")

    def exp(self) -> Value:
        """e ** self (inf on overflow, never OverflowError)."""
        return _node(_X_EXP(self.data), (self,), "exp")

    def log(self) -> Value:
        """Natural log: log(0) = -inf, log(negative) = nan."""
        return _node(_X_LOG(self.data), (self,), "log")

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _node(_X_TANH(self.data), (self,), "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + exp(-self)), computed without overflow for any value."""
        return _node(_X_SIGMOID(self.data), (self,), "sigmoid")

    def relu(self) -> Value:
        """max(self, 0); its derivative at 0 is 0, as in PyTorch."""
        return _node(_X_RELU(self.data), (self,), "relu")

    def __abs__(self) -> Value:
        return _node(_X_ABS(self.data), (self,), "abs")

    def sin(self) -> Value:
        """Sine."""
        return _node(_X_SIN(self.data), (self,), "sin")

    def cos(self) -> Value:
        """Cosine."""
        return _node(_X_COS(self.data), (self,), "cos")

    # --- composites: no rules of their own ----------------------------------------------
    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other) -> Value:
        return self + (-as_value(other))

    def __rsub__(self, other) -> Value:
        return as_value(other) + (-self)

    def __truediv__(self, other) -> Value:
        return self * as_value(other) ** -1.0

    def __rtruediv__(self, other) -> Value:
        return as_value(other) * self**-1.0

    def sqrt(self) -> Value:
        """Square root, as self ** 0.5 (nan for a negative value)."""
        return self**0.5

    def softplus(self) -> Value:
        """log(1 + exp(x)), computed as relu(x) + log(1 + exp(-|x|)) so it never overflows."""
        return self.relu() + (1.0 + (-abs(self)).exp()).log()

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


def _data(x) -> float:
    return x.data if type(x) is Value else _to_float(x)


# --- functions: the same operations for Values or plain numbers ----------------------


def exp(x) -> Value:
    """e ** x (inf on overflow, never OverflowError)."""
    return as_value(x).exp()


def log(x) -> Value:
    """Natural log: log(0) = -inf, log(negative) = nan."""
    return as_value(x).log()


def tanh(x) -> Value:
    """Hyperbolic tangent."""
    return as_value(x).tanh()


def sigmoid(x) -> Value:
    """1 / (1 + exp(-x)), computed without overflow for any x."""
    return as_value(x).sigmoid()


def relu(x) -> Value:
    """max(x, 0); its derivative at 0 is 0, as in PyTorch."""
    return as_value(x).relu()


def sin(x) -> Value:
    """Sine."""
    return as_value(x).sin()


def cos(x) -> Value:
    """Cosine."""
    return as_value(x).cos()


def sqrt(x) -> Value:
    """Square root, as x ** 0.5 (nan for negative x)."""
    return as_value(x).sqrt()


def softplus(x) -> Value:
    """log(1 + exp(x)), numerically stable."""
    return as_value(x).softplus()


def absolute(x) -> Value:
    """|x|; its derivative at 0 is 0."""
    return abs(as_value(x))


_ONLY_VALUES = frozenset([Value])


def _values(items: Iterable) -> tuple:
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
    xs = _values(values)
    if not xs:
        raise ValueError("sum() of no values: give at least one")
    total = 0.0  # left to right from 0.0, as rules.left_to_right_sum (a plain loop is fastest)
    for v in xs:
        total += v.data
    return _node(total, xs, "sum")


def dot(weights: Iterable, inputs: Iterable, bias=None) -> Value:
    """w1*x1 + ... + wn*xn (+ bias) as one node, not 2n nodes.

    >>> from autograd import Value, dot
    >>> w, x = [Value(1.0), Value(2.0)], [3.0, 4.0]
    >>> y = dot(w, x, bias=0.5); y.backward()
    >>> y.data, [wi.grad for wi in w]
    (11.5, [3.0, 4.0])
    """
    ws = _values(weights)
    xs = _values(inputs)
    if len(ws) != len(xs):
        raise ValueError(f"dot() needs as many weights as inputs, got {len(ws)} and {len(xs)}")
    if not ws:
        raise ValueError("dot() of no values: give at least one weight and input")
    total = 0.0  # left to right from 0.0, as rules.left_to_right_sum (a plain loop is fastest)
    for w, x in zip(ws, xs):
        total += w.data * x.data
    if bias is None:
        return _node(total, ws + xs, "dot", False)
    b = bias if type(bias) is Value else as_value(bias)
    return _node(total + b.data, ws + xs + (b,), "dot", True)


# graph.py needs Value, so it is imported last; binding it here, not inside backward(), saves
# an import statement on every call (a tenth of a small graph's backward).
from . import graph as _graph  # noqa: E402
