"""Compiled replay: trace a function once, then run it as straight-line Python.

``autograd.compile(fn, example_inputs)`` calls ``fn`` once on Values and records the
graph it builds.  The graph becomes a flat program in topological order, and the program
becomes generated Python functions, with no ``Value`` built while they run:

* ``forward(*inputs)``: fn's value;
* ``backward(*inputs)``: fn's value, adding d fn / d p to ``p.grad`` for every parameter
  ``p``, exactly as ``fn(*inputs).backward()`` would;
* ``compiled(*inputs)``: the value and the gradients, returned (like :func:`autograd.grad`);
* ``batch_forward`` / ``batch_backward``: the same code run once on NumPy arrays of samples;
* ``batch_grad(data, *inputs)``: ``batch_backward`` with the parameters' data in one array
  and their summed gradient returned as one array, touching no ``Value`` (a training loop
  keeps the parameters in an array: ``nn.fit(..., compiled=True)``).

``fn`` may also return ``(value, aux)`` with ``aux`` a list of Values (a model's outputs
next to its loss): calls then return ``(value, [aux floats])``; only ``value`` is
differentiated.

The derivative code comes from the rule table's pure ``partials``, evaluated on source
text (:mod:`autograd.codegen`): the generated code does the same float operations as
eager mode, in the same order.  The stages live in :mod:`autograd.compiling` (tracing,
the flat program, the emitter); this module puts them together.

What becomes what:

* the inputs are new numbers on every call;
* a leaf that something outside ``fn`` refers to (a model's weight) is a *parameter*: its
  current ``data`` is read on every call;
* a leaf only the graph refers to (a number written in ``fn``) is a constant;
* a comparison of a Value inside ``fn`` (``if x > 0``) or ``float(x)`` is a *guard*:
  when a call decides it differently, ``fn`` is traced again and the new program cached
  by its structure, so branching on data is followed, not silently frozen.

Reading ``x.data`` inside ``fn`` is not seen by the trace: such a number is frozen.
Values computed outside ``fn`` from parameters are recomputed from those parameters.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

from .codegen import code_globals
from .compiling.emit import generate
from .compiling.flat import CompileError, constants, structure
from .compiling.trace import shape_of, trace
from .engine import Value
from .rules import CHANGES

__all__ = ["compile", "Compiled", "CompiledResult", "CompileError", "DivergedBatch",
           "MAX_NODES"]

#: The most nodes a traced program may have.  CPython's compiler needs ~2-3 KB per
#: generated statement (a 100,000-node chain: ~1.2 s and ~280 MB to compile, on top of
#: the trace), and a graph that large is rarely replayed often enough to repay that; a
#: bigger trace is refused before any code is generated (the refusal costs only the
#: trace, ~200 B per node).  ``compile(..., max_nodes=...)`` raises the limit.
MAX_NODES = 100_000


class DivergedBatch(ValueError):
    """The samples of a batch take different branches of ``fn`` (batched replay needs
    one branch for all); replay them one by one."""


class CompiledResult(NamedTuple):
    """What calling a compiled function returns."""

    value: float
    grads: dict  # parameter Value -> d value / d parameter
    input_grads: tuple  # d value / d input, shaped like the inputs


class _Program:
    """One traced structure; its functions are generated on first use.

    (A training loop needs ``backward`` only: generating just that keeps a retrace cheap.)
    """

    def __init__(self, owner: Compiled, instrs: list, guards: list, out_index: tuple,
                 shape: tuple) -> None:
        self.owner, self.instrs, self.guards, self.out_index = owner, instrs, guards, out_index
        self.params = [ins[1] for ins in instrs if ins[0] == "param"]
        self.shape = shape
        self.functions: dict[str, Callable] = {}
        self.sources: dict[str, str] = {}
        self.made_at = CHANGES.count  # the rule table's version the functions come from

    def function(self, name: str) -> Callable:
        """The generated ``check``, ``forward``, ``backward`` or ``grad`` function."""
        if self.made_at != CHANGES.count:  # the table changed: write them again
            self.functions.clear()
            self.sources.clear()
            self.made_at = CHANGES.count
        fn = self.functions.get(name)
        if fn is None:
            source = generate(self.instrs, self.guards, self.out_index, self.shape, name)
            namespace = dict(code_globals(), _Result=CompiledResult, **constants(self.instrs))
            if name.startswith("batch_"):
                from .vectorized import numpy_globals  # NumPy only when asked for

                namespace.update(numpy_globals())
            code = builtins.compile(source, f"<compiled {self.owner.__name__}.{name}>", "exec")
            exec(code, namespace)
            fn = self.functions[name] = namespace["_make"](self.owner, *self.params)
            self.sources[name] = source
        return fn


def _floats(sample, k: int) -> tuple:
    """A sample's arguments as floats (lists of floats), or ValueError naming it."""
    try:
        return tuple([float(x) for x in a] if isinstance(a, (list, tuple)) else float(a)
                     for a in sample)
    except (TypeError, ValueError):
        raise ValueError(f"sgd: sample {k} is {sample!r}, not a tuple of fn's arguments "
                         f"(numbers, or lists of numbers)") from None


class Compiled:
    """A function of Values, traced once and replayed as generated Python.

    Attributes:
        forward: ``forward(*inputs) -> float``, fn's value.
        backward: ``backward(*inputs) -> float``, fn's value; adds the gradient of every
            parameter to its ``grad`` (leaves accumulate, as with eager ``backward()``).
        parameters: the leaves read on every call (in order of first use), for the
            structure traced last.
        traces: how many times ``fn`` was traced (the first trace, and one per retrace
            when a guard decided otherwise).
    """

    def __init__(self, fn: Callable[..., Value], example_inputs: Sequence | None = None,
                 max_programs: int = 64, max_nodes: int | None = None) -> None:
        self.fn = fn
        self.__name__ = getattr(fn, "__name__", "fn")
        self.__doc__ = getattr(fn, "__doc__", None)
        self.max_programs = max_programs
        self.max_nodes = MAX_NODES if max_nodes is None else max_nodes
        self.programs: dict[tuple, _Program] = {}
        self.traces = 0  # how many times fn was traced (a retrace follows a branch)
        self._program: _Program | None = None
        if example_inputs is not None:
            self._use(self._trace(example_inputs))
        else:  # trace on the first call
            for name in ("forward", "backward", "grad"):
                setattr(self, name, partial(self._miss, name))

    def __call__(self, *inputs) -> CompiledResult:
        """``(value, grads, input_grads)``: grads maps each parameter to d value / d p."""
        return self.grad(*inputs)

    @property
    def parameters(self) -> list[Value]:
        return list(self._program.params) if self._program else []

    @property
    def source(self) -> str:
        """The generated Python of the structure traced last (the functions used so far)."""
        return "".join(self._program.sources.values()) if self._program else ""

    def _trace(self, args: Sequence) -> _Program:
        instrs, guards, out_index, shape = trace(self.fn, args, self.max_nodes)
        self.traces += 1
        key = (structure(instrs, guards, out_index), shape)
        program = self.programs.get(key)
        if program is None:
            if len(self.programs) >= self.max_programs:
                self.programs.pop(next(iter(self.programs)))  # the oldest structure
            program = self.programs[key] = _Program(self, instrs, guards, out_index, shape)
        return program

    def _use(self, program: _Program) -> None:
        self._program = program
        # Bound straight to the generated functions (once generated): a call pays for no
        # wrapper.
        for name in ("forward", "backward", "grad"):
            fn = program.functions.get(name)
            setattr(self, name, fn if fn is not None else partial(self._first_call, name))

    def batch_forward(self, *inputs):
        """fn's value for many samples at once: each input an array of samples.

        Runs the generated code once on NumPy arrays (a list argument takes a list of
        arrays, or a 2-D array with one row per element).  Every sample must take the
        branches of the structure traced last.  Returns an array of values.
        """
        return self._batched("batch_forward", inputs)

    def sgd(self, samples: Sequence, lr: float, epochs: int = 1) -> float:
        """Train by plain SGD with the update fused into the generated code.

        Explicit, never chosen for you: the same as ::

            for _ in range(epochs):
                for sample in samples:       # each a tuple of fn's arguments
                    for p in parameters: p.grad = 0.0
                    backward(*sample)
                    for p in parameters: p.data -= lr * p.grad

        but the parameters stay in local variables of one generated function for the
        whole call: read from their ``data`` once, written back once, no ``grad`` written
        per sample.  On return each reached parameter's ``grad`` is the last sample's
        gradient.  Results equal the loop above to rounding (in practice bit for bit).

        Args:
            samples: a list of samples, each a tuple of ``fn``'s arguments.
            lr: the learning rate.
            epochs: passes over ``samples``.

        Returns:
            The sum of ``fn``'s values over the last epoch (each before its update).

        Raises:
            CompileError: ``fn`` compares Values (its trace has guards): a fused loop
                cannot follow a branch; call ``backward`` per sample.
            ValueError: ``lr`` is not a finite number or ``epochs`` not an int >= 0.
        """
        samples = [_floats(sample, k) for k, sample in enumerate(samples)]
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr):
            raise ValueError(f"sgd: lr must be a finite number, got {lr!r}")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"sgd: epochs must be an int >= 0, got {epochs!r}")
        if self._program is None:
            if not samples:
                return 0.0
            self._use(self._trace(samples[0]))
        return self._program.function("sgd")(samples, float(lr), epochs)

    def batch_backward(self, *inputs):
        """Values for many samples at once; adds the gradient summed over the samples to
        every parameter's ``grad`` (what a loop of ``backward`` calls would add)."""
        return self._batched("batch_backward", inputs)

    def batch_grad(self, data, *inputs):
        """``batch_backward`` on arrays, touching no ``Value``: the parameters' data come
        in as one array ``data`` (in the order of :attr:`parameters`) and the gradient
        summed over the samples goes out as one array.

        Returns ``(values, grads)``, or ``((values, [aux values]), grads)`` when ``fn``
        returns auxiliary Values.  Raises :class:`DivergedBatch` (before computing any
        gradient) when the samples take different branches of the structure traced last.
        """
        return self._batched("batch_grad", inputs, (data,))

    def _batched(self, name: str, inputs: tuple, first: tuple = ()):
        import numpy as np

        if self._program is None:  # trace on the first sample
            arrays = [np.asarray(a, dtype=float) for a in inputs]
            self._use(self._trace([a[0] if a.ndim == 1 else list(a[:, 0]) for a in arrays]))
        with np.errstate(all="ignore"):  # IEEE results, as on floats: inf and nan, no noise
            return self._program.function(name)(*first, *inputs)

    def _diverged(self):
        raise DivergedBatch(f"the samples of this batch take different branches of "
                         f"{self.__name__}; replay them separately")

    def _first_call(self, name: str, *args):
        fn = self._program.function(name)
        setattr(self, name, fn)
        return fn(*args)

    def _miss(self, name: str, *args):
        """A guard failed (or nothing is traced yet): find or trace the right program."""
        shape = shape_of(args)
        for program in self.programs.values():
            if program is not self._program and program.shape == shape and \
                    program.function("check")(*args):
                break
        else:
            program = self._trace(args)
        self._use(program)
        return getattr(self, name)(*args)


def compile(fn: Callable[..., Value], example_inputs: Sequence | None = None, *,  # noqa: A001
            max_nodes: int | None = None) -> Compiled:
    """Trace ``fn`` on ``example_inputs`` and return it as generated straight-line code.

    Args:
        fn: a function of numbers (as Values) returning a Value, or ``(Value, list of
            Values)``; the Values it captures (a model's weights) are its parameters.
        example_inputs: one number, or list of numbers, per argument of ``fn``; None
            traces on the first call.
        max_nodes: refuse a trace with more nodes than this (default :data:`MAX_NODES`).

    Returns:
        A :class:`Compiled`: ``.forward(*inputs)``, ``.backward(*inputs)`` (accumulates
        into the parameters' ``grad``) and ``compiled(*inputs)`` (returns the gradients).

    Raises:
        CompileError: (when tracing or first calling) the trace has more than
            ``max_nodes`` nodes, or an op's derivative rule cannot be written as code
            (it branches on an input's value); nothing has been changed.

    >>> from autograd import Value, compile
    >>> w = Value(2.0)
    >>> f = compile(lambda x: (w * x).tanh(), [0.5])
    >>> round(f.forward(0.5), 6), round(f.backward(0.5), 6), round(w.grad, 6)
    (0.761594, 0.761594, 0.209987)
    """
    return Compiled(fn, example_inputs, max_nodes=max_nodes)
