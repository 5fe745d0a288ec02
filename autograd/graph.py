"""Walking the graph: topological order, ``backward`` and ``grad``.

No recursion anywhere: the order is built with an explicit stack, so a chain of a
million nodes works.  The derivative of every op comes from
:data:`autograd.rules.RULES`; this module only multiplies local partials by the upstream
gradient and adds them up (the chain rule, summed over paths).
"""

from __future__ import annotations

import _thread
import threading
from collections.abc import Sequence

from .codegen import backward_function, backward_lines, code_globals
from .engine import Value, as_value
from .modes import STATE, current_anomaly, no_grad
from .rules import _REGISTRATIONS, RULES, FloatMath, UnknownOpError, ValueMath

__all__ = ["topological_order", "backward", "backward_step", "grad"]


# Backward functions generated from the rule table (see autograd.codegen), made on first
# use: one per (op, constant, number of inputs), and, for ops whose nodes all share one
# (no constant, fixed arity), also by op name alone so the hot loop does one lookup.
# The rule is read from RULES when its function is first made, so a rule registered after
# import (a user's own primitive) is found; see _MADE_FROM for a rule removed or replaced.
_BACKWARD: dict[tuple, object] = {}
_BY_OP: dict[str, object] = {}
_GENERIC: dict[str, object] = {}  # op -> the generic loop, for the cases not generated
_MAX_UNROLLED = 64  # wider sums and dots run one generic loop instead of huge functions
_MAX_CACHED = 512  # e.g. x ** k for many different k: stop generating, use the loop
# The reverse pass itself, generated too: the backward code of every op in _BY_OP written
# inline in one loop (no call per node), other nodes through their function.  Made again
# when _BY_OP gains an op; None until then.
_PASS: list = [None]
# Each op's rule as it was when its code was generated, and the state of the table then
# (its size, how many rule() calls): when RULES changes (a user's primitive registered,
# a test's removed, a name registered again), code made from rules no longer registered
# is dropped before the next pass.  Replacing an entry in place (RULES[op] = ...) is not
# supported: rule() is the way in, and it refuses a name that is taken.
_MADE_FROM: dict[str, object] = {}
_TABLE_STATE = [len(RULES), _REGISTRATIONS[0]]
_MAX_INLINE = 16  # ops written into the pass (first seen, first tested); others are called

# One backward at a time, process-wide: a backward pass resets and accumulates the grads of
# every node it reaches, so two passes over a shared graph at once would mix their sums
# (see docs/design.md, "Threads").  Reentrant, so a rule that itself calls backward on
# another graph cannot deadlock its own thread.
_LOCK = threading.RLock()
_acquire, _release = _LOCK.acquire, _LOCK.release  # bound once: cheaper than `with`
# How many threads besides the main one are running (started by threading or _thread).
# With none, no other thread can be inside backward, nor start while this call runs, so
# the lock is skipped: a program that never starts a thread pays nothing for it.
# (An interpreter without _thread._count takes the lock every time.)
_other_threads = getattr(_thread, "_count", lambda: 1)


_EXPAND = object()  # stack marker: the node below it has had its inputs pushed


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, inputs before the nodes made from them.

    Deterministic: inputs are visited in the order of each node's ``inputs`` tuple, so
    the same graph always gives the same order.  ``root`` is last.

    Args:
        root: the Value whose graph is walked.

    Returns:
        A list of the nodes, each exactly once, inputs first.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); y = x * x; y.label = "y"
    >>> [n.label for n in topological_order(y)]
    ['x', 'y']
    """
    # Depth-first, with an explicit stack and no per-node allocation: a node is pushed,
    # then a marker, then its inputs (reversed, so the first input is visited first);
    # popping the marker means all inputs are done and the node can be emitted.
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list = [root]
    pop, push, extend, add, emit = stack.pop, stack.append, stack.extend, seen.add, order.append
    while stack:
        node = pop()
        if node is _EXPAND:
            emit(pop())
        elif node not in seen:
            add(node)
            prev = node._prev
            if prev:
                push(node)
                push(_EXPAND)
                extend(prev[::-1])
            else:
                emit(node)
    return order


def _interior_order(root: Value) -> tuple[list[Value], list[tuple[Value, float]]]:
    """The interior nodes of ``topological_order(root)``, in that order, grads set to 0.

    Every leaf below ``root`` whose ``grad`` is not 0 has it set to 0 on the way, and is
    returned with its earlier gradient, to be added back after the backward pass.

    The same depth-first walk as :func:`topological_order`, made cheaper for backward:
    leaves are never pushed (a graph's edges are mostly leaf edges: weights), and a node
    whose inputs have all been seen, checked in C by ``set.issuperset``, pushes nothing,
    so most edges cost no Python step at all.  ``root`` must be an interior node.
    """
    order: list[Value] = []
    earlier: list[tuple[Value, float]] = []
    seen: set[Value] = set()
    stack: list = [root]
    pop, push, add, emit, covered = stack.pop, stack.append, seen.add, order.append, \
        seen.issuperset
    while stack:
        node = pop()
        if node is _EXPAND:
            node = pop()
            node.grad = 0.0
            emit(node)
        elif node not in seen:  # an interior node (only those are pushed)
            add(node)
            push(node)
            push(_EXPAND)
            prev = node._prev
            if not covered(prev):
                for child in reversed(prev):
                    if child not in seen:
                        if child._prev:
                            push(child)
                        else:
                            add(child)
                            if child.grad:
                                earlier.append((child, child.grad))
                                child.grad = 0.0
    return order, earlier


def _partials_of(op: str):
    """The partials of ``op``'s rule, read from :data:`~autograd.rules.RULES` now."""
    try:
        return RULES[op].partials
    except KeyError:
        raise UnknownOpError(op) from None


def _generic_backward(partials):
    """The chain rule for one node, evaluating its rule on floats (any arity)."""

    def backward_node(node, g):
        prev = node._prev
        ps = partials(FloatMath, node.data, node._ctx, *[c.data for c in prev])
        for child, p in zip(prev, ps):
            child.grad += g * p

    return backward_node


def _forget_generated() -> None:
    """Drop every piece of generated backward code (``autograd.extend.unregister`` calls
    this when a primitive is removed, so a name defined again is generated afresh)."""
    for table in (_BACKWARD, _BY_OP, _GENERIC, _MADE_FROM):
        table.clear()
    _PASS[0] = None
    _TABLE_STATE[:] = len(RULES), _REGISTRATIONS[0]


def _forget_stale() -> None:
    """Drop generated code whose rule is no longer the one registered under its op."""
    _TABLE_STATE[:] = len(RULES), _REGISTRATIONS[0]
    stale = {op for op, r in _MADE_FROM.items() if RULES.get(op) is not r}
    if stale:
        for table in (_BY_OP, _GENERIC, _MADE_FROM):
            for op in stale:
                table.pop(op, None)
        for key in [key for key in _BACKWARD if key[0] in stale]:
            del _BACKWARD[key]
        _PASS[0] = None


def _backward_of(node: Value):
    """The backward function of a node's op, generated from the rule table on first use."""
    op, ctx, n = node._op, node._ctx, len(node._prev)
    key = (op, ctx, n)
    fn = _BACKWARD.get(key)
    if fn is None:
        partials = _partials_of(op)
        if _MADE_FROM.setdefault(op, RULES[op]) is not RULES[op]:
            _forget_stale()
            _MADE_FROM[op] = RULES[op]
        if n > _MAX_UNROLLED or len(_BACKWARD) >= _MAX_CACHED or ctx != ctx:
            fn = _GENERIC.get(op)
            if fn is None:
                fn = _GENERIC[op] = _generic_backward(partials)
            return fn
        fn = _BACKWARD[key] = backward_function(op, partials, ctx, n)
        if ctx is None and RULES[op].arity == n:
            _BY_OP[op] = fn
            _PASS[0] = None
    return fn


def _make_pass():
    """The reverse pass, ``run(order)``: for each node, last first, its op's backward code.

    The code of each op is :func:`autograd.codegen.backward_lines` of its rule, the very
    statements of its generated backward function, so results are bit for bit the same;
    the saving is the call per node (half the pass, on a graph of binary ops).
    """
    lines = ["def run(order):",
             "    for node in reversed(order):",
             "        op = node._op",
             "        g = node.grad"]
    keyword = "if"
    for op in list(_BY_OP)[:_MAX_INLINE]:
        lines.append(f"        {keyword} op == {op!r}:")
        lines += ["            " + line
                  for line in backward_lines(_partials_of(op), None, RULES[op].arity)]
        keyword = "elif"
    call = "(by_op.get(op) or by_shape.get((op, node._ctx, len(node._prev)))" \
           " or backward_of(node))(node, g)"
    lines += ["        else:", "            " + call] if keyword == "elif" else \
        ["        " + call]
    namespace = dict(code_globals(), by_op=_BY_OP, by_shape=_BACKWARD, backward_of=_backward_of)
    exec(compile("\n".join(lines) + "\n", "<backward pass>", "exec"), namespace)
    run = _PASS[0] = namespace["run"]
    return run


def backward(root: Value, gradient: float = 1.0) -> None:
    """Add d(root)/d(leaf) * gradient to ``leaf.grad`` for every leaf below ``root``.

    The ``grad`` of interior nodes is set afresh on every call (so a second call adds the
    same amount to the leaves again, never a compounded one); leaves accumulate.  Safe to
    call from several threads, on shared graphs too: calls run one at a time.

    Args:
        root: the Value to differentiate.
        gradient: the seed, d(final output)/d(root); 1.0 when ``root`` is the output.

    Raises:
        UnknownOpError: a node's op has no rule in :data:`autograd.rules.RULES`.
        FloatingPointError: inside :class:`~autograd.detect_anomaly`, a gradient became
            nan or inf.

    >>> from autograd import Value
    >>> x = Value(3.0); y = x * x + x
    >>> backward(y); x.grad
    7.0
    """
    if not _other_threads():
        return _backward(root, gradient)
    _acquire()
    try:
        _backward(root, gradient)
    finally:
        _release()


def _backward(root: Value, gradient) -> None:
    if not root._prev:  # a leaf: d root / d root = 1, accumulated like any leaf's
        old = root.grad
        root.grad = float(gradient)
        if old:
            root.grad += old
        return
    # Every node starts from 0; leaves get their earlier gradient back at the end, added
    # once (as PyTorch does), so a repeated call adds exactly the same amount again.
    order, earlier = _interior_order(root)
    root.grad = float(gradient)
    # Modes are rare: the thread-local lookup is skipped unless one is open somewhere.
    anomaly = current_anomaly() if STATE.active else None
    if anomaly is not None:
        _backward_checked(order, anomaly)
    else:
        if len(RULES) != _TABLE_STATE[0] or _REGISTRATIONS[0] != _TABLE_STATE[1]:
            _forget_stale()
        (_PASS[0] or _make_pass())(order)
    for leaf, old in earlier:
        leaf.grad += old


def _backward_checked(order: list[Value], anomaly) -> None:
    """The same walk, handing every gradient contribution to ``detect_anomaly``."""
    fm = FloatMath
    for node in reversed(order):
        prev = node._prev
        g = node.grad
        ps = _partials_of(node._op)(fm, node.data, node._ctx, *[c.data for c in prev])
        anomaly.on_gradient(node, g, [g * p for p in ps])
        for child, p in zip(prev, ps):
            child.grad += g * p


def backward_step(node: Value) -> None:
    """The chain rule for one node: ``child.grad += node.grad * partial`` for each input.

    This is the lecture's ``node._backward()``: the partials come from the node's rule, at
    the node's current data.  A leaf has nothing to pass on.  :func:`backward` is this,
    for every node in reverse topological order, after zeroing the interior grads.

    Raises:
        UnknownOpError: the node's op has no rule in :data:`autograd.rules.RULES`.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(3.0); c = a * b
    >>> c.grad = 1.0; backward_step(c); (a.grad, b.grad)
    (3.0, 2.0)
    """
    prev = node._prev
    if not prev:
        return
    g = node.grad
    ps = _partials_of(node._op)(FloatMath, node.data, node._ctx, *[c.data for c in prev])
    for child, p in zip(prev, ps):
        child.grad += g * p


def grad(
    output: Value,
    inputs: Value | Sequence[Value],
    create_graph: bool = False,
    allow_unused: bool = True,
) -> list:
    """The gradients d(output)/d(input), returned instead of stored in ``.grad``.

    Args:
        output: the Value to differentiate.
        inputs: a Value or a sequence of Values.
        create_graph: if True, the gradients are Values with a graph of their own, so
            they can be differentiated again (second derivatives, Hessian entries).
        allow_unused: if True (the default), an input that ``output`` does not depend on
            gets the gradient 0.0 (PyTorch returns ``None`` there, or zeros with
            ``materialize_grads=True``).  If False, such an input is an error, as in
            PyTorch's default.

    Returns:
        A list with one gradient per input: floats, or Values when ``create_graph`` is
        True.

    Raises:
        TypeError: ``output`` or an input is not a Value.
        ValueError: with ``allow_unused=False``, an input is not used to compute
            ``output``; the message names it.

    >>> from autograd import Value, grad
    >>> x = Value(3.0)
    >>> y = x ** 3
    >>> (dy,) = grad(y, [x], create_graph=True)
    >>> (d2y,) = grad(dy, [x])
    >>> dy.data, d2y
    (27.0, 18.0)
    """
    if isinstance(inputs, Value):
        inputs = [inputs]
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values; input {i} is {type(x).__name__}")
    if not isinstance(output, Value):
        raise TypeError(f"grad() output must be a Value, got {type(output).__name__}")
    order = topological_order(output)
    if create_graph:
        grads = _accumulate(order, output, ValueMath, as_value(1.0))
    else:
        with no_grad():
            grads = _accumulate(order, output, FloatMath, 1.0)
    # Every node the output depends on has an entry (even a gradient of exactly 0).
    if not allow_unused:
        for i, x in enumerate(inputs):
            if x not in grads:
                name = f" {x.label!r}" if x.label else ""
                raise ValueError(
                    f"grad(): input {i}{name} (data {x.data!r}) is not used to compute the "
                    f"output; pass allow_unused=True to get 0.0 for it"
                )
    if create_graph:
        return [grads.get(x, as_value(0.0)) for x in inputs]
    return [grads.get(x, 0.0) for x in inputs]


def _accumulate(order: list[Value], output: Value, m, seed) -> dict:
    grads: dict[Value, object] = {output: seed}
    floats = m is FloatMath
    for node in reversed(order):
        prev = node._prev
        if not prev or node not in grads:
            continue
        g = grads[node]
        if floats:
            ps = _partials_of(node._op)(m, node.data, node._ctx, *[c.data for c in prev])
        else:
            ps = _partials_of(node._op)(m, node, node._ctx, *prev)
        for child, p in zip(prev, ps):
            contribution = g * p
            old = grads.get(child)
            grads[child] = contribution if old is None else old + contribution
    return grads
