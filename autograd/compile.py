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
text (:mod:`autograd.codegen`): no derivative is written here, and the generated code does
the same float operations as eager mode, in the same order.

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
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

from . import lanes
from .codegen import (
    code_globals,
    forward_lines,
    forward_src,
    has_literal,
    partials_src,
    src,
    times,
)
from .engine import Value
from .graph import topological_order
from .modes import close_mode, enable_grad, open_mode, thread_state
from .rules import CHANGES, RULES, UnknownOpError, rule_of

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


class CompileError(ValueError):
    """``fn`` cannot be compiled: its trace is too large, or an op's rule cannot be
    written as straight-line code.  Run it eagerly instead."""


class CompiledResult(NamedTuple):
    """What calling a compiled function returns."""

    value: float
    grads: dict  # parameter Value -> d value / d parameter
    input_grads: tuple  # d value / d input, shaped like the inputs


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


# One instruction per node, in topological order:
#   ("input", flat position) | ("param", Value) | ("const", Value) | ("op", op, ctx, inputs)
# and guards as (node index, comparison, other node index or constant, expected result).


def _shape_of(args: Sequence) -> tuple:
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


def _trace(fn: Callable, args: Sequence, max_nodes: int = MAX_NODES
           ) -> tuple[list, list, int, tuple]:
    """Run ``fn`` once on fresh leaves; return its program (see above)."""
    shape = _shape_of(args)
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
    instrs, guards, out_index = _program(out, aux, tracer.guards, inputs, max_nodes)
    del out, aux, call_args, tracer, inputs
    # A leaf is a constant when nothing but the program refers to it any more: the
    # graph is gone, so two references are left (the instruction, and getrefcount's
    # argument).  Without reference counts (not CPython), every leaf is a parameter.
    if hasattr(sys, "getrefcount"):
        for k, ins in enumerate(instrs):
            if ins[0] == "param" and sys.getrefcount(ins[1]) <= 2:
                instrs[k] = ("const", ins[1])
    return instrs, guards, out_index, shape


def _program(out: Value, aux: list[Value] | None, raw_guards: list, inputs: list[Value],
             max_nodes: int = MAX_NODES):
    # The output's own order comes first, so the backward pass visits nodes exactly as
    # eager backward() does; nodes only the auxiliary outputs or a guard need follow.
    roots = [out] + (aux or []) + [g[0] for g in raw_guards] + \
        [g[2] for g in raw_guards if isinstance(g[2], Value)]
    index: dict[Value, int] = {}
    order: list[Value] = []
    for root in roots:
        nodes = topological_order(root)
        if len(nodes) + len(order) > max_nodes:  # refused before any per-node work
            raise CompileError(
                f"compile: the traced program has over {max_nodes:,} nodes "
                f"({len(nodes) + len(order):,} so far); generating and compiling Python "
                f"for it would cost ~2-3 KB and ~15 us per node, more than replaying it "
                f"is likely to save.  Run it eagerly, or pass max_nodes= to compile it "
                f"anyway")
        for node in nodes:
            if node not in index:
                index[node] = len(order)
                order.append(node)
        del nodes
    position = {v: i for i, v in enumerate(inputs)}
    instrs = []
    for node in order:
        if node._prev:
            instrs.append(("op", node._op, node._ctx, tuple(index[c] for c in node._prev)))
        elif node in position:
            instrs.append(("input", position[node]))
        else:
            instrs.append(("param", node))
    guards = []
    for value, op, other, result in raw_guards:
        if op == "float":  # the number itself was used: replay only while it is the same
            guards.append((index[value], "==", ("const", result), True))
        else:
            rhs = ("node", index[other]) if isinstance(other, Value) else \
                ("const", float(other))
            guards.append((index[value], op, rhs, result))
    return instrs, guards, (index[out], None if aux is None else tuple(index[a] for a in aux))


def _structure(instrs: list, guards: list, out_index: tuple) -> tuple:
    """A hashable key: equal keys generate the same code."""
    key = []
    for ins in instrs:
        if ins[0] == "param":
            key.append(("param", id(ins[1])))  # the program holds the Value: ids stay valid
        elif ins[0] == "const":
            key.append(("const", repr(ins[1].data)))
        elif ins[0] == "op" and not has_literal(ins[2]):
            # a constant object (a user op's): compared by value when it can be hashed,
            # else by identity (the program holds it, so its id stays valid)
            try:
                ctx = ("object", type(ins[2]), ins[2], hash(ins[2]))
            except TypeError:
                ctx = ("id", id(ins[2]))
            key.append(("op", ins[1], ctx, ins[3]))
        else:
            key.append(ins)
    return tuple(key), tuple(guards), out_index


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
            source = _generate(self.instrs, self.guards, self.out_index, self.shape, name)
            namespace = dict(code_globals(), _Result=CompiledResult, **_constants(self.instrs))
            if name.startswith("batch_"):
                from .vectorized import numpy_globals  # NumPy only when asked for

                namespace.update(numpy_globals())
            code = builtins.compile(source, f"<compiled {self.owner.__name__}.{name}>", "exec")
            exec(code, namespace)
            fn = self.functions[name] = namespace["_make"](self.owner, *self.params)
            self.sources[name] = source
        return fn


def _constants(instrs: list) -> dict:
    """The ops' constants that have no literal (see codegen.forward_src), by name."""
    return {f"_c{i}": ins[2] for i, ins in enumerate(instrs)
            if ins[0] == "op" and not has_literal(ins[2])}


def _rule_partials(op: str):
    """The partials of ``op``'s rule (UnknownOpError if it has none)."""
    return rule_of(op).partials


def _matrix_ops() -> set[str]:
    """One-input ops a unary lane may apply to a whole matrix (their NumPy versions, or
    the per-sample fallback, work on arrays of any shape)."""
    return {op for op, r in RULES.items() if r.arity == 1}


def _lane_backward(lane: lanes.Lane, plan: lanes.Plan, needed: set[int], assigned: set[int],
                   lane_grads: set[int], touched: set[int]) -> list[str]:
    """Batched code for a lane's backward: its gradient matrix ``_GM{id}`` (from the lane
    that consumed it and from nodes that read its rows), then its inputs' gradients."""
    k = lane.id
    parts = [f"_GL{k}"] if k in lane_grads else []
    if any(m in assigned for m in lane.members):
        rows = "".join((f"g{m}" if m in assigned else "0.0") + ", " for m in lane.members)
        parts.append(f"_rows(({rows}), _n)")
    if not parts:
        return []
    lines = [f"_GM{k} = {' + '.join(parts)}"]

    def into_lane(target: int, term: str) -> None:
        if target in lane_grads:
            lines.append(f"_GL{target} = _GL{target} + {term}")
        else:
            lane_grads.add(target)
            lines.append(f"_GL{target} = {term}")

    if lane.kind == "unary":
        partials = _written(lane.op, _rule_partials, lane.op)
        p, = _written(lane.op, partials_src, partials, lane.ctx, f"_M{k}", [f"_M{lane.source}"])
        into_lane(lane.source, times(f"_GM{k}", p))
        return lines
    lines.append(f"_G[_I{k}w] += _GM{k} @ _X{k}.T")
    touched.update(p for row in lane.weights for p in row)
    if lane.bias is not None:
        lines.append(f"_G[_I{k}b] += _GM{k}.sum(axis=1)")
        touched.update(lane.bias)
    if any(j in needed for j in lane.xs):
        lines.append(f"_DX{k} = _W{k}.T @ _GM{k}")
        if lane.x_lane is not None:
            into_lane(lane.x_lane, f"_DX{k}")
        else:
            lines += [_add_to(j, f"_DX{k}[{r}]", assigned) for r, j in enumerate(lane.xs)
                      if j in needed]
    return lines


def _add_to(j: int, term: str, assigned: set[int]) -> str:
    """The statement adding ``term`` to node ``j``'s gradient ``g{j}`` (assigning it the
    first time)."""
    if j in assigned:
        return f"g{j} = g{j} + {term}"
    assigned.add(j)
    return f"g{j} = {term}"


def _written(op: str, writer: Callable, *args):
    """``writer(*args)``, with a failure to write ``op`` as code made a CompileError."""
    try:
        return writer(*args)
    except UnknownOpError as e:
        raise CompileError(f"compile: {e}") from e
    except TypeError as e:  # a rule that branches on data, or a constant with no literal
        raise CompileError(f"compile: op {op!r} cannot be written as straight-line code: "
                           f"{e}; run it eagerly") from e


class _Emitter:
    """Writes a traced program as the source of one generated function (a *target*).

    The parts every target shares are made once here: the inputs, the forward
    statements, the guards and the backward statements.  Each target (``check``,
    ``forward``, ``backward``, ``grad``, ``sgd`` and the batched ``batch_forward``,
    ``batch_backward``, ``batch_grad``) is one method arranging them.

    Batched targets run the same code on NumPy arrays of samples (see
    :mod:`autograd.vectorized`), with a layer's neurons as one matrix product (see
    :mod:`autograd.lanes`).  ``batch_grad`` also takes the parameters' data as one array
    ``_P`` and returns their gradients as one array ``_G``, touching no ``Value``.
    """

    def __init__(self, instrs: list, guards: list, outs: tuple, shape: tuple,
                 name: str) -> None:
        self.instrs, self.guards, self.shape, self.name = instrs, guards, shape, name
        self.out, self.aux = outs
        self.batched = name.startswith("batch_")
        self.arrays = name == "batch_grad"
        self.plan = lanes.plan(instrs, _matrix_ops()) if self.batched else lanes.Plan()
        # whether parameters are read from one array _P and summed into one array _G
        self.vector = bool(self.plan) or self.arrays
        self.make: list[str] = []  # lines run once, when the function is made
        self.touched: set[int] = set()  # parameter numbers that _G holds a gradient for
        self.args = [f"a{i}" for i in range(len(shape))]
        self.signature = ", ".join(self.args)
        self._inputs()
        self._forward()

    def _inputs(self) -> None:
        """The source name of each flat input, and the matrix lanes that take a whole list
        argument (a 2-D array of samples) as their matrix, with no row copied."""
        self.flat: list[str] = []
        spans: dict[tuple, str] = {}  # input positions of a list argument -> its name
        for a, n in zip(self.args, self.shape):
            if n is None:
                self.flat.append(a)
            else:
                spans[tuple(range(len(self.flat), len(self.flat) + n))] = a
                self.flat += [f"{a}_{k}" for k in range(n)]
        position = {i: ins[1] for i, ins in enumerate(self.instrs) if ins[0] == "input"}
        self.whole: dict[int, str] = {}  # lane id -> the argument that is its matrix
        for lane in self.plan.lanes:
            if lane.kind == "matrix" and lane.x_lane is None and \
                    all(j in position for j in lane.xs):
                arg = spans.get(tuple(position[j] for j in lane.xs))
                if arg is not None:
                    self.whole[lane.id] = arg
        # nodes whose value differs between samples: arrays in a batch (the others may
        # be numbers)
        self.varying: set[int] = set()
        for i, ins in enumerate(self.instrs):
            if ins[0] == "input" or (ins[0] == "op" and any(j in self.varying
                                                            for j in ins[3])):
                self.varying.add(i)
        # nodes read by name (not only as rows of a matrix): their own variables are needed
        plan = self.plan
        by_name = {self.out, *(self.aux or ()), *(g[0] for g in self.guards),
                   *(g[2][1] for g in self.guards if g[2][0] == "node")}
        for i, ins in enumerate(self.instrs):
            if ins[0] == "op" and i not in plan.lane_of and i not in plan.invariant:
                by_name.update(ins[3])
        for lane in plan.lanes:
            if lane.kind == "matrix" and lane.x_lane is None and lane.id not in self.whole:
                by_name.update(lane.xs)
        self.by_name = by_name

    def _forward(self) -> None:
        """``names`` (each node's source), ``params`` (node -> parameter number) and
        ``fwd``: the statements computing every node, in order."""
        plan, batched = self.plan, self.batched
        names: dict[int, str] = {}
        params: dict[int, int] = {}
        read = {self.flat[ins[1]] for i, ins in enumerate(self.instrs)
                if ins[0] == "input" and (not batched or i in self.by_name)}
        head = []
        for a, n in zip(self.args, self.shape):
            if n is not None and (not batched or any(f"{a}_{k}" in read for k in range(n))):
                head.append(f"({''.join(f'{a}_{k}, ' for k in range(n))}) = {a}")
        if self.arrays:
            fwd = []
        else:
            fwd = ["_P = _data(_PS)"] if plan else []  # every parameter's data, as one array
        first = next((ins[1] for ins in self.instrs if ins[0] == "input"), None)
        if batched:  # the batch size, from the argument holding the first input
            arg = None if first is None else self._argument(first)
            fwd.append("_n = 1" if arg is None else f"_n = _batch({arg}).shape[-1]")
        for i, ins in enumerate(self.instrs):
            kind = ins[0]
            if kind == "const":
                names[i] = src(ins[1].data)
                continue
            names[i] = f"v{i}"
            if kind == "input":
                if self.flat[ins[1]] in read:
                    fwd.append(f"v{i} = {'_batch' if batched else 'float'}({self.flat[ins[1]]})")
            elif kind == "param":
                params[i] = len(params)
                if self.arrays:
                    if i in self.by_name:
                        fwd.append(f"v{i} = _P[{params[i]}]")
                elif not plan or i in self.by_name:
                    fwd.append(f"v{i} = P{params[i]}.data")
            elif i in plan.lane_of:
                lane = plan.lanes[plan.lane_of[i][0]]
                if i == lane.first:
                    fwd += self._lane_forward(lane, names)
                    fwd += [f"v{m} = _M{lane.id}[{r}]" for r, m in enumerate(lane.members)
                            if m in self.by_name]
            elif i in plan.invariant:
                dot = plan.invariant[i]
                self.make.append(f"_J{i}w, _J{i}x = _index({dot.weights!r}), "
                                 f"_index({dot.xs!r})")
                bias = "" if dot.bias is None else f" + _P[{dot.bias}]"
                fwd.append(f"v{i} = float(_P[_J{i}w] @ _P[_J{i}x]{bias})")
            else:
                _, op, ctx, xs = ins
                fwd += _written(op, forward_lines, f"v{i}", op, ctx, [names[j] for j in xs],
                                None if has_literal(ctx) else f"_c{i}", not batched)
        self.names, self.params, self.head, self.fwd = names, params, head, fwd

    def _argument(self, position: int) -> str:
        """The argument holding flat input ``position``."""
        k = 0
        for a, n in zip(self.args, self.shape):
            k += 1 if n is None else n
            if position < k:
                return a
        raise IndexError(position)

    def _lane_forward(self, lane: lanes.Lane, names: dict) -> list[str]:
        """Batched code computing a lane's matrix ``_M{id}`` (one row per member)."""
        k = lane.id
        if lane.kind == "unary":
            first = lane.members[0]
            ctx_src = None if has_literal(lane.ctx) else f"_c{first}"
            value = _written(lane.op, forward_src, lane.op, lane.ctx, [f"_M{lane.source}"],
                             ctx_src)
            return [f"_M{k} = {value}"]
        self.make.append(f"_I{k}w = _index({lane.weights!r})")
        if lane.id in self.whole:
            xs = f"_batch({self.whole[lane.id]})"
        elif lane.x_lane is not None:
            xs = f"_M{lane.x_lane}"
        else:
            xs = f"_rows(({''.join(names[j] + ', ' for j in lane.xs)}), _n)"
        lines = [f"_X{k} = {xs}", f"_W{k} = _P[_I{k}w]", f"_M{k} = _W{k} @ _X{k}"]
        if lane.bias is not None:
            self.make.append(f"_I{k}b = _index({lane.bias!r})")
            lines.append(f"_M{k} += _P[_I{k}b][:, None]")
        return lines

    def guard_lines(self, fn_name: str | None) -> list[str]:
        """On a failed guard, ``check`` answers False; the others hand over to the owner,
        which finds (or traces) the program for this branch.  A batch must take one
        branch in every sample."""
        miss = "return False" if fn_name is None else \
            "return _owner._diverged()" if self.batched else \
            f"return _owner._miss({fn_name!r}, {self.signature})"
        lines = []
        for i, op, (kind, rhs), result in self.guards:
            other = self.names[rhs] if kind == "node" else src(rhs)
            test = f"{self.names[i]} {op} {other}"
            if op == "==" and rhs != rhs:  # nan: the same "number" is another nan
                test = f"{self.names[i]} != {self.names[i]}"
            if self.batched:
                test = f"{'_all' if result else '_any'}({test})"
            lines.append(f"if {'not ' if result else ''}({test}): {miss}")
        return lines

    def backward_lines(self, with_inputs: bool) -> tuple[list[str], set[int]]:
        """Statements computing ``g{i}`` for every node whose gradient reaches a
        parameter (or an input, when asked), and the set of nodes assigned one."""
        instrs, plan, out = self.instrs, self.plan, self.out
        needed: set[int] = set()
        for i, ins in enumerate(instrs):
            if ins[0] == "param" or (with_inputs and ins[0] == "input") or \
                    (ins[0] == "op" and any(j in needed for j in ins[3])):
                needed.add(i)
        # gradients of parameters reached through matrices, summed over samples
        lines = [f"_G = _zeros({len(self.params)})"] if self.vector else []
        if out not in needed:
            return lines, set()
        lines.append(f"g{out} = 1.0")
        assigned = {out}
        lane_grads: set[int] = set()  # lanes whose gradient matrix _GL{id} is assigned
        for i in range(len(instrs) - 1, -1, -1):
            ins = instrs[i]
            if i in plan.lane_of:
                lane = plan.lanes[plan.lane_of[i][0]]
                if i == lane.first:
                    lines += _lane_backward(lane, plan, needed, assigned, lane_grads,
                                            self.touched)
            elif i in plan.invariant:
                if i in assigned:
                    lines += self._invariant_backward(i)
            elif ins[0] == "op" and i in assigned:
                lines += self._op_backward(i, needed, assigned)
        return lines, assigned

    def _invariant_backward(self, i: int) -> list[str]:
        dot = self.plan.invariant[i]
        lines = [f"_t = _total(g{i}, _n)", f"_G[_J{i}w] += _t * _P[_J{i}x]",
                 f"_G[_J{i}x] += _t * _P[_J{i}w]"]
        if dot.bias is not None:
            lines.append(f"_G[{dot.bias}] += _t")
        self.touched.update(dot.weights + dot.xs + ((dot.bias,) if dot.bias is not None
                                                    else ()))
        return lines

    def _op_backward(self, i: int, needed: set[int], assigned: set[int]) -> list[str]:
        _, op, ctx, xs = self.instrs[i]
        partials = _written(op, _rule_partials, op)
        ps = _written(op, partials_src, partials, ctx, self.names[i],
                      [self.names[j] for j in xs])
        return [_add_to(j, times(f"g{i}", p), assigned) for j, p in zip(xs, ps)
                if j in needed]

    def full(self, i: int) -> str:
        """Node ``i``'s value as returned: in a batch, an array of samples, copied from
        a number the same for every sample."""
        v = self.names[i]
        return f"_full({v}, _n)" if self.batched and i not in self.varying else v

    def returned(self) -> str:
        """What a call returns: fn's value, or (value, [auxiliary values])."""
        value = self.full(self.out)
        if self.aux is None:
            return value
        return f"({value}, [{', '.join(self.full(a) for a in self.aux)}])"

    def body(self) -> list[str]:
        return self.head + self.fwd

    # ---- the targets: each returns the body of the generated function ----

    def check(self) -> list[str]:
        return self.body() + self.guard_lines(None) + ["return True"]

    def forward(self) -> list[str]:
        return self.body() + self.guard_lines(self.name) + [f"return {self.returned()}"]

    batch_forward = forward

    def backward(self) -> list[str]:
        grad_lines, assigned = self.backward_lines(with_inputs=False)
        total = (lambda g: f"_total({g}, _n)") if self.batched else (lambda g: g)
        params = self.params
        if self.vector:  # every parameter's sum lands in _G, then in .grad in one loop
            stores = [f"_G[{k}] += {total(f'g{i}')}" for i, k in params.items()
                      if i in assigned]
            self.touched.update(k for i, k in params.items() if i in assigned)
            if self.touched and not self.arrays:
                order = sorted(self.touched)
                self.make.append(f"_PT = ({''.join(f'P{k}, ' for k in order)})")
                self.make.append(f"_IT = _index({tuple(order)!r})")
                stores.append("_store(_PT, _G[_IT])")
        else:
            stores = [f"P{k}.grad += {total(f'g{i}')}" for i, k in params.items()
                      if i in assigned]
        ending = f"({self.returned()}, _G)" if self.arrays else self.returned()
        return self.body() + self.guard_lines(self.name) + grad_lines + stores + \
            [f"return {ending}"]

    batch_backward = batch_grad = backward

    def grad(self) -> list[str]:
        grad_lines, assigned = self.backward_lines(with_inputs=True)

        def grad_of(i: int) -> str:
            return f"g{i}" if i in assigned else "0.0"

        grads = "{" + "".join(f"P{k}: {grad_of(i)}, " for i, k in self.params.items()) + "}"
        by_input = {ins[1]: i for i, ins in enumerate(self.instrs) if ins[0] == "input"}
        flat_grads = [grad_of(by_input[k]) if k in by_input else "0.0"
                      for k in range(len(self.flat))]
        shaped, k = [], 0
        for n in self.shape:
            if n is None:
                shaped.append(flat_grads[k])
                k += 1
            else:
                shaped.append("(" + "".join(g + ", " for g in flat_grads[k:k + n]) + ")")
                k += n
        return self.body() + self.guard_lines(self.name) + grad_lines + \
            [f"return _Result({self.returned()}, {grads}, "
             f"({''.join(s + ', ' for s in shaped)}))"]

    def sgd(self) -> list[str]:
        if self.guards:
            raise CompileError(f"compile: sgd replays one program for every sample, but "
                               f"{len(self.guards)} comparison(s) of Values inside fn may "
                               f"branch; call backward per sample instead")
        grad_lines, assigned = self.backward_lines(with_inputs=False)
        params, names = self.params, self.names
        reads = {f"v{i} = P{k}.data" for i, k in params.items()}
        # Inputs arrive as floats (Compiled.sgd converts every sample once).
        converts = {f"v{i} = float({self.flat[ins[1]]})": f"v{i} = {self.flat[ins[1]]}"
                    for i, ins in enumerate(self.instrs) if ins[0] == "input"}
        # The parameters live in locals for the whole call: read once, written back once.
        per_sample = self.head + \
            [converts.get(line, line) for line in self.fwd if line not in reads] + \
            grad_lines + [f"_sum = _sum + {names[self.out]}"] + \
            [f"v{i} = v{i} - _lr * g{i}" for i in params if i in assigned]
        lines = sorted(reads, key=lambda line: int(line.split()[0][1:])) + \
            ["_sum = 0.0", "for _epoch in range(_epochs):", "    _sum = 0.0",
             f"    for ({self.signature},) in _samples:"] + \
            ["        " + line for line in per_sample] + \
            [f"P{k}.data = v{i}" for i, k in params.items()] + \
            ["if _epochs > 0 and _samples:"] + \
            [f"    P{k}.grad = g{i}" for i, k in params.items() if i in assigned] + \
            ["    pass", "return _sum"]
        self.signature = "_samples, _lr, _epochs"
        return lines

    def source(self) -> str:
        """The generated module: ``_make(_owner, P0, P1, ...)`` returning the function."""
        lines = getattr(self, self.name)()
        params = len(self.params)
        # (batch_grad reads the parameters from an array: their Values are not needed)
        text = ["def _make(_owner, *_unused):"] if self.arrays else \
            [f"def _make(_owner{''.join(', P' + str(k) for k in range(params))}):"]
        if self.plan and not self.arrays:
            text.append(f"    _PS = ({''.join(f'P{k}, ' for k in range(params))})")
        text.extend("    " + line for line in self.make)
        signature = f"_P, {self.signature}" if self.arrays else self.signature
        text.append(f"    def {self.name}({signature}):")
        text.extend("        " + line for line in lines)
        text.append(f"    return {self.name}")
        return "\n".join(text) + "\n"


def _generate(instrs: list, guards: list, outs: tuple, shape: tuple, name: str) -> str:
    """The source of target ``name`` for a traced program (see :class:`_Emitter`)."""
    return _Emitter(instrs, guards, outs, shape, name).source()


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
        instrs, guards, out_index, shape = _trace(self.fn, args, self.max_nodes)
        self.traces += 1
        key = (_structure(instrs, guards, out_index), shape)
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
        shape = _shape_of(args)
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
