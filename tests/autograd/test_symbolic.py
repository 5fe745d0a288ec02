"""to_sympy and symbolic_grad against the engine's own numbers, for every op of the rule
table that sympy can express, at random points (never against sympy's output alone)."""

import math
import operator
import random

import pytest

import autograd
from autograd import RULES, Value, grad, symbolic_grad, to_sympy
from autograd.program import FUNCTIONS
from autograd.symbolic import (
    NotExpressible,
    from_formula,
    partial_tree,
    to_latex,
    to_mathml,
    to_text,
)

sp = pytest.importorskip("sympy")

# How a node of each op is made when the command line's functions do not say it all.
_BUILD = {
    "add": lambda a: operator.add(a[0], a[1]), "mul": lambda a: operator.mul(a[0], a[1]),
    "div": lambda a: operator.truediv(a[0], a[1]), "powv": lambda a: a[0] ** a[1],
    "pow": lambda a: a[0] ** 2.5, "sum": lambda a: autograd.sum(a),
    "dot": lambda a: autograd.dot(a[:1], a[1:2], a[2]),
    "clamp": lambda a: autograd.clamp(a[0], -0.5, 0.7),
    "gelu_tanh": lambda a: autograd.gelu(a[0], approximate="tanh"),
    "leaky_relu": lambda a: autograd.leaky_relu(a[0], 0.1),
    "softplus": lambda a: autograd.softplus(a[0], 2.0, 1.5),
    "hardtanh": lambda a: autograd.hardtanh(a[0], -0.5, 0.9),
}


def _build(op: str, xs: list[float]):
    leaves = [Value(x, label=n) for x, n in zip(xs, ("a", "b", "c"))]
    if op in _BUILD:
        y = _BUILD[op](leaves)
    else:
        n = 2 if RULES[op].arity == 2 else 1
        y = FUNCTIONS[op](*leaves[:n])
    used = [leaf for leaf in leaves if any(leaf is n for n in autograd.topological_order(y))]
    return y, used


def _point(op: str, rng: random.Random):
    """A random point where the op is defined and differentiable (not at a kink)."""
    for _ in range(500):
        xs = [rng.choice((-1, 1)) * rng.uniform(0.05, 2.5) for _ in range(3)]
        y, leaves = _build(op, xs)
        grads = grad(y, leaves)
        if math.isfinite(y.data) and all(map(math.isfinite, grads)):
            if op in ("clamp", "hardtanh", "hardsigmoid", "hardswish") and \
                    min(abs(xs[0] - k) for k in (-3, -0.5, 0.7, 0.9, 3)) < 1e-3:
                continue
            return y, leaves, grads
    raise AssertionError(f"no point found for {op}")


def _value(expr, leaves):
    sub = {sp.Symbol(leaf.label, real=True): leaf.data for leaf in leaves}
    return float(sp.N(expr.subs(sub), 30))


@pytest.mark.parametrize("op", sorted(RULES))
def test_symbolic_grad_equals_reverse_mode_at_random_points(op):
    rng = random.Random(op)
    for _ in range(4):
        y, leaves, grads = _point(op, rng)
        assert y.op == op
        try:
            expr = to_sympy(y)
        except NotExpressible as e:  # pragma: no cover - every op today has an expr
            pytest.skip(f"sympy cannot express {op}: {e}")
        assert math.isclose(_value(expr, leaves), y.data, rel_tol=1e-9, abs_tol=1e-12)
        for leaf, want, d in zip(leaves, grads, symbolic_grad(y, leaves, simplify=False)):
            assert math.isclose(_value(d, leaves), want, rel_tol=1e-8, abs_tol=1e-10), \
                (op, leaf.label, d)


def test_every_op_is_expressible():
    """The parametrised test above skips nothing: every rule's expr reads in sympy."""
    missing = []
    for op in RULES:
        y, _ = _build(op, [0.3, 0.7, 1.1])
        try:
            to_sympy(y)
        except NotExpressible:
            missing.append(op)
    assert missing == []


def test_alice_closed_form_matches_d4_and_reverse_mode():
    x1, x2 = Value(-2.0), Value(-1.0)
    w1, w2, w3, w4, w5, w6 = (Value(1.0) for _ in range(6))
    b1, b2, b3 = (Value(0.0) for _ in range(3))
    h1 = (w1 * x1 + w2 * x2 + b1).sigmoid()
    h2 = (w3 * x1 + w4 * x2 + b2).sigmoid()
    ypred = (w5 * h1 + w6 * h2 + b3).sigmoid()
    L = (1.0 - ypred) ** 2
    d = symbolic_grad(L, w1)
    assert {s.name for s in d.free_symbols} <= {"x1", "x2", "w1", "w2", "w3", "w4", "w5",
                                                "w6", "b1", "b2", "b3"}
    point = {sp.Symbol(n, real=True): v for n, v in (("x1", -2.0), ("x2", -1.0))}
    point.update({sp.Symbol(f"w{i}", real=True): 1.0 for i in range(1, 7)})
    point.update({sp.Symbol(f"b{i}", real=True): 0.0 for i in range(1, 4)})
    value = float(d.subs(point))
    assert math.isclose(value, grad(L, [w1])[0], rel_tol=1e-12)
    assert f"{value:.3g}" == "0.0215"  # D4's 0.0214 is the product of rounded factors
    assert str(to_sympy(h1).free_symbols and "w1") == "w1"


def test_simplified_and_many():
    x = Value(3.0)
    y = x * x + x
    assert symbolic_grad(y, x) == 2 * sp.Symbol("x", real=True) + 1
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert symbolic_grad(a * b, [a, b]) == [sp.Symbol("b", real=True),
                                            sp.Symbol("a", real=True)]


def test_unnamed_leaves_are_constants_and_bad_wrt_is_named():
    a = Value(2.0, label="a")
    y = a * Value(3.0)
    assert to_sympy(y) == 3 * sp.Symbol("a", real=True)
    with pytest.raises(ValueError, match="named leaf"):
        symbolic_grad(y, Value(1.0))
    with pytest.raises(TypeError):
        to_sympy(2.0)


def test_missing_sympy_is_a_clear_import_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sympy", None)
    with pytest.raises(ImportError, match="pip install sympy"):
        to_sympy(Value(1.0, label="a").exp())
    with pytest.raises(ImportError, match="optional dependency"):
        symbolic_grad(Value(1.0, label="a").exp(), Value(1.0))


def test_one_translator_writes_every_language():
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    from autograd.symbolic import Name

    tree = partial_tree(y, 0, [Name("x")], itself=Name("y"))
    assert to_text(tree) == "1 - y**2"
    assert to_latex(tree) == "1 - {y}^{2}"
    assert to_mathml(tree) == "<mrow><mn>1</mn><mo>−</mo><msup><mrow><mi>y</mi></mrow>" \
        "<mrow><mn>2</mn></mrow></msup></mrow>"
    assert str(sp.simplify(autograd.symbolic.to_sympy_expr(tree))) == "1 - y**2"


def test_from_formula_rejects_prose():
    with pytest.raises(NotExpressible):
        from_formula("x_i (for w_i)", {})
    with pytest.raises(NotExpressible):
        from_formula("lambda: 1", {})


@pytest.mark.parametrize("op", sorted(RULES))
def test_every_formula_prints_in_every_language(op):
    """Each rule's derivative formulas, read by the one translator, print as text that
    the checker's notation reads back (or as f'(x) where it has no case split),
    LaTeX with balanced braces and MathML."""
    from sheets import balanced as _balanced

    from autograd.notation import parse_line
    from autograd.symbolic import Name, writable

    y, leaves = _build(op, [0.3, 0.7, 1.1])
    args = [Name(leaf.label) for leaf in y.inputs] if all(
        leaf.label for leaf in y.inputs) else None
    if args is None:
        pytest.skip("inputs are not leaves")
    expressible = 0
    for k in range(len(args)):
        try:
            tree = partial_tree(y, k, args, itself=Name("y"))
        except NotExpressible:
            continue  # prose (softplus, gelu_tanh): the worksheet writes f'(x)
        expressible += 1
        assert _balanced(to_latex(tree))
        assert to_mathml(tree).count("<mrow>") == to_mathml(tree).count("</mrow>")
        if writable(tree):
            parse_line(f"dy/d{args[k].name} = {to_text(tree)}")
    if not expressible:
        pytest.skip(f"{op}'s formula is prose, not a formula: the worksheet writes f'(x)")


def test_a_rules_own_sympy_form_and_markup_are_what_the_translator_uses():
    """Nothing outside the rule knows an op: a primitive registered now, with no expr,
    is translated by its ``sympy`` form (ctx included), its derivative is sympy's of that,
    and a call of it prints as its ``latex``/``mathml`` say."""
    from autograd.rules import registered
    from autograd.symbolic import Call, Name

    with registered("scaled_sinh", 1, lambda ctx, x: ctx * math.sinh(x),
                    lambda m, out, ctx, x: (ctx * m.cosh(x),), "k*cosh(x)",
                    ctx_of=lambda k=2.0: float(k),
                    sympy=lambda sp, ctx, x: sp.nsimplify(ctx) * sp.sinh(x),
                    latex=r"\mathcal{{S}}\left({0}\right)", mathml="<ms>{0}</ms>"):
        x = Value(0.3, label="x")
        y = autograd.engine.new_node(3.0 * math.sinh(0.3), (x,), "scaled_sinh", 3.0)
        X = sp.Symbol("x", real=True)
        assert to_sympy(y) == 3 * sp.sinh(X)
        d = symbolic_grad(y, x)
        assert math.isclose(float(d.subs(X, 0.3)), grad(y, [x])[0], rel_tol=1e-12)
        # a formula's call gives no constants: the op's defaults (k = 2)
        assert autograd.symbolic.to_sympy_expr(Call("scaled_sinh", (Name("x"),))) == \
            2 * sp.sinh(X)
        assert to_latex(Call("scaled_sinh", (Name("x"),))) == r"\mathcal{S}\left(x\right)"
        assert to_mathml(Call("scaled_sinh", (Name("x"),))) == "<ms><mi>x</mi></ms>"


def test_an_op_without_a_sympy_form_is_translated_from_its_expr_in_other_ops():
    from autograd.rules import registered
    from autograd.symbolic import Call, Name

    with registered("softsq", 1, lambda ctx, x: math.log1p(x * x),
                    lambda m, out, ctx, x: (2.0 * x / (1.0 + x * x),), "2*x/(1 + x**2)",
                    expr="log1p(x**2)"):
        X = sp.Symbol("x", real=True)
        # log1p's own expr (log(1 + x)) is used in turn: a chain of rules, no table
        assert autograd.symbolic.to_sympy_expr(Call("softsq", (Name("x"),))) == \
            sp.log(1 + X**2)
    with registered("loops", 1, lambda ctx, x: x, lambda m, out, ctx, x: (1.0,), "1",
                    expr="loops(x)"), pytest.raises(NotExpressible, match="loops"):
        autograd.symbolic.to_sympy_expr(Call("loops", (Name("x"),)))


def test_an_n_ary_sum_of_products_is_written_from_the_rule():
    """``Rule.sum_of`` says how an n-ary op's inputs combine: a registered op that sums
    products of triples is expanded and differentiated as such."""
    from autograd.rules import registered
    from autograd.symbolic import Name

    def forward(ctx, *xs):
        n = len(xs) // 3
        return math.fsum(xs[i] * xs[n + i] * xs[2 * n + i] for i in range(n))

    def partials(m, out, ctx, *xs):
        n = len(xs) // 3
        return tuple(xs[(k + n) % (3 * n)] * xs[(k + 2 * n) % (3 * n)] for k in range(3 * n))

    with registered("triple_dot", -1, forward, partials, "the others of the triple",
                    sum_of=3) as rule:
        names = [Name(n) for n in ("a", "b", "c", "d", "e", "f")]
        assert autograd.symbolic.sum_terms(rule.sum_of, 6) == [(0, 2, 4), (1, 3, 5)]
        node = autograd.engine.new_node(0.0, tuple(Value(1.0) for _ in range(6)),
                                        "triple_dot")
        assert to_text(autograd.symbolic.forward_tree(node, names)) == "a*c*e + b*d*f"
        assert to_text(partial_tree(node, 3, names)) == "b*f"


def test_a_name_in_a_latex_formula_is_escaped_for_math_mode():
    """A name sits in ``\\mathrm{}`` inside math: text-mode commands (``\\textbackslash``)
    are errors there and a plain space is dropped, so names take explain's math-mode
    escape, the same one (``tex_escape``) for worksheets and explain."""
    from autograd.symbolic import Deriv, Name, to_latex

    latex = to_latex(Name("my loss^2\\x"))
    assert latex == r"\mathrm{my\ loss\wedge{}2\backslash{}x}"
    assert "\\text" not in to_latex(Deriv("a~b", "w_1<b>"))
    assert to_latex(Name("w1")) == "w_{1}" and to_latex(Name("η")) == r"\eta"
