"""The float functions rules are built on, and the two math namespaces they run with.

Python's :mod:`math` raises where IEEE 754 returns inf or nan; a gradient engine must not
stop a training run with ``OverflowError``, so the ``safe_*`` functions here return what
IEEE says.  They are the forwards of the rule table and the helpers its ``partials`` call.

A rule's ``partials(m, ...)`` sees only the names of :class:`FloatMath` (on floats, the
fast path of ``backward``), :class:`ArrayMath` (the same on NumPy arrays, for batched
replay) or :class:`autograd.valuemath.ValueMath` (on Values, recording a graph: higher
derivatives; it sits above the engine, which it builds nodes with).  A helper added here
must exist in all three; generated code calls FloatMath's own.
"""

from __future__ import annotations

import math

__all__ = ["FloatMath", "ArrayMath", "np"]

_inf, _nan = math.inf, math.nan


def safe_fsum(xs) -> float:
    """The exactly rounded sum of ``xs`` (``math.fsum``), or IEEE's inf / nan where fsum
    raises instead (an overflowing partial sum, inf - inf): what a person is shown
    (explanations, edge labels) must be the number, never a traceback."""
    xs = list(xs)
    try:
        return math.fsum(xs)
    except (OverflowError, ValueError):
        return sum(xs, 0.0)


def safe_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return _inf


def safe_log(x: float) -> float:
    if x > 0.0:
        return math.log(x)  # also log(inf) = inf
    if x == 0.0:
        return -_inf
    return _nan  # negative or nan


def _is_odd_integer(k: float) -> bool:
    return k == k and not math.isinf(k) and k == int(k) and int(k) % 2 == 1


def safe_pow(x: float, k: float) -> float:
    try:
        return math.pow(x, k)
    except OverflowError:
        return -_inf if (x < 0.0 and _is_odd_integer(k)) else _inf
    except (ValueError, ZeroDivisionError):
        if x == 0.0:  # 0 ** negative: a pole; keep the sign of a signed zero for odd k
            return -_inf if (math.copysign(1.0, x) < 0 and _is_odd_integer(k)) else _inf
        return _nan  # negative base, non-integer exponent: no real result


def safe_sin(x: float) -> float:
    return math.sin(x) if math.isfinite(x) else _nan


def safe_cos(x: float) -> float:
    return math.cos(x) if math.isfinite(x) else _nan


def stable_sigmoid(x: float) -> float:
    # Never exponentiate a large positive number: sigmoid(-1000) is a finite 0.0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    if x != x:
        return _nan
    e = math.exp(x)
    return e / (1.0 + e)


def safe_recip(x: float) -> float:
    try:
        return 1.0 / x
    except ZeroDivisionError:
        return math.copysign(_inf, x)


def safe_div(a: float, b: float) -> float:
    """a / b with IEEE results: x/0 is +-inf (by the signs of both zeros), 0/0 is nan."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return _nan
        return math.copysign(_inf, a) * math.copysign(1.0, b)


def safe_sqrt(x: float) -> float:
    """IEEE sqrt: sqrt(-0.0) is -0.0, sqrt(inf) is inf, negative (and -inf) is nan."""
    return math.sqrt(x) if x >= 0.0 else _nan  # x >= 0 is also true of -0.0; nan is not


def safe_sinh(x: float) -> float:
    try:
        return math.sinh(x)
    except OverflowError:
        return math.copysign(_inf, x)


def safe_cosh(x: float) -> float:
    try:
        return math.cosh(x)
    except OverflowError:
        return _inf


def safe_hypot(a: float, b: float) -> float:
    return math.hypot(a, b)  # IEEE already: hypot(inf, nan) is inf


def softplus(x: float) -> float:
    """log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|))."""
    if x != x:
        return _nan
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def erfc(x: float) -> float:
    return math.erfc(x)  # total on floats: erfc(inf) = 0, erfc(-inf) = 2, erfc(nan) = nan


def floor(x: float) -> float:
    """IEEE floor on floats: inf and nan stay, a zero result keeps x's sign (floor(-0.0))."""
    return math.copysign(float(math.floor(x)), x) if math.isfinite(x) else x


def trunc(x: float) -> float:
    """IEEE trunc: toward zero; trunc(-0.5) is -0.0; inf and nan stay."""
    return math.copysign(float(math.trunc(x)), x) if math.isfinite(x) else x


def floordiv(a: float, b: float) -> float:
    """floor(a/b) of the exact quotient, as Python's ``//`` (the quotient ``a % b`` used):
    1e-300 // -1e300 is -1 and 1 // 0.1 is 9, where floor of the rounded a/b gives -0.0
    and 10; 1 // -inf is -1 (1 % -inf is -inf), inf // 1 is nan.  At b = 0, floor(a/b)
    with IEEE's a/b (+-inf or nan)."""
    try:
        return a // b
    except ZeroDivisionError:
        return floor(safe_div(a, b))


def truncdiv(a: float, b: float) -> float:
    """trunc(a/b) of the exact quotient (the one ``math.fmod`` used): 1 truncdiv 0.1 is 9."""
    sign = math.copysign(1.0, a) * math.copysign(1.0, b)
    return math.copysign(floordiv(abs(a), abs(b)), sign) if b == b else _nan


# --- the two math namespaces a rule may be evaluated with ---------------------------


class FloatMath:
    """Evaluate a rule on floats."""

    exp = staticmethod(safe_exp)
    log = staticmethod(safe_log)
    sin = staticmethod(safe_sin)
    cos = staticmethod(safe_cos)
    sinh = staticmethod(safe_sinh)
    cosh = staticmethod(safe_cosh)
    tanh = staticmethod(math.tanh)
    sigmoid = staticmethod(stable_sigmoid)
    softplus = staticmethod(softplus)
    erfc = staticmethod(erfc)
    pow = staticmethod(safe_pow)
    recip = staticmethod(safe_recip)
    div = staticmethod(safe_div)
    hypot = staticmethod(safe_hypot)
    floor = staticmethod(floor)
    trunc = staticmethod(trunc)
    floordiv = staticmethod(floordiv)
    truncdiv = staticmethod(truncdiv)

    @staticmethod
    def rsqrt(x: float) -> float:
        """1 / sqrt(x): inf at 0, -inf at -0.0 (IEEE), nan below 0."""
        return safe_recip(safe_sqrt(x))

    @staticmethod
    def step(x: float) -> float:
        """1 where x > 0, else 0 (the derivative of relu; 0 at 0 and at nan)."""
        return 1.0 if x > 0.0 else 0.0

    @staticmethod
    def sign(x: float) -> float:
        """The derivative of abs: -1, 0 (at 0 and nan, as in PyTorch and sympy at 0) or 1."""
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)

    @staticmethod
    def mul0(x: float, y: float) -> float:
        """x * y, but exactly 0 where x is 0, even where y is inf or nan.

        The convention PyTorch, HIPS autograd and tinygrad use where a factor that is
        exactly zero meets a pole: ``d(a**b)/da`` is 0 where ``b`` is 0 (not 0 * 0**-1).
        """
        return 0.0 if x == 0.0 else x * y

    @staticmethod
    def div0(a: float, b: float) -> float:
        """a / b, but 0 where both are 0: the subgradient at a kink (hypot at the origin)."""
        return 0.0 if a == 0.0 and b == 0.0 else safe_div(a, b)

    @staticmethod
    def log0(x: float) -> float:
        """log(x), but 0 at x = 0 (HIPS autograd's ``replace_zero``): d(a**b)/db is 0
        where the base is 0, as in PyTorch, HIPS autograd and tinygrad."""
        return 0.0 if x == 0.0 else safe_log(x)


class _NumPy:
    """The ``numpy`` module, imported on first use: it is optional (batched replay needs
    it, nothing else) and slow to import, so ``import autograd`` does not load it."""

    def __getattr__(self, name: str):
        import numpy

        self.__dict__.update(vars(numpy))
        return getattr(numpy, name)


np = _NumPy()


def _array_floor(x):
    return np.floor(x)  # IEEE already: floor(-0.0) = -0.0, inf and nan stay


def _array_div(a, b):
    return np.divide(a, b)


class ArrayMath:
    """The functions of :class:`FloatMath` on NumPy arrays, with the same IEEE results
    (inf and nan, never an error): what batched replay's generated code calls."""

    exp = staticmethod(lambda x: np.exp(x))
    log = staticmethod(lambda x: np.log(x))
    sin = staticmethod(lambda x: np.sin(x))
    cos = staticmethod(lambda x: np.cos(x))
    sinh = staticmethod(lambda x: np.sinh(x))
    cosh = staticmethod(lambda x: np.cosh(x))
    tanh = staticmethod(lambda x: np.tanh(x))
    pow = staticmethod(lambda x, k: np.power(x, k))
    recip = staticmethod(lambda x: np.divide(1.0, x))
    div = staticmethod(_array_div)
    hypot = staticmethod(lambda a, b: np.hypot(a, b))
    floor = staticmethod(_array_floor)
    trunc = staticmethod(lambda x: np.trunc(x))
    rsqrt = staticmethod(lambda x: 1.0 / np.sqrt(x))
    # numpy's floor_divide is the quotient of its remainder, as Python's // is of %
    floordiv = staticmethod(lambda a, b: np.floor_divide(a, b))

    @staticmethod
    def sigmoid(x):
        # Never exponentiate a large positive number, as stable_sigmoid.
        e = np.exp(-np.abs(x))
        return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    @staticmethod
    def step(x):
        return np.where(x > 0.0, 1.0, 0.0)

    @staticmethod
    def sign(x):
        return np.where(x > 0.0, 1.0, np.where(x < 0.0, -1.0, 0.0))  # 0 at nan, as FloatMath

    @staticmethod
    def softplus(x):
        return np.where(x != x, x, np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))))

    @staticmethod
    def erfc(x):
        return np.vectorize(erfc, otypes=[float])(x)  # NumPy has none: the float one

    @staticmethod
    def mul0(x, y):
        return np.where(x == 0.0, 0.0, x * y)

    @staticmethod
    def div0(a, b):
        return np.where((a == 0.0) & (b == 0.0), 0.0, _array_div(a, b))

    @staticmethod
    def truncdiv(a, b):
        return np.copysign(np.floor_divide(np.abs(a), np.abs(b)),
                           np.copysign(1.0, a) * np.copysign(1.0, b))

    @staticmethod
    def log0(x):
        return np.where(x == 0.0, 0.0, np.log(np.where(x == 0.0, 1.0, x)))


def array_erf(x):
    """erf on an array (NumPy has none: the float one, element by element)."""
    return np.vectorize(math.erf, otypes=[float])(x)


def array_at_minus_inf_zero(f):
    """``f`` on arrays, but -0.0 at -inf, where x * (something -> 0) is the limit 0."""
    return lambda x: np.where(x == -np.inf, -0.0, f(x))
