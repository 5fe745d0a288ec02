"""Arithmetic: add, mul, div, the powers and roots, hypot, and the fused sum and dot."""

from __future__ import annotations

import math
from functools import reduce
from operator import add, mul

from .maths import np, safe_div, safe_hypot, safe_pow, safe_recip, safe_sqrt
from .registry import rule, unary

# partials(m, out, ctx, *inputs) -> one local derivative per input.

rule("add", 2,
     lambda ctx, a, b: a + b,
     lambda m, out, ctx, a, b: (1.0, 1.0),
     "1", "1",
     expr="a + b",
     operator="+", native=True, symbol=" + ", aliases=("+",),
     functions=(),
     doc="a + b (the operator ``+``).",
     array=lambda ctx, a, b: a + b,
     sum_of=1)

rule("mul", 2,
     lambda ctx, a, b: a * b,
     lambda m, out, ctx, a, b: (b, a),
     "b", "a",
     expr="a*b",
     operator="*", native=True, symbol=" * ", aliases=("*",),
     functions=(),
     doc="a * b (the operator ``*``).",
     array=lambda ctx, a, b: a * b)

# a / b as its own rule, not a * b**-1: b**-2 overflows long before a/b does, so
# d(x/x)/dx at 1e-300 is 1e300 - 1e300 = 0, not inf.  d/db = -out/b, itself a division
# (not out * (1/b)): its own derivative then never meets 0 * inf, so d2(a/b)/db2 at
# (0, 1e-300) is 0, not nan.
rule("div", 2,
     lambda ctx, a, b: safe_div(a, b),
     lambda m, out, ctx, a, b: (m.recip(b), -m.div(out, b)),
     "1/b", "-a/b**2",
     expr="a/b",
     operator="/", aliases=("/",),
     cli=False,
     doc="a / b (IEEE: x/0 is +-inf, 0/0 nan); d/db = -out/b, exact down to 1e-300.",
     array=lambda ctx, a, b: np.divide(a, b))

# x ** k with a constant exponent k (ctx).  d/dx x^0 is 0 everywhere, including x = 0.
rule("pow", 1,
     lambda k, x: safe_pow(x, k),
     lambda m, out, k, x: ((k * m.pow(x, k - 1.0)) if k != 0.0 else 0.0,),
     "k*x**(k-1)",
     expr="x**k", ctx_names=("k",),
     operator="**", symbol="**", aliases=("**", "^", "pow"),
     functions=(),
     doc="x ** k with a constant exponent k (the operator ``**``).",
     array=lambda k, x: np.power(x, k))

# a ** b with a Value exponent (also `2 ** x`).  Where the base is exactly 0 (either sign)
# the derivatives are PyTorch's, HIPS autograd's and tinygrad's: d/db is 0 where b >= 0
# (log0), and d/da is the limit of the power rule b*a**(b-1), with 0 where b is 0 (mul0):
# so 0**b has d/da = 0, inf, 1, 0 for b = 0, 0.5, 1, 2.5, and x**x at 0 has derivative 0.
# Where b < 0, 0**b is a pole and d/db is a**b * log(a) with IEEE signs, as in PyTorch
# and tinygrad: +-inf * -inf, so 0**-1, 0**-2, 0**-0.3 and (-0.0)**-2 give -inf and
# (-0.0)**-1 gives +inf.  At b = inf, d/da is inf * 0**inf = nan, as in all three.  Where
# the base is infinite and b < 0 (out is 0), d/db is 0, the limit of a**b log(a), where
# PyTorch's 0 * inf gives nan.
rule("powv", 2,
     lambda ctx, a, b: safe_pow(a, b),
     lambda m, out, ctx, a, b: (m.mul0(b, m.pow(a, b - 1.0)), m.mul0(out, m.log0(a, b))),
     "b*a**(b-1)", "a**b*log(a)",
     expr="a**b",
     operator="**", symbol="**", aliases=("**", "^", "pow"),
     functions=(),
     doc="a ** b with a Value exponent (the operator ``**``).",
     array=lambda ctx, a, b: np.power(a, b))

# sqrt as its own rule (not x ** 0.5): IEEE at the edges, sqrt(-0.0) = -0.0 and
# sqrt(-inf) = nan; d sqrt = 0.5/out, so the derivative at -0.0 is -inf, as in PyTorch.
unary("sqrt", safe_sqrt,
      lambda m, out, ctx, x: (0.5 * m.recip(out),),
      "1/(2*sqrt(x))",
      expr="sqrt(x)",
      method=True,
      doc="Square root: IEEE at the edges (sqrt(-0.0) = -0.0; nan below 0, also at -inf).",
      array="sqrt",
      sympy=lambda sp, ctx, x: sp.sqrt(x),
      latex=r"\sqrt{{{0}}}",
      mathml="<msqrt>{0}</msqrt>")

unary("rsqrt", lambda x: safe_recip(safe_sqrt(x)),
      lambda m, out, ctx, x: (-0.5 * (out * out * out),),
      "-rsqrt(x)**3/2",
      expr="1/sqrt(x)",
      method=True,
      doc="1 / sqrt(x): inf at 0, nan below.",
      array=lambda x: 1.0 / np.sqrt(x))


def _cbrt(x: float) -> float:
    """The real cube root (cbrt(-8) = -2), exact where math.cbrt exists (Python 3.11)."""
    if hasattr(math, "cbrt"):
        return math.cbrt(x)
    if x == 0.0 or not math.isfinite(x):
        return x
    r = abs(x) ** (1.0 / 3.0)
    r -= (r * r * r - abs(x)) / (3.0 * r * r)  # one Newton step: correctly rounded nearly always
    return math.copysign(r, x)


# 1/(3*cbrt(x)**2): inf at 0 (either sign), as sympy's limit.
unary("cbrt", _cbrt,
      lambda m, out, ctx, x: (m.recip(3.0 * (out * out)),),
      "1/(3*cbrt(x)**2)",
      expr="sign(x)*abs(x)**(1/3)",
      method=True,
      doc="The real cube root (cbrt(-8) = -2).",
      array="cbrt",
      sympy=lambda sp, ctx, x: sp.sign(x) * sp.Abs(x) ** sp.Rational(1, 3))

# hypot(a, b) = sqrt(a**2 + b**2) without overflow; d/da = a/out.  At (0, 0), a kink,
# the derivative is 0 (div0): a subgradient, as PyTorch's norm gives (its hypot, nan).
# a/out is a division, not a * out**-1, whose derivative overflows out**-2: the second
# derivatives at (0, 1e-300) are 1e300 and 0, not nan, and at (1e300, 1) 0, not 1e-300.
rule("hypot", 2,
     lambda ctx, a, b: safe_hypot(a, b),
     lambda m, out, ctx, a, b: (m.div0(a, out), m.div0(b, out)),
     "a/hypot(a, b)", "b/hypot(a, b)",
     expr="sqrt(a**2 + b**2)",
     method=True,
     doc="sqrt(a**2 + b**2), never overflowing; derivative 0 at (0, 0).",
     array=lambda ctx, a, b: np.hypot(a, b))


# Fused n-ary sum: one node for x1 + ... + xn instead of n - 1.  Both fused ops add left to
# right from 0.0 (what sum() does before Python 3.12, which compensates): one float result on
# every Python version, which compiled code (autograd.compile) can write out term by term.
def left_to_right_sum(xs) -> float:
    """0.0 + x1 + x2 + ... + xn, in that order."""
    return reduce(add, xs, 0.0)


rule("sum", -1,
     lambda ctx, *xs: left_to_right_sum(xs),
     lambda m, out, ctx, *xs: (1.0,) * len(xs),
     "1",
     expr="x_1 + ... + x_n",
     summed=True,
     doc="""x1 + ... + xn as one node (a fused n-ary sum), not n - 1 additions.

    >>> from autograd import Value, sum
    >>> xs = [Value(1.0), Value(2.0), Value(3.0)]
    >>> s = sum(xs); s.backward()
    >>> s.data, [x.grad for x in xs]
    (6.0, [1.0, 1.0, 1.0])
    """,
     sum_of=1)


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


rule("dot", -1, _dot_forward, _dot_partials, "x_i (for w_i)", "w_i (for x_i)", "1 (for b)",
     expr="w_1*x_1 + ... + w_n*x_n + b (b if has_bias)", ctx_names=("has_bias",),
     summed=True, paired=True,
     doc="""w1*x1 + ... + wn*xn (+ bias) as one node, not 2n nodes.

    >>> from autograd import Value, dot
    >>> w, x = [Value(1.0), Value(2.0)], [3.0, 4.0]
    >>> y = dot(w, x, bias=0.5); y.backward()
    >>> y.data, [wi.grad for wi in w]
    (11.5, [3.0, 4.0])
    """,
     sum_of=2)
