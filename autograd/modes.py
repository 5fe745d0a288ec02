"""Modes that change how nodes are built: ``no_grad``, ``enable_grad``, ``detect_anomaly``.

Modes are thread-local and nest.  Node construction is the hottest path of the engine,
so it never reads thread-local state unless some mode is open somewhere: a process-wide
counter (:data:`STATE.active`) says whether to look at all.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import threading

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly"]


class _Shared:
    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = 0  # modes open in any thread; 0 means the fast path is exact


STATE = _Shared()
_lock = threading.Lock()
thread_state = threading.local()
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def open_mode() -> None:
    with _lock:
        STATE.active += 1


def close_mode() -> None:
    with _lock:
        STATE.active -= 1


def is_grad_enabled() -> bool:
    """Whether operations in this thread currently record a graph."""
    return getattr(thread_state, "grad_enabled", True)


class _GradMode:
    """Base of ``no_grad`` / ``enable_grad``: a context manager and a decorator."""

    _enabled = True

    def __enter__(self):
        self._prev = is_grad_enabled()
        thread_state.grad_enabled = self._enabled
        open_mode()
        return self

    def __exit__(self, *exc) -> None:
        thread_state.grad_enabled = self._prev
        close_mode()

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Build no graph: results of operations are leaves (like ``torch.no_grad``).

    Thread-local and nestable; also usable as a decorator.

    >>> from autograd import Value, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.is_leaf
    True
    """

    _enabled = False


class enable_grad(_GradMode):
    """Record a graph again inside a ``no_grad`` block (also usable as a decorator).

    >>> from autograd import Value, enable_grad, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = x * x
    >>> y.is_leaf
    False
    """

    _enabled = True


def _ours(filename: str) -> bool:
    """Whether code of this file name is the package's (its files, or code it generated,
    whose names start ``<autograd.``)."""
    return filename.startswith("<autograd.") or \
        os.path.dirname(os.path.abspath(filename)) == _PACKAGE_DIR


def user_site() -> str:
    """``file:line`` of the innermost frame outside the autograd package."""
    frame = sys._getframe(1)
    while frame is not None and _ours(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class detect_anomaly:
    """Raise ``FloatingPointError`` at the first op whose value or gradient becomes nan/inf.

    The error names the op, its input values and the file and line of user code that
    created the node.  Like ``torch.autograd.detect_anomaly``, this slows every op down:
    use it to find a problem, not while training.

    >>> from autograd import Value, detect_anomaly, log
    >>> with detect_anomaly():
    ...     y = log(Value(-1.0))
    Traceback (most recent call last):
    ...
    FloatingPointError: op 'log' produced nan from inputs (-1.0,), created at ...
    """

    def __enter__(self):
        self._prev = getattr(thread_state, "anomaly", None)
        self.sites: dict[int, tuple[object, str]] = {}
        thread_state.anomaly = self
        open_mode()
        return self

    def __exit__(self, *exc) -> None:
        thread_state.anomaly = self._prev
        self.sites.clear()
        close_mode()

    # --- called by the engine ---------------------------------------------------------
    def on_node(self, node) -> None:
        if not node._prev:
            return
        site = user_site()
        self.sites[id(node)] = (node, site)  # holding the node keeps its id unique
        if not math.isfinite(node.data) and all(math.isfinite(c.data) for c in node._prev):
            raise FloatingPointError(
                f"op {node._op!r} produced {node.data!r} from inputs "
                f"{tuple(c.data for c in node._prev)!r}, created at {site}"
            )

    def site_of(self, node) -> str:
        entry = self.sites.get(id(node))
        return entry[1] if entry else "<created outside detect_anomaly>"

    def on_gradient(self, node, upstream: float, contributions) -> None:
        if not math.isfinite(upstream):
            return
        for i, g in enumerate(contributions):
            if not math.isfinite(g):
                raise FloatingPointError(
                    f"backward of op {node._op!r} produced gradient {g!r} for input {i} "
                    f"(inputs {tuple(c.data for c in node._prev)!r}, "
                    f"output {node.data!r}, upstream gradient {upstream!r}), "
                    f"node created at {self.site_of(node)}"
                )


def current_anomaly():
    """The innermost open ``detect_anomaly`` of this thread, or None."""
    return getattr(thread_state, "anomaly", None)
