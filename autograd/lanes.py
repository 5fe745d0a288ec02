"""Which nodes of a traced program run as rows of one matrix in batched replay.

A network's per-sample trace is scalar: one fused ``dot`` node per neuron.  Replayed on
a batch (``Compiled.batch_forward`` / ``batch_backward``), every node becomes a NumPy
array of samples, and a layer of 16 neurons would cost 16 separate array operations.
This module finds the structure a hand-written NumPy program would use:

* a **matrix lane**: the ``dot`` nodes (a ``paired`` rule: weights, inputs, bias) that
  share one input tuple (a layer's neurons), whose weights and biases are parameters, each
  used by one neuron only.  Their values are the rows of ``W @ X (+ b)``: one matrix
  product forward; backward, ``dW = G @ X.T`` and ``dX = W.T @ G``;
* a **unary lane**: the same one-input op (``relu``, ``tanh``, ...) applied once to every
  row of a lane (a layer's activation): one array operation on the matrix, its
  derivative the rule table's ``partials`` evaluated on the matrix;
* an **invariant dot**: a ``dot`` whose every input is a parameter (an L2 penalty): one
  NumPy dot product, the same for every sample.

Everything else runs node by node, as before.  Planning is pure Python; the code is
written by :mod:`autograd.compiling.emit`.  Results equal per-sample replay up to rounding
(a matrix product adds in its own order), which the tests hold to 1e-12.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .rules import is_paired

__all__ = ["Lane", "InvariantDot", "Plan", "plan"]


@dataclass
class Lane:
    """Nodes whose values are the rows of one (rows, samples) matrix ``_M{id}``."""

    id: int
    members: tuple[int, ...]  # node indices, in row order
    kind: str  # "matrix" (a layer's dots: W @ X) or "unary"
    # matrix lanes: the shared inputs, the lane they are the rows of (if any), and the
    # parameter numbers of the weights (rows x inputs) and biases (one per row, or None)
    xs: tuple[int, ...] = ()
    x_lane: int | None = None
    weights: tuple[tuple[int, ...], ...] = ()
    bias: tuple[int, ...] | None = None
    # unary lanes: the op and constant, and the lane it is applied to
    op: str = ""
    ctx: object = None
    source: int | None = None

    @property
    def first(self) -> int:
        return min(self.members)


@dataclass
class InvariantDot:
    """A dot product of parameters only (numbers of the weights, inputs and bias)."""

    weights: tuple[int, ...]
    xs: tuple[int, ...]
    bias: int | None


@dataclass
class Plan:
    lanes: list[Lane] = field(default_factory=list)
    lane_of: dict[int, tuple[int, int]] = field(default_factory=dict)  # node -> (lane, row)
    invariant: dict[int, InvariantDot] = field(default_factory=dict)  # node -> its dot

    def __bool__(self) -> bool:
        return bool(self.lanes or self.invariant)


def _split_dot(ins) -> tuple[tuple, tuple, tuple]:
    _, _, has_bias, inputs = ins
    n = len(inputs) // 2
    return inputs[:n], inputs[n:2 * n], inputs[2 * n:] if has_bias else ()


def plan(instrs: list, unary_ops: set[str]) -> Plan:
    """The lanes and invariant dots of a program (see the module docstring).

    ``unary_ops``: the one-input ops that may run on a whole matrix at once.
    """
    number = {i: k for k, i in enumerate(i for i, ins in enumerate(instrs) if ins[0] == "param")}
    varying: set[int] = set()  # nodes that differ between samples
    for i, ins in enumerate(instrs):
        if ins[0] == "input" or (ins[0] == "op" and any(j in varying for j in ins[3])):
            varying.add(i)

    result = Plan()
    groups: dict[tuple, list[int]] = {}
    for i, ins in enumerate(instrs):
        if ins[0] != "op" or not is_paired(ins[1]):
            continue
        ws, xs, b = _split_dot(ins)
        if not ws or not all(j in number for j in ws + b):
            continue
        if any(j in varying for j in xs):
            groups.setdefault((xs, ins[2]), []).append(i)
        elif all(j in number for j in xs) and len(set(ws)) == len(ws) and \
                len(set(xs)) == len(xs):
            result.invariant[i] = InvariantDot(tuple(number[j] for j in ws),
                                               tuple(number[j] for j in xs),
                                               number[b[0]] if b else None)

    by_members: dict[tuple, int] = {}
    for (xs, has_bias), members in groups.items():
        weights = [tuple(number[j] for j in _split_dot(instrs[m])[0]) for m in members]
        bias = [number[_split_dot(instrs[m])[2][0]] for m in members] if has_bias else []
        used = [k for row in weights for k in row] + bias
        if len(set(used)) != len(used):  # a parameter shared between rows: node by node
            continue
        _add(result, by_members, Lane(len(result.lanes), tuple(members), "matrix", xs=xs,
                                      weights=tuple(weights),
                                      bias=tuple(bias) if has_bias else None))

    # unary lanes: the same op on every row of a lane, found lane after lane (a layer's
    # activation makes a lane the next layer's dots may take as their input)
    consumers: dict[int, list[int]] = {}
    for i, ins in enumerate(instrs):
        if ins[0] == "op" and len(ins[3]) == 1 and ins[1] in unary_ops:
            consumers.setdefault(ins[3][0], []).append(i)
    k = 0
    while k < len(result.lanes):
        lane = result.lanes[k]
        k += 1
        kinds: dict[tuple, list[list[int]]] = {}
        for row, m in enumerate(lane.members):
            for c in consumers.get(m, ()):
                key = (instrs[c][1], _hashable(instrs[c][2]))
                kinds.setdefault(key, [[] for _ in lane.members])[row].append(c)
        for (op, _), rows in kinds.items():
            if all(len(r) == 1 for r in rows):
                members = tuple(r[0] for r in rows)
                if any(m in result.lane_of for m in members):
                    continue
                _add(result, by_members, Lane(len(result.lanes), members, "unary", op=op,
                                              ctx=instrs[members[0]][2], source=lane.id))
    for lane in result.lanes:
        if lane.kind == "matrix":
            lane.x_lane = by_members.get(lane.xs)
    return result


def _hashable(ctx):
    try:
        hash(ctx)
        return ctx
    except TypeError:
        return id(ctx)


def _add(result: Plan, by_members: dict, lane: Lane) -> None:
    result.lanes.append(lane)
    by_members.setdefault(lane.members, lane.id)
    for row, m in enumerate(lane.members):
        result.lane_of[m] = (lane.id, row)
