"""The emitter: a flat program (:mod:`autograd.compiling.flat`) written as the Python
source of one generated function, a *target* (``check``, ``forward``, ``backward``,
``grad``, ``sgd``, or the batched ``batch_forward``, ``batch_backward``, ``batch_grad``).

The derivative code comes from the rule table's pure ``partials``, evaluated on source
text (:mod:`autograd.codegen`): no derivative is written here, and the generated code does
the same float operations as eager mode, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import lanes
from ..codegen import forward_lines, forward_src, has_literal, partials_src, src, times
from ..rules import RULES, UnknownOpError, rule_of
from .flat import CompileError

__all__ = ["generate", "matrix_ops"]


def _rule_partials(op: str):
    """The partials of ``op``'s rule (UnknownOpError if it has none)."""
    return rule_of(op).partials


def matrix_ops() -> set[str]:
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
        self.plan = lanes.plan(instrs, matrix_ops()) if self.batched else lanes.Plan()
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


def generate(instrs: list, guards: list, outs: tuple, shape: tuple, name: str) -> str:
    """The source of target ``name`` for a traced program (see :class:`_Emitter`)."""
    return _Emitter(instrs, guards, outs, shape, name).source()
