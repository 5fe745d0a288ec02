"""Trigonometric and hyperbolic functions and their inverses, and atan2.

Where a derivative has a pole at the edge of the domain (asin at +-1, atanh at +-1, acosh
at 1) it is inf there, as sympy's one-sided limit and PyTorch; outside the domain, nan.
"""

from __future__ import annotations

import math

from .maths import np, safe_cos, safe_cosh, safe_sin, safe_sinh
from .registry import rule, unary

unary("sin", safe_sin,
      lambda m, out, ctx, x: (m.cos(x),),
      "cos(x)",
      expr="sin(x)",
      method=True,
      doc="Sine.",
      array="sin",
      sympy=lambda sp, ctx, x: sp.sin(x),
      latex=r"\sin\left({0}\right)")

unary("cos", safe_cos,
      lambda m, out, ctx, x: (-1.0 * m.sin(x),),
      "-sin(x)",
      expr="cos(x)",
      method=True,
      doc="Cosine.",
      array="cos",
      sympy=lambda sp, ctx, x: sp.cos(x),
      latex=r"\cos\left({0}\right)")

unary("tan", lambda x: math.tan(x) if math.isfinite(x) else math.nan,
      lambda m, out, ctx, x: (1.0 + out * out,),
      "1 + tan(x)**2",
      expr="tan(x)",
      method=True,
      doc="Tangent.",
      array="tan",
      sympy=lambda sp, ctx, x: sp.tan(x),
      latex=r"\tan\left({0}\right)")


def _in_unit(fn):
    def forward(x: float) -> float:
        return fn(x) if -1.0 <= x <= 1.0 else math.nan

    return forward


# 1/sqrt((1 - x)(1 + x)): the factored form keeps its digits near +-1.
unary("asin", _in_unit(math.asin),
      lambda m, out, ctx, x: (m.rsqrt((1.0 - x) * (1.0 + x)),),
      "1/sqrt(1 - x**2)",
      expr="asin(x)",
      method=True,
      doc="Inverse sine: nan outside [-1, 1].",
      array="arcsin",
      sympy=lambda sp, ctx, x: sp.asin(x),
      latex=r"\arcsin\left({0}\right)")

unary("acos", _in_unit(math.acos),
      lambda m, out, ctx, x: (-m.rsqrt((1.0 - x) * (1.0 + x)),),
      "-1/sqrt(1 - x**2)",
      expr="acos(x)",
      method=True,
      doc="Inverse cosine: nan outside [-1, 1].",
      array="arccos",
      sympy=lambda sp, ctx, x: sp.acos(x),
      latex=r"\arccos\left({0}\right)")

unary("atan", math.atan,
      lambda m, out, ctx, x: (m.recip(1.0 + x * x),),
      "1/(1 + x**2)",
      expr="atan(x)",
      method=True,
      doc="Inverse tangent.",
      array="arctan",
      sympy=lambda sp, ctx, x: sp.atan(x),
      latex=r"\arctan\left({0}\right)")


# atan2(a, b) is the angle of the point (b, a), as torch.atan2(input=a, other=b).
# d/da = b/(a**2 + b**2), computed as (b/r)/r with r = hypot(a, b) so it neither overflows
# at 1e300 nor underflows at 1e-300.  At the origin, where it is undefined, it is 0 (mul0).
def _atan2_partials(m, out, ctx, a, b):
    r = m.recip(m.hypot(a, b))
    return m.mul0(m.mul0(b, r), r), -m.mul0(m.mul0(a, r), r)


rule("atan2", 2,
     lambda ctx, a, b: math.atan2(a, b),
     _atan2_partials,
     "b/(a**2 + b**2)", "-a/(a**2 + b**2)",
     expr="atan2(a, b)",
     method=True,
     doc="The angle of the point (b, a), as ``torch.atan2(a, b)``; derivative 0 at (0, 0).",
     array=lambda ctx, a, b: np.arctan2(a, b),
     sympy=lambda sp, ctx, a, b: sp.atan2(a, b))

unary("sinh", safe_sinh,
      lambda m, out, ctx, x: (m.cosh(x),),
      "cosh(x)",
      expr="sinh(x)",
      method=True,
      doc="Hyperbolic sine (+-inf on overflow).",
      array="sinh",
      sympy=lambda sp, ctx, x: sp.sinh(x),
      latex=r"\sinh\left({0}\right)")

unary("cosh", safe_cosh,
      lambda m, out, ctx, x: (m.sinh(x),),
      "sinh(x)",
      expr="cosh(x)",
      method=True,
      doc="Hyperbolic cosine (inf on overflow).",
      array="cosh",
      sympy=lambda sp, ctx, x: sp.cosh(x),
      latex=r"\cosh\left({0}\right)")

unary("tanh", math.tanh,
      lambda m, out, ctx, x: (1.0 - out * out,),
      "1 - tanh(x)**2",
      expr="tanh(x)",
      method=True,
      doc="Hyperbolic tangent.",
      array="tanh",
      activation=True,
      sympy=lambda sp, ctx, x: sp.tanh(x),
      latex=r"\tanh\left({0}\right)",
      exercises=("hidden", "output", "expression"))

# 1/hypot(1, x), not 1/sqrt(1 + x**2): x**2 overflows at 1e300 where the answer is 1e-300.
unary("asinh", math.asinh,
      lambda m, out, ctx, x: (m.recip(m.hypot(1.0, x)),),
      "1/sqrt(1 + x**2)",
      expr="asinh(x)",
      method=True,
      doc="Inverse hyperbolic sine.",
      array="arcsinh",
      sympy=lambda sp, ctx, x: sp.asinh(x),
      latex=r"\operatorname{{arcsinh}}\left({0}\right)")

unary("acosh", lambda x: math.acosh(x) if x >= 1.0 else math.nan,
      lambda m, out, ctx, x: (m.rsqrt(x - 1.0) * m.rsqrt(x + 1.0),),
      "1/sqrt(x**2 - 1)",
      expr="acosh(x)",
      method=True,
      doc="Inverse hyperbolic cosine: nan below 1.",
      array="arccosh",
      sympy=lambda sp, ctx, x: sp.acosh(x),
      latex=r"\operatorname{{arccosh}}\left({0}\right)")


def _atanh(x: float) -> float:
    if -1.0 < x < 1.0:
        return math.atanh(x)
    return math.copysign(math.inf, x) if abs(x) == 1.0 else math.nan


unary("atanh", _atanh,
      lambda m, out, ctx, x: (m.recip((1.0 - x) * (1.0 + x)),),
      "1/(1 - x**2)",
      expr="atanh(x)",
      method=True,
      doc="Inverse hyperbolic tangent: +-inf at +-1, nan beyond.",
      array="arctanh",
      sympy=lambda sp, ctx, x: sp.atanh(x))

