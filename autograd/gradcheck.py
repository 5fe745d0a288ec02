"""Checking reverse-mode gradients against central finite differences."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial

from .engine import Value
from .functional import grad
from .graph import topological_order
from .rules import local_partials, rule_of

__all__ = ["gradcheck", "GradcheckError", "check_local_derivatives"]


class GradcheckError(AssertionError):
    """Reverse mode and finite differences disagree; the message says where and by how much."""


def _name(i: int, x) -> str:
    label = getattr(x, "label", "")
    return f"input {i}" + (f" ({label!r})" if label else "")


def _central_difference(f: Callable[[list[float]], float], point: list[float], i: int,
                        eps: float) -> float:
    hi, lo = list(point), list(point)
    hi[i] += eps
    lo[i] -= eps
    return (f(hi) - f(lo)) / (2.0 * eps)


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    locate: bool = True,
) -> bool:
    """Compare the gradients of ``f`` from reverse mode with central finite differences.

    Args:
        f: called as ``f(*values)`` with one ``Value`` per input; returns a ``Value``.
        inputs: the point, as numbers or Values (their ``data`` and ``label`` are used).
        eps: the finite-difference step.
        atol, rtol: an input passes when ``|analytic - numeric| <= atol + rtol*|numeric|``.
        raise_exception: raise :class:`GradcheckError` on mismatch (else return False).
        locate: on mismatch, also name the first node (in topological order) whose local
            derivative disagrees with a finite difference of its own forward function.

    Returns:
        True when every gradient agrees.

    >>> from autograd import gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh() + x ** 2, [0.3, -1.2])
    True
    """
    labels = [getattr(x, "label", "") for x in inputs]
    point = [float(x.data) if isinstance(x, Value) else float(x) for x in inputs]

    def evaluate(values: list[float]) -> float:
        return f(*[Value(v, label) for v, label in zip(values, labels)]).data

    leaves = [Value(v, label) for v, label in zip(point, labels)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    analytic = grad(out, leaves)
    for i, a in enumerate(analytic):
        numeric = _central_difference(evaluate, point, i, eps)
        if _close(a, numeric, atol, rtol):
            continue
        if not raise_exception:
            return False
        message = (
            f"gradcheck failed for {_name(i, inputs[i])} at {point[i]!r}: "
            f"reverse mode {a!r}, finite difference {numeric!r}, "
            f"difference {a - numeric!r} (atol={atol}, rtol={rtol})"
        )
        if locate:
            culprit = check_local_derivatives(out, eps=eps, atol=atol, rtol=rtol)
            if culprit:
                message += f"; first disagreeing node: {culprit}"
        raise GradcheckError(message)
    return True


def _close(a: float, b: float, atol: float, rtol: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _call_forward(r, ctx, xs: list[float]) -> float:
    return r.forward(ctx, *xs)


def check_local_derivatives(root: Value, eps: float = 1e-6, atol: float = 1e-5,
                            rtol: float = 1e-3) -> str | None:
    """Check every node's rule against a finite difference of its forward function.

    Args:
        root: the output of the graph to check, at the point it was computed.
        eps, atol, rtol: as for :func:`gradcheck`.

    Returns:
        A description of the first node (in topological order) whose local derivative
        disagrees, or None when every rule agrees at this point.

    >>> from autograd import Value, relu
    >>> check_local_derivatives(relu(Value(0.5)) * 2.0) is None
    True
    >>> print(check_local_derivatives(relu(Value(0.0))))  # relu has a kink at 0
    op 'relu' with inputs (0.0,): local derivative for input 0 is 0.0 by its rule, ...
    """
    for node in topological_order(root):
        if not node._prev:
            continue
        r = rule_of(node._op)
        xs = [c.data for c in node._prev]
        partials = local_partials(node)
        for i, p in enumerate(partials):
            numeric = _central_difference(partial(_call_forward, r, node._ctx), xs, i, eps)
            if not _close(p, numeric, atol, rtol):
                who = f" ({node.label!r})" if node.label else ""
                return (
                    f"op {node._op!r}{who} with inputs {tuple(xs)!r}: local derivative "
                    f"for input {i} is {p!r} by its rule, {numeric!r} by finite difference"
                )
    return None
