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

import math
import numbers
from collections.abc import Iterable

from .modes import STATE, _tls
from .rules import RULES

__all__ = [
    "Value", "as_value", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt",
    "softplus", "absolute", "sum", "dot", *[
        # the operations of issue 11, under PyTorch's names
        "div", "log1p", "expm1", "log2", "log10", "exp2", "tan", "sinh", "cosh", "asin",
        "acos", "atan", "asinh", "acosh", "atanh", "erf", "erfc", "rsqrt", "cbrt", "sign",
        "floor", "ceil", "round", "trunc", "leaky_relu", "elu", "selu", "celu", "gelu",
        "silu", "mish", "softsign", "logsigmoid", "hardtanh", "hardsigmoid", "hardswish",
        "relu6", "atan2", "maximum", "minimum", "clamp", "logaddexp", "hypot", "copysign",
        "fmod", "remainder",
    ],
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
_X_SQRT = RULES["sqrt"].of_x
_F_DIV = RULES["div"].forward
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


def _unary_method(op: str, doc: str):
    """A Value method building one node of the one-input rule ``op``."""
    of_x = RULES[op].of_x

    def method(self: Value) -> Value:
        return _node(of_x(self.data), (self,), op)

    method.__name__ = method.__qualname__ = op
    method.__doc__ = doc
    return method


def _number_or_none(x):
    """``x`` as a float, or None if it is not a real number (for ==, which must not raise)."""
    try:
        return _to_float(x)
    except TypeError:
        return None


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

    # Comparisons compare data and return bools, as in PyTorch, JAX and tinygrad (so
    # `if loss == 0` means what it says).  Hashing stays by identity: dictionaries and sets
    # of nodes hold distinct nodes however equal their values (a dictionary hit between
    # two live objects never calls __eq__, their identity hashes differ), and no code in
    # autograd or nn looks a node up with ==, `in` on a list, .index or .remove.
    def __eq__(self, other) -> bool:
        o = other.data if type(other) is Value else _number_or_none(other)
        if o is None:
            return NotImplemented  # not a number: Python falls back to identity (False)
        result = self.data == o
        if STATE.active and o == o:  # against nan the answer never depends on the data
            _observe(self, "==", other, result)
        return result

    def __ne__(self, other) -> bool:
        o = other.data if type(other) is Value else _number_or_none(other)
        if o is None:
            return NotImplemented
        result = self.data != o
        if STATE.active and o == o:
            _observe(self, "!=", other, result)
        return result

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
        """max(self, 0): relu(-0.0) = 0.0, relu(nan) = nan; its derivative at 0 is 0, as in
        PyTorch (and 0 at nan, where PyTorch's is 1)."""
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

    # --- more primitives (issue 11) -------------------------------------------------------
    def __truediv__(self, other) -> Value:
        if type(other) is not Value:
            other = as_value(other)
        return _node(_F_DIV(None, self.data, other.data), (self, other), "div")

    def __rtruediv__(self, other) -> Value:
        other = as_value(other)
        return _node(_F_DIV(None, other.data, self.data), (other, self), "div")

    def __mod__(self, other) -> Value:
        """Python's ``%`` (``torch.remainder``): the result has the sign of ``other``."""
        return remainder(self, other)

    def __rmod__(self, other) -> Value:
        return remainder(other, self)

    def sqrt(self) -> Value:
        """Square root: IEEE at the edges (sqrt(-0.0) = -0.0; nan below 0, also at -inf)."""
        return _node(_X_SQRT(self.data), (self,), "sqrt")

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Value:
        """log(1 + exp(beta*x))/beta, never overflowing; x itself where beta*x > threshold.

        As ``torch.nn.functional.softplus``; its derivative is sigmoid(beta*x).
        """
        return softplus(self, beta, threshold)

    def abs(self) -> Value:
        """|self|, as ``abs(self)``; its derivative at 0 is 0."""
        return _node(_X_ABS(self.data), (self,), "abs")

    log1p = _unary_method("log1p", "log(1 + x), accurate for small x: -inf at -1, nan below.")
    expm1 = _unary_method("expm1", "exp(x) - 1, accurate for small x.")
    log2 = _unary_method("log2", "Base-2 logarithm: -inf at 0, nan below.")
    log10 = _unary_method("log10", "Base-10 logarithm: -inf at 0, nan below.")
    exp2 = _unary_method("exp2", "2 ** x.")
    tan = _unary_method("tan", "Tangent.")
    sinh = _unary_method("sinh", "Hyperbolic sine (+-inf on overflow).")
    cosh = _unary_method("cosh", "Hyperbolic cosine (inf on overflow).")
    asin = _unary_method("asin", "Inverse sine: nan outside [-1, 1].")
    acos = _unary_method("acos", "Inverse cosine: nan outside [-1, 1].")
    atan = _unary_method("atan", "Inverse tangent.")
    asinh = _unary_method("asinh", "Inverse hyperbolic sine.")
    acosh = _unary_method("acosh", "Inverse hyperbolic cosine: nan below 1.")
    atanh = _unary_method("atanh", "Inverse hyperbolic tangent: +-inf at +-1, nan beyond.")
    erf = _unary_method("erf", "The error function.")
    erfc = _unary_method("erfc", "1 - erf(x), accurate where erf(x) is near 1.")
    rsqrt = _unary_method("rsqrt", "1 / sqrt(x): inf at 0, nan below.")
    cbrt = _unary_method("cbrt", "The real cube root (cbrt(-8) = -2).")
    sign = _unary_method("sign", "-1, 0 or 1 (nan for nan); derivative 0, as in PyTorch.")
    floor = _unary_method("floor", "Round down; derivative 0, as in PyTorch.")
    ceil = _unary_method("ceil", "Round up; derivative 0, as in PyTorch.")
    round = _unary_method("round", "Round half to even, as torch.round; derivative 0.")
    trunc = _unary_method("trunc", "Round toward 0; derivative 0, as in PyTorch.")

    def atan2(self, other) -> Value:
        """The angle of the point (other, self), as ``torch.atan2(self, other)``."""
        return atan2(self, other)

    def maximum(self, other) -> Value:
        """The larger of the two (nan if either is); a tie splits the gradient in half."""
        return maximum(self, other)

    def minimum(self, other) -> Value:
        """The smaller of the two (nan if either is); a tie splits the gradient in half."""
        return minimum(self, other)

    def clamp(self, min: float | None = None, max: float | None = None) -> Value:  # noqa: A002
        """``self`` limited to [min, max], as ``torch.clamp``."""
        return clamp(self, min, max)

    def logaddexp(self, other) -> Value:
        """log(exp(self) + exp(other)), never overflowing."""
        return logaddexp(self, other)

    def hypot(self, other) -> Value:
        """sqrt(self**2 + other**2), never overflowing."""
        return hypot(self, other)

    def copysign(self, other) -> Value:
        """|self| with the sign of ``other``."""
        return copysign(self, other)

    def fmod(self, other) -> Value:
        """C's fmod: self - trunc(self/other)*other, with the sign of ``self``."""
        return fmod(self, other)

    def remainder(self, other) -> Value:
        """Python's ``%``: self - floor(self/other)*other, with the sign of ``other``."""
        return remainder(self, other)

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
    """Square root: IEEE at the edges (sqrt(-0.0) = -0.0; nan below 0, also at -inf)."""
    return as_value(x).sqrt()


def absolute(x) -> Value:
    """|x|; its derivative at 0 is 0.  Also exported as ``autograd.abs``."""
    return as_value(x).abs()


# --- the operations of issue 11, under PyTorch's names ---------------------------------


def log1p(x) -> Value:
    """log(1 + x), accurate for small x: -inf at -1, nan below."""
    return as_value(x).log1p()


def expm1(x) -> Value:
    """exp(x) - 1, accurate for small x."""
    return as_value(x).expm1()


def log2(x) -> Value:
    """Base-2 logarithm: -inf at 0, nan below."""
    return as_value(x).log2()


def log10(x) -> Value:
    """Base-10 logarithm: -inf at 0, nan below."""
    return as_value(x).log10()


def exp2(x) -> Value:
    """2 ** x."""
    return as_value(x).exp2()


def tan(x) -> Value:
    """Tangent."""
    return as_value(x).tan()


def sinh(x) -> Value:
    """Hyperbolic sine (+-inf on overflow)."""
    return as_value(x).sinh()


def cosh(x) -> Value:
    """Hyperbolic cosine (inf on overflow)."""
    return as_value(x).cosh()


def asin(x) -> Value:
    """Inverse sine: nan outside [-1, 1]."""
    return as_value(x).asin()


def acos(x) -> Value:
    """Inverse cosine: nan outside [-1, 1]."""
    return as_value(x).acos()


def atan(x) -> Value:
    """Inverse tangent."""
    return as_value(x).atan()


def asinh(x) -> Value:
    """Inverse hyperbolic sine."""
    return as_value(x).asinh()


def acosh(x) -> Value:
    """Inverse hyperbolic cosine: nan below 1."""
    return as_value(x).acosh()


def atanh(x) -> Value:
    """Inverse hyperbolic tangent: +-inf at +-1, nan beyond."""
    return as_value(x).atanh()


def erf(x) -> Value:
    """The error function."""
    return as_value(x).erf()


def erfc(x) -> Value:
    """1 - erf(x), accurate where erf(x) is near 1."""
    return as_value(x).erfc()


def rsqrt(x) -> Value:
    """1 / sqrt(x): inf at 0, nan below."""
    return as_value(x).rsqrt()


def cbrt(x) -> Value:
    """The real cube root (cbrt(-8) = -2)."""
    return as_value(x).cbrt()


def sign(x) -> Value:
    """-1, 0 or 1 (nan for nan); derivative 0, as in PyTorch."""
    return as_value(x).sign()


def floor(x) -> Value:
    """Round down; derivative 0, as in PyTorch."""
    return as_value(x).floor()


def ceil(x) -> Value:
    """Round up; derivative 0, as in PyTorch."""
    return as_value(x).ceil()


def trunc(x) -> Value:
    """Round toward 0; derivative 0, as in PyTorch."""
    return as_value(x).trunc()


def round(x) -> Value:  # noqa: A001 - torch.round; not in autograd.__all__
    """Round half to even, as torch.round (round(-0.4) is -0.0); derivative 0."""
    return as_value(x).round()


def _unary(op: str, x, ctx=None) -> Value:
    x = as_value(x)
    return _node(RULES[op].forward(ctx, x.data), (x,), op, ctx)


def _binary(op: str, a, b) -> Value:
    a, b = as_value(a), as_value(b)
    return _node(RULES[op].forward(None, a.data, b.data), (a, b), op)


def _constant(x, what: str) -> float:
    """An op's constant argument as a float, or TypeError naming it."""
    if isinstance(x, Value):
        raise TypeError(f"{what} must be a number, not a Value (it is not differentiated)")
    return _to_float(x)


def div(a, b) -> Value:
    """a / b (IEEE: x/0 is +-inf, 0/0 nan); d/db = -out/b, exact down to 1e-300."""
    return as_value(a) / b


def softplus(x, beta: float = 1.0, threshold: float = 20.0) -> Value:
    """log(1 + exp(beta*x))/beta, never overflowing; x itself where beta*x > threshold.

    As ``torch.nn.functional.softplus``.  Its own rule: the derivative is sigmoid(beta*x),
    0.5 at 0, with second derivative beta/4 there.

    Raises:
        ValueError: ``beta`` is 0 or not finite.
    """
    beta, threshold = _constant(beta, "beta"), _constant(threshold, "threshold")
    if beta == 0.0 or not math.isfinite(beta):
        raise ValueError(f"softplus: beta must be a finite non-zero number, got {beta!r}")
    return _unary("softplus", x, (beta, threshold))


def leaky_relu(x, negative_slope: float = 0.01) -> Value:
    """x where x > 0, else negative_slope * x; derivative at 0 is negative_slope."""
    return _unary("leaky_relu", x, _constant(negative_slope, "negative_slope"))


def elu(x, alpha: float = 1.0) -> Value:
    """x where x > 0, else alpha * (exp(x) - 1); derivative alpha at 0, as PyTorch."""
    return _unary("elu", x, _constant(alpha, "alpha"))


def selu(x) -> Value:
    """scale * elu(x, alpha) with PyTorch's fixed alpha and scale (self-normalising)."""
    return _unary("selu", x)


def celu(x, alpha: float = 1.0) -> Value:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    Raises:
        ValueError: ``alpha`` is 0.
    """
    alpha = _constant(alpha, "alpha")
    if alpha == 0.0:
        raise ValueError("celu: alpha must not be 0")
    return _unary("celu", x, alpha)


def gelu(x, approximate: str = "none") -> Value:
    """x * Phi(x) (Phi the normal CDF), or PyTorch's tanh approximation.

    Args:
        x: a Value or number.
        approximate: ``"none"`` (exact, with erfc) or ``"tanh"``.

    Raises:
        ValueError: ``approximate`` is neither.
    """
    if approximate == "none":
        return _unary("gelu", x)
    if approximate == "tanh":
        return _unary("gelu_tanh", x)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(x) -> Value:
    """x * sigmoid(x) (also called swish)."""
    return _unary("silu", x)


def mish(x) -> Value:
    """x * tanh(softplus(x))."""
    return _unary("mish", x)


def softsign(x) -> Value:
    """x / (1 + |x|)."""
    return _unary("softsign", x)


def logsigmoid(x) -> Value:
    """log(sigmoid(x)) = -softplus(-x), never overflowing."""
    return _unary("logsigmoid", x)


def hardtanh(x, min_val: float = -1.0, max_val: float = 1.0) -> Value:
    """x limited to [min_val, max_val]; derivative 1 strictly inside, 0 at the bounds.

    Raises:
        ValueError: ``min_val`` is greater than ``max_val``.
    """
    lo, hi = _constant(min_val, "min_val"), _constant(max_val, "max_val")
    if lo > hi:
        raise ValueError(f"hardtanh: min_val {lo!r} is greater than max_val {hi!r}")
    return _unary("hardtanh", x, (lo, hi))


def relu6(x) -> Value:
    """min(max(x, 0), 6).

    A composite, not a rule: it is exactly ``hardtanh(x, 0, 6)``, as in PyTorch (so its
    derivative is 0 at 0 and at 6).
    """
    return hardtanh(x, 0.0, 6.0)


def hardsigmoid(x) -> Value:
    """relu6(x + 3) / 6, one node; derivative 1/6 strictly inside (-3, 3)."""
    return _unary("hardsigmoid", x)


def hardswish(x) -> Value:
    """x * relu6(x + 3) / 6, one node, with PyTorch's derivative."""
    return _unary("hardswish", x)


def atan2(a, b) -> Value:
    """The angle of the point (b, a), as ``torch.atan2(a, b)``; derivative 0 at (0, 0)."""
    return _binary("atan2", a, b)


def maximum(a, b) -> Value:
    """The larger of a and b (nan if either is); at a tie each gets half the gradient."""
    return _binary("maximum", a, b)


def minimum(a, b) -> Value:
    """The smaller of a and b (nan if either is); at a tie each gets half the gradient."""
    return _binary("minimum", a, b)


def clamp(x, min: float | None = None, max: float | None = None) -> Value:  # noqa: A002
    """x limited to [min, max], as ``torch.clamp``; derivative 1 with the bounds included.

    Raises:
        ValueError: both bounds are None.
        TypeError: a bound is a Value (use :func:`maximum` / :func:`minimum`).
    """
    if min is None and max is None:
        raise ValueError("clamp: give min, max or both")
    lo = None if min is None else _constant(min, "clamp's min")
    hi = None if max is None else _constant(max, "clamp's max")
    return _unary("clamp", x, (lo, hi))


def logaddexp(a, b) -> Value:
    """log(exp(a) + exp(b)), never overflowing."""
    return _binary("logaddexp", a, b)


def hypot(a, b) -> Value:
    """sqrt(a**2 + b**2), never overflowing; derivative 0 at (0, 0)."""
    return _binary("hypot", a, b)


def copysign(a, b) -> Value:
    """|a| with the sign of b; d/db = 0."""
    return _binary("copysign", a, b)


def fmod(a, b) -> Value:
    """C's fmod: a - trunc(a/b)*b, with the sign of a (nan for b = 0)."""
    return _binary("fmod", a, b)


def remainder(a, b) -> Value:
    """Python's ``%``: a - floor(a/b)*b, with the sign of b (nan for b = 0)."""
    return _binary("remainder", a, b)


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
    return _dot(ws, xs, None if bias is None else bias if type(bias) is Value else as_value(bias))


def _dot(ws, xs, bias) -> Value:
    """``dot`` for callers that have checked their arguments (``nn`` layers): ``ws`` and
    ``xs`` are non-empty sequences of Values of one length, ``bias`` a Value or None."""
    total = 0.0  # left to right from 0.0, as rules.left_to_right_sum (a plain loop is fastest)
    for w, x in zip(ws, xs):
        total += w.data * x.data
    if bias is None:
        return _node(total, (*ws, *xs), "dot", False)
    return _node(total + bias.data, (*ws, *xs, bias), "dot", True)


# graph.py needs Value, so it is imported last; binding it here, not inside backward(), saves
# an import statement on every call (a tenth of a small graph's backward).
from . import graph as _graph  # noqa: E402
