"""The generated reverse pass (``backward``) against the plain loop of the chain rule
(``reference_backward``), bit for bit, on graphs using every op of the rule table.

Also the one way to evaluate a node's local partials, ``rules.local_partials``."""

from __future__ import annotations

import math
import random
import struct

import pytest

import autograd as ag
from autograd import RULES, UnknownOpError, Value
from autograd.graph import reference_backward
from autograd.ops import FUNCTIONS
from autograd.rules import FloatMath, local_partials
from autograd.valuemath import ValueMath

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-300, -1e300, math.inf, -math.inf, math.nan]


def bits(x: float) -> bytes:
    """The float's bits (signed zeros differ); every nan is one nan (IEEE leaves the sign
    and payload of a nan result unspecified, and the two passes may order a sign change
    and the operation that made the nan differently)."""
    return b"nan" if x != x else struct.pack("<d", x)


def _ops():
    """A way to build each op from Values, by name."""
    ways = {}
    for name, r in RULES.items():
        if r.functions:
            fn = FUNCTIONS[r.functions[0]]
            constants = (0.0, 0.25) if name == "clamp" else ()
            ways[name] = (r.arity, lambda *xs, fn=fn, c=constants: fn(*xs, *c))
    ways.update({
        "add": (2, lambda a, b: a + b), "mul": (2, lambda a, b: a * b),
        "pow": (1, lambda a: a ** 3.0), "powv": (2, lambda a, b: a ** b),
        "gelu": (1, ag.gelu), "gelu_tanh": (1, lambda a: ag.gelu(a, approximate="tanh")),
        "sum": (3, lambda a, b, c: ag.sum([a, b, c])),
        "dot": (3, lambda a, b, c: ag.dot([a, b], [c, a], bias=b)),
    })
    assert set(ways) == set(RULES), "a new op: say how to build it"
    return ways


OPS = _ops()


def _graph(seed: int, values):
    rng = random.Random(seed)
    leaves = [Value(v) for v in values]
    nodes = list(leaves)
    for name in rng.sample(sorted(OPS), len(OPS)):  # every op once, in a random order
        arity, build = OPS[name]
        nodes.append(build(*rng.sample(nodes[-6:] + leaves, arity)))
    return leaves, ag.sum(nodes[len(leaves):])


@pytest.mark.parametrize("seed", range(12))
def test_generated_pass_equals_the_plain_loop_bit_for_bit(seed):
    rng = random.Random(1000 + seed)
    values = [rng.choice(EDGES) if rng.random() < 0.3 else rng.uniform(-3, 3)
              for _ in range(5)]
    leaves_a, out_a = _graph(seed, values)
    leaves_b, out_b = _graph(seed, values)
    out_a.backward()
    reference_backward(out_b)
    assert [bits(x.grad) for x in leaves_a] == [bits(x.grad) for x in leaves_b]
    # interior nodes too, and a second call (leaves accumulate, interior nodes reset)
    out_a.backward(0.5)
    reference_backward(out_b, 0.5)
    assert [bits(x.grad) for x in leaves_a] == [bits(x.grad) for x in leaves_b]


def test_local_partials_evaluates_the_nodes_rule():
    a, b = Value(3.0), Value(4.0)
    y = a.hypot(b)
    assert local_partials(y) == (0.6, 0.8)
    assert local_partials(y, FloatMath) == RULES["hypot"].partials(FloatMath, 5.0, None, 3.0, 4.0)
    da, db = local_partials(y, ValueMath)  # Values: differentiable again
    (d2,) = ag.grad(da, [a])
    assert d2 == pytest.approx(4.0**2 / 5.0**3)  # d/da (a / hypot) = b**2 / hypot**3


def test_local_partials_names_an_unknown_op():
    x = Value(2.0)
    with ag.extend.registered("gone_op", 1, lambda ctx, v: v, lambda m, out, ctx, v: (1.0,),
                              "1"):
        y = ag.engine.new_node(2.0, (x,), "gone_op")
    with pytest.raises(UnknownOpError, match="gone_op"):
        local_partials(y)
    with pytest.raises(UnknownOpError, match="gone_op"):
        reference_backward(y * 1.0)


def test_every_user_of_local_partials_names_an_unknown_op():
    x = Value(2.0)
    with ag.extend.registered("gone_too", 1, lambda ctx, v: v, lambda m, out, ctx, v: (1.0,),
                              "1"):
        y = ag.engine.new_node(2.0, (x,), "gone_too") * 1.0
    def gone(v):
        return ag.engine.new_node(2.0, (v,), "gone_too")

    for call in (lambda: ag.check_local_derivatives(y), lambda: ag.jvp(gone, [x], [1.0]),
                 lambda: ag.grad(y, [x]), lambda: ag.grad(y, [x], create_graph=True),
                 lambda: y.backward()):
        with pytest.raises(UnknownOpError, match="gone_too"):
            call()
