"""Worksheets: D4's hand calculation regenerated, every line in the checker's notation.

Expected numbers are D4's own (the Alice example of "Training a Neural Network, 2":
h1 = 0.0474, ypred = 0.524, dL/dypred = -0.952, dypred/dh1 = 0.249, dh1/dw1 = -0.0904,
dL/dw1 = 0.0214) or the engine's reverse mode; every closed form a sheet writes is checked
as a function, at perturbed leaves, against the engine's derivatives of a graph rebuilt
there (never against the worksheet's own strings).
"""

import math
import random
import re
import shutil
import subprocess

import pytest
from sheets import D4_CHAIN, PARAMS, alice_graph, alice_sheet, balanced

import autograd
from autograd import Value, grad, worksheet
from autograd.notation import Deriv, Num, evaluate, leaves, parse_work
from autograd.program import FUNCTIONS


def test_alice_carries_d4s_numbers_in_every_format():
    ws, _ = alice_sheet(lr=0.1)
    text = ws.text()
    assert re.search(r"^h1 = sigmoid\(w1\*x1 \+ w2\*x2 \+ b1\) = .* = 0\.0474$", text, re.M)
    assert re.search(r"^ypred = sigmoid\(w5\*h1 \+ w6\*h2 \+ b3\) = .* = 0\.524$", text, re.M)
    assert "dL/dypred = -2*(1 - ypred) = -2*(1 - 0.524) = -0.952" in text
    assert re.search(r"^dypred/dh1 = w5\*ypred\*\(1 - ypred\) = .* = 0\.249$", text, re.M)
    assert re.search(r"^dh1/dw1 = x1\*h1\*\(1 - h1\) = .* = -0\.0904$", text, re.M)
    assert D4_CHAIN in text.splitlines()
    md = ws.markdown()
    assert D4_CHAIN in md and "0.0474" in md and "0.524" in md
    tex = ws.latex()
    assert r"\left(-0.952\right)\left(0.249\right)\left(-0.0904\right)" in tex
    assert "&= 0.0214" in tex and "&= 0.0474" in tex and "&= 0.524" in tex
    page = ws.html()
    for number in ("0.0474", "0.524", "0.952", "0.249", "0.0904", "0.0214"):
        assert f"<mn>{number}</mn>" in page
    assert D4_CHAIN in page  # the plain lines, to copy into check_work


def test_closing_check_names_the_rounding():
    ws, g = alice_sheet()
    (exact,) = grad(g["L"], [g["w1"]])
    assert f"{exact:.4g}" == "0.02147"
    note = next(line for line in ws.lines if line.startswith("# dL/dw1 = 0.0214"))
    assert "0.0215 to 3 digits" in note and "0.0214 above" in note
    assert ws.exact["dL/dw1"] == exact


def test_sgd_step_from_the_written_gradient():
    ws, _ = alice_sheet(lr=0.1)
    assert "w1 ← w1 - η * dL/dw1 = 1 - 0.1*0.0214 = 0.99786" in ws.lines
    # dL/dw5 = (-0.952)(0.0118) = -0.0112 as written: 1 + 0.00112
    assert "w5 ← w5 - η * dL/dw5 = 1 - 0.1*(-0.0112) = 1.00112" in ws.lines


def test_every_line_parses_in_the_checkers_notation():
    ws, _ = alice_sheet(lr=0.1)
    for text in (ws.text(), ws.answers()):
        lines = parse_work(text)
        assert {line.kind for line in lines} == {"forward", "derivative", "update"}
        assert all(line.startswith("#") or line == "" or " = " in line or " ← " in line
                   for line in text.splitlines())


def test_blanks_keep_the_given_values_and_the_key_fills_them():
    ws, _ = alice_sheet(blanks=True, lr=0.1)
    sheet, key = ws.text().splitlines(), ws.answers().splitlines()
    assert len(sheet) == len(key)
    blanks = [i for i, line in enumerate(sheet) if line.endswith("= ___")]
    assert len(blanks) == ws.blanks > 0
    assert "w1 = 1" in sheet and "x1 = -2" in sheet  # given values stay
    assert "___" not in ws.answers()
    for i, (a, b) in enumerate(zip(sheet, key)):
        if i in blanks:
            assert b.startswith(a[: -len("___")]) and re.fullmatch(r".* = -?[\d.e-]+", b)
        else:
            assert a == b
    assert "dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = 0.0214" in key
    assert "0.02147" not in ws.text()  # no check numbers on a blank sheet
    assert "<mtext>(1)</mtext>" in ws.html() and r"_{(1)}" in ws.latex()


# --- closed forms are functions: checked at perturbed leaves ---------------------------


def _engine_call(func, prime, args):
    """f(x) and f'(x) of the notation, by the engine (reverse mode for the prime)."""
    xs = [Value(a) for a in args]
    y = FUNCTIONS[func](*xs)
    return grad(y, xs[:1])[0] if prime else y.data


def _check_closed_forms(sheet_text, build, leaf_values, rng, trials=3):
    """Every derivative line's first part (symbols only) equals the engine's total
    derivative dA/dB at this point and at perturbed leaves."""
    lines = [ln for ln in parse_work(sheet_text) if ln.kind == "derivative"]
    checked = 0
    for trial in range(trials + 1):
        values = dict(leaf_values)
        if trial:
            values = {k: v + rng.uniform(-0.3, 0.3) for k, v in values.items()}
        nodes = build(values)
        for line in lines:
            top, bottom = line.target
            first = line.parts[0]
            if any(isinstance(leaf, Deriv) for leaf in leaves(first)):
                continue  # a chain of names, checked by its numbers
            want = grad(nodes[top], [nodes[bottom]])[0]
            got = evaluate(first, lambda leaf, nodes=nodes: leaf.value if isinstance(
                leaf, Num) else nodes[leaf.name].data, _engine_call)
            assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), (line.text, trial)
            checked += 1
    return checked


def test_alice_closed_forms_are_the_derivatives_as_functions():
    ws, g = alice_sheet()
    leaves = {n: g[n].data for n in (*PARAMS, "x1", "x2")}
    assert _check_closed_forms(ws.text(), alice_graph, leaves, random.Random(0)) >= 8


def test_shared_node_sums_over_paths():
    def build(v):
        a, b = Value(v["a"], label="a"), Value(v["b"], label="b")
        u = a * b
        u.label = "u"
        s = u.tanh()
        s.label = "s"
        f = s * u + a
        f.label = "f"
        return {"a": a, "b": b, "u": u, "s": s, "f": f}

    nodes = build({"a": 0.7, "b": -1.2})
    ws = worksheet(nodes["f"], [nodes["a"], nodes["b"]], digits=None)
    (line,) = [ln for ln in parse_work(ws.text()) if ln.target == ("f", "b")]
    assert len(line.parts) == 3 and " + " in str(line.parts[0])  # two paths through u
    exact = grad(nodes["f"], [nodes["b"]])[0]
    assert math.isclose(line.parts[-1].value, exact, rel_tol=1e-12)
    # f reaches u directly and through s: df/du (total) is not the direct factor, so the
    # sheet never names it, and writes the direct partial (s) in symbols instead
    assert "df/du" not in ws.text()
    assert _check_closed_forms(ws.text(), build, {"a": 0.7, "b": -1.2},
                               random.Random(1)) >= 3


def test_parallel_edges_merge_into_one_factor():
    x = Value(1.5, label="x")
    u = x * x
    u.label = "u"
    ws = worksheet(u, x)
    assert "du/dx = x + x = 1.5 + 1.5 = 3" in ws.lines


def test_exact_digits_agree_with_reverse_mode():
    nodes = alice_graph({"w1": 0.3, "x2": 2.5, "b3": -0.4})
    ws = worksheet(nodes["L"], [nodes[n] for n in PARAMS], digits=None)
    want = dict(zip(PARAMS, grad(nodes["L"], [nodes[n] for n in PARAMS])))
    for line in parse_work(ws.text()):
        if line.kind == "derivative" and line.target[0] == "L" and line.target[1] in want:
            assert math.isclose(line.parts[-1].value, want[line.target[1]], rel_tol=1e-12)


def test_relu_writes_its_derivative_as_f_prime():
    w, x = Value(1.5, label="w"), Value(2.0, label="x")
    y = (w * x).relu()
    y.label = "y"
    ws = worksheet(y, w)
    assert "dy/dw = x*relu'(w*x) = 2*relu'(1.5*2) = 2" in ws.lines
    parse_work(ws.text())


def test_names_come_from_the_callers_variables_and_are_not_written():
    a = Value(2.0)
    b = Value(-3.0)
    out = (a * b).exp()
    ws = worksheet(out, [a, b], digits=4)
    assert "out = exp(a*b) = exp(2*(-3)) = 0.002479" in ws.lines
    assert (a.label, b.label, out.label) == ("", "", "")
    assert (a.grad, b.grad, out.grad) == (0.0, 0.0, 0.0)  # reverse mode ran on the side
    with_names = worksheet(out, [a], names={a: "alpha", b: "beta", out: "y"})
    assert "y = exp(alpha*beta)" in with_names.text()


def test_unnamed_output_is_called_L():
    a = Value(2.0, label="a")
    ws = worksheet(a * 3.0 + 1.0, a, names=False)
    assert "L = 3*a + 1 = 3*2 + 1 = 7" in ws.lines
    assert "dL/da = 3" in ws.lines


def test_edges_zero_tiny_inf_nan():
    for value in (0.0, -0.0, 1e-300, math.inf, math.nan):
        x = Value(value, label="x")
        y = x * 2.0
        y.label = "y"
        ws = worksheet(y, x)
        assert "dy/dx = 2" in ws.lines
        text = ws.text()
        assert ws.html() and ws.latex() and ws.markdown()
        if math.isfinite(value):
            parse_work(text)


def test_labels_are_escaped_for_each_language():
    hostile = "<img src=x onerror=alert(1)>&_$%{}`*"
    x = Value(0.5, label="x")
    y = x.exp()
    y.label = "y"
    ws = worksheet(y, x, names={x: hostile, y: "y"})
    page = ws.html()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;&amp;_$%{}`*" in page
    tex = ws.latex()
    # in a formula, math mode: the space kept as "\ ", < and > braced, ` and * as symbols
    assert (r"\mathrm{{<}img\ src=x\ onerror=alert(1){>}\&\_\$\%\{\}\backprime{}\ast{}}"
            in tex)
    assert balanced(tex)
    md = ws.markdown()
    assert r"\<img src=x onerror=alert(1)\>\&\_$%\{\}\`\*" in md  # in the prose headings
    blocks = re.findall(r"^(`{3,})text$", md, re.M)
    assert blocks and all(len(f) >= 3 for f in blocks)


def test_markdown_fence_outgrows_backticks_in_names():
    x = Value(0.5)
    y = x.exp()
    ws = worksheet(y, x, names={x: "a```b", y: "y"})
    md = ws.markdown()
    assert "````text" in md and "\n````\n" in md


def test_latex_is_a_complete_balanced_document(tmp_path):
    ws, _ = alice_sheet(lr=0.1, blanks=True)
    for sheet in (ws, alice_sheet(lr=0.1)[0]):
        tex = sheet.latex()
        assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
        assert balanced(tex)
        assert "η" not in tex and "←" not in tex  # pdflatex's inputenc knows neither
    engine = shutil.which("pdflatex") or shutil.which("lualatex") or shutil.which("xelatex")
    if engine is None:
        return  # no TeX engine here: the balance check above is what can be run
    path = ws.save(tmp_path / "alice.tex")
    run = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", path.name],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]


def test_save_chooses_the_format_by_extension(tmp_path):
    ws, _ = alice_sheet()
    for name, start in (("a.md", "# Worksheet"), ("a.tex", r"\documentclass"),
                        ("a.html", "<!DOCTYPE html>"), ("a.txt", "# Given values")):
        path = ws.save(tmp_path / name)
        assert path.read_text(encoding="utf-8").startswith(start)
    (tmp_path / "keep.pdf").write_text("old")
    with pytest.raises(ValueError, match=r"\.pdf"):
        ws.save(tmp_path / "keep.pdf")
    assert (tmp_path / "keep.pdf").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.md", "a.tex",
                                                          "a.txt", "keep.pdf"]


def test_notebook_reprs():
    ws, _ = alice_sheet()
    assert ws._repr_markdown_() == ws.markdown()
    assert ws._repr_html_() == ws.html()
    assert "<script" not in ws.html() and "http" not in ws.html().replace("http-equiv", "")


def test_closed_form_beside_the_chain_when_sympy_is_there():
    pytest.importorskip("sympy")
    ws, g = alice_sheet()
    note = next(line for line in ws.lines if line.startswith("# closed form"))
    import sympy

    expr = sympy.sympify(note.split(" = ", 1)[1])
    here = {sympy.Symbol(n): g[n].data for n in ("h1", "w5", "x1", "ypred")}
    (exact,) = grad(g["L"], [g["w1"]])
    assert math.isclose(float(expr.subs(here)), exact, rel_tol=1e-12)


def test_without_sympy_the_sheet_says_nothing_of_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sympy", None)
    ws, _ = alice_sheet()
    assert "closed form" not in ws.text() and "sympy" not in ws.html()
    assert D4_CHAIN in ws.lines


def test_bad_input_is_named():
    ws_root = alice_graph()
    L = ws_root["L"]
    with pytest.raises(TypeError, match="needs a Value"):
        worksheet(1.0)
    with pytest.raises(ValueError, match="digits"):
        worksheet(L, digits=0)
    with pytest.raises(ValueError, match="lr must be a finite number"):
        worksheet(L, lr=math.nan)
    with pytest.raises(ValueError, match="does not depend"):
        worksheet(L, Value(1.0, label="z"))
    with pytest.raises(ValueError, match="not a name in the graph"):
        worksheet(L, "nope")
    with pytest.raises(ValueError, match="without a name"):
        c = Value(2.0)
        worksheet(L * c, [c], names=False)
    with pytest.raises(ValueError, match="two nodes are named 'x'"):
        worksheet(Value(1.0, label="x") + Value(2.0, label="x"))
    big = Value(0.5, label="x")
    y = big
    for _ in range(autograd.worksheets.MAX_NODES):
        y = y * 1.0
    with pytest.raises(ValueError, match="hand calculation"):
        worksheet(y)


def test_default_wrt_is_every_named_leaf():
    g = alice_graph()
    h1, h2, ypred, L = g["h1"], g["h2"], g["ypred"], g["L"]  # noqa: F841 - names
    ws = worksheet(L)
    headings = [line for line in ws.lines if re.fullmatch(r"# dL/d\w+", line)]
    assert [h[2:] for h in headings] == [f"dL/d{n}" for n in
                                         ("w1", "x1", "w2", "x2", "b1", "w3", "w4", "b2",
                                          "w5", "w6", "b3")]


def test_alice_sheet_and_key_pass_check_work_and_a_changed_answer_is_named():
    from autograd import check_work

    ws, g = alice_sheet(lr=0.1)
    names = {g[n]: n for n in ("h1", "h2", "ypred", "L")}
    assert check_work(g["L"], ws.text(), lr=0.1, names=names).ok
    blank, _ = alice_sheet(lr=0.1, blanks=True)
    key = blank.answers().splitlines()
    assert check_work(g["L"], blank.answers(), lr=0.1, names=names).ok
    i = key.index("dh1/dw1 = x1*h1*(1 - h1) = -0.0904")
    wrong = key[:i] + ["dh1/dw1 = x1*h1*(1 - h1) = 0.0904"] + key[i + 1:]
    result = check_work(g["L"], "\n".join(wrong), lr=0.1, names=names)
    assert result.first_error.lineno == i + 1 and result.first_error.kind == "sign"


def test_many_paths_give_the_total_only():
    x = Value(0.3, label="x")
    layer = [x]
    for depth in range(4):  # two named nodes per layer, each reading both: 2**4 paths
        a, b = layer[0], layer[-1]
        p, q = a * b + a, (a + b).tanh()
        p.label, q.label = f"p{depth}", f"q{depth}"
        layer = [p, q]
    out = layer[0] + layer[1]
    out.label = "out"
    ws = worksheet(out, x, digits=None)
    assert f"# x reaches out by more than {autograd.worksheets.MAX_PATHS} paths: their sum " \
        "is given, not written out" in ws.lines
    (line,) = [ln for ln in parse_work(ws.text()) if ln.target == ("out", "x")]
    assert line.parts[-1].value == grad(out, [x])[0]


def test_wrt_an_intermediate_node():
    g = alice_graph()
    h1, h2, ypred, L = g["h1"], g["h2"], g["ypred"], g["L"]  # noqa: F841 - names
    ws = worksheet(L, [h1, g["w1"]], lr=0.1)
    assert "dL/dh1 = dL/dypred * dypred/dh1 = (-0.952)(0.249) = -0.237" in ws.lines
    steps = [line for line in ws.lines if " ← " in line]
    assert len(steps) == 1 and steps[0].startswith("w1 ← ")  # a step moves leaves only
    with pytest.raises(ValueError, match="the output itself"):
        worksheet(L, [L])


def test_case_splits_are_written_by_name():
    z = Value(-2.0, label="z")
    y = autograd.leaky_relu(z)
    y.label = "y"
    ws = worksheet(y, z)
    assert "y = leaky_relu(z) = leaky_relu(-2) = -0.0200" in ws.lines
    assert "dy/dz = leaky_relu'(z) = leaky_relu'(-2) = 0.0100" in ws.lines
    parse_work(ws.text())
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    m = autograd.maximum(a, b)
    m.label = "m"
    with pytest.raises(ValueError, match="cannot write the derivative of op 'maximum'"):
        worksheet(m, a)


def test_a_leaf_alone():
    a = Value(2.0, label="a")
    ws = worksheet(a)
    assert ws.lines == ["# Given values", "a = 2", "", "# Output a"]
    parse_work(ws.text())
