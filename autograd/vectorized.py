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
    # Never exponentiate a large positive number, as rules.stable_sigmoid.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _step(x):
    return np.where(x > 0.0, 1.0, 0.0)


def _sign(x):
    return np.where(x > 0.0, 1.0, np.where(x < 0.0, -1.0, 0.0))  # 0 at nan, as FloatMath


def _relu(x):
    return np.where(x > 0.0, x, 0.0)


# op -> its forward as a function of x (one-input ops) or of (ctx, *inputs).
_OF_X = {"exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": _sigmoid, "relu": _relu,
         "abs": np.abs, "sin": np.sin, "cos": np.cos}
_FORWARD = {"pow": lambda k, x: np.power(x, k), "powv": lambda ctx, a, b: np.power(a, b)}
_MATH = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "pow": np.power,
         "recip": lambda x: np.divide(1.0, x), "step": _step, "sign": _sign}


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
