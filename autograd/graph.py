"""Walking the graph: topological order and ``backward``.

No recursion anywhere: the order is built with an explicit stack, so a chain of a
million nodes works.  The derivative of every op comes from
:data:`autograd.rules.RULES`; this module only multiplies local partials by the upstream
gradient and adds them up (the chain rule, summed over paths).
"""

from __future__ import annotations

import _thread
import threading
from typing import TYPE_CHECKING

from .codegen import backward_function, backward_lines, code_globals
from .modes import STATE, current_anomaly
from .rules import CHANGES, RULES, FloatMath, local_partials, rule_of

if TYPE_CHECKING:  # the walk reads nodes' fields; it never makes one
    from .engine import Value

__all__ = ["topological_order", "backward", "reference_backward"]


# Backward functions generated from the rule table (see autograd.codegen), made on first
# use: one per (op, constant, number of inputs), and, for ops whose nodes all share one
# (no constant, fixed arity), also by op name alone so the hot loop does one lookup.
# The rule is read from RULES when its function is first made, so a rule registered after
# import (a user's own primitive) is found; when the table changes (CHANGES.count), all of
# it is dropped and made again from the rules registered then.
_BACKWARD: dict[tuple, object] = {}
_BY_OP: dict[str, object] = {}
_GENERIC: dict[str, object] = {}  # op -> the generic loop, for the cases not generated
_MAX_UNROLLED = 64  # wider sums and dots run one generic loop instead of huge functions
_MAX_CACHED = 512  # e.g. x ** k for many different k: stop generating, use the loop
# The reverse pass itself, generated too: the backward code of every op in _BY_OP written
# inline in one loop (no call per node), other nodes through their function.  Made again
# when _BY_OP gains an op; None until then.
_PASS: list = [None]
_MADE_AT = [CHANGES.count]  # the table's version the code above was made from
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


def _generic_backward(partials):
    """The chain rule for one node, evaluating its rule on floats (any arity)."""

    def backward_node(node, g):
        prev = node._prev
        ps = partials(FloatMath, node.data, node._ctx, *[c.data for c in prev])
        for child, p in zip(prev, ps):
            child.grad += g * p

    return backward_node


def _forget_generated() -> None:
    """Drop every piece of generated backward code: the rule table has changed."""
    for table in (_BACKWARD, _BY_OP, _GENERIC):
        table.clear()
    _PASS[0] = None
    _MADE_AT[0] = CHANGES.count


def _backward_of(node: Value):
    """The backward function of a node's op, generated from the rule table on first use."""
    op, ctx, n = node._op, node._ctx, len(node._prev)
    key = (op, ctx, n)
    fn = _BACKWARD.get(key)
    if fn is None:
        rule = rule_of(op)
        partials = rule.partials
        if n > _MAX_UNROLLED or len(_BACKWARD) >= _MAX_CACHED or ctx != ctx:
            fn = _GENERIC.get(op)
            if fn is None:
                fn = _GENERIC[op] = _generic_backward(partials)
            return fn
        fn = _BACKWARD[key] = backward_function(op, partials, ctx, n)
        if ctx is None and rule.arity == n:
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
                  for line in backward_lines(RULES[op].partials, None, RULES[op].arity)]
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


def reference_backward(root: Value, gradient: float = 1.0) -> None:
    """:func:`backward` as the plain loop of the chain rule: for each node, last first, its
    local partials (:func:`autograd.rules.local_partials`) times its gradient are added to
    its inputs' ``grad``.

    The generated pass that :func:`backward` runs performs exactly these float operations
    in this order, so both give the same gradients bit for bit (the tests check it); this
    one is for reading, and for checking the other.
    """
    _acquire()
    try:
        _backward(root, gradient, reference=True)
    finally:
        _release()


def _backward(root: Value, gradient, reference: bool = False) -> None:
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
    if anomaly is not None or reference:
        _plain_pass(order, anomaly)
    else:
        if CHANGES.count != _MADE_AT[0]:
            _forget_generated()
        (_PASS[0] or _make_pass())(order)
    for leaf, old in earlier:
        leaf.grad += old


def _plain_pass(order: list[Value], anomaly=None) -> None:
    """The reverse pass as a plain loop (see :func:`reference_backward`), handing every
    gradient contribution to ``detect_anomaly`` when it is on."""
    for node in reversed(order):
        g = node.grad
        ps = local_partials(node)
        if anomaly is not None:
            anomaly.on_gradient(node, g, [g * p for p in ps])
        for child, p in zip(node._prev, ps):
            child.grad += g * p
