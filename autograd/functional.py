"""``grad``, forward mode, Jacobians and Hessians: ``torch.autograd.grad`` and
``torch.autograd.functional`` for scalars.

``grad`` returns d(output)/d(inputs) instead of storing them in ``.grad`` (with
``create_graph=True``, as Values that can be differentiated again: the rules evaluated
with :class:`~autograd.valuemath.ValueMath`).

``jvp`` pushes tangents *forward* through a recorded graph, in topological order: each
node's tangent is the sum over its inputs of (local partial) x (input's tangent), with the
local partials taken from the same rule table as reverse mode
(:data:`autograd.rules.RULES`).  Nothing walks the graph backwards, so one pass gives the
derivative of every output along one direction of the inputs.  ``jacobian`` uses reverse
mode (one pass per output) or forward mode (one pass per input); ``hessian`` is the
Jacobian of the gradient; ``hvp`` pushes a tangent forward through the graph of the
gradient (forward-over-reverse), one pass for the whole product.

Conventions, as in ``torch.autograd.functional``: ``f`` is called as ``f(x)`` for a
single input (a number or Value) and as ``f(*inputs)`` for a list of them; it returns a
Value or number, or a list of them.  Results are floats shaped like the inputs and
outputs (lists for several), or Values with graphs of their own when
``create_graph=True``.  Inputs given as numbers become fresh leaves; Values given as
inputs are copied into fresh leaves, or, with ``create_graph=True``, into nodes that
stay connected to them, so the results can be differentiated with respect to them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engine import Value, as_value
from .floats import to_float
from .graph import topological_order
from .modes import enable_grad, no_grad
from .rules import FloatMath, local_partials
from .valuemath import ValueMath

__all__ = ["grad", "jvp", "jacobian", "hessian", "hvp"]

Number = float | Value
Inputs = Number | Sequence[Number]

_STRATEGIES = ("reverse-mode", "forward-mode")


# --- the boundary: inputs, tangents and outputs in, shapes out ---------------------------


def _items(inputs, what: str) -> tuple[list, bool]:
    """The entries of ``inputs`` and whether there are several (a list or tuple)."""
    several = isinstance(inputs, (list, tuple))
    items = list(inputs) if several else [inputs]
    if not items:
        raise ValueError(f"{what} is empty: give at least one number or Value")
    for i, x in enumerate(items):
        where = f"{what}[{i}]" if several else what
        if isinstance(x, (list, tuple)):
            raise TypeError(f"{where} is a {type(x).__name__}: give one number or Value per "
                            f"input (f is called as f(*inputs))")
        if not isinstance(x, Value):
            try:
                to_float(x)
            except TypeError as e:
                raise TypeError(f"{where}: {e}") from None
    return items, several


def _leaves(items: list, create_graph: bool) -> list[Value]:
    """One independent node per input position (the same Value twice is two inputs)."""
    if create_graph:
        # x * 1.0 keeps the results connected to a Value given as input; the partial of
        # mul is exact, so nothing is rounded.
        return [x * 1.0 if isinstance(x, Value) else Value(x) for x in items]
    return [Value(x.data, x.label) if isinstance(x, Value) else Value(x) for x in items]


def _call(f: Callable, leaves: list[Value], several: bool) -> tuple[list[Value], bool]:
    """Run ``f`` on the leaves, recording a graph; its outputs as Values."""
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    with enable_grad():
        out = f(*leaves) if several else f(leaves[0])
    if not isinstance(out, (list, tuple, Value)):
        try:
            to_float(out)
        except TypeError:
            raise TypeError(f"f must return a Value or a number, or a list of them; got "
                            f"{type(out).__name__}") from None
    outs, several_out = _items(out, "f's output")
    return [as_value(o) for o in outs], several_out


def _one_output(outs: list[Value], several_out: bool, fn: str) -> Value:
    if several_out:
        raise ValueError(f"{fn}: f must return one Value (a scalar function), got a list of "
                         f"{len(outs)}")
    return outs[0]


def _tangents(v, items: list, several: bool, create_graph: bool) -> list:
    """``v`` checked against the shape of the inputs: one tangent per input."""
    if v is None:
        if several:
            raise ValueError("v is required when there are several inputs: give one "
                             "tangent per input")
        v = 1.0
    if several != isinstance(v, (list, tuple)):
        raise ValueError("v must be shaped like inputs: a list of one number per input for "
                         "a list of inputs, a number for a single input")
    ts, _ = _items(v, "v")
    if len(ts) != len(items):
        raise ValueError(f"v has {len(ts)} entries but there are {len(items)} inputs")
    if create_graph:
        return [as_value(t) for t in ts]
    return [t.data if isinstance(t, Value) else to_float(t) for t in ts]


def _shaped(values: list, several: bool):
    return list(values) if several else values[0]


def _data(outs: list[Value], create_graph: bool) -> list:
    return list(outs) if create_graph else [o.data for o in outs]


# --- forward mode: tangents pushed through the rule table ------------------------------


def _order(roots: list[Value]) -> list[Value]:
    """Every node the roots depend on, inputs before the nodes made from them."""
    seen: set[Value] = set()
    order: list[Value] = []
    for root in roots:
        if root in seen:
            continue
        for node in topological_order(root):
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def _push_forward(order: list[Value], seeds: dict, create_graph: bool) -> dict:
    """Tangent of every node reached from the seeds: sum of partial * tangent of input.

    Nodes that depend on no seed get no entry (their tangent is zero).  With
    ``create_graph`` the rules are evaluated with ``ValueMath`` and the tangents are
    Values; otherwise everything is floats.
    """
    tangent = dict(seeds)
    get = tangent.get
    for node in order:
        prev = node._prev
        if not prev or node in seeds:
            continue
        ts = [get(c) for c in prev]
        if all(t is None for t in ts):
            continue
        ps = local_partials(node, ValueMath if create_graph else FloatMath)
        total = None
        for p, t in zip(ps, ts):
            if t is not None:
                term = p * t
                total = term if total is None else total + term
        tangent[node] = total
    return tangent


def _directional(outs: list[Value], seeds: dict, create_graph: bool) -> list:
    """d(out)/d(seeded inputs) along the seeds' tangents, for each output."""
    zero = as_value(0.0) if create_graph else 0.0
    with enable_grad():
        tangent = _push_forward(_order(outs), seeds, create_graph)
    return [tangent.get(o, zero) for o in outs]


# --- the API -----------------------------------------------------------------------------


def jvp(f: Callable, inputs: Inputs, v: Inputs | None = None,
        create_graph: bool = False) -> tuple:
    """The value of ``f`` and its directional derivative along ``v`` (forward mode).

    Tangents are pushed forward through the graph ``f`` records, node by node in
    topological order, with the local partials of the rule table; no graph is walked
    backwards.  One call gives ``J @ v`` for every output at the cost of one pass.

    Args:
        f: called as ``f(x)`` (one input) or ``f(*inputs)``; returns a Value or number, or
            a list of them.
        inputs: a number or Value, or a list of them.
        v: the tangents, shaped like ``inputs``; may be omitted (1.0) for a single input.
        create_graph: return Values that can be differentiated again.

    Returns:
        ``(value, jvp)``, each shaped like ``f``'s output: a float, or a list of floats
        for a list of outputs (Values with ``create_graph=True``).

    Raises:
        TypeError: an input, tangent or output is not a number or Value.
        ValueError: ``v`` is not shaped like ``inputs``.

    >>> from autograd import sin
    >>> value, slope = jvp(lambda x, y: x * sin(y), [2.0, 0.0], [1.0, 1.0])
    >>> value, slope   # d/dt of (2+t) sin(t) at t = 0 is sin(0) + 2 cos(0)
    (0.0, 2.0)
    """
    items, several = _items(inputs, "inputs")
    ts = _tangents(v, items, several, create_graph)
    leaves = _leaves(items, create_graph)
    outs, several_out = _call(f, leaves, several)
    derivs = _directional(outs, dict(zip(leaves, ts)), create_graph)
    return _shaped(_data(outs, create_graph), several_out), _shaped(derivs, several_out)


def jacobian(f: Callable, inputs: Inputs, create_graph: bool = False,
             strategy: str = "reverse-mode"):
    """The Jacobian of ``f``: d(output i)/d(input j).

    Args:
        f: called as ``f(x)`` (one input) or ``f(*inputs)``; returns a Value or number, or
            a list of them.
        inputs: a number or Value, or a list of them.
        create_graph: return Values that can be differentiated again.
        strategy: ``"reverse-mode"`` (one reverse pass per output, as ``grad``) or
            ``"forward-mode"`` (one forward pass per input, as ``jvp``); the results are
            the same up to the order of additions.

    Returns:
        As ``torch.autograd.functional.jacobian``: a float for one input and one output;
        a list over the inputs for one output; a list over the outputs for one input;
        otherwise a list of rows, ``J[i][j] = d output_i / d input_j``.  Values with
        ``create_graph=True``.

    Raises:
        TypeError: an input or output is not a number or Value.
        ValueError: an unknown ``strategy``.

    >>> J = jacobian(lambda x, y: [x * y, x + y], [2.0, 3.0])
    >>> J
    [[3.0, 2.0], [1.0, 1.0]]
    """
    if strategy not in _STRATEGIES:
        raise ValueError(f"strategy must be one of {_STRATEGIES}, got {strategy!r}")
    items, several = _items(inputs, "inputs")
    leaves = _leaves(items, create_graph)
    outs, several_out = _call(f, leaves, several)
    if strategy == "reverse-mode":
        with enable_grad():
            rows = [grad(o, leaves, create_graph=create_graph) for o in outs]
    else:
        one = as_value(1.0) if create_graph else 1.0
        columns = [_directional(outs, {leaf: one}, create_graph) for leaf in leaves]
        rows = [[column[i] for column in columns] for i in range(len(outs))]
    if not several_out:
        return _shaped(rows[0], several)
    return [_shaped(row, several) for row in rows]


def hessian(f: Callable, inputs: Inputs, create_graph: bool = False):
    """The Hessian of a scalar function ``f``: d²f/(d input i)(d input j).

    Computed as the Jacobian of the gradient (reverse mode over reverse mode): the
    gradient is a graph of its own (``grad(..., create_graph=True)``), differentiated once
    per input.

    Args:
        f: called as ``f(x)`` (one input) or ``f(*inputs)``; returns one Value or number.
        inputs: a number or Value, or a list of them.
        create_graph: return Values that can be differentiated again.

    Returns:
        As ``torch.autograd.functional.hessian``: a float for a single input, otherwise a
        list of rows ``H[i][j]`` (Values with ``create_graph=True``).

    Raises:
        TypeError: an input or the output is not a number or Value.
        ValueError: ``f`` returns a list.

    >>> hessian(lambda x, y: x**3 * y, [2.0, 5.0])   # [[6xy, 3x^2], [3x^2, 0]]
    [[60.0, 12.0], [12.0, 0.0]]
    """
    items, several = _items(inputs, "inputs")
    leaves = _leaves(items, create_graph)
    out = _one_output(*_call(f, leaves, several), "hessian")
    with enable_grad():
        gradient = grad(out, leaves, create_graph=True)
        rows = [grad(g, leaves, create_graph=create_graph) for g in gradient]
    return rows if several else rows[0][0]


def hvp(f: Callable, inputs: Inputs, v: Inputs | None = None,
        create_graph: bool = False) -> tuple:
    """The value of a scalar function ``f`` and its Hessian times ``v``.

    Forward over reverse: the gradient is recorded as a graph
    (``grad(..., create_graph=True)``), then ``v`` is pushed forward through that graph
    (as ``jvp`` does), so ``H @ v`` costs one reverse and one forward pass, not one pass
    per input.

    Args:
        f: called as ``f(x)`` (one input) or ``f(*inputs)``; returns one Value or number.
        inputs: a number or Value, or a list of them.
        v: shaped like ``inputs``; may be omitted (1.0) for a single input.
        create_graph: return Values that can be differentiated again.

    Returns:
        ``(value, hvp)`` as ``torch.autograd.functional.hvp``: ``f``'s value and ``H @ v``
        shaped like ``inputs``.

    Raises:
        TypeError: an input, tangent or the output is not a number or Value.
        ValueError: ``f`` returns a list, or ``v`` is not shaped like ``inputs``.

    >>> hvp(lambda x, y: x**3 * y, [2.0, 5.0], [1.0, 0.0])   # the first column of H
    (40.0, [60.0, 12.0])
    """
    items, several = _items(inputs, "inputs")
    ts = _tangents(v, items, several, create_graph)
    leaves = _leaves(items, create_graph)
    out = _one_output(*_call(f, leaves, several), "hvp")
    with enable_grad():
        gradient = grad(out, leaves, create_graph=True)
    products = _directional(gradient, dict(zip(leaves, ts)), create_graph)
    value = out if create_graph else out.data
    return value, _shaped(products, several)


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
    for node in reversed(order):
        prev = node._prev
        if not prev or node not in grads:
            continue
        g = grads[node]
        ps = local_partials(node, m)
        for child, p in zip(prev, ps):
            contribution = g * p
            old = grads.get(child)
            grads[child] = contribution if old is None else old + contribution
    return grads
