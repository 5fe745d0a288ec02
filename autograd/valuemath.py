"""``ValueMath``: a rule's math namespace on Values, for derivatives of any order.

A rule's ``partials(m, ...)`` evaluated with ``m = ValueMath`` records a graph of the
partial derivatives themselves (``grad(..., create_graph=True)``, ``hessian``).  It builds
nodes with the engine's functions, so it sits above the engine; its float twin,
:class:`autograd.rules.maths.FloatMath`, sits below it.
"""

from __future__ import annotations

import math

# The generated op functions (ops.sinh, ...), called by attribute: each is the one
# function of its rule, taking Values and numbers.
from . import ops
from .rules.maths import FloatMath, floor, floordiv, safe_recip, stable_sigmoid, trunc, truncdiv

__all__ = ["ValueMath"]

_inf = math.inf


def _data(x) -> float:
    return getattr(x, "data", x)


class ValueMath:
    """Evaluate a rule on Values, recording a graph (for higher-order derivatives)."""

    # Where a function is flat at an infinite input (exp at -inf, 1/x at +-inf, tanh and
    # sigmoid at +-inf, rsqrt at inf), every derivative there is 0: return the constant,
    # so a higher derivative is 0 and not 0 * inf = nan from the chain through the input
    # (d2 atan(x) = -2x/(1 + x**2)**2 tends to 0 at inf; the graph of 1/(1 + x*x) would
    # give -0.0 * inf).  Elsewhere an ordinary node.
    @staticmethod
    def exp(x):
        return 0.0 if _data(x) == -_inf else x.exp()

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
    def sinh(x):
        return ops.sinh(x)

    @staticmethod
    def cosh(x):
        return ops.cosh(x)

    @staticmethod
    def tanh(x):
        d = _data(x)
        return math.copysign(1.0, d) if math.isinf(d) else ops.tanh(x)

    @staticmethod
    def sigmoid(x):
        d = _data(x)
        return stable_sigmoid(d) if math.isinf(d) else ops.sigmoid(x)

    @staticmethod
    def softplus(x):
        return ops.softplus(x)

    @staticmethod
    def erfc(x):
        return ops.erfc(x)

    @staticmethod
    def pow(x, k):
        return x**k

    @staticmethod
    def recip(x):
        d = _data(x)
        return safe_recip(d) if math.isinf(d) else x**-1.0

    @staticmethod
    def div(a, b):
        return ops.div(a, b)

    @staticmethod
    def hypot(a, b):
        return ops.hypot(a, b)

    @staticmethod
    def rsqrt(x):
        return 0.0 if _data(x) == _inf else ops.rsqrt(x)

    # step, sign, floor, trunc and the quotients are piecewise constant: their derivative
    # is zero almost everywhere, so a constant is exact for every higher-order derivative.
    @staticmethod
    def step(x) -> float:
        return FloatMath.step(_data(x))

    @staticmethod
    def sign(x) -> float:
        return FloatMath.sign(_data(x))

    @staticmethod
    def floor(x) -> float:
        return floor(_data(x))

    @staticmethod
    def trunc(x) -> float:
        return trunc(_data(x))

    @staticmethod
    def floordiv(a, b) -> float:
        return floordiv(_data(a), _data(b))

    @staticmethod
    def truncdiv(a, b) -> float:
        return truncdiv(_data(a), _data(b))

    @staticmethod
    def mul0(x, y):
        # Where x is 0 and y is not finite the product is the constant 0 (the convention);
        # elsewhere an ordinary product, so its derivatives are the product rule's.
        if _data(x) == 0.0 and not math.isfinite(_data(y)):
            return 0.0
        return x * y

    @staticmethod
    def div0(a, b):
        # At 0/0 the constant 0 (the convention); elsewhere a division node.
        if _data(a) == 0.0 and _data(b) == 0.0:
            return 0.0
        return ops.div(a, b)

    @staticmethod
    def log0(x, b=0.0):
        return 0.0 if _data(x) == 0.0 and _data(b) >= 0.0 else ops.log(x)
