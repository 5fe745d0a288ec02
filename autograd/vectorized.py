"""NumPy stand-ins for the float functions that generated code calls, for batched replay.

``Compiled.batch_forward`` / ``batch_backward`` run the very code ``autograd.compile``
generates from the rule table, with each input a NumPy array of samples: arithmetic
broadcasts, and the names the code calls (``_x_sigmoid``, ``_m_step``, ...) are bound to
their NumPy versions, which the rule table carries next to the float ones (each rule's
``array``, and :class:`~autograd.rules.maths.ArrayMath` for the functions a rule's
partials call).  They keep the float versions' IEEE results (inf and nan, never an
error); derivatives are still only the rule table's.  Results agree with per-sample
replay to rounding (NumPy's ``exp`` and ``log`` may differ from :mod:`math`'s in the last
bit).

NumPy is optional (the ``demo`` extra); this module is imported on first batched call.
"""

from __future__ import annotations

import numpy as np

from .rules import RULES, FloatMath
from .rules.maths import ArrayMath

__all__ = ["numpy_globals"]


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

    Ops and math functions without a NumPy version (a primitive registered after import,
    say) run their float function on each sample (:func:`_elementwise`).
    """
    math_names = [n for n in dir(FloatMath) if not n.startswith("_")]
    return {
        **{f"_x_{op}": r.array_of_x or _elementwise(r.of_x) for op, r in RULES.items()
           if r.of_x is not None},
        **{f"_f_{op}": r.array or _elementwise(r.forward) for op, r in RULES.items()},
        **{f"_m_{n}": getattr(ArrayMath, n, None) or _elementwise(getattr(FloatMath, n))
           for n in math_names},
        "_batch": lambda a: np.asarray(a, dtype=float),
        "_all": _all, "_any": _any, "_total": _total,
        "_rows": _rows, "_data": _data, "_store": _store, "_zeros": np.zeros,
        "_index": lambda ix: np.array(ix, dtype=np.intp),
        "_full": lambda v, n: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy(),
        "_inf": np.inf, "_nan": np.nan,
    }
