"""Walking the graph: topological order, ``backward`` and ``grad``.

No recursion anywhere: the order is built with an explicit stack, so a chain of a
million nodes works.  The derivative of every op comes from
:data:`autograd.rules.RULES`; this module only multiplies local partials by the upstream
gradient and adds them up (the chain rule, summed over paths).
"""

from __future__ import annotations

from collections.abc import Sequence

from .engine import Value, as_value
from .modes import current_anomaly, no_grad
from .rules import RULES, FloatMath, UnknownOpError, ValueMath

__all__ = ["topological_order", "backward", "grad"]

_PARTIALS = {name: r.partials for name, r in RULES.items()}


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, inputs before the nodes made from them.

    Deterministic: inputs are visited in the order of each node's ``inputs`` tuple, so
    the same graph always gives the same order.  ``root`` is last.
    """
    order: list[Value] = []
    seen: set[Value] = {root}
    # Each stack entry is (node, index of the next input to visit).
    stack = [(root, iter(root._prev))]
    push, pop, add = stack.append, stack.pop, seen.add
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                add(child)
                push((child, iter(child._prev)))
                break
        else:
            pop()
            order.append(node)
    return order


def _partials_of(op: str):
    try:
        return _PARTIALS[op]
    except KeyError:
        raise UnknownOpError(op) from None


def backward(root: Value, gradient: float = 1.0) -> None:
    """Add d(root)/d(leaf) * gradient to ``leaf.grad`` for every leaf below ``root``.

    The ``grad`` of interior nodes is set afresh on every call (so a second call adds the
    same amount to the leaves again, never a compounded one); leaves accumulate.
    """
    order = topological_order(root)
    # Every node starts from 0; leaves get their earlier gradient back at the end, added
    # once (as PyTorch does), so a repeated call adds exactly the same amount again.
    earlier = []
    for node in order:
        if node.grad:
            if not node._prev:
                earlier.append((node, node.grad))
            node.grad = 0.0
    root.grad = float(gradient)
    anomaly = current_anomaly()
    fm = FloatMath
    partials = _PARTIALS
    for node in reversed(order):
        prev = node._prev
        if not prev:
            continue
        g = node.grad
        try:
            ps = partials[node._op](fm, node.data, node._ctx, *[c.data for c in prev])
        except KeyError:
            raise UnknownOpError(node._op) from None
        if anomaly is not None:
            anomaly.on_gradient(node, g, [g * p for p in ps])
        for child, p in zip(prev, ps):
            child.grad += g * p
    for leaf, old in earlier:
        leaf.grad += old


def grad(
    output: Value,
    inputs: Value | Sequence[Value],
    create_graph: bool = False,
) -> list:
    """The gradients d(output)/d(input), returned instead of stored in ``.grad``.

    Args:
        output: the Value to differentiate.
        inputs: a Value or a sequence of Values.
        create_graph: if True, the gradients are Values with a graph of their own, so
            they can be differentiated again (second derivatives, Hessian entries).

    Returns:
        A list with one gradient per input (0.0 for an input ``output`` does not depend
        on): floats, or Values when ``create_graph`` is True.

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
        return [grads.get(x, as_value(0.0)) for x in inputs]
    with no_grad():
        grads = _accumulate(order, output, FloatMath, 1.0)
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
