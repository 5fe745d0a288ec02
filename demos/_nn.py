"""Finding the nn package, so a demo that needs it can say exactly what is missing."""

from __future__ import annotations

import importlib

from ._table import Row, skip

__all__ = ["require_nn"]


def require_nn(names: tuple[str, ...], example: str, quantity: str, source: str,
               echo=print) -> tuple[object, list[Row]]:
    """``(nn, [])`` if nn has every name, else ``(None, [a skip row saying what is missing])``.

    A demo without its library is reported as skipped, never as a pass.
    """
    try:
        nn = importlib.import_module("nn")
    except ImportError as exc:
        reason = f"cannot import nn ({exc})"
    else:
        missing = [n for n in names if not hasattr(nn, n)]
        if not missing:
            return nn, []
        reason = f"nn has no {', '.join(missing)} yet (issue 3)"
    echo(f"skipped: {reason}")
    return None, [skip(example, quantity, reason, source)]
