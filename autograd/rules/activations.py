"""Activation functions, under ``torch.nn.functional``'s names and conventions.

At a kink the derivative is PyTorch's subgradient, stated at each rule.  At nan the value
is nan (it propagates, so ``detect_anomaly`` sees it); the local derivative there is the
one the rule's step functions give (``m.step(nan)`` is 0), stated where it differs from
PyTorch's.  Where a textbook formula gives ``inf * 0`` at +-inf (``silu(-inf)``), the
value and the derivative are the limits (``-0.0`` and 0), computed with ``m.mul0``.
"""

from __future__ import annotations

import math

from ..floats import constant
from .maths import ArrayMath, array_at_minus_inf_zero, np, stable_sigmoid
from .maths import softplus as _softplus_of
from .registry import rule, unary

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715
# selu's constants, as in PyTorch (Klambauer et al. 2017)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _at_minus_inf_zero(f):
    """``f``, but -0.0 at -inf, where x * (something -> 0) is inf * 0 and the limit is 0."""

    def forward(x: float) -> float:
        return -0.0 if x == -math.inf else f(x)

    return forward


unary("sigmoid", stable_sigmoid,
      lambda m, out, ctx, x: (out * (1.0 - out),),
      "sigmoid(x)*(1 - sigmoid(x))",
      expr="1/(1 + exp(-x))",
      method=True,
      doc="1 / (1 + exp(-x)), computed without overflow for any x.",
      # rules.stable_sigmoid's two branches (exp never sees a large positive number; nan
      # goes to the second, which gives nan as its explicit check does)
      inline="((1.0 / (1.0 + _exp(-{x}))) if {x} >= 0.0 else ((_e := _exp({x})) / (1.0 + _e)))",
      array=ArrayMath.sigmoid,
      activation=True,
      exercises=("hidden", "output", "probability", "expression"))

# relu(-0.0) is 0.0 and relu(nan) is nan (it propagates).  The derivative is 0 at 0, as in
# PyTorch, and 0 at nan (m.step); PyTorch's threshold rule gives 1 there.
unary("relu", lambda x: 0.0 if x <= 0.0 else x,
      lambda m, out, ctx, x: (m.step(x),),
      "1 if x > 0 else 0",
      expr="x if x > 0 else 0",
      method=True,
      aliases=("ReLU",),
      doc="max(x, 0): relu(-0.0) = 0.0, relu(nan) = nan; its derivative at 0 is 0, as in "
           "PyTorch (and 0 at nan, where PyTorch's is 1).",
      array=lambda x: np.where(x <= 0.0, 0.0, x),
      activation=True,
      exercises=("hidden",))

# leaky_relu(x, negative_slope): ctx is the slope.  At 0 the derivative is the slope
# (PyTorch: x > 0 ? 1 : slope); leaky_relu(-0.0) is -0.0.
def _leaky_relu_ctx(negative_slope: float = 0.01) -> float:
    return constant(negative_slope, "negative_slope")


rule("leaky_relu", 1,
     lambda slope, x: x if x > 0.0 else x * slope,
     lambda m, out, slope, x: (slope + (1.0 - slope) * m.step(x),),
     "1 if x > 0 else negative_slope",
     expr="x if x > 0 else negative_slope*x", ctx_names=("negative_slope",),
     doc="x where x > 0, else negative_slope * x; derivative at 0 is negative_slope.",
     ctx_of=_leaky_relu_ctx,
     array=lambda slope, x: np.where(x > 0.0, x, x * slope),
      activation=True)


# softplus(x, beta, threshold) = log(1 + exp(beta*x))/beta, and x where beta*x > threshold
# (PyTorch's linear region); ctx is (beta, threshold).  Its own rule: the derivative is
# sigmoid(beta*x) (0.5 at 0, second derivative beta/4), 1 in the linear region.
def _softplus(ctx, x: float) -> float:
    beta, threshold = ctx
    z = beta * x
    return x if z > threshold else _softplus_of(z) / beta


def _softplus_ctx(beta: float = 1.0, threshold: float = 20.0) -> tuple[float, float]:
    beta, threshold = constant(beta, "beta"), constant(threshold, "threshold")
    if beta == 0.0 or not math.isfinite(beta):
        raise ValueError(f"softplus: beta must be a finite non-zero number, got {beta!r}")
    return beta, threshold


def _softplus_array(ctx, x):
    beta, threshold = ctx
    return np.where(beta * x > threshold, x, ArrayMath.softplus(beta * x) / beta)


_SOFTPLUS_DOC = """log(1 + exp(beta*x))/beta, never overflowing; x itself where beta*x > threshold.

As ``torch.nn.functional.softplus``.  Its own rule: the derivative is sigmoid(beta*x),
0.5 at 0, with second derivative beta/4 there.

Raises:
    ValueError: ``beta`` is 0 or not finite.
"""


def _softplus_sympy(sp, ctx, x):
    """softplus in SymPy: the function itself (the threshold only switches to x where the
    two agree in floats), as a formula's ``softplus(x)`` means it."""
    beta = sp.nsimplify(ctx[0])
    return sp.log(1 + sp.exp(beta * x)) / beta


def _softplus_partials(m, out, ctx, x):
    beta, threshold = ctx
    s = m.sigmoid(beta * x)
    return (s + m.step(beta * x - threshold) * (1.0 - s),)


rule("softplus", 1, _softplus, _softplus_partials,
     "sigmoid(beta*x) (1 if beta*x > threshold)",
     expr="x if beta*x > threshold else log(1 + exp(beta*x))/beta", ctx_names=("beta", "threshold"),
     method=True,
     doc=_SOFTPLUS_DOC,
     ctx_of=_softplus_ctx,
     array=_softplus_array,
      activation=True,
     sympy=_softplus_sympy)


# elu(x, alpha): alpha*(exp(x) - 1) below 0; ctx is alpha.  Derivative 1 above 0 and
# alpha*exp(x) at and below 0, as PyTorch (exp(x), not out + alpha: exact near -inf);
# nan at nan (PyTorch's is 1).  selu and celu follow the same conventions.
def _alpha_ctx(alpha: float = 1.0) -> float:
    return constant(alpha, "alpha")


def _elu_array(alpha, x):
    return np.where(x > 0.0, x, alpha * np.expm1(np.minimum(x, 0.0)))


rule("elu", 1,
     lambda alpha, x: x if x > 0.0 else alpha * math.expm1(x),
     lambda m, out, alpha, x: (m.step(x) + m.mul0(1.0 - m.step(x), alpha * m.exp(x)),),
     "1 if x > 0 else alpha*exp(x)",
     expr="x if x > 0 else alpha*(exp(x) - 1)", ctx_names=("alpha",),
     doc="x where x > 0, else alpha * (exp(x) - 1); derivative alpha at 0, as PyTorch.",
     ctx_of=_alpha_ctx,
     array=_elu_array,
      activation=True)

unary("selu", lambda x: SELU_SCALE * (x if x > 0.0 else SELU_ALPHA * math.expm1(x)),
      lambda m, out, ctx, x: (SELU_SCALE * m.step(x)
                              + m.mul0(1.0 - m.step(x), SELU_SCALE * SELU_ALPHA * m.exp(x)),),
      "scale if x > 0 else scale*alpha*exp(x)",
      expr="1.0507009873554805*(x if x > 0 else 1.6732632423543772*(exp(x) - 1))",
      doc="scale * elu(x, alpha) with PyTorch's fixed alpha and scale (self-normalising).",
      array=lambda x: SELU_SCALE * _elu_array(SELU_ALPHA, x),
      activation=True)


# celu(x, alpha) = max(0, x) + min(0, alpha*(exp(x/alpha) - 1)); ctx is alpha.
def _celu(alpha, x: float) -> float:
    if x > 0.0:
        return x
    try:
        return alpha * math.expm1(x / alpha)
    except OverflowError:  # x/alpha large with a negative alpha
        return -math.inf * alpha


def _celu_ctx(alpha: float = 1.0) -> float:
    alpha = constant(alpha, "alpha")
    if alpha == 0.0:
        raise ValueError("celu: alpha must not be 0")
    return alpha


def _celu_array(alpha, x):
    return np.where(x > 0.0, x, alpha * np.expm1(np.minimum(x, 0.0) / alpha))


_CELU_DOC = """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

Raises:
    ValueError: ``alpha`` is 0.
"""

rule("celu", 1, _celu,
     lambda m, out, alpha, x: (m.step(x) + m.mul0(1.0 - m.step(x), m.exp(x / alpha)),),
     "1 if x > 0 else exp(x/alpha)",
     expr="x if x > 0 else alpha*(exp(x/alpha) - 1)", ctx_names=("alpha",),
     doc=_CELU_DOC,
     ctx_of=_celu_ctx,
     array=_celu_array,
      activation=True)


def _gelu_choose(approximate: str = "none") -> str:
    """The op ``gelu(x, approximate)`` builds: gelu, or gelu_tanh for ``"tanh"``."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return "gelu" if approximate == "none" else "gelu_tanh"


# gelu(x) = x * Phi(x), Phi the normal CDF, written with erfc so it keeps its digits for
# negative x (PyTorch's 0.5*x*(1 + erf(x/sqrt(2))) is 0 below x = -8).
unary("gelu", _at_minus_inf_zero(lambda x: 0.5 * x * math.erfc(-x * _SQRT_HALF)),
      lambda m, out, ctx, x: (0.5 * m.erfc(-x * _SQRT_HALF)
                              + m.mul0(_INV_SQRT_2PI * m.exp(-0.5 * (x * x)), x),),
      "Phi(x) + x*exp(-x**2/2)/sqrt(2*pi)",
      expr="x*(1 + erf(x/sqrt(2)))/2",
      choose=_gelu_choose,
      doc="""x * Phi(x), Phi the normal CDF, or PyTorch's tanh approximation.

    Args:
        x: a Value or number.
        approximate: ``"none"`` (exact, with erfc) or ``"tanh"``.

    Raises:
        ValueError: ``approximate`` is neither.
    """,
      array=array_at_minus_inf_zero(lambda x: 0.5 * x * ArrayMath.erfc(-x * _SQRT_HALF)),
      activation=True)


# gelu(x, approximate="tanh"): 0.5*x*(1 + tanh(k*(x + c*x**3))), PyTorch's derivative.
def _gelu_tanh(x: float) -> float:
    return 0.5 * x * (1.0 + math.tanh(_GELU_K * (x + _GELU_C * (x * x * x))))


def _gelu_tanh_array(x):
    return 0.5 * x * (1.0 + np.tanh(_GELU_K * (x + _GELU_C * (x * x * x))))


def _gelu_tanh_partials(m, out, ctx, x):
    t = m.tanh(_GELU_K * (x + _GELU_C * (x * x * x)))
    inner = (0.5 * _GELU_K) * x * (1.0 + (3.0 * _GELU_C) * (x * x))
    return (0.5 * (1.0 + t) + m.mul0(1.0 - t * t, inner),)


unary("gelu_tanh", _at_minus_inf_zero(_gelu_tanh), _gelu_tanh_partials,
      "(1 + t)/2 + x*(1 - t**2)*k*(1 + 3*c*x**2)/2, t = tanh(k*(x + c*x**3))",
      expr="x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))/2",
      functions=(),
      doc="PyTorch's tanh approximation of gelu (``gelu(x, approximate='tanh')``).",
      array=array_at_minus_inf_zero(_gelu_tanh_array),
      activation=True)

unary("silu", _at_minus_inf_zero(lambda x: x * stable_sigmoid(x)),
      lambda m, out, ctx, x: (m.sigmoid(x) + m.mul0(m.sigmoid(x) * (1.0 - m.sigmoid(x)), x),),
      "sigmoid(x)*(1 + x*(1 - sigmoid(x)))",
      expr="x/(1 + exp(-x))",
      doc="x * sigmoid(x) (also called swish).",
      array=array_at_minus_inf_zero(lambda x: x * ArrayMath.sigmoid(x)),
      activation=True)


def _mish_partials(m, out, ctx, x):
    t = m.tanh(m.softplus(x))
    return (t + m.mul0(m.sigmoid(x) * (1.0 - t * t), x),)


unary("mish", _at_minus_inf_zero(lambda x: x * math.tanh(_softplus_of(x))),
      _mish_partials,
      "tanh(softplus(x)) + x*sigmoid(x)*(1 - tanh(softplus(x))**2)",
      expr="x*tanh(log(1 + exp(x)))",
      doc="x * tanh(softplus(x)).",
      array=array_at_minus_inf_zero(lambda x: x * np.tanh(ArrayMath.softplus(x))),
      activation=True)


def _softsign(x: float) -> float:
    return math.copysign(1.0, x) if math.isinf(x) else x / (1.0 + abs(x))


# 1/(1 + |x|)**2, with |x| = x*sign(x): its derivative is sign(x) almost everywhere.
def _softsign_partials(m, out, ctx, x):
    r = m.recip(1.0 + x * m.sign(x))
    return (r * r,)


unary("softsign", _softsign, _softsign_partials, "1/(1 + abs(x))**2",
      expr="x/(1 + abs(x))",
      doc="x / (1 + |x|).",
      array=lambda x: np.where(np.isinf(x), np.sign(x), x / (1.0 + np.abs(x))),
      activation=True)

unary("logsigmoid", lambda x: -_softplus_of(-x),
      lambda m, out, ctx, x: (m.sigmoid(-x),),
      "sigmoid(-x)",
      expr="-log(1 + exp(-x))",
      doc="log(sigmoid(x)) = -softplus(-x), never overflowing.",
      array=lambda x: -ArrayMath.softplus(-x),
      activation=True)


# hardtanh(x, min_val, max_val); ctx is (min_val, max_val).  The derivative is 1 strictly
# inside and 0 at and beyond the bounds, as PyTorch's hardtanh_backward (0 at nan, where
# PyTorch's is 1).
def _hardtanh(ctx, x: float) -> float:
    lo, hi = ctx
    return lo if x < lo else (hi if x > hi else x)


def _hardtanh_ctx(min_val: float = -1.0, max_val: float = 1.0) -> tuple[float, float]:
    lo, hi = constant(min_val, "min_val"), constant(max_val, "max_val")
    if lo > hi:
        raise ValueError(f"hardtanh: min_val {lo!r} is greater than max_val {hi!r}")
    return lo, hi


_HARDTANH_DOC = """x limited to [min_val, max_val]; derivative 1 strictly inside, 0 at the bounds.

Raises:
    ValueError: ``min_val`` is greater than ``max_val``.
"""

rule("hardtanh", 1, _hardtanh,
     lambda m, out, ctx, x: (m.step(x - ctx[0]) * m.step(ctx[1] - x),),
     "1 if min_val < x < max_val else 0",
     expr="min_val if x < min_val else (max_val if x > max_val else x)",
     ctx_names=("min_val", "max_val"),
     doc=_HARDTANH_DOC,
     ctx_of=_hardtanh_ctx,
     array=lambda ctx, x: np.where(x < ctx[0], ctx[0], np.where(x > ctx[1], ctx[1], x)),
      activation=True)

# hardsigmoid(x) = relu6(x + 3)/6: derivative 1/6 strictly inside (-3, 3), as PyTorch.
unary("hardsigmoid", lambda x: 0.0 if x <= -3.0 else (1.0 if x >= 3.0 else x / 6.0 + 0.5),
      lambda m, out, ctx, x: (m.step(x + 3.0) * m.step(3.0 - x) * (1.0 / 6.0),),
      "1/6 if -3 < x < 3 else 0",
      expr="0 if x <= -3 else (1 if x >= 3 else x/6 + 1/2)",
      doc="relu6(x + 3) / 6, one node; derivative 1/6 strictly inside (-3, 3).",
      array=lambda x: np.where(x <= -3.0, 0.0, np.where(x >= 3.0, 1.0, x / 6.0 + 0.5)),
      activation=True)


# hardswish(x) = x*relu6(x + 3)/6, computed as PyTorch does (-0.0 at and below -3).  Its
# derivative is PyTorch's: 0 at and below -3, x/3 + 1/2 strictly between, 1 from 3 on
# (0 at nan, where PyTorch's is 1).
def _hardswish_partials(m, out, ctx, x):
    inside, above = m.step(x + 3.0), 1.0 - m.step(3.0 - x)
    return (m.mul0(inside, m.mul0(1.0 - above, x / 3.0 + 0.5) + above),)


unary("hardswish",
      _at_minus_inf_zero(lambda x: x * min(max(x + 3.0, 0.0), 6.0) / 6.0),
      _hardswish_partials,
      "0 if x <= -3 else (x/3 + 1/2 if x < 3 else 1)",
      expr="0 if x <= -3 else (x if x >= 3 else x*(x + 3)/6)",
      doc="x * relu6(x + 3) / 6, one node, with PyTorch's derivative.",
      array=array_at_minus_inf_zero(lambda x: x * np.minimum(np.maximum(x + 3.0, 0.0), 6.0) / 6.0),
      activation=True)
