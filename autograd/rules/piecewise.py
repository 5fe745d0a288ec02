"""Piecewise functions: abs, sign and rounding, maximum and minimum, clamp, copysign,
fmod and remainder.

Their derivatives are constant between the kinks; at a kink or a tie each rule takes
PyTorch's subgradient, stated at the rule.  Rounding functions have derivative 0, as in
PyTorch (their true derivative is 0 almost everywhere and undefined at the jumps).

The engine multiplies that 0 by the upstream gradient as IEEE does, so an infinite
upstream gradient gives nan (inf * 0) below sign, floor, ceil, round and trunc, where
PyTorch's rounding backward returns zeros without reading it.  We keep IEEE: a gradient
that has already overflowed stays visible (``detect_anomaly`` names the node) rather than
turning into a clean 0.
"""

from __future__ import annotations

import math

from ..floats import constant
from .maths import ArrayMath, floor, np, trunc
from .registry import rule, unary

_ZERO = lambda m, out, ctx, x: (0.0,)  # noqa: E731 - the derivative of a step function

# The derivative of |x| at 0 is 0 (PyTorch's sgn, and sympy's sign(0)).  abs(-0.0) = 0.0.
unary("abs", abs,
      lambda m, out, ctx, x: (m.sign(x),),
      "sign(x)",
      expr="abs(x)",
      method=True,
      functions=("absolute", "abs"),
      doc="|x|; its derivative at 0 is 0.",
      array="abs",
      sympy=lambda sp, ctx, x: sp.Abs(x),
      latex=r"\left|{0}\right|",
      mathml="<mrow><mo>|</mo>{0}<mo>|</mo></mrow>")


def _sign(x: float) -> float:
    # sign(-0.0) is 0.0, as torch.sign; nan stays nan
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else (0.0 if x == 0.0 else x))


unary("sign", _sign, _ZERO, "0",
      expr="sign(x)",
      method=True,
      doc="-1, 0 or 1 (nan for nan); derivative 0, as in PyTorch.",
      array=lambda x: np.where(x > 0.0, 1.0, np.where(x < 0.0, -1.0, np.where(x == 0.0, 0.0, x))),
      sympy=lambda sp, ctx, x: sp.sign(x))
unary("floor", floor, _ZERO, "0",
      expr="floor(x)",
      method=True,
      doc="Round down; derivative 0, as in PyTorch.",
      array=ArrayMath.floor,
      sympy=lambda sp, ctx, x: sp.floor(x))


def _ceil(x: float) -> float:
    return math.copysign(float(math.ceil(x)), x) if math.isfinite(x) else x


def _round(x: float) -> float:
    """Round half to even, as torch.round; round(-0.4) is -0.0."""
    return math.copysign(float(round(x)), x) if math.isfinite(x) else x


unary("ceil", _ceil, _ZERO, "0",
      expr="ceil(x)",
      method=True,
      doc="Round up; derivative 0, as in PyTorch.",
      array="ceil",
      sympy=lambda sp, ctx, x: sp.ceiling(x))
unary("round", _round, _ZERO, "0",
      expr="round(x)",
      method=True,
      doc="Round half to even, as torch.round (round(-0.4) is -0.0); derivative 0.",
      array=lambda x: np.where(x == 0.0, x, np.round(x)),
      sympy=lambda sp, ctx, x: sp.floor(x + sp.Rational(1, 2)))
unary("trunc", trunc, _ZERO, "0",
      expr="trunc(x)",
      method=True,
      doc="Round toward 0; derivative 0, as in PyTorch.",
      array="trunc",
      sympy=lambda sp, ctx, x: sp.sign(x) * sp.floor(sp.Abs(x)))


def _maximum(a: float, b: float) -> float:
    if a != a or b != b:
        return math.nan  # nan propagates, as torch.maximum
    if a == b:  # a tie: +0.0 beats -0.0
        return b if math.copysign(1.0, a) < 0.0 else a
    return a if a > b else b


def _minimum(a: float, b: float) -> float:
    if a != a or b != b:
        return math.nan
    if a == b:  # a tie: -0.0 beats +0.0
        return b if math.copysign(1.0, a) > 0.0 else a
    return a if a < b else b


# At a tie each input gets half the gradient, as PyTorch's maximum/minimum; at nan too
# (sign(nan) is 0), where PyTorch gives each input the whole gradient.
rule("maximum", 2,
     lambda ctx, a, b: _maximum(a, b),
     lambda m, out, ctx, a, b: (0.5 + 0.5 * m.sign(a - b), 0.5 - 0.5 * m.sign(a - b)),
     "1 if a > b else (1/2 if a == b else 0)", "1 if b > a else (1/2 if a == b else 0)",
     expr="maximum(a, b)",
     method=True,
     doc="The larger of a and b (nan if either is); at a tie each gets half the gradient.",
     array=lambda ctx, a, b: np.maximum(a, b),
     sympy=lambda sp, ctx, a, b: sp.Max(a, b))

rule("minimum", 2,
     lambda ctx, a, b: _minimum(a, b),
     lambda m, out, ctx, a, b: (0.5 - 0.5 * m.sign(a - b), 0.5 + 0.5 * m.sign(a - b)),
     "1 if a < b else (1/2 if a == b else 0)", "1 if b < a else (1/2 if a == b else 0)",
     expr="minimum(a, b)",
     method=True,
     doc="The smaller of a and b (nan if either is); at a tie each gets half the gradient.",
     array=lambda ctx, a, b: np.minimum(a, b),
     sympy=lambda sp, ctx, a, b: sp.Min(a, b))


# clamp(x, min, max); ctx is (min, max), either None for no bound.  As torch.clamp: nan
# stays nan, and where min > max the result is max.  The derivative is 1 where
# min <= x <= max (bounds included, as PyTorch's clamp_backward), else 0; 1 at nan, which
# is beyond neither bound (PyTorch's is 0).
def _clamp(ctx, x: float) -> float:
    lo, hi = ctx
    if lo is not None and x < lo:
        x = lo
    if hi is not None and x > hi:
        x = hi
    return x


def _clamp_ctx(min: float | None = None, max: float | None = None):  # noqa: A002
    if min is None and max is None:
        raise ValueError("clamp: give min, max or both")
    return (None if min is None else constant(min, "clamp's min"),
            None if max is None else constant(max, "clamp's max"))


def _clamp_array(ctx, x):
    lo, hi = ctx
    if lo is not None:
        x = np.where(x < lo, lo, x)
    if hi is not None:
        x = np.where(x > hi, hi, x)
    return x


_CLAMP_DOC = """x limited to [min, max], as ``torch.clamp``; derivative 1 with the bounds included.

Raises:
    ValueError: both bounds are None.
    TypeError: a bound is a Value (use :func:`maximum` / :func:`minimum`).
"""


def _clamp_partials(m, out, ctx, x):
    lo, hi = ctx
    inside = 1.0
    if lo is not None:  # a branch on the constant, not on data
        inside = inside * (1.0 - m.step(lo - x))
    if hi is not None:
        inside = inside * (1.0 - m.step(x - hi))
    return (inside,)


rule("clamp", 1, _clamp, _clamp_partials, "1 if min <= x <= max else 0",
     expr="minimum(maximum(x, min), max)", ctx_names=("min", "max"),
     method=True,
     doc=_CLAMP_DOC,
     ctx_of=_clamp_ctx,
     array=_clamp_array)

# copysign(a, b): |a| with the sign of b.  d/da = +-1 (sign(a)*sign(out)), 0 at a = 0 as
# PyTorch; d/db = 0.
rule("copysign", 2,
     lambda ctx, a, b: math.copysign(a, b),
     lambda m, out, ctx, a, b: (m.sign(a) * m.sign(out), 0.0),
     "sign(a)*sign(copysign(a, b))", "0",
     expr="abs(a)*sign(b)",
     method=True,
     doc="|a| with the sign of b; d/db = 0.",
     array=lambda ctx, a, b: np.copysign(a, b))


def _fmod(a: float, b: float) -> float:
    try:
        return math.fmod(a, b)  # exact; the sign of a
    except ValueError:  # b = 0 or a = inf
        return math.nan


def _remainder(a: float, b: float) -> float:
    try:
        return a % b  # Python's %: exact, the sign of b, as torch.remainder
    except ZeroDivisionError:
        return math.nan


# fmod(a, b) = a - trunc(a/b)*b and remainder(a, b) = a - floor(a/b)*b (Python's %):
# d/da = 1, d/db = -trunc(a/b) or -floor(a/b), as PyTorch (a jump where a/b is whole).
# The quotient is the exact one the value used (truncdiv, floordiv), not that of the
# rounded a/b: 1 % 0.1 = 0.0999... = 1 - 9*0.1, so d/db is -9, though 1/0.1 rounds to 10.
rule("fmod", 2,
     lambda ctx, a, b: _fmod(a, b),
     lambda m, out, ctx, a, b: (1.0, -m.truncdiv(a, b)),
     "1", "-trunc(a/b)",
     expr="a - trunc(a/b)*b",
     method=True,
     doc="C's fmod: a - trunc(a/b)*b, with the sign of a (nan for b = 0).",
     array=lambda ctx, a, b: np.fmod(a, b))

rule("remainder", 2,
     lambda ctx, a, b: _remainder(a, b),
     lambda m, out, ctx, a, b: (1.0, -m.floordiv(a, b)),
     "1", "-floor(a/b)",
     expr="a - floor(a/b)*b",
     method=True,
     doc="Python's ``%``: a - floor(a/b)*b, with the sign of b (nan for b = 0).",
     array=lambda ctx, a, b: np.remainder(a, b))

