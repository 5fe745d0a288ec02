"""Numbers coming in: a user's number as a float, or an error naming what it was.

The lowest floor of the package (it imports nothing of ours): the engine, the rule table's
constant checks, ``functional`` and ``extend`` all read numbers through it.
"""

from __future__ import annotations

import numbers

__all__ = ["to_float", "number_text", "constant"]


def to_float(x) -> float:
    """A real number as a float, or TypeError / ValueError naming what it was.

    Ints, bools, NumPy scalars, fractions and one-element arrays or tensors count.
    """
    t = type(x)
    if t is float:
        return x
    try:
        if t is int or t is bool or isinstance(x, numbers.Real):  # numpy scalars, fractions
            return float(x)
    except OverflowError:  # Value(10**400): an int no float can hold
        raise ValueError(f"{number_text(x)} is too large for a float (the largest is about "
                         f"1.8e308)") from None
    size = getattr(x, "size", None)
    if callable(size):  # torch tensors: size() is a method, numel() the element count
        numel = getattr(x, "numel", None)
        size = numel() if callable(numel) else None
    if size == 1 and hasattr(x, "item") and isinstance(x.item(), numbers.Real):
        return to_float(x.item())  # a one-element array or tensor
    if size is not None:
        raise TypeError(
            f"a Value holds one number, got {t.__module__}.{t.__qualname__} with {size} "
            f"elements; make one Value per element"
        )
    raise TypeError(
        f"unsupported operand type for Value: {t.__qualname__!r} "
        f"(expected int, float, bool or Value)"
    )


def number_text(x) -> str:
    """A short description of a number too large for a float (its repr may be huge, or
    refused: Python will not convert ints of more than 4300 digits to text)."""
    if type(x) is int and x.bit_length() >= 200:
        if x.bit_length() < 14_000:
            return f"an int of {len(str(abs(x)))} digits"
        return f"an int of about {int(x.bit_length() * 0.30103) + 1} digits"
    try:
        text = repr(x)
    except ValueError:
        return f"a {type(x).__qualname__}"
    return text if len(text) <= 60 else text[:57] + "..."


def constant(x, what: str) -> float:
    """An op's constant argument (``beta``, a bound) as a float, or TypeError naming it.

    A constant is not differentiated, so a ``Value`` is refused here too.
    """
    try:
        return to_float(x)
    except TypeError:
        raise TypeError(f"{what} must be a number, not a {type(x).__qualname__} (it is a "
                        f"constant: it is not differentiated)") from None
