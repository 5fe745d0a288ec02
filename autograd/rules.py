"""The rule table: every primitive operation, its forward function and its derivative.

This file is the only place an operation's derivative is written.  Each primitive has

* ``forward(ctx, *xs)``: the output value, computed on floats with IEEE semantics
  (``exp(1000)`` is ``inf``, ``log(0)`` is ``-inf``, never a raw :mod:`math` exception);
* ``partials(m, out, ctx, *xs)``: the local partial derivatives of the output with
  respect to each input, one per input, in order;
* ``formula``: the local derivatives written for a person, one per input (shown by
  :func:`autograd.explain` and on graph edges).

``partials`` is a *pure* rule written once against a small math namespace ``m``:
:class:`FloatMath` evaluates it on floats (the fast path of ``backward``), and
:class:`ValueMath` evaluates it on :class:`~autograd.Value` nodes, which records a new
graph and so gives higher-order derivatives.  Neither namespace knows any derivative.

``ctx`` carries an op's constant, if it has one: the exponent of ``pow``, whether
``dot`` has a bias.  It is ``None`` for every other op.

Adding an operation means adding one :func:`rule` call here and a method or function
that builds the node; tests parametrised over :data:`RULES` pick it up at once.

Composite operations (negation, subtraction, division, ``sqrt``, ``softplus``, ...) have no
entry: they are built from these primitives and differentiate through them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import add, mul

__all__ = ["Rule", "RULES", "rule", "FloatMath", "ValueMath", "UnknownOpError"]


class UnknownOpError(KeyError):
    """Raised when a node's op has no entry in the rule table."""

    def __str__(self) -> str:
        return f"no derivative rule for op {self.args[0]!r}; known ops: {sorted(RULES)}"


@dataclass(frozen=True)
class Rule:
    """One primitive: its name, forward function, derivative rule and formulas."""

    name: str
    forward: Callable[..., float]
    partials: Callable[..., tuple]
    formula: tuple[str, ...]
    arity: int  # number of inputs, or -1 for n-ary ops
    # For one-input ops without a constant: the forward as a function of x alone, which
    # the engine and generated code call directly (``forward`` wraps it to take ctx).
    of_x: Callable[[float], float] | None = None

    def local_partials(self, out: float, ctx, xs) -> tuple:
        """The local partials evaluated on floats."""
        return self.partials(FloatMath, out, ctx, *xs)


RULES: dict[str, Rule] = {}
# How many rule() calls so far: code generated from RULES (autograd.graph's backward) is
# checked against it, and against len(RULES), so a rule removed or registered again is
# never served from code made for an earlier one.
_REGISTRATIONS = [0]


def rule(name: str, arity: int, forward, partials, *formula: str, of_x=None) -> Rule:
    """Register a primitive in :data:`RULES` and return its entry.

    Args:
        name: the op name that nodes carry (``Value.op``).
        arity: number of inputs, or -1 for an n-ary op.
        forward: ``forward(ctx, *xs) -> float``, the output on floats.
        partials: ``partials(m, out, ctx, *xs) -> tuple``, the local derivative of the
            output with respect to each input, written with the math namespace ``m``
            (:class:`FloatMath` or :class:`ValueMath`).
        *formula: the same derivatives written for a person, one per input.
        of_x: for a one-input op without a constant, the forward as a function of x
            alone (see :func:`unary`).

    Returns:
        The new :class:`Rule`.

    Raises:
        ValueError: ``name`` is already registered.
    """
    if name in RULES:
        raise ValueError(f"op {name!r} is already registered")
    entry = Rule(name, forward, partials, tuple(formula), arity, of_x)
    RULES[name] = entry
    _REGISTRATIONS[0] += 1
    return entry


def unary(name: str, of_x: Callable[[float], float], partials, formula: str) -> Rule:
    """Register a one-input primitive without a constant, given its forward ``of_x(x)``."""
    return rule(name, 1, lambda ctx, x: of_x(x), partials, formula, of_x=of_x)


# --- IEEE-safe float functions -------------------------------------------------------
# Python's math module raises where IEEE 754 returns inf or nan; a gradient engine must
# not stop a training run with OverflowError, so these return what IEEE says.


def safe_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def safe_log(x: float) -> float:
    if x > 0.0:
        return math.log(x)  # also log(inf) = inf
    if x == 0.0:
        return -math.inf
    return math.nan  # negative or nan


def _is_odd_integer(k: float) -> bool:
    return k == k and not math.isinf(k) and k == int(k) and int(k) % 2 == 1


def safe_pow(x: float, k: float) -> float:
    try:
        return math.pow(x, k)
    except OverflowError:
        return -math.inf if (x < 0.0 and _is_odd_integer(k)) else math.inf
    except (ValueError, ZeroDivisionError):
        if x == 0.0:  # 0 ** negative: a pole; keep the sign of a signed zero for odd k
            return -math.inf if (math.copysign(1.0, x) < 0 and _is_odd_integer(k)) else math.inf
        return math.nan  # negative base, non-integer exponent: no real result


def safe_sin(x: float) -> float:
    return math.sin(x) if math.isfinite(x) else math.nan


def safe_cos(x: float) -> float:
    return math.cos(x) if math.isfinite(x) else math.nan


def stable_sigmoid(x: float) -> float:
    # Never exponentiate a large positive number: sigmoid(-1000) is a finite 0.0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    if x != x:
        return math.nan
    e = math.exp(x)
    return e / (1.0 + e)


def safe_recip(x: float) -> float:
    try:
        return 1.0 / x
    except ZeroDivisionError:
        return math.copysign(math.inf, x)


# --- the two math namespaces a rule may be evaluated with ---------------------------


class FloatMath:
    """Evaluate a rule on floats."""

    exp = staticmethod(safe_exp)
    log = staticmethod(safe_log)
    sin = staticmethod(safe_sin)
    cos = staticmethod(safe_cos)
    pow = staticmethod(safe_pow)
    recip = staticmethod(safe_recip)

    @staticmethod
    def step(x: float) -> float:
        """1 where x > 0, else 0 (the derivative of relu; 0 at 0, as in PyTorch)."""
        return 1.0 if x > 0.0 else 0.0

    @staticmethod
    def sign(x: float) -> float:
        """The derivative of abs: -1, 0 (at 0, as in PyTorch and sympy) or 1."""
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


class ValueMath:
    """Evaluate a rule on Values, recording a graph (for higher-order derivatives)."""

    @staticmethod
    def exp(x):
        return x.exp()

    @staticmethod
    def log(x):
        return x.log()

    @staticmethod
    def sin(x):
        return x.sin()

    @staticmethod
    def cos(x):
        return x.cos()

    @staticmethod
    def pow(x, k):
        return x**k

    @staticmethod
    def recip(x):
        return x**-1.0

    # step and sign are piecewise constant: their derivative is zero almost everywhere,
    # so a constant is exact for every higher-order derivative.
    @staticmethod
    def step(x) -> float:
        return FloatMath.step(x.data)

    @staticmethod
    def sign(x) -> float:
        return FloatMath.sign(x.data)


# --- the table ------------------------------------------------------------------------
# partials(m, out, ctx, *inputs) -> one local derivative per input.

rule("add", 2,
     lambda ctx, a, b: a + b,
     lambda m, out, ctx, a, b: (1.0, 1.0),
     "1", "1")

rule("mul", 2,
     lambda ctx, a, b: a * b,
     lambda m, out, ctx, a, b: (b, a),
     "b", "a")

# x ** k with a constant exponent k (ctx).  d/dx x^0 is 0 everywhere, including x = 0.
rule("pow", 1,
     lambda k, x: safe_pow(x, k),
     lambda m, out, k, x: ((k * m.pow(x, k - 1.0)) if k != 0.0 else 0.0,),
     "k*x**(k-1)")

# a ** b with a Value exponent (also `2 ** x`).
rule("powv", 2,
     lambda ctx, a, b: safe_pow(a, b),
     lambda m, out, ctx, a, b: (b * m.pow(a, b - 1.0), out * m.log(a)),
     "b*a**(b-1)", "a**b*log(a)")

unary("exp", safe_exp,
      lambda m, out, ctx, x: (out,),
      "exp(x)")

unary("log", safe_log,
      lambda m, out, ctx, x: (m.recip(x),),
      "1/x")

unary("tanh", math.tanh,
      lambda m, out, ctx, x: (1.0 - out * out,),
      "1 - tanh(x)**2")

unary("sigmoid", stable_sigmoid,
      lambda m, out, ctx, x: (out * (1.0 - out),),
      "sigmoid(x)*(1 - sigmoid(x))")

unary("relu", lambda x: x if x > 0.0 else 0.0,
      lambda m, out, ctx, x: (m.step(x),),
      "1 if x > 0 else 0")

unary("abs", abs,
      lambda m, out, ctx, x: (m.sign(x),),
      "sign(x)")

unary("sin", safe_sin,
      lambda m, out, ctx, x: (m.cos(x),),
      "cos(x)")

unary("cos", safe_cos,
      lambda m, out, ctx, x: (-1.0 * m.sin(x),),
      "-sin(x)")

# Fused n-ary sum: one node for x1 + ... + xn instead of n - 1.  Both fused ops add left to
# right from 0.0 (what sum() does before Python 3.12, which compensates): one float result on
# every Python version, which compiled code (autograd.compile) can write out term by term.
def left_to_right_sum(xs) -> float:
    """0.0 + x1 + x2 + ... + xn, in that order."""
    return reduce(add, xs, 0.0)


rule("sum", -1,
     lambda ctx, *xs: left_to_right_sum(xs),
     lambda m, out, ctx, *xs: (1.0,) * len(xs),
     "1")


# Fused dot product: one node for w1*x1 + ... + wn*xn (+ b), instead of 2n nodes.
# Inputs are (w1..wn, x1..xn) or (w1..wn, x1..xn, b); ctx is True when a bias is present.
def _dot_forward(has_bias, *xs):
    n = len(xs) // 2
    total = left_to_right_sum(map(mul, xs[:n], xs[n : 2 * n]))
    return total + xs[-1] if has_bias else total


def _dot_partials(m, out, has_bias, *xs):
    n = len(xs) // 2
    # d/dw_i = x_i, d/dx_i = w_i, d/db = 1
    return xs[n : 2 * n] + xs[:n] + ((1.0,) if has_bias else ())


rule("dot", -1, _dot_forward, _dot_partials, "x_i (for w_i)", "w_i (for x_i)", "1 (for b)")
