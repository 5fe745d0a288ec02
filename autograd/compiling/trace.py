"""Tracing: run a function once on fresh leaves, recording the guards (comparisons and
``float()`` of Values) it makes, and turn the graph it built into a flat program
(:mod:`autograd.compiling.flat`).

A leaf that something outside the function still refers to once the graph is gone (a
model's weight) is a parameter, read on every call; a leaf only the graph referred to (a
number written in the function) is a constant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from ..engine import Value
from ..modes import close_mode, enable_grad, open_mode, thread_state
from .flat import flatten

__all__ = ["trace", "shape_of"]


class _Tracer:
    """Collects the guards (comparisons and float() of Values) made while tracing."""

    def __init__(self) -> None:
        self.guards: list[tuple] = []

    def guard(self, value: Value, op: str, other, result) -> None:
        self.guards.append((value, op, other, result))

    def __enter__(self):
        self._prev = getattr(thread_state, "tracer", None)
        thread_state.tracer = self
        open_mode()  # makes the engine look at thread-local state, and so report guards
        return self

    def __exit__(self, *exc) -> None:
        thread_state.tracer = self._prev
        close_mode()


def shape_of(args: Sequence) -> tuple:
    """None for a number argument, its length for a list or tuple of numbers."""
    shape = []
    for i, a in enumerate(args):
        if isinstance(a, (list, tuple)):
            if any(isinstance(x, (list, tuple)) for x in a):
                raise TypeError(f"compile: input {i} is nested more than one level deep")
            shape.append(len(a))
        else:
            shape.append(None)
    return tuple(shape)


def trace(fn: Callable, args: Sequence, max_nodes: int) -> tuple[list, list, tuple, tuple]:
    """Run ``fn`` once on fresh leaves; return its flat program (instructions, guards,
    outputs) and the shape of its arguments (see :func:`shape_of`)."""
    shape = shape_of(args)
    call_args = [[Value(float(x)) for x in a] if n is not None else Value(float(a))
                 for a, n in zip(args, shape)]
    inputs = [v for a in call_args for v in (a if isinstance(a, list) else [a])]
    with enable_grad(), _Tracer() as tracer:
        out = fn(*call_args)
    aux = None
    if isinstance(out, tuple) and len(out) == 2:
        out, aux = out
        aux = list(aux) if isinstance(aux, (list, tuple)) else [aux]
    if not isinstance(out, Value) or not all(isinstance(a, Value) for a in aux or ()):
        raise TypeError("compile: fn must return a Value, or a tuple (Value, list of Values); "
                        f"got {type(out).__name__}")
    instrs, guards, out_index = flatten(out, aux, tracer.guards, inputs, max_nodes)
    del out, aux, call_args, tracer, inputs
    # A leaf is a constant when nothing but the program refers to it any more: the
    # graph is gone, so two references are left (the instruction, and getrefcount's
    # argument).  Without reference counts (not CPython), every leaf is a parameter.
    if hasattr(sys, "getrefcount"):
        for k, ins in enumerate(instrs):
            if ins[0] == "param" and sys.getrefcount(ins[1]) <= 2:
                instrs[k] = ("const", ins[1])
    return instrs, guards, out_index, shape
