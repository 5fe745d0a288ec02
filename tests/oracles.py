"""The tests' shared oracles and generators, in one module (no test imports another).

* ``ORACLES``: every op of the rule table as a sympy expression, with points: the
  independent oracle of its value and first and second derivatives
  (``tests/autograd/test_rules.py``, ``tests/autograd/test_rules_everywhere.py``); adding
  an op to the table means adding its line here.
* ``step`` and ``build``: random expression graphs (hypothesis programs) for the tests
  that compare reverse mode with differences, forward mode, compiled and user ops.
* ``svg_content``: what an SVG picture says (texts, edges, highlights), for comparing
  drawings across Graphviz versions.

``tests/conftest.py`` registers this module with ``pytest.register_assert_rewrite``, so an
assert here reports like one in a test.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import sympy as sp
from hypothesis import strategies as st

import autograd as ag
from autograd import Value
from demos.alice import NAMES, AliceNetwork

# --- every op against sympy ----------------------------------------------------------------

X, Y, Z, W = sp.symbols("x y z w", real=True)
R = sp.Rational


def _pw(*pieces):
    return sp.Piecewise(*pieces)


def _local(f):
    """Rounding functions are constant near a point: their oracle is that constant."""
    return lambda point: sp.Float(f(point[0]), 60) + 0 * X


def _fmod_oracle(point):
    q = math.trunc(point[0] / point[1])
    return X - q * Y  # locally, away from the jumps, a - trunc(a/b)*b with a fixed quotient


def _remainder_oracle(point):
    return X - math.floor(point[0] / point[1]) * Y


SELU_A, SELU_S = sp.Float("1.6732632423543772848170429916717", 60), \
    sp.Float("1.0507009873554804934193349852946", 60)
GELU_K = sp.sqrt(2 / sp.pi)

# op -> (how to build it from Values, sympy expression (or a function of the point giving
# one), symbols, ordinary points)
ORACLES = {
    "add": (lambda a, b: a + b, X + Y, (X, Y), [(1.5, -2.0), (0.0, 0.0)]),
    "mul": (lambda a, b: a * b, X * Y, (X, Y), [(1.5, -2.0), (0.0, 3.0)]),
    "div": (lambda a, b: a / b, X / Y, (X, Y), [(1.5, -2.0), (0.0, 3.0), (-0.7, 0.3)]),
    "pow": (lambda a: a**3, X**3, (X,), [(2.0,), (-2.0,), (0.0,)]),
    "powv": (lambda a, b: a**b, X**Y, (X, Y), [(2.0, 3.0), (0.7, -1.5), (3.0, 0.5)]),
    "sqrt": (lambda a: a.sqrt(), sp.sqrt(X), (X,), [(0.3,), (2.5,)]),
    "rsqrt": (lambda a: a.rsqrt(), 1 / sp.sqrt(X), (X,), [(0.3,), (2.5,)]),
    "cbrt": (lambda a: a.cbrt(), sp.sign(X) * sp.Abs(X) ** R(1, 3), (X,), [(0.3,), (-8.0,)]),
    "hypot": (lambda a, b: a.hypot(b), sp.sqrt(X**2 + Y**2), (X, Y), [(3.0, -4.0), (0.5, 0.0)]),
    "exp": (lambda a: a.exp(), sp.exp(X), (X,), [(0.3,), (-2.0,), (0.0,)]),
    # 2**x as exp(x log 2): sympy would expand 2**(10**300) into an integer
    "exp2": (lambda a: a.exp2(), sp.exp(X * sp.log(2)), (X,), [(0.3,), (-2.0,)]),
    "expm1": (lambda a: a.expm1(), sp.exp(X) - 1, (X,), [(0.3,), (-2.0,), (1e-9,)]),
    "log": (lambda a: a.log(), sp.log(X), (X,), [(0.3,), (2.5,)]),
    "log1p": (lambda a: a.log1p(), sp.log(1 + X), (X,), [(0.3,), (-0.5,), (1e-9,)]),
    "log2": (lambda a: a.log2(), sp.log(X, 2), (X,), [(0.3,), (8.0,)]),
    "log10": (lambda a: a.log10(), sp.log(X, 10), (X,), [(0.3,), (1000.0,)]),
    "logaddexp": (lambda a, b: a.logaddexp(b), sp.log(sp.exp(X) + sp.exp(Y)), (X, Y),
                  [(0.5, -1.0), (3.0, 3.0)]),
    "sin": (lambda a: a.sin(), sp.sin(X), (X,), [(0.3,), (-2.0,)]),
    "cos": (lambda a: a.cos(), sp.cos(X), (X,), [(0.3,), (-2.0,)]),
    "tan": (lambda a: a.tan(), sp.tan(X), (X,), [(0.3,), (-2.0,)]),
    "asin": (lambda a: a.asin(), sp.asin(X), (X,), [(0.3,), (-0.9,)]),
    "acos": (lambda a: a.acos(), sp.acos(X), (X,), [(0.3,), (-0.9,)]),
    "atan": (lambda a: a.atan(), sp.atan(X), (X,), [(0.3,), (-20.0,)]),
    "atan2": (lambda a, b: a.atan2(b), sp.atan2(X, Y), (X, Y),
              [(1.0, 2.0), (-1.0, -2.0), (0.5, -3.0)]),
    "sinh": (lambda a: a.sinh(), sp.sinh(X), (X,), [(0.3,), (-2.0,)]),
    "cosh": (lambda a: a.cosh(), sp.cosh(X), (X,), [(0.3,), (-2.0,)]),
    "tanh": (lambda a: a.tanh(), sp.tanh(X), (X,), [(0.3,), (-1.7,), (0.0,)]),
    "asinh": (lambda a: a.asinh(), sp.asinh(X), (X,), [(0.3,), (-2.0,)]),
    "acosh": (lambda a: a.acosh(), sp.acosh(X), (X,), [(1.3,), (20.0,)]),
    "atanh": (lambda a: a.atanh(), sp.atanh(X), (X,), [(0.3,), (-0.9,)]),
    "erf": (lambda a: a.erf(), sp.erf(X), (X,), [(0.3,), (-2.0,)]),
    "erfc": (lambda a: a.erfc(), sp.erfc(X), (X,), [(0.3,), (4.0,)]),
    "sigmoid": (lambda a: a.sigmoid(), 1 / (1 + sp.exp(-X)), (X,), [(0.3,), (-4.0,), (0.0,)]),
    "relu": (lambda a: a.relu(), _pw((X, X > 0), (0, True)), (X,), [(0.3,), (-1.0,), (0.0,)]),
    "leaky_relu": (lambda a: ag.leaky_relu(a, 0.2), _pw((X, X > 0), (X / 5, True)), (X,),
                   [(0.3,), (-1.0,), (0.0,)]),
    "softplus": (lambda a: ag.softplus(a, beta=2.0), sp.log(1 + sp.exp(2 * X)) / 2, (X,),
                 [(0.3,), (-4.0,), (0.0,)]),
    "elu": (lambda a: ag.elu(a, 0.5), _pw((X, X > 0), ((sp.exp(X) - 1) / 2, True)), (X,),
            [(0.3,), (-1.5,)]),
    "selu": (lambda a: ag.selu(a), SELU_S * _pw((X, X > 0), (SELU_A * (sp.exp(X) - 1), True)),
             (X,), [(0.3,), (-1.5,)]),
    "celu": (lambda a: ag.celu(a, 2.0), _pw((X, X > 0), (2 * (sp.exp(X / 2) - 1), True)), (X,),
             [(0.3,), (-1.5,)]),
    "gelu": (lambda a: ag.gelu(a), X * (1 + sp.erf(X / sp.sqrt(2))) / 2, (X,),
             [(0.3,), (-1.5,), (0.0,), (-10.0,)]),
    "gelu_tanh": (lambda a: ag.gelu(a, approximate="tanh"),
                  X / 2 * (1 + sp.tanh(GELU_K * (X + R(44715, 10**6) * X**3))), (X,),
                  [(0.3,), (-1.5,), (0.0,)]),
    "silu": (lambda a: ag.silu(a), X / (1 + sp.exp(-X)), (X,), [(0.3,), (-1.5,), (0.0,)]),
    "mish": (lambda a: ag.mish(a), X * sp.tanh(sp.log(1 + sp.exp(X))), (X,),
             [(0.3,), (-1.5,), (0.0,)]),
    "softsign": (lambda a: ag.softsign(a), X / (1 + sp.Abs(X)), (X,), [(0.3,), (-1.5,)]),
    "logsigmoid": (lambda a: ag.logsigmoid(a), -sp.log(1 + sp.exp(-X)), (X,),
                   [(0.3,), (-1.5,), (0.0,)]),
    "hardtanh": (lambda a: ag.hardtanh(a, -2.0, 1.0), _pw((-2, X < -2), (1, X > 1), (X, True)),
                 (X,), [(0.3,), (-3.0,), (2.0,)]),
    "hardsigmoid": (lambda a: ag.hardsigmoid(a), _pw((0, X < -3), (1, X > 3), (X / 6 + R(1, 2),
                    True)), (X,), [(0.3,), (-4.0,), (3.5,)]),
    "hardswish": (lambda a: ag.hardswish(a), _pw((0, X < -3), (X, X > 3), (X * (X + 3) / 6,
                  True)), (X,), [(0.3,), (-4.0,), (3.5,), (-2.0,)]),
    "abs": (lambda a: abs(a), sp.Abs(X), (X,), [(0.3,), (-1.0,), (0.0,)]),
    "sign": (lambda a: a.sign(), sp.sign(X), (X,), [(0.3,), (-1.0,), (0.0,)]),
    "floor": (lambda a: a.floor(), _local(math.floor), (X,), [(0.3,), (-1.5,)]),
    "ceil": (lambda a: a.ceil(), _local(math.ceil), (X,), [(0.3,), (-1.5,)]),
    "round": (lambda a: a.round(), _local(round), (X,), [(0.3,), (-1.7,), (2.5,)]),
    "trunc": (lambda a: a.trunc(), _local(math.trunc), (X,), [(0.3,), (-1.5,)]),
    "maximum": (lambda a, b: a.maximum(b), sp.Max(X, Y), (X, Y), [(1.0, 2.0), (-1.0, -2.0)]),
    "minimum": (lambda a, b: a.minimum(b), sp.Min(X, Y), (X, Y), [(1.0, 2.0), (-1.0, -2.0)]),
    "clamp": (lambda a: a.clamp(-0.5, 2.0), _pw((-R(1, 2), X < -R(1, 2)), (2, X > 2), (X, True)),
              (X,), [(0.3,), (-1.0,), (3.0,)]),
    "copysign": (lambda a, b: a.copysign(b), sp.Abs(X) * sp.sign(Y), (X, Y),
                 [(1.5, -2.0), (-1.5, 2.0)]),
    "fmod": (lambda a, b: a.fmod(b), _fmod_oracle, (X, Y), [(5.5, 2.0), (-5.5, 2.0), (5.5, -2.0)]),
    "remainder": (lambda a, b: a % b, _remainder_oracle, (X, Y),
                  [(5.5, 2.0), (-5.5, 2.0), (5.5, -2.0)]),
    "sum": (lambda a, b, c: ag.sum([a, b, c]), X + Y + Z, (X, Y, Z), [(1.0, -2.0, 0.5)]),
    "dot": (lambda a, b, c, d: ag.dot([a, b], [c, d], bias=c), X * Z + Y * W + Z,
            (X, Y, Z, W), [(1.0, -2.0, 0.5, 3.0)]),
}


# --- random expression graphs ---------------------------------------------------------------

UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "exp_small": lambda a: (a.tanh() * 0.5).exp(),  # keep exp bounded
    "log_pos": lambda a: (a * a + 1.0).log(),
    "square": lambda a: a**2,
    "softplus": lambda a: a.softplus(),
    "sqrt_pos": lambda a: (a * a + 0.5).sqrt(),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "pow_pos": lambda a, b: (a * a + 0.5) ** b.tanh(),
}
NARY = {
    "sum": lambda xs: ag.sum(xs),
    "dot": lambda xs: ag.dot(xs[: len(xs) // 2], xs[len(xs) // 2 : 2 * (len(xs) // 2)],
                             bias=xs[-1]),
}

step = st.one_of(
    st.tuples(st.just("u"), st.sampled_from(sorted(UNARY)), st.integers(0, 10**6)),
    st.tuples(st.just("b"), st.sampled_from(sorted(BINARY)), st.integers(0, 10**6),
              st.integers(0, 10**6)),
    st.tuples(st.just("n"), st.sampled_from(sorted(NARY)),
              st.lists(st.integers(0, 10**6), min_size=3, max_size=6)),
)


def build(program, leaves):
    """Replay a program on leaves: each step uses any earlier node (sharing)."""
    nodes = list(leaves)
    for instr in program:
        kind, name = instr[0], instr[1]
        pick = lambda i: nodes[i % len(nodes)]  # noqa: B023 - used immediately
        if kind == "u":
            node = UNARY[name](pick(instr[2]))
        elif kind == "b":
            node = BINARY[name](pick(instr[2]), pick(instr[3]))
        else:
            node = NARY[name]([pick(i) for i in instr[2]])
        # squash so that long chains stay in a range where differences are accurate
        nodes.append(node.tanh() * 2.0)
    return nodes[-1]


# --- what an SVG picture says ---------------------------------------------------------------

NS = "{http://www.w3.org/2000/svg}"


def svg_content(path) -> dict:
    root = ET.parse(path).getroot()
    groups = {}
    for g in root.iter(f"{NS}g"):
        kind = g.get("class")
        if kind not in ("node", "edge"):
            continue
        title = g.findtext(f"{NS}title")
        texts = tuple(t.text for t in g.iter(f"{NS}text"))
        colours = tuple(sorted({e.get("stroke") for e in g.iter() if e.get("stroke")}))
        groups[(kind, title)] = (texts, colours)
    return groups


# --- the documents' graphs -------------------------------------------------------------------

# D4's worked example, as the document writes the chain rule for w1.
DOC_LINE = "dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214"


def alice():
    """D4's worked example: (loss, {name: Value})."""
    net = AliceNetwork({n: (1.0 if n.startswith("w") else 0.0) for n in NAMES})
    x1, x2 = Value(-2.0, label="x1"), Value(-1.0, label="x2")
    h1, _, o1 = net.forward((x1, x2))
    o1.label = "ypred"
    loss = (1.0 - o1) ** 2
    loss.label = "L"
    return loss, {**net.p, "x1": x1, "x2": x2, "h1": h1, "ypred": o1}


def two_paths(label_x: str = "x"):
    """L = u*v with u = x*y, v = u + x: x reaches L by three paths (x=2, y=3)."""
    x, y = Value(2.0, label=label_x), Value(3.0, label="y")
    u = x * y
    u.label = "u"
    v = u + x
    v.label = "v"
    L = u * v
    L.label = "L"
    return L


def small_mlp_loss():
    """A 2-3-3-1 nn.MLP's squared error on one sample, labelled ``loss`` (seed 0)."""
    import nn

    model = nn.MLP(2, [3, 3, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.label = "loss"
    return loss
