"""explain() and assert_grad().

Oracles: the numbers of the reference document "Training a Neural Network, 2"
(seeds/003), formulas derived by hand and evaluated here with :mod:`math`, sympy, and
central finite differences.
"""

import math
import pathlib
import re

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from autograd import (
    GradientMismatch,
    Value,
    assert_grad,
    explain,
    sigmoid,
)

# The document's hand calculation, as printed there.
DOC_DL_DYPRED, DOC_DYPRED_DH1, DOC_DH1_DW1, DOC_DL_DW1 = -0.952, 0.249, -0.0904, 0.0214
DOC_LINE = "dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214"


def f(x):
    return 1.0 / (1.0 + math.exp(-x))


def alice():
    """The document's network: all weights 1, biases 0, x = (-2, -1), y = 1."""
    p = {n: Value(1.0, label=n) for n in ("w1", "w2", "w3", "w4", "w5", "w6")}
    p.update({n: Value(0.0, label=n) for n in ("b1", "b2", "b3")})
    x1, x2 = Value(-2.0, label="x1"), Value(-1.0, label="x2")
    h1 = sigmoid(p["w1"] * x1 + p["w2"] * x2 + p["b1"])
    h2 = sigmoid(p["w3"] * x1 + p["w4"] * x2 + p["b2"])
    h1.label, h2.label = "h1", "h2"
    ypred = sigmoid(p["w5"] * h1 + p["w6"] * h2 + p["b3"])
    ypred.label = "ypred"
    L = (1.0 - ypred) ** 2
    L.label = "L"
    return L, p, (x1, x2)


def exact_alice_factors():
    h = f(-3.0)  # h1 = h2 = f(w1*x1 + w2*x2 + b1) = f(-3)
    o = f(2 * h)
    return -2 * (1 - o), o * (1 - o), -2 * h * (1 - h)


def test_alice_prints_the_documents_line():
    L, p, _ = alice()
    assert str(explain(L, p["w1"])).splitlines()[0] == DOC_LINE


def test_alice_factors_are_the_documents_numbers():
    L, p, _ = alice()
    e = explain(L, p["w1"])
    (path,) = e.paths
    assert [fa.name for fa in path.factors] == ["dL/dypred", "dypred/dh1", "dh1/dw1"]
    assert [fa.written for fa in path.factors] == [DOC_DL_DYPRED, DOC_DYPRED_DH1, DOC_DH1_DW1]
    assert e.written == DOC_DL_DW1


def test_alice_exact_values_against_hand_formulas_and_finite_differences():
    L, p, _ = alice()
    e = explain(L, p["w1"], digits=None)
    expected = exact_alice_factors()
    for factor, value in zip(e.paths[0].factors, expected):
        assert factor.value == pytest.approx(value, rel=1e-12)
        assert factor.written == factor.value
    assert e.value == pytest.approx(math.prod(expected), rel=1e-12)
    assert e.agrees and e.reverse_mode == pytest.approx(e.value, rel=1e-12)
    # and the document's rounded total is within its rounding of the exact one
    assert e.value == pytest.approx(DOC_DL_DW1, rel=5e-3)

    def loss(w1):  # plain floats: the network with only w1 free
        return (1.0 - f(f(w1 * -2.0 - 1.0) + f(-3.0))) ** 2

    numeric = (loss(1.0 + 1e-6) - loss(1.0 - 1e-6)) / 2e-6
    assert e.value == pytest.approx(numeric, rel=1e-6)


def test_alice_formulas_come_from_the_rule_table():
    L, p, _ = alice()
    text = str(explain(L, p["w1"]))
    assert "dypred/dh1 = ypred*(1 - ypred) * w5 = 0.249" in text
    assert "dh1/dw1 = h1*(1 - h1) * x1 = -0.0904" in text
    assert "check: exactly dL/dw1 = 0.0214695, the same as reverse mode" in text


def test_two_paths_are_summed():
    L, _, (x1, _) = alice()
    e = explain(L, x1, digits=None)
    assert e.n_paths == 2 and e.folded == 0
    names = [[fa.name for fa in path.factors] for path in e.paths]
    assert names == [["dL/dypred", "dypred/dh1", "dh1/dx1"],
                     ["dL/dypred", "dypred/dh2", "dh2/dx1"]]
    a, b, _ = exact_alice_factors()
    h = f(-3.0)
    assert e.value == pytest.approx(2 * a * b * h * (1 - h), rel=1e-12)
    assert "dL/dx1 = dL/dypred * dypred/dh1 * dh1/dx1 + dL/dypred * dypred/dh2 * dh2/dx1" \
        in str(e)


def test_reused_node_gives_one_path_per_edge():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    e = explain(y, x)
    assert e.n_paths == 2 and e.value == 6.0
    assert e.equation() == "dy/dx = dy/dx + dy/dx = (3) + (3) = 6"


def test_single_rule_segment_shows_the_rule_formula():
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    e = explain(y, x, digits=None)
    (factor,) = e.paths[0].factors
    assert factor.formula == "1 - y**2"
    assert factor.value == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-12)


def test_against_sympy_on_a_mixed_expression():
    a, b = Value(0.7, label="a"), Value(1.3, label="b")
    u = a * b
    u.label = "u"
    y = (u.sigmoid() + a**3 + b.log() * u.sin()).exp()
    y.label = "y"
    sa, sb = sympy.symbols("a b")
    su = sa * sb
    sy = sympy.exp(1 / (1 + sympy.exp(-su)) + sa**3 + sympy.log(sb) * sympy.sin(su))
    for leaf, sym in ((a, sa), (b, sb)):
        e = explain(y, leaf, digits=None)
        expected = float(sympy.diff(sy, sym).subs({sa: 0.7, sb: 1.3}))
        assert e.value == pytest.approx(expected, rel=1e-10)
        assert math.fsum(path.value for path in e.paths) == pytest.approx(expected, rel=1e-10)


def test_path_cap_folds_the_rest_and_keeps_the_total_exact():
    x = Value(1.0, label="x")
    a = x
    for _ in range(20):  # each layer doubles the paths: 2**20 in all
        a = a * 1.5 + a * 0.5
    a.label = "y"
    e = explain(a, x, max_paths=5, digits=None)
    assert e.n_paths == 2**20 and len(e.paths) == 5 and e.folded == 2**20 - 5
    assert e.value == pytest.approx(2.0**20, rel=1e-12)  # (1.5 + 0.5) ** 20
    assert e.agrees
    assert f"[{2**20 - 5} more paths, folded]" in str(e)
    assert e.folded_value == pytest.approx(2.0**20 - math.fsum(p.value for p in e.paths))


def test_deep_chain_has_no_recursion_error():
    x = Value(0.5, label="x")
    y = x
    for _ in range(20_000):
        y = y * 1.0
    y.label = "y"
    e = explain(y, x)
    assert e.n_paths == 1 and e.value == 1.0
    assert e.paths[0].factors[0].ops == ("mul",) * 20_000


def test_no_dependence_and_self():
    x, z = Value(2.0, label="x"), Value(5.0, label="z")
    y = x * 3.0
    y.label = "y"
    assert str(explain(y, z)).startswith("dy/dz = 0 (y does not depend on z)")
    assert explain(y, y).equation() == "dy/dy = 1"


def test_unlabelled_ends_get_names():
    x = Value(2.0)
    e = explain(x * 3.0, x, names=False)
    assert e.equation() == "doutput/dinput = 3"  # not doutput/dinput = doutput/dinput


def test_notebook_renderings():
    L, p, _ = alice()
    e = explain(L, p["w1"])
    latex = e._repr_latex_()
    assert latex.startswith("$$") and r"\frac{\partial L}{\partial w_{1}}" in latex
    assert r"\mathrm{ypred}" in latex and "(-0.952)(0.249)(-0.0904)" in latex
    md = e._repr_markdown_()
    assert "`dypred/dh1 = ypred*(1 - ypred) * w5` = 0.249" in md


@pytest.mark.parametrize("kwargs, error", [
    (dict(digits=0), "digits"), (dict(max_paths=0), "max_paths")])
def test_bad_arguments(kwargs, error):
    x = Value(1.0)
    with pytest.raises(ValueError, match=error):
        explain(x * 2.0, x, **kwargs)
    with pytest.raises(TypeError, match="wrt must be a Value"):
        explain(x * 2.0, 1.0)


# --- assert_grad ------------------------------------------------------------------------


def test_assert_grad_accepts_the_documents_value():
    L, p, _ = alice()
    L.backward()
    assert assert_grad(p["w1"], DOC_DL_DW1, rel=1e-2) == p["w1"].grad


def test_assert_grad_failure_shows_both_numbers_and_the_explanation():
    L, p, _ = alice()
    L.backward()
    with pytest.raises(GradientMismatch) as info:
        assert_grad(p["w1"], 0.03, rel=1e-2, output=L)
    message = str(info.value)
    assert "w1.grad is 0.0214695" in message and "expected 0.03" in message
    assert DOC_LINE in message


def test_assert_grad_hints_at_a_missing_backward():
    L, p, _ = alice()
    with pytest.raises(AssertionError, match="was backward\\(\\) called"):
        assert_grad(p["w1"], DOC_DL_DW1, rel=1e-2, output=L)


def test_assert_grad_default_tolerance_is_tight():
    x = Value(3.0, label="x")
    (x * x).backward()
    assert_grad(x, 6.0)
    with pytest.raises(GradientMismatch, match="x.grad is 6.0, expected 6.001"):
        assert_grad(x, 6.001)
    with pytest.raises(TypeError, match="number"):
        assert_grad(x, "six")


def test_readme_shows_what_explain_prints():
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    blocks = re.findall(r"```text\n(.*?)```", readme, re.S)
    L, p, _ = alice()
    L.backward()
    assert str(explain(L, p["w1"])) + "\n" in blocks


def test_long_segments_are_summarised():
    x = Value(0.5, label="x")
    y = x
    for i in range(10):
        y = (y * (1.0 + i / 10)).tanh()
    y.label = "y"
    (factor,) = explain(y, x).paths[0].factors
    assert factor.formula == "the product of 20 local derivatives"
    assert "(through tanh, mul, tanh, mul," in str(explain(y, x))
    z = x
    for _ in range(50):
        z = z * 1.0
    z.label = "z"
    assert "(through mul x50)" in str(explain(z, x))


def test_factor_formulas_keep_their_precedence():
    x, w = Value(0.5, label="x"), Value(2.0, label="w")
    z = (w * x).tanh()
    z.label = "z"
    (factor,) = explain(z, x, digits=None).paths[0].factors
    assert factor.formula == "(1 - z**2) * w"
    assert factor.value == pytest.approx((1 - math.tanh(1.0) ** 2) * 2.0, rel=1e-12)
    r = (w * x).relu()
    r.label = "r"
    assert explain(r, x).paths[0].factors[0].formula == "(1 if 1 > 0 else 0) * w"


def test_the_check_states_whether_wrt_grad_agrees():
    L, p, _ = alice()
    w1 = p["w1"]
    assert "(w1.grad is 0: backward() has not run)" in explain(L, w1).check()
    L.backward()
    assert explain(L, w1).check().startswith("check: exactly dL/dw1 = 0.0214695 = w1.grad")
    L.backward()  # leaves accumulate: w1.grad is now twice the derivative
    assert f"w1.grad holds {2 * math.prod(exact_alice_factors()):.6g}" in explain(L, w1).check()


# --- random graphs ------------------------------------------------------------------------

OPS = [
    lambda a, b: a + b, lambda a, b: a * b, lambda a, b: (a * b).tanh(),
    lambda a, b: a.sigmoid() - b, lambda a, b: (a * a + 1.0).log() * b.sin(),
    lambda a, b: sum_of(a, b), lambda a, b: a**2 + b**3,
]


def sum_of(a, b):
    from autograd import sum as vsum

    return vsum([a, b, a])


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 99), st.integers(0, 99),
                          st.booleans()), min_size=1, max_size=25),
       st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
def test_random_graphs_paths_sum_to_the_derivative(steps, xs):
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    nodes = list(leaves)
    for op, i, j, labelled in steps:
        node = OPS[op](nodes[i % len(nodes)], nodes[j % len(nodes)])
        node.label = f"v{len(nodes)}" if labelled else ""
        nodes.append(node)
    out = nodes[-1]
    for leaf in leaves:
        e = explain(out, leaf, digits=None, max_paths=10**9)
        numeric = (rebuild(steps, xs, leaf, 1e-6) - rebuild(steps, xs, leaf, -1e-6)) / 2e-6
        assert e.value == pytest.approx(numeric, rel=1e-4, abs=1e-5)
        assert e.agrees and e.folded == 0 and len(e.paths) == e.n_paths
        assert math.fsum(p.value for p in e.paths) == pytest.approx(e.value, rel=1e-9,
                                                                   abs=1e-12)
        for path in e.paths:  # a path's factors multiply to its value
            assert math.prod(f.value for f in path.factors) == pytest.approx(path.value)
        # carrying 15 digits, the hand calculation is the exact one
        assert explain(out, leaf, digits=15, max_paths=10**9).written == pytest.approx(
            e.value, rel=1e-9, abs=1e-12)


def rebuild(steps, xs, leaf, h):
    """The same graph on plain floats, with one input moved by h (finite differences)."""
    vals = [x + (h if f"x{i}" == leaf.label else 0.0) for i, x in enumerate(xs)]
    for op, i, j, _ in steps:
        vals.append(OPS[op](Value(vals[i % len(vals)]), Value(vals[j % len(vals)])).data)
    return vals[-1]
