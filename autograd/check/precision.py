"""Numbers at the precision they are written: a written number's last digit, whether
a value rounds to it, and how close values must be.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from ..notation import Num

__all__ = [
    "REL", "significant_digits", "unit_of", "matches_written", "round_like", "within",
    "close_to",
]


#: How closely a formula in names only must agree with the truth, relatively.
REL = 1e-6  # agreement of formulas (names only) with the truth, relative


# --- numbers at the precision written ---------------------------------------------------


def significant_digits(text: str) -> int:
    """How many significant digits a written number has (``0.0214``: 3)."""
    try:
        digits = Decimal(text).as_tuple().digits
    except InvalidOperation:
        return 0
    return max(1, len("".join(map(str, digits)).lstrip("0")))


def unit_of(num: Num) -> float:
    """The unit of the last digit written (1 for a whole number)."""
    return num.quantum or 1.0 * _scale_of_whole(num.text)


def _scale_of_whole(text: str) -> float:
    mantissa, _, exponent = text.lower().partition("e")
    return 10.0 ** int(exponent) if exponent else 1.0


def matches_written(num: Num, x: float) -> bool:
    """Whether ``x`` rounds to ``num`` at the precision ``num`` is written (on an exact
    tie, both neighbours match)."""
    if not math.isfinite(x):
        return False
    q = unit_of(num)
    k = x / q
    written = round(num.value / q)
    lo = math.floor(k)
    frac = k - lo
    slack = 1e-9 * max(1.0, abs(k))
    if abs(frac - 0.5) <= slack:
        return written in (lo, lo + 1)
    return written == (lo if frac < 0.5 else lo + 1)


def round_like(num: Num, x: float) -> str:
    """``x`` rounded to the precision ``num`` is written at, as text."""
    q = unit_of(num)
    decimals = max(0, -math.floor(math.log10(q) + 1e-9))
    return f"{round(x / q) * q:.{decimals}f}"


def within(value: float, target: float, bound: float) -> bool:
    """Whether ``value`` is ``target`` up to ``bound`` (the rounding of the numbers in it)."""
    if not (math.isfinite(value) and math.isfinite(target)):
        return value == target
    return abs(value - target) <= bound + REL * 1e-3 * max(abs(target), 1e-300) + 1e-15


def close_to(a: float, b: float) -> bool:
    """Whether two values agree as formulas must (relatively, :data:`REL`)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-12)
