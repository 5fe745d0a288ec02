"""Walking the graph: topological order, ``backward`` and ``grad``.

No recursion anywhere: the order is built with an explicit stack, so a chain of a
million nodes works.  The derivative of every op comes from
:data:`autograd.rules.RULES`; this module only multiplies local partials by the upstream
gradient and adds them up (the chain rule, summed over paths).
"""

from __future__ import annotations

from collections.abc import Sequence

from .codegen import backward_function
from .engine import Value, as_value
from .modes import current_anomaly, no_grad
from .rules import RULES, FloatMath, UnknownOpError, ValueMath

__all__ = ["topological_order", "backward", "grad"]


class _PartialsTable(dict):
    """op -> partials function; replacing a rule drops the code generated from it.

    Tests swap a rule for a wrong one to check that ``gradcheck`` notices; the generated
    backward functions must follow such a swap.
    """

    def __setitem__(self, op, partials) -> None:
        super().__setitem__(op, partials)
        _forget_generated()

    def __delitem__(self, op) -> None:
        super().__delitem__(op)
        _forget_generated()


_PARTIALS = _PartialsTable({name: r.partials for name, r in RULES.items()})

# Backward functions generated from the rule table (see autograd.codegen), made on first
# use: one per (op, constant, number of inputs), and, for ops whose nodes all share one
# (no constant, fixed arity), also by op name alone so the hot loop does one lookup.
_BACKWARD: dict[tuple, object] = {}
_BY_OP: dict[str, object] = {}
_GENERIC: dict[str, object] = {}  # op -> the generic loop, for the cases not generated
_MAX_UNROLLED = 64  # wider sums and dots run one generic loop instead of huge functions
_MAX_CACHED = 512  # e.g. x ** k for many different k: stop generating, use the loop


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
    return _depth_first(root, reset=False)[0]


def _depth_first(root: Value, reset: bool) -> tuple[list[Value], list[tuple[Value, float]]]:
    """The topological order; with ``reset``, every ``grad`` is set to 0 on the way.

    Returns the order and the (leaf, earlier grad) pairs a reset took away, to be added
    back after a backward walk.  Resetting here saves a second pass over the graph: for
    small graphs the walk itself is most of the cost of ``backward``.
    """
    # Depth-first, with an explicit stack and no per-node allocation: a node is pushed,
    # then a marker, then its inputs (reversed, so the first input is visited first);
    # popping the marker means all inputs are done and the node can be emitted.
    order: list[Value] = []
    earlier: list[tuple[Value, float]] = []
    seen: set[Value] = set()
    stack: list = [root]
    pop, push, extend, add, emit = stack.pop, stack.append, stack.extend, seen.add, order.append
    while stack:
        node = pop()
        if node is _EXPAND:
            node = pop()
            if reset:
                node.grad = 0.0
            emit(node)
        elif node not in seen:
            add(node)
            prev = node._prev
            if prev:
                push(node)
                push(_EXPAND)
                extend(prev[::-1])
            else:
                if reset and node.grad:
                    earlier.append((node, node.grad))
                    node.grad = 0.0
                emit(node)
    return order, earlier


def _partials_of(op: str):
    partials = _PARTIALS.get(op)
    if partials is not None:
        return partials
    try:  # a rule registered after import (autograd.primitive): looked up at use time
        return RULES[op].partials
    except KeyError:
        raise UnknownOpError(op) from None


def _forget_generated() -> None:
    _BACKWARD.clear()
    _BY_OP.clear()
    _GENERIC.clear()


def _generic_backward(partials):
    """The chain rule for one node, evaluating its rule on floats (any arity)."""

    def backward_node(node, g):
        prev = node._prev
        ps = partials(FloatMath, node.data, node._ctx, *[c.data for c in prev])
        for child, p in zip(prev, ps):
            child.grad += g * p

    return backward_node


def _backward_of(node: Value):
    """The backward function of a node's op, generated from the rule table on first use."""
    op, ctx, n = node._op, node._ctx, len(node._prev)
    key = (op, ctx, n)
    fn = _BACKWARD.get(key)
    if fn is None:
        partials = _partials_of(op)
        if n > _MAX_UNROLLED or len(_BACKWARD) >= _MAX_CACHED or ctx != ctx:
            fn = _GENERIC.get(op)
            if fn is None:
                fn = _GENERIC[op] = _generic_backward(partials)
            return fn
        fn = _BACKWARD[key] = backward_function(op, partials, ctx, n)
        if ctx is None and RULES[op].arity == n:
            _BY_OP[op] = fn
    return fn


def backward(root: Value, gradient: float = 1.0) -> None:
    """Add d(root)/d(leaf) * gradient to ``leaf.grad`` for every leaf below ``root``.

    The ``grad`` of interior nodes is set afresh on every call (so a second call adds the
    same amount to the leaves again, never a compounded one); leaves accumulate.

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
    # Every node starts from 0; leaves get their earlier gradient back at the end, added
    # once (as PyTorch does), so a repeated call adds exactly the same amount again.
    order, earlier = _depth_first(root, reset=True)
    root.grad = float(gradient)
    anomaly = current_anomaly()
    if anomaly is not None:
        _backward_checked(order, anomaly)
    else:
        by_op, by_shape = _BY_OP, _BACKWARD
        for node in reversed(order):
            prev = node._prev
            if prev:
                fn = by_op.get(node._op) or by_shape.get((node._op, node._ctx, len(prev))) \
                    or _backward_of(node)
                fn(node, node.grad)
    for leaf, old in earlier:
        leaf.grad += old


def _backward_checked(order: list[Value], anomaly) -> None:
    """The same walk, handing every gradient contribution to ``detect_anomaly``."""
    fm = FloatMath
    for node in reversed(order):
        prev = node._prev
        if not prev:
            continue
        g = node.grad
        ps = _partials_of(node._op)(fm, node.data, node._ctx, *[c.data for c in prev])
        anomaly.on_gradient(node, g, [g * p for p in ps])
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
