"""The flat program: what a trace of :func:`autograd.compile` becomes, and what the
emitter (:mod:`autograd.compiling.emit`) writes as Python.

One instruction per node, in topological order::

    ("input", flat position) | ("param", Value) | ("const", Value) | ("op", op, ctx, inputs)

where ``inputs`` are the indices of the instructions an op reads, and guards as
``(node index, comparison, other node index or constant, expected result)``, with the
other side ``("node", index)`` or ``("const", number)``.  The output is
``(index of fn's value, None or the indices of its auxiliary Values)``.
"""

from __future__ import annotations

from ..codegen import has_literal
from ..engine import Value
from ..graph import topological_order

__all__ = ["CompileError", "flatten", "structure", "constants"]


class CompileError(ValueError):
    """``fn`` cannot be compiled: its trace is too large, or an op's rule cannot be
    written as straight-line code.  Run it eagerly instead."""


def flatten(out: Value, aux: list[Value] | None, raw_guards: list, inputs: list[Value],
            max_nodes: int) -> tuple[list, list, tuple]:
    """The flat program of the graph behind ``out`` (and ``aux``, and the guards' Values):
    ``inputs`` are its inputs, every other leaf a parameter.  A graph of over
    ``max_nodes`` nodes raises CompileError."""
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


def structure(instrs: list, guards: list, out_index: tuple) -> tuple:
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


def constants(instrs: list) -> dict:
    """The ops' constants that have no literal (see codegen.forward_src), by name."""
    return {f"_c{i}": ins[2] for i, ins in enumerate(instrs)
            if ins[0] == "op" and not has_literal(ins[2])}
