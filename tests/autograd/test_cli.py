"""The `autograd` command end to end, and the whitelist of its program parser.

Oracles: the reference document's Alice numbers (seeds/003) and formulas computed here
with :mod:`math`.
"""

import math
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd.cli import main
from autograd.program import ProgramError, run_program

ALICE = ("h1 = sigmoid(w1*x1 + w2*x2 + b1)\n"
         "h2 = sigmoid(w3*x1 + w4*x2 + b2)\n"
         "ypred = sigmoid(w5*h1 + w6*h2 + b3)\n"
         "L = (y - ypred)**2\n")
ALICE_SET = ["--set", "w1=1", "w2=1", "w3=1", "w4=1", "w5=1", "w6=1",
             "b1=0", "b2=0", "b3=0", "x1=-2", "x2=-1", "y=1"]
DOC_LINE = "dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214"


def f(x):
    return 1.0 / (1.0 + math.exp(-x))


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_grad_prints_value_and_every_partial(capsys):
    status, out, err = run(capsys, "grad", ALICE, *ALICE_SET)
    assert status == 0 and err == ""
    lines = dict(line.split(" = ") for line in out.splitlines())
    h = f(-3.0)
    o = f(2 * h)
    assert float(lines["L"]) == pytest.approx((1 - o) ** 2, rel=1e-5)
    # dL/dw1 = -2(1 - o) * o(1 - o) * w5 * h(1 - h) * x1, by hand
    assert float(lines["dL/dw1"]) == pytest.approx(-2 * (1 - o) * o * (1 - o) * h * (1 - h)
                                                   * -2.0, rel=1e-5)
    assert float(lines["dL/db3"]) == pytest.approx(-2 * (1 - o) * o * (1 - o), rel=1e-5)
    assert list(lines)[1:] == [f"dL/d{n}" for n in
                               "w1 w2 w3 w4 w5 w6 b1 b2 b3 x1 x2 y".split()]


def test_explain_prints_the_documents_chain_rule(capsys):
    status, out, _ = run(capsys, "explain", ALICE, *ALICE_SET, "--wrt", "w1")
    assert status == 0
    assert out.splitlines()[0] == DOC_LINE


def test_explain_formats(capsys):
    _, md, _ = run(capsys, "explain", ALICE, *ALICE_SET, "--wrt", "w1", "--format", "markdown")
    assert md.startswith("$$") and "`dh1/dw1 = h1*(1 - h1) * x1` = -0.0904" in md
    _, exact, _ = run(capsys, "explain", ALICE, *ALICE_SET, "--wrt", "w1", "--exact")
    assert "= 0.0214695" in exact.splitlines()[0]


def test_program_from_a_file_and_draw(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "")
    program = tmp_path / "alice.txt"
    program.write_text(ALICE)
    out_svg = tmp_path / "alice.svg"
    status, out, _ = run(capsys, "draw", str(program), *ALICE_SET, "-o", str(out_svg),
                         "--highlight", "w1")
    assert status == 0 and out == f"wrote {out_svg}\n"
    texts = [t.text for t in ET.parse(out_svg).getroot().iter("{http://www.w3.org/2000/svg}text")]
    # A value's record starts with its label, then the op that made it ("h1 = sigmoid").
    names = {t.split(" = ")[0] for t in texts} | {t.split(" = ")[-1] for t in texts}
    for label in ["L", "ypred", "h1", "h2", "w1", "x1", "sigmoid"]:
        assert label in names
    assert f"grad {-2 * (1 - f(2 * f(-3.0))):.4g}" in texts  # dL/dypred on ypred's record


def test_error_in_a_file_names_the_file_line_and_column(tmp_path, capsys):
    program = tmp_path / "bad.txt"
    program.write_text("a = x * 2\nb = a.real\n")
    status, out, err = run(capsys, "grad", str(program), "--set", "x=1")
    assert status == 2 and out == ""
    assert err == f"autograd: error: {program}:2:5: attribute access is not allowed\n"


def test_console_entry_point_end_to_end():
    done = subprocess.run([sys.executable, "-m", "autograd.cli", "explain", ALICE, *ALICE_SET,
                           "--wrt", "w1"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == DOC_LINE
    bad = subprocess.run([sys.executable, "-m", "autograd.cli", "grad", "y = __import__('os')"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stdout == ""
    assert "1:5" in bad.stderr and "__import__" in bad.stderr


# Each hostile program, the 1-based line:column it must be rejected at, and a word of
# the message.
HOSTILE = [
    ("y = x.__class__", "1:5", "attribute"),
    ("import os", "1:1", "imports"),
    ("from os import system", "1:1", "imports"),
    ("y = __import__('os')", "1:5", "__import__"),
    ("y = (lambda: 1)()", "1:5", "called"),
    ("y = lambda: 1", "1:5", "lambdas"),
    ("y = [x for x in (1, 2)]", "1:5", "comprehensions"),
    ("y = sum(x for x in (1, 2))", "1:8", "comprehensions"),
    ("y = x", "1:5", "only renames"),
    ("y = x[0]", "1:5", "subscripts"),
    ("y = 'hello'", "1:5", "strings"),
    ("y = f'{x}'", "1:5", "strings"),
    ("y = q + 1", "1:5", "unknown name 'q'"),
    ("y = system(x)", "1:5", "unknown function 'system'"),
    ("y = exp(x=1)", "1:9", "keyword"),
    ("y = exp(*x)", "1:9", "starred"),
    ("y = 2**10**10", "1:8", "too large"),
    ("y = x**100000", "1:8", "too large"),
    ("y = x**-1e400", "1:8", "too large"),
    ("y = 1\nz = y ** (y * 5000)", "2:11", "too large"),
    ("y = x if x else 1", "1:5", "conditional"),
    ("y = x < 1", "1:5", "comparisons"),
    ("y = x and 1", "1:5", "'and'/'or'"),
    ("y = x // 2", "1:5", "operator // is not allowed"),
    ("y = ~x", "1:5", "unary"),
    ("y = (z := 3)", "1:6", "':='"),
    ("y = {1: 2}", "1:5", "Dict"),
    ("y = [1, 2]", "1:5", "lists"),
    ("y = True", "1:5", "bool"),
    ("y = 1j", "1:5", "complex"),
    ("exec('1')", "1:1", "unknown function 'exec'"),
    ("y = x * 1\ny = 2", "2:1", "already assigned"),
    ("x = 3", "1:1", "already set"),
    ("exp = 3", "1:1", "function name"),
    ("__builtins__ = 1", "1:1", "dunder"),
    ("a, b = 1, 2", "1:1", "one plain name"),
    ("a = b = 1", "1:1", "one plain name"),
    ("y += 1", "1:1", "augmented"),
    ("y = exp", "1:5", "is a function"),
    ("y = exp(1, 2)", "1:5", "exactly one argument"),
    ("y = dot([x], [x, x])", "1:5", "same length"),
    ("y = 1" + "0" * 5000, "1:", "syntax error"),
    ("y = " + "(" * 300 + "1" + ")" * 300, "1:", "syntax error"),
    ("y = " + "-" * 100_000 + "1", "1:1", "characters"),
    ("y = 1" + "0" * 400, "1:5", "too large for a float"),
    ("def f(): pass", "1:1", "only assignments"),
    ("y = (", "1:", "syntax error"),
]


@pytest.mark.parametrize("program, where, word", HOSTILE, ids=[h[0][:30] for h in HOSTILE])
def test_hostile_programs_are_rejected_with_line_and_column(program, where, word, capsys):
    status, out, err = run(capsys, "grad", program, "--set", "x=2")
    assert status == 2 and out == ""
    assert err.startswith(f"autograd: error: <program>:{where}"), err
    assert word in err


def test_deeply_nested_sum_is_rejected_or_evaluated_without_crashing():
    # Parsing this deep a tree may exceed Python's parser limits: either a clean
    # ProgramError or a correct result, never a RecursionError.
    try:
        p = run_program("y = " + "+".join(["x"] * 5000), {"x": 1.0})
    except ProgramError as e:
        assert "nested too deeply" in str(e)
    else:
        assert p.output.data == 5000.0


def test_programs_may_use_every_engine_function():
    p = run_program("a = exp(x) + log(x) + tanh(x) + sigmoid(x) + relu(x) + sin(x) + cos(x)\n"
                    "b = sqrt(x) + softplus(x) + abs(-x); c = sum(a, b, 1)\n"
                    "d = dot([x, 2], [3, x], 1) / c ** 2", {"x": 0.5})
    x = 0.5
    a = (math.exp(x) + math.log(x) + math.tanh(x) + f(x) + x + math.sin(x) + math.cos(x))
    b = math.sqrt(x) + math.log1p(math.exp(x)) + x
    assert p.output_name == "d" and p.values["a"].label == "a"
    assert p.output.data == pytest.approx((3 * x + 2 * x + 1) / (a + b + 1) ** 2, rel=1e-12)


@pytest.mark.parametrize("argv, word", [
    (["grad", "y = x", "--set", "x"], "NAME=NUMBER"),
    (["grad", "y = 2*x", "--set", "x=abc"], "not a number"),
    (["grad", "y = 2*x", "--set", "x=1", "x=2"], "twice"),
    (["grad", "y = 2*x", "--set", "exp=1"], "function name"),
    (["grad", "no-such-file.txt"], "no such program file"),
    (["explain", "y = 2*x", "--set", "x=1", "--wrt", "z"], "not a name of the program"),
    (["draw", "y = 2*x", "--set", "x=1", "-o", "graph.jpeg"], ".svg"),
])
def test_command_line_mistakes(argv, word, capsys):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("autograd: error: ") and word in err


def test_draw_max_nodes_guard(capsys, tmp_path):
    program = "y = " + " + ".join(["x"] * 50)
    status, _, err = run(capsys, "draw", program, "--set", "x=1", "-o",
                         str(tmp_path / "g.svg"), "--max-nodes", "10")
    assert status == 2 and "max_nodes=10" in err and "focus" in err
    assert not (tmp_path / "g.svg").exists()


def test_a_huge_program_file_is_refused_unread(tmp_path, capsys):
    program = tmp_path / "huge.txt"
    program.write_text("y = x\n" + "#" * 200_000)
    status, _, err = run(capsys, "grad", str(program), "--set", "x=1")
    assert status == 2 and "at most 100000 are allowed" in err


def test_a_closed_pipe_is_not_reported_as_an_error():
    # `autograd grad ... | head -1`: the reader leaves early; no traceback, no error line.
    program = "; ".join(f"y{i} = x * {i}" for i in range(1, 3000)) + "; L = x * x"
    proc = subprocess.Popen([sys.executable, "-m", "autograd.cli", "grad", program,
                             "--set", "x=1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "error" not in stderr.lower() and "Traceback" not in stderr


def test_how_a_function_is_called_is_its_rules():
    """The command line's grammar reads the rule: its function names, the constants its
    ctx_of has no default for, how an n-ary op's inputs come (Rule.sum_of)."""
    from autograd import RULES
    from autograd.program import lists_of, required_constants, rule_of_function
    from autograd.rules import registered

    assert rule_of_function("absolute") is RULES["abs"] and rule_of_function("relu6") is None
    assert rule_of_function("sum") is RULES["sum"]
    assert required_constants(RULES["clamp"]) == ("min", "max")
    assert required_constants(RULES["leaky_relu"]) == ()
    assert lists_of("dot") == 2 and lists_of("sum") == 0 and lists_of("exp") == 0
    with registered("wrap", 1, lambda ctx, x: x, lambda m, out, ctx, x: (1.0,), "1",
                    ctx_of=lambda lo, hi=1.0: (float(lo), float(hi))) as wrap:
        assert required_constants(wrap) == ("lo",)
    with pytest.raises(ProgramError, match=r"clamp\(\) takes a value and two numbers"):
        run_program("y = clamp(x, 1)", {"x": 0.5})
    with pytest.raises(ProgramError, match=r"first arguments of dot\(\)"):
        run_program("y = [x]", {"x": 0.5})
