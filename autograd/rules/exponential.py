"""Exponentials and logarithms: exp, exp2, expm1, log, log1p, log2, log10, logaddexp."""

from __future__ import annotations

import math

from .maths import np, safe_exp, safe_log, safe_pow
from .registry import rule, unary

_LN2, _LN10 = math.log(2.0), math.log(10.0)

unary("exp", safe_exp,
      lambda m, out, ctx, x: (out,),
      "exp(x)",
      expr="exp(x)",
      method=True,
      doc="e ** x (inf on overflow, never OverflowError).",
      array="exp",
      sympy=lambda sp, ctx, x: sp.exp(x),
      latex=r"\exp\left({0}\right)",
      exercises=("expression",))

unary("exp2", lambda x: safe_pow(2.0, x),
      lambda m, out, ctx, x: (out * _LN2,),
      "2**x*log(2)",
      expr="2**x",
      method=True,
      doc="2 ** x.",
      array="exp2")


def _expm1(x: float) -> float:
    try:
        return math.expm1(x)
    except OverflowError:
        return math.inf


# exp(x), not out + 1: at x = -40, out + 1 is 0 where exp(x) is 4e-18.
unary("expm1", _expm1,
      lambda m, out, ctx, x: (m.exp(x),),
      "exp(x)",
      expr="exp(x) - 1",
      method=True,
      doc="exp(x) - 1, accurate for small x.",
      array="expm1")

unary("log", safe_log,
      lambda m, out, ctx, x: (m.recip(x),),
      "1/x",
      expr="log(x)",
      method=True,
      doc="Natural log: log(0) = -inf, log(negative) = nan.",
      array="log",
      sympy=lambda sp, ctx, x: sp.log(x),
      latex=r"\log\left({0}\right)")


def _log1p(x: float) -> float:
    if x > -1.0:
        return math.log1p(x)  # also log1p(inf) = inf
    return -math.inf if x == -1.0 else math.nan


unary("log1p", _log1p,
      lambda m, out, ctx, x: (m.recip(1.0 + x),),
      "1/(1 + x)",
      expr="log(1 + x)",
      method=True,
      doc="log(1 + x), accurate for small x: -inf at -1, nan below.",
      array=lambda x: np.where(x < -1.0, np.nan, np.log1p(np.maximum(x, -1.0))))


def _log_base(log_fn):
    def forward(x: float) -> float:
        if x > 0.0:
            return log_fn(x)
        return -math.inf if x == 0.0 else math.nan

    return forward


# 1/(x*log(2)), not (1/x)/log(2): 1/x overflows for x near the smallest normal number.
unary("log2", _log_base(math.log2),
      lambda m, out, ctx, x: (m.recip(_LN2 * x),),
      "1/(x*log(2))",
      expr="log(x)/log(2)",
      method=True,
      doc="Base-2 logarithm: -inf at 0, nan below.",
      array="log2")

unary("log10", _log_base(math.log10),
      lambda m, out, ctx, x: (m.recip(_LN10 * x),),
      "1/(x*log(10))",
      expr="log(x)/log(10)",
      method=True,
      doc="Base-10 logarithm: -inf at 0, nan below.",
      array="log10")


def _logaddexp(a: float, b: float) -> float:
    big = a if a > b else b
    if a != a or b != b:
        return math.nan
    if math.isinf(big):  # inf with anything, or -inf with -inf
        return big
    return big + math.log1p(math.exp(-abs(a - b)))


# d/da = exp(a - out) = sigmoid(a - b), which never overflows.  (inf, inf) gives
# sigmoid(nan) = nan, as PyTorch's 1/(1 + exp(b - a)).
rule("logaddexp", 2,
     lambda ctx, a, b: _logaddexp(a, b),
     lambda m, out, ctx, a, b: (m.sigmoid(a - b), m.sigmoid(b - a)),
     "sigmoid(a - b)", "sigmoid(b - a)",
     expr="log(exp(a) + exp(b))",
     method=True,
     doc="log(exp(a) + exp(b)), never overflowing.",
     array=lambda ctx, a, b: np.where((a != a) | (b != b), np.nan, np.logaddexp(a, b)))
