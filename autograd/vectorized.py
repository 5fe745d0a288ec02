"""NumPy stand-ins for the float functions that generated code calls, for batched replay.

``Compiled.batch_forward`` / ``batch_backward`` run the very code ``autograd.compile``
generates from the rule table, with each input a NumPy array of samples: arithmetic
broadcasts, and the names the code calls (``_x_sigmoid``, ``_m_step``, ...) are bound to
the functions below instead of their float versions in :mod:`autograd.rules`.  They keep
the float versions' IEEE results (inf and nan, never an error); derivatives are still
only the rule table's.  Results agree with per-sample replay to rounding (NumPy's
``exp`` and ``log`` may differ from :mod:`math`'s in the last bit).

NumPy is optional (the ``demo`` extra); this module is imported on first batched call.
"""

from __future__ import annotations

import numpy as np

from .rules import RULES, FloatMath

__all__ = ["numpy_globals"]


def _sigmoid(x):
    # Never exponentiate a large positive number, as rules.maths.stable_sigmoid.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _step(x):
    return np.where(x > 0.0, 1.0, 0.0)


def _sign(x):
    return np.where(x > 0.0, 1.0, np.where(x < 0.0, -1.0, 0.0))  # 0 at nan, as FloatMath


def _relu(x):
    return np.where(x <= 0.0, 0.0, x)  # relu(nan) is nan


def _softplus(x):
    return np.where(x != x, x, np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))))


def _div(a, b):
    return np.divide(a, b)


def _floor(x):
    return np.floor(x)  # IEEE already: floor(-0.0) = -0.0, inf and nan stay


def _below_minus_inf_zero(f):
    """As rules.activations: -0.0 at -inf, where x * (something -> 0) is the limit 0."""
    return lambda x: np.where(x == -np.inf, -0.0, f(x))


def _erfc(x):
    from math import erfc  # NumPy has no erfc; the float one, element by element

    return np.vectorize(erfc, otypes=[float])(x)


def _erf(x):
    from math import erf

    return np.vectorize(erf, otypes=[float])(x)


def _sign_op(x):
    return np.where(x > 0.0, 1.0, np.where(x < 0.0, -1.0, np.where(x == 0.0, 0.0, x)))


def _round(x):
    return np.where(x == 0.0, x, np.round(x))  # half to even, keeping -0.0 as -0.0


def _log1p(x):
    return np.where(x < -1.0, np.nan, np.log1p(np.maximum(x, -1.0)))


_SQRT_HALF = np.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_GELU_K = np.sqrt(2.0 / np.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(_GELU_K * (x + 0.044715 * (x * x * x))))


def _hardsigmoid(x):
    return np.where(x <= -3.0, 0.0, np.where(x >= 3.0, 1.0, x / 6.0 + 0.5))


def _hardswish(x):
    return x * np.minimum(np.maximum(x + 3.0, 0.0), 6.0) / 6.0


def _softsign(x):
    return np.where(np.isinf(x), np.sign(x), x / (1.0 + np.abs(x)))


def _elu(alpha, x):
    return np.where(x > 0.0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _celu(alpha, x):
    return np.where(x > 0.0, x, alpha * np.expm1(np.minimum(x, 0.0) / alpha))


def _softplus_op(ctx, x):
    beta, threshold = ctx
    return np.where(beta * x > threshold, x, _softplus(beta * x) / beta)


def _clamp(ctx, x):
    lo, hi = ctx
    if lo is not None:
        x = np.where(x < lo, lo, x)
    if hi is not None:
        x = np.where(x > hi, hi, x)
    return x


def _nan_if_either(f):
    return lambda ctx, a, b: np.where((a != a) | (b != b), np.nan, f(a, b))


def _logaddexp(ctx, a, b):
    return np.logaddexp(a, b)


# op -> its forward as a function of x (one-input ops) or of (ctx, *inputs).
_OF_X = {
    "exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": _sigmoid, "relu": _relu,
    "abs": np.abs, "sin": np.sin, "cos": np.cos,
    "sqrt": np.sqrt, "rsqrt": lambda x: 1.0 / np.sqrt(x), "cbrt": np.cbrt,
    "exp2": np.exp2, "expm1": np.expm1, "log1p": _log1p, "log2": np.log2, "log10": np.log10,
    "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh, "asinh": np.arcsinh, "acosh": np.arccosh,
    "atanh": np.arctanh, "erf": _erf, "erfc": _erfc,
    "sign": _sign_op, "floor": _floor, "ceil": np.ceil, "round": _round, "trunc": np.trunc,
    "selu": lambda x: _SELU_SCALE * _elu(_SELU_ALPHA, x),
    "gelu": _below_minus_inf_zero(lambda x: 0.5 * x * _erfc(-x * _SQRT_HALF)),
    "gelu_tanh": _below_minus_inf_zero(_gelu_tanh),
    "silu": _below_minus_inf_zero(lambda x: x * _sigmoid(x)),
    "mish": _below_minus_inf_zero(lambda x: x * np.tanh(_softplus(x))),
    "softsign": _softsign, "logsigmoid": lambda x: -_softplus(-x),
    "hardsigmoid": _hardsigmoid, "hardswish": _below_minus_inf_zero(_hardswish),
}
_FORWARD = {
    "pow": lambda k, x: np.power(x, k), "powv": lambda ctx, a, b: np.power(a, b),
    "div": lambda ctx, a, b: np.divide(a, b),
    "hypot": lambda ctx, a, b: np.hypot(a, b), "atan2": lambda ctx, a, b: np.arctan2(a, b),
    "maximum": lambda ctx, a, b: np.maximum(a, b), "minimum": lambda ctx, a, b: np.minimum(a, b),
    "logaddexp": _nan_if_either(np.logaddexp),
    "copysign": lambda ctx, a, b: np.copysign(a, b),
    "fmod": lambda ctx, a, b: np.fmod(a, b), "remainder": lambda ctx, a, b: np.remainder(a, b),
    "leaky_relu": lambda slope, x: np.where(x > 0.0, x, x * slope),
    "elu": _elu, "celu": _celu, "softplus": _softplus_op, "clamp": _clamp,
    "hardtanh": lambda ctx, x: np.where(x < ctx[0], ctx[0], np.where(x > ctx[1], ctx[1], x)),
}
_MATH = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "pow": np.power,
    "recip": lambda x: np.divide(1.0, x), "step": _step, "sign": _sign,
    "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "sigmoid": _sigmoid,
    "softplus": _softplus, "erfc": _erfc, "div": _div, "hypot": np.hypot,
    "floor": _floor, "trunc": np.trunc, "rsqrt": lambda x: 1.0 / np.sqrt(x),
    "mul0": lambda x, y: np.where(x == 0.0, 0.0, x * y),
    "div0": lambda x, y: np.where((x == 0.0) & (y == 0.0), 0.0, _div(x, y)),
    # numpy's floor_divide is the quotient of its remainder, as Python's // is of %
    "floordiv": np.floor_divide,
    "truncdiv": lambda x, y: np.copysign(np.floor_divide(np.abs(x), np.abs(y)),
                                         np.copysign(1.0, x) * np.copysign(1.0, y)),
    "log0": lambda x, b=0.0: np.where(x == 0.0, np.where(b >= 0.0, 0.0, -np.inf),
                                      np.log(np.where(x == 0.0, 1.0, x))),
}


def _all(test) -> bool:
    return bool(np.all(test))


def _any(test) -> bool:
    return bool(np.any(test))


def _total(g, n: int) -> float:
    """The sum over the batch of a per-sample gradient (a float when it is the same)."""
    return float(np.sum(g)) if np.ndim(g) else float(g) * n


def _rows(xs: tuple, n: int):
    """A (len(xs), n) matrix with one row per entry (an array of samples, or a number
    the same for every sample)."""
    try:
        m = np.array(xs, dtype=float)
    except ValueError:  # arrays next to numbers
        m = None
    if m is None or m.ndim != 2 or m.shape[1] != n:
        m = np.stack([np.broadcast_to(np.asarray(x, dtype=float), (n,)) for x in xs])
    return m


def _data(params: tuple):
    """Every parameter's ``data`` as one array."""
    return np.fromiter([p.data for p in params], dtype=float, count=len(params))


def _store(params: tuple, grads) -> None:
    """Add a summed gradient to each parameter's ``grad``."""
    for p, g in zip(params, grads.tolist()):
        p.grad += g


def _elementwise(f):
    """A float function applied sample by sample: the fallback for an op (say, one a user
    registered with ``rules.rule``) that has no NumPy version here.  Correct, not fast."""
    each = np.vectorize(f, otypes=[float])
    return lambda *xs: each(*xs)


def numpy_globals() -> dict:
    """Names for generated code running on arrays.

    Ops and math functions without a NumPy version below (a primitive registered after
    import, say) run their float function on each sample (:func:`_elementwise`).
    """
    fallback = {
        **{f"_x_{op}": _elementwise(r.of_x) for op, r in RULES.items()
           if r.of_x is not None and op not in _OF_X},
        **{f"_f_{op}": _elementwise(r.forward) for op, r in RULES.items()
           if op not in _FORWARD},
        **{f"_m_{n}": _elementwise(getattr(FloatMath, n)) for n in dir(FloatMath)
           if not n.startswith("_") and n not in _MATH},
    }
    return {
        **fallback,
        **{f"_x_{op}": f for op, f in _OF_X.items()},
        **{f"_f_{op}": f for op, f in _FORWARD.items()},
        **{f"_m_{name}": f for name, f in _MATH.items()},
        "_batch": lambda a: np.asarray(a, dtype=float),
        "_all": _all, "_any": _any, "_total": _total,
        "_rows": _rows, "_data": _data, "_store": _store, "_zeros": np.zeros,
        "_index": lambda ix: np.array(ix, dtype=np.intp),
        "_full": lambda v, n: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy(),
        "_inf": np.inf, "_nan": np.nan,
    }
