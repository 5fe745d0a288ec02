"""The writer of the line notation: numbers and lines as the parser reads them."""

from __future__ import annotations

import math

from .reader import parse_line
from .tree import derivative_name

__all__ = ["format_number", "format_line"]


def format_number(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits as a hand calculation writes it.

    Trailing zeros are kept (``-0.210``), whole numbers stay whole (``3``), very small or
    large numbers use an exponent (``1.50e-07``); the parser reads the precision back.

    >>> format_number(0.021480), format_number(-0.0903532), format_number(3.0)
    ('0.0215', '-0.0904', '3')
    """
    if type(digits) is bool or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an integer from 1 to 17, got {digits!r}")
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == math.floor(x) and abs(x) < 1e15:
        return str(int(x)) if x != 0 or math.copysign(1, x) > 0 else "-0"
    text = f"{x:#.{digits}g}"
    return text.replace(".e", "e").rstrip(".")


def format_line(target: str | tuple[str, str], *parts, update: bool = False,
                digits: int = 3) -> str:
    """One line of the notation, as :func:`parse_line` reads it.

    Args:
        target: a node's name, or ``(top, bottom)`` for the derivative ``dtop/dbottom``.
        *parts: each an expression (a string in the notation, or a parsed expression)
            or a number (written with :func:`format_number`); ``None`` is a blank (``?``).
        update: write an update line (``NAME ← ...``) instead of a forward line.
        digits: significant digits of the numbers.

    Returns:
        The line, e.g. ``h1 = sigmoid(w1*x1 + w2*x2 + b1) = 0.0474``.

    Raises:
        ValueError: a part or the target does not read back as written.
    """
    if isinstance(target, tuple):
        if update:
            raise ValueError("an update line assigns a node, not a derivative")
        head = derivative_name(*target)
    else:
        head = target
    texts = []
    for part in parts:
        if part is None:
            texts.append("?")
        elif isinstance(part, (int, float)) and not isinstance(part, bool):
            texts.append(format_number(part, digits))
        else:
            texts.append(str(part))
    if not texts:
        raise ValueError("a line needs at least one part after its target")
    line = head + (" ← " if update else " = ") + " = ".join(texts)
    parse_line(line)  # what is written is read back, or refused here
    return line
