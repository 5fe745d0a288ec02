"""Special functions: the error function and its complement."""

from __future__ import annotations

import math

from .maths import ArrayMath, array_erf
from .registry import unary

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

# exp(-x**2) is 0 at +-1e300 and +-inf (x*x = inf): the derivative's true limit.
unary("erf", math.erf,
      lambda m, out, ctx, x: (_TWO_OVER_SQRT_PI * m.exp(-(x * x)),),
      "2*exp(-x**2)/sqrt(pi)",
      expr="erf(x)",
      method=True,
      doc="The error function.",
      array=array_erf,
      sympy=lambda sp, ctx, x: sp.erf(x))

unary("erfc", math.erfc,
      lambda m, out, ctx, x: (-_TWO_OVER_SQRT_PI * m.exp(-(x * x)),),
      "-2*exp(-x**2)/sqrt(pi)",
      expr="erfc(x)",
      method=True,
      doc="1 - erf(x), accurate where erf(x) is near 1.",
      array=ArrayMath.erfc,
      sympy=lambda sp, ctx, x: sp.erfc(x))
