"""Exercises: a fresh small network (or expression) to work out by hand, with its key.

``exercise("neuron", seed=3)`` builds a graph from the engine's ops (never from
:mod:`nn`), with hand-friendly numbers; ``.worksheet`` is its blank worksheet and
``.answers()`` the key, which :func:`autograd.check_work` can mark.  The same seed gives
the same exercise in every process and on every machine (:class:`random.Random` with an
integer seed is specified to be reproducible), and the activation and the loss vary with
the seed.

Kinds:

* ``"neuron"``: one neuron ``yhat = f(w1*x1 + w2*x2 + b)`` and one loss;
* ``"two-layer"``: an Alice-sized network (two hidden neurons, one output) and a loss;
* ``"expression"``: a random expression whose shared node reaches the output by two
  paths, so the sum over paths must be worked out.
"""

from __future__ import annotations

import operator
import random
from dataclasses import dataclass, field

from .engine import Value, new_node
from .functional import grad
from .graph import topological_order
from .ops import FUNCTIONS
from .rules import RULES
from .worksheets import Worksheet, worksheet

__all__ = ["exercise", "Exercise", "KINDS"]

KINDS = ("neuron", "two-layer", "expression")

_INPUTS = (-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0)
_WEIGHTS = (-1.5, -1.0, -0.5, 0.5, 1.0, 1.5)
_BIASES = (-1.0, -0.5, 0.0, 0.5, 1.0)
# How u = a ? b is made in an expression exercise: the operator as written, and applied.
_COMBINE = (("*", operator.mul), ("+", operator.add), ("-", operator.sub))


def _ops(part: str) -> tuple[str, ...]:
    """The ops that play ``part`` in exercises (``Rule.exercises``: "hidden", "output",
    "probability", "expression"), in the table's order (the same in every process)."""
    return tuple(name for name, r in RULES.items() if part in r.exercises)


@dataclass
class Exercise:
    """One exercise.

    Attributes:
        kind, seed: what was asked for.
        root: the output (the loss, or the expression), a graph of engine ops.
        wrt: the Values whose derivatives are asked for.
        activation, loss: what the seed chose (``loss`` is ``""`` for an expression).
        description: the task in one sentence.
    """

    kind: str
    seed: int
    root: Value
    wrt: list
    activation: str
    loss: str
    description: str
    _sheet: Worksheet | None = field(default=None, init=False, repr=False)

    @property
    def worksheet(self) -> Worksheet:
        """The blank worksheet (every computed number a numbered blank)."""
        if self._sheet is None:
            self._sheet = worksheet(self.root, self.wrt, blanks=True, names=False)
            self._sheet.title = f"Exercise: {self.kind}, seed {self.seed}"
            self._sheet.sections[0].prose = self.description
        return self._sheet

    def answers(self) -> str:
        """The key: the worksheet's lines with every blank filled in."""
        return self.worksheet.answers()


def _activate(z: Value, name: str) -> Value:
    """``name``'s op applied to ``z``: its function, or (a rule registered after import,
    which has none yet) a node of its rule."""
    rule = RULES[name]
    if rule.functions and rule.functions[0] in FUNCTIONS:
        return FUNCTIONS[rule.functions[0]](z)
    return new_node(rule.forward(None, z.data), (z,), name)


def _loss(yhat: Value, y: Value, kind: str) -> Value:
    if kind == "bce":
        return -(y * yhat.log() + (1.0 - y) * (1.0 - yhat).log())
    return (y - yhat) ** 2


def _label(v: Value, name: str) -> Value:
    v.label = name
    return v


def _leaf(name: str, value: float) -> Value:
    return Value(value, label=name)


def _neuron(rng: random.Random):
    act = rng.choice(_ops("hidden"))
    loss = rng.choice(("mse", "bce")) if act in _ops("probability") else "mse"
    while True:  # never exactly at relu's kink
        x1, x2 = (_leaf(n, rng.choice(_INPUTS)) for n in ("x1", "x2"))
        w1, w2 = (_leaf(n, rng.choice(_WEIGHTS)) for n in ("w1", "w2"))
        b = _leaf("b", rng.choice(_BIASES))
        z = w1 * x1 + w2 * x2 + b
        if z.data != 0.0:
            break
    y = _leaf("y", float(rng.choice((0, 1))))
    yhat = _label(_activate(z, act), "yhat")
    root = _label(_loss(yhat, y, loss), "L")
    return root, [w1, w2, b], act, loss, (
        f"One neuron, yhat = {act}(w1*x1 + w2*x2 + b), with the "
        f"{'squared error' if loss == 'mse' else 'binary cross-entropy'} loss L against "
        f"the target y: work out the forward pass, L, and dL/dw1, dL/dw2 and dL/db.")


def _two_layer(rng: random.Random):
    hidden = rng.choice(_ops("hidden"))
    loss = rng.choice(("mse", "bce"))
    out = rng.choice(_ops("probability" if loss == "bce" else "output"))
    names = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")
    while True:
        x1, x2 = (_leaf(n, rng.choice(_INPUTS)) for n in ("x1", "x2"))
        p = {n: _leaf(n, rng.choice(_BIASES if n[0] == "b" else _WEIGHTS)) for n in names}
        z1 = p["w1"] * x1 + p["w2"] * x2 + p["b1"]
        z2 = p["w3"] * x1 + p["w4"] * x2 + p["b2"]
        if z1.data != 0.0 and z2.data != 0.0:
            break
    h1 = _label(_activate(z1, hidden), "h1")
    h2 = _label(_activate(z2, hidden), "h2")
    z3 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    yhat = _label(_activate(z3, out), "yhat")
    y = _leaf("y", float(rng.choice((0, 1))))
    root = _label(_loss(yhat, y, loss), "L")
    asked = sorted(rng.sample(range(len(names)), 3))
    wrt = [p[names[i]] for i in asked]
    listed = ", ".join(f"dL/d{names[i]}" for i in asked)
    return root, wrt, hidden, loss, (
        f"Two inputs, two hidden neurons h1, h2 ({hidden}) and an output yhat ({out}), "
        f"with the {'squared error' if loss == 'mse' else 'binary cross-entropy'} loss L: "
        f"work out the forward pass, L, and {listed}.")


def _expression(rng: random.Random):
    a, b, c = (_leaf(n, rng.choice(_INPUTS)) for n in ("a", "b", "c"))
    act = rng.choice(_ops("expression"))
    symbol, combine = rng.choice(_COMBINE)
    u = _label(combine(a, b), "u")
    v = _label(_activate(u, act), "v")
    # u reaches f twice: through v and directly
    shape = rng.choice(("v*c + u", "(u + v)*c", "u*v + c"))
    f = {"v*c + u": lambda: v * c + u, "(u + v)*c": lambda: (u + v) * c,
         "u*v + c": lambda: u * v + c}[shape]()
    root = _label(f, "f")
    return root, [a, b, c], act, "", (
        f"f = {shape} with u = a {symbol} b and v = {act}(u): u reaches f along two "
        f"paths, so df/da and df/db are sums over both. Work out u, v, f, df/da, df/db and df/dc.")


_BUILDERS = {"neuron": _neuron, "two-layer": _two_layer, "expression": _expression}


def exercise(kind: str, seed: int = 0) -> Exercise:
    """A new exercise: a graph to work out by hand, its blank worksheet and its key.

    Args:
        kind: ``"neuron"``, ``"two-layer"`` or ``"expression"``.
        seed: any integer; the same seed gives the same exercise everywhere.

    Returns:
        An :class:`Exercise` (``.root``, ``.worksheet``, ``.answers()``).

    Raises:
        ValueError: an unknown kind.
        TypeError: ``seed`` is not an integer.

    >>> ex = exercise("neuron", seed=1)
    >>> ex.worksheet.blanks > 0, "___" in ex.worksheet.text(), "___" in ex.answers()
    (True, True, False)
    """
    if kind not in _BUILDERS:
        raise ValueError(f"unknown exercise kind {kind!r}; kinds: {', '.join(KINDS)}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"exercise() seed must be an integer, got {type(seed).__name__}")
    rng = random.Random(seed)
    for _ in range(_TRIES):
        root, wrt, activation, loss, description = _BUILDERS[kind](rng)
        if _workable(root, wrt):
            break
    return Exercise(kind, seed, root, wrt, activation, loss, description)


_TRIES = 200  # draws until the numbers suit a hand calculation (nearly always the first few)


def _workable(root: Value, wrt: list) -> bool:
    """Numbers a person can work with: every asked derivative neither 0 (a dead relu)
    nor tiny or huge, and no value (a saturated activation) below 1e-2 in size."""
    values = [n.data for n in topological_order(root) if n.label and not n.is_leaf]
    if any(v != 0.0 and not 1e-2 <= abs(v) <= 100.0 for v in values):
        return False
    return all(1e-3 <= abs(g) <= 100.0 for g in grad(root, wrt))
