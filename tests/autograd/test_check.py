"""check_work: D4's own derivation checks clean; each kind of slip is found and named.

Expected numbers come from the document (D4, "Training a Neural Network, 2": h1 = 0.0474,
ypred = 0.524, dL/dypred = -0.952, dypred/dh1 = 0.249, dh1/dw1 = -0.0904,
dL/dw1 = 0.0214), from sympy, or from plain-float central differences written here,
never from the engine's own output.
"""

import math
import re
from pathlib import Path

import pytest
import sympy as sp
from oracles import two_paths

from autograd import Value, exp, log, sigmoid
from autograd.check import KINDS, check_work
from autograd.notation import NotationError

D4 = (Path(__file__).resolve().parents[1] / "data" / "d4_alice.txt").read_text(encoding="utf-8")


def alice():
    """The Alice network of D4: all weights 1, biases 0, x = (-2, -1), y_true = 1."""
    w1, w2, w3, w4, w5, w6 = (Value(1.0, label=f"w{i}") for i in range(1, 7))
    b1, b2, b3 = (Value(0.0, label=f"b{i}") for i in range(1, 4))
    x1, x2 = Value(-2.0, label="x1"), Value(-1.0, label="x2")
    h1 = sigmoid(w1 * x1 + w2 * x2 + b1)
    h1.label = "h1"
    h2 = sigmoid(w3 * x1 + w4 * x2 + b2)
    h2.label = "h2"
    ypred = sigmoid(w5 * h1 + w6 * h2 + b3)
    ypred.label = "ypred"
    L = (1 - ypred) ** 2
    L.label = "L"
    return L, {"w1": w1, "h1": h1, "ypred": ypred}


def check_alice(work, **kwargs):
    L, nodes = alice()
    # D4 calls the output neuron both o1 and ypred: the second name is given explicitly
    return check_work(L, work, names={"o1": nodes["ypred"]}, **kwargs)


def loss_of_w1(w1: float) -> float:
    """D4's loss as plain floats (for central differences)."""
    s = lambda z: 1 / (1 + math.exp(-z))
    h1 = s(w1 * -2 + 1 * -1 + 0)
    h2 = s(1 * -2 + 1 * -1 + 0)
    return (1 - s(1 * h1 + 1 * h2 + 0)) ** 2


def by_line(result):
    return {line.lineno: line for line in result.lines}


# --- D4 checks clean --------------------------------------------------------------------


def test_d4_as_written_checks_clean():
    r = check_alice(D4)
    assert r.ok and r.first_error is None
    assert len(r.lines) == 8 and all(line.verdict == "right" for line in r.lines)
    lines = by_line(r)
    # the document's numbers are the engine's, to the precision written
    assert lines[2].expected == pytest.approx(1 / (1 + math.exp(3)))  # h1 = f(-3)
    h = 1e-6
    fd = (loss_of_w1(1 + h) - loss_of_w1(1 - h)) / (2 * h)
    assert lines[9].expected == pytest.approx(fd, rel=1e-6)
    # 0.0214 is the product of rounded factors; the exact value rounds to 0.0215
    assert round(fd, 4) == 0.0215
    assert lines[9].kind == "rounding" and "0.0215" in lines[9].message
    # -0.0904 is the exact value: no note
    assert lines[8].kind is None
    text = str(r)
    assert text.splitlines()[1].startswith("✔ h1 = f(w1x1")
    assert "8 of 8 lines right" in text


def test_d4_by_variable_names_without_labels():
    # no labels at all: the caller's variables name the nodes (o1 = ypred: both work)
    w1, w2, w3, w4, w5, w6 = (Value(1.0) for _ in range(6))
    b1, b2, b3 = (Value(0.0) for _ in range(3))
    x1, x2 = Value(-2.0), Value(-1.0)
    h1 = sigmoid(w1 * x1 + w2 * x2 + b1)
    h2 = sigmoid(w3 * x1 + w4 * x2 + b2)
    ypred = sigmoid(w5 * h1 + w6 * h2 + b3)
    o1 = ypred
    L = (1 - ypred) ** 2
    assert check_work(L, D4).ok
    assert o1.label == "" and h1.label == ""  # nothing written onto the nodes
    with pytest.raises(ValueError, match=r"line 2, column 1: unknown name 'h1'"):
        check_work(L, D4, names=False)


def test_work_as_dict_lines_and_path(tmp_path):
    assert check_alice({"h1": 0.0474, "dL/dw1": 0.0215}).ok
    r = check_alice({"h1": 0.0474, "dL/dw1": 0.0214})
    assert not r.ok and r.first_error.target == "dL/dw1"  # a bare 0.0214 has no factors
    assert check_alice(D4.splitlines()).ok
    path = tmp_path / "hand.txt"
    path.write_text(D4, encoding="utf-8")
    assert check_alice(path).ok
    with pytest.raises(ValueError, match="line 1, column 1"):
        check_alice(str(path))  # a str is always the text itself, never a file name
    with pytest.raises(TypeError):
        check_alice(42)


# --- each kind of slip, injected into D4 -------------------------------------------------

SIGN = ("∂L/∂ypred = −2(1 − ypred) = −2(1 − 0.524) = −0.952",
        "∂L/∂ypred = 2(1 − ypred) = 2(1 − 0.524) = 0.952")
LAST = ("∂L/∂w1 = −0.952 ∗ 0.249 ∗ −0.0904 = 0.0214",)
DH1 = ("∂h1/∂w1 = x1 ∗ f′(w1x1 + w2x2 + b1) = −2 ∗ f′(−2 + −1 + 0) "
       "= −2 ∗ f(−3) ∗ (1 − f(−3)) = −0.0904")

INJECTED = [
    # kind, line, replacement lines (old -> new), the lines then carried
    ("sign", 6, [SIGN, (LAST[0], "∂L/∂w1 = 0.952 ∗ 0.249 ∗ −0.0904 = −0.0214")], [9]),
    ("missing_factor", 8, [
        (DH1, "∂h1/∂w1 = f′(w1x1 + w2x2 + b1) = f(−3) ∗ (1 − f(−3)) = 0.0452"),
        (LAST[0], "∂L/∂w1 = −0.952 ∗ 0.249 ∗ 0.0452 = −0.0107")], [9]),
    ("extra_factor", 8, [
        (DH1, "∂h1/∂w1 = x1 ∗ x1 ∗ f′(w1x1 + w2x2 + b1) = 4 ∗ f′(−3) = 0.181"),
        (LAST[0], "∂L/∂w1 = −0.952 ∗ 0.249 ∗ 0.181 = −0.0429")], [9]),
    ("pre_activation", 8, [
        (DH1, "∂h1/∂w1 = x1 ∗ (w1x1 + w2x2 + b1)(1 − (w1x1 + w2x2 + b1)) = −2(−3)(1 + 3) = 24"),
        (LAST[0], "∂L/∂w1 = −0.952 ∗ 0.249 ∗ 24 = −5.69")], [9]),
    ("other_node", 8, [
        (DH1, "∂h1/∂w1 = −0.0452"),  # that is dh1/dw2 = x2 * h1(1 - h1)
        (LAST[0], "∂L/∂w1 = −0.952 ∗ 0.249 ∗ −0.0452 = 0.0107")], [9]),
    ("other_node", 3, [("h2 = f(w3x1 + w4x2 + b2) = 0.0474", "h2 = 0.524")], []),
    ("formula", 6, [
        (SIGN[0], "∂L/∂ypred = (1 − ypred)/2 = 0.238"),
        (LAST[0], "∂L/∂w1 = 0.238 ∗ 0.249 ∗ −0.0904 = −0.00536")], [9]),
    ("unknown", 8, [(DH1, "∂h1/∂w1 = 0.123"),
                    (LAST[0], "∂L/∂w1 = −0.952 ∗ 0.249 ∗ 0.123 = −0.0292")], [9]),
]


@pytest.mark.parametrize("kind, lineno, edits, carried", INJECTED,
                         ids=[f"{k}-line{n}" for k, n, _, _ in INJECTED])
def test_injected_slip_is_found_on_its_line(kind, lineno, edits, carried):
    work = D4
    for old, new in edits:
        assert old in work
        work = work.replace(old, new)
    r = check_alice(work)
    assert not r.ok
    assert r.first_error.lineno == lineno
    assert r.first_error.kind == kind
    lines = by_line(r)
    for n in carried:
        assert lines[n].verdict == "wrong" and lines[n].kind == "carried", str(r)
        assert f"line {lineno}" in lines[n].message
    for n, line in lines.items():
        if n != lineno and n not in carried:
            assert line.verdict == "right", str(r)
    # the message names the target and gives the correct formula
    assert r.first_error.message
    text = str(r)
    assert f"    {kind}: " in text


def test_sign_message_names_the_node_and_the_rule_formula():
    r = check_alice(D4.replace(*SIGN))
    e = r.first_error
    assert e.kind == "sign" and e.target == "dL/dypred"
    assert "dL/dypred" in e.message and "-0.9526" in e.message
    assert e.expected == pytest.approx(-2 * (1 - 1 / (1 + math.exp(-2 / (1 + math.e ** 3)))))


def test_missing_factor_names_the_factor():
    r = check_alice(D4.replace(DH1, "∂h1/∂w1 = f′(w1x1 + w2x2 + b1) = 0.0452"))
    assert r.first_error.kind == "missing_factor"
    assert "x1" in r.first_error.message and "mul" in r.first_error.message


def test_a_formula_right_only_by_coincidence_is_flagged():
    # all weights are 1 in D4, so w6 in place of w5 gives the right number here
    r = check_alice(D4.replace("∂ypred/∂h1 = w5 ∗", "∂ypred/∂h1 = w6 ∗"))
    e = r.first_error
    assert e.lineno == 7 and e.kind == "formula" and "coincidence" in e.message
    # the same slip with numbers only cannot be seen: 1*f'(...) is right at this point
    assert check_alice(D4.replace("= 1 ∗ f′(0.0474", "= 1.00 ∗ f′(0.0474")).ok


def test_after_update():
    r = check_alice("w1 = 0.998", lr=0.1)  # 1 - 0.1*0.02147 = 0.99785
    assert r.first_error.kind == "after_update"
    assert check_alice("w1 = 0.998").first_error.kind != "after_update"  # no lr given
    r = check_alice("w1 ← w1 − η ∂L/∂w1 = 0.998", lr=0.1)
    assert r.ok
    r = check_alice("w1 ← w1 − η ∂L/∂w1 = 0.998")
    assert r.lines[0].verdict == "cannot check" and "lr" in r.lines[0].message
    r = check_alice("w1 ← w1 + η ∂L/∂w1 = 1.0021", lr=0.1)
    assert r.first_error.kind == "sign"
    r = check_alice("w1 ← w1 − ∂L/∂w1 = 0.9785", lr=0.1)
    assert r.first_error.kind == "missing_factor"


def test_after_update_injected_into_d4():
    # h1 computed after the step w1 <- w1 - 0.1*dL/dw1 (plain floats, central difference)
    s = lambda z: 1 / (1 + math.exp(-z))
    grad = (loss_of_w1(1 + 1e-6) - loss_of_w1(1 - 1e-6)) / 2e-6
    w1 = 1 - 0.1 * grad
    late = f"{s(w1 * -2 - 1):.4f}"
    assert late != "0.0474"
    work = "w1 ← w1 − η ∂L/∂w1 = 0.998\n" + D4.replace(
        "h1 = f(w1x1 + w2x2 + b1) = f(−2 + −1 + 0) = 0.0474", f"h1 = {late}")
    r = check_alice(work, lr=0.1)
    assert r.first_error.kind == "after_update" and r.first_error.target == "h1"
    assert "lr=0.1" in r.first_error.message
    assert [line.verdict for line in r.lines].count("wrong") == 1


def test_carried_through_a_name():
    work = "h1 = 0.0574\n∂h1/∂w1 = x1 ∗ h1 ∗ (1 − h1) = −0.108"
    r = check_alice(work)
    lines = by_line(r)
    assert lines[1].verdict == "wrong" and lines[1].kind != "carried"
    assert lines[2].kind == "carried" and "line 1" in lines[2].message
    assert r.first_error.lineno == 1


# --- precision ----------------------------------------------------------------------------


def test_rounded_early_or_exact_both_right():
    # D4's -0.0904 is exact; from the rounded h1 = 0.0474 it is -0.0903: both right
    exact = check_alice("∂h1/∂w1 = x1 ∗ h1 ∗ (1 − h1) = −0.0904")
    assert exact.ok and exact.lines[0].kind is None
    early = check_alice("h1 = 0.0474\n∂h1/∂w1 = x1 ∗ h1 ∗ (1 − h1) = −0.0903")
    assert early.ok and early.lines[1].kind == "rounding"
    # a number mixed with names is checked at this point, within its rounding
    assert check_alice("∂h1/∂w1 = x1 ∗ 0.0452 = −0.0904").ok
    assert not check_alice("∂h1/∂w1 = x1 ∗ 0.0462 = −0.0924").ok


@pytest.mark.parametrize("written, right", [
    ("20.25", True), ("20.2", True), ("20.3", True), ("20.1", False), ("20", True),
    ("20.250", True), ("20.26", False), ("2.025e1", True), ("-20.25", False),
])
def test_exact_ties_accept_both_neighbours(written, right):
    x = Value(4.5, label="x")
    u = x * x
    u.label = "u"
    assert check_work(u, f"u = {written}").ok is right


def test_total_derivative_merges_parallel_edges():
    x = Value(1.5, label="x")
    u = x * x
    u.label = "u"
    assert check_work(u, "du/dx = 2*x = 3.00").ok
    r = check_work(u, "du/dx = x = 1.50")
    assert r.first_error.kind == "missing_path"


def test_missing_path_names_the_path():
    L = two_paths()
    X, Y = sp.symbols("x y")
    Ls = (X * Y) * (X * Y + X)
    total = float(sp.diff(Ls, X).subs({X: 2, Y: 3}))  # 48
    via_v_direct = float((X * Y).subs({X: 2, Y: 3}))  # dL/dv * dv/dx = u * 1 = 6
    work = f"""\
u = x*y = 6
v = u + x = 8
dL/du = v + u = 14
du/dx = y = 3
dL/dx = dL/du * du/dx = 14*3 = {total - via_v_direct:g}
dL/dx = v*y + u*(y + 1) = 8*3 + 6*4 = {total:g}
"""
    r = check_work(L, work)
    lines = by_line(r)
    assert [lines[i].verdict for i in range(1, 5)] == ["right"] * 4
    assert lines[5].kind == "missing_path"
    assert "L → v → x" in lines[5].message
    assert lines[6].verdict == "right"
    assert lines[5].expected == pytest.approx(total)


def test_check_at_the_edges():
    x = Value(0.0, label="x")
    y = x * x
    y.label = "y"
    assert check_work(y, "dy/dx = 2*x = 0\ny = -0").ok
    tiny = Value(1e-300, label="t")
    z = tiny * 2
    z.label = "z"
    assert check_work(z, "z = 2*t = 2e-300\ndz/dt = 2").ok
    assert not check_work(z, "z = 3e-300").ok
    big = Value(1000.0, label="b")
    e = exp(big)
    e.label = "e"
    r = check_work(e, "e = exp(b) = 1")
    assert r.lines[0].verdict == "cannot check" and "inf" in r.lines[0].message
    neg = Value(-1.0, label="n")
    lg = log(neg)
    lg.label = "lg"
    assert check_work(lg, "lg = 0").lines[0].verdict == "cannot check"
    assert check_work(y, "dy/dx = ?").lines[0].verdict == "cannot check"
    assert check_work(y, "# nothing yet\n").ok  # no lines: nothing wrong


def test_backward_ran_twice_is_named():
    L, nodes = alice()
    L.backward()
    L.backward()
    r = check_work(L, "h1 = 0.0474", names={"h1": nodes["h1"]})
    assert any("backward ran 2 times without zero_grad" in n for n in r.notes)
    assert "backward ran 2 times" in str(r)
    L2, _ = alice()
    L2.backward()
    assert not check_work(L2, "h1 = 0.0474").notes


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("work, where, words", [
    ("h1 = 0.0474\nh3 = 0.5", (2, 1), "unknown name 'h3'"),
    ("dL/dw9 = 1", (1, 5), "unknown name 'w9'"),
    ("h1 = f(w1x1 + w2x2 + b1) = 0.0474\nh2 = (0.5", (2, 10), "missing ')'"),
    ("h1 = g(w1)", (1, 6), "unknown function 'g'"),
    ("h1 = 3 $", (1, 8), "unexpected character"),
])
def test_bad_input_names_line_and_column(work, where, words):
    with pytest.raises(NotationError) as info:
        check_alice(work)
    assert (info.value.line, info.value.column) == where
    assert words in str(info.value)


def test_bad_arguments():
    L, _ = alice()
    with pytest.raises(TypeError):
        check_work(1.0, "h1 = 1")
    for lr in (math.nan, math.inf, "0.1", True):
        with pytest.raises(ValueError):
            check_work(L, "h1 = 1", lr=lr)
    with pytest.raises(TypeError):
        check_work(L, "h1 = 1", names=3)


def test_the_command_lines_functions():
    x = Value(0.5, label="x")
    y = (x.tanh() + x.exp()).relu()
    y.label = "y"
    t, e = math.tanh(0.5), math.exp(0.5)
    work = (f"y = relu(sum(tanh(x), exp(x))) = {t + e:.4f}\n"
            f"dy/dx = tanh'(x) + exp(x) = {1 - t * t + e:.4f}\n"
            "dy/dx = (1 - tanh(x)**2) + exp'(x)")
    assert check_work(y, work).ok


def test_f_must_mean_one_activation():
    x = Value(0.5, label="x")
    y = sigmoid(x).tanh()
    y.label = "y"
    with pytest.raises(NotationError, match="sigmoid and tanh"):
        check_work(y, "y = f(x)")
    assert check_work(y, "y = tanh(sigmoid(x))").ok


# --- output -------------------------------------------------------------------------------


def test_str_annotates_and_explains_the_first_error_only():
    work = D4.replace(*SIGN).replace(LAST[0], "∂L/∂w1 = 0.952 ∗ 0.249 ∗ −0.0904 = −0.0214")
    text = str(check_alice(work))
    marks = [line[0] for line in text.splitlines() if line[:1] in "✔✘?"]
    assert marks == ["✔", "✔", "✔", "✔", "✘", "✔", "✔", "✘"]
    assert "    sign: The sign is flipped" in text
    assert "    carried: follows from the mistake on line 6" in text
    assert "the first mistake is on line 6 (sign)" in text


def test_html_escapes_the_learners_text():
    r = check_alice("w1 <- w1 - lr*dL/dw1 = 0.998", lr=0.1)
    page = r._repr_html_()
    assert "w1 &lt;- w1" in page and "<- w1" not in page
    assert re.search(r"<tr class=\"right\">", page)


def test_kinds_are_the_documented_vocabulary():
    assert set(KINDS) == {"sign", "missing_factor", "extra_factor", "missing_path",
                          "pre_activation", "other_node", "after_update", "carried",
                          "rounding", "formula", "unknown"}


def test_a_one_digit_number_is_not_looked_up_among_the_nodes():
    # 0.5 is ypred (0.524) to one digit, and so is half the graph: no diagnosis from it
    assert check_alice("h2 = 0.5").first_error.kind == "unknown"
    assert check_alice("h2 = 0.52").first_error.kind == "other_node"


def _softclip(registered, activation: bool):
    return registered("softclip", 1, lambda ctx, x: x / (1.0 + abs(x)),
                      lambda m, out, ctx, x: (1.0 / (1.0 + abs(x)) ** 2,),
                      "1/(1 + abs(x))**2", expr="x/(1 + abs(x))", activation=activation)


def test_f_stands_for_an_activation_because_its_rule_says_so():
    """No list of names: a primitive registered now and flagged ``activation`` is one a
    written ``f`` may stand for (evaluated by its rule); unflagged, it is not."""
    from autograd.engine import new_node
    from autograd.rules import registered

    def graph():
        w, x = Value(1.5, label="w"), Value(2.0, label="x")
        z = w * x
        return new_node(0.75, (z,), "softclip")  # 3/(1 + 3)

    # by hand: h = 3/4; dh/dw = x * 1/(1 + w*x)**2 = 2/16
    work = "h = f(w*x) = 0.75\ndh/dw = x*f′(w*x) = 0.125\n"
    with _softclip(registered, activation=True):
        h = graph()
        result = check_work(h, work)
        assert result.ok, str(result)
        slipped = check_work(h, work.replace("= 0.125", "= -0.125"))
        assert slipped.first_error.kind == "sign"
    with _softclip(registered, activation=False):
        h = graph()
        with pytest.raises(NotationError, match="graph's activation, but the graph has none"):
            check_work(h, work)


def test_f_is_the_graphs_activation_with_its_constant():
    """A written f is the graph's activation as the graph has it: leaky_relu with slope
    0.2, not the function's default 0.01."""
    from autograd import leaky_relu

    w, x = Value(-1.5, label="w"), Value(2.0, label="x")
    h = leaky_relu(w * x, 0.2)
    # by hand: w*x = -3, h = 0.2 * -3 = -0.6; dh/dw = x * 0.2 = 0.4
    result = check_work(h, "h = f(w*x) = -0.6\ndh/dw = x*f′(w*x) = 0.4\n")
    assert result.ok, str(result)
