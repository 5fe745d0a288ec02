"""explain() at scale and at the edges of float64, and what it prints.

Oracles: IEEE arithmetic written out here (1e308 + 1e308 overflows to inf, inf - inf is
nan), path counts by hand (a chain of n `v = v*v` steps has 2**n paths), and the digits a
three-significant-digit hand calculation writes.
"""

import math
import subprocess
import sys
import textwrap

import pytest

from autograd import GradientMismatch, Value, assert_grad, explain
from autograd.explain import PATH_COUNT_CAP


def test_overflowing_sum_of_paths_is_inf_not_a_traceback():
    x = Value(1.0, label="x")
    y = x * 1e308 + x * 1e308  # two paths of 1e308 each: 2e308 overflows float64
    y.label = "y"
    e = explain(y, x)
    assert e.value == math.inf and e.agrees
    assert e.equation().endswith("= inf")
    assert "exactly dy/dx = inf" in str(e)


def test_inf_minus_inf_over_paths_is_nan_not_a_traceback():
    x = Value(1.0, label="x")
    a = x * 1e308
    b = x * -1e308
    a.label, b.label = "a", "b"
    c = a * 1e308 + b * 1e308  # the paths give +inf and -inf
    c.label = "c"
    e = explain(c, x)
    assert math.isnan(e.value) and math.isnan(e.reverse_mode) and e.agrees
    assert e.equation().endswith("= nan")
    str(e)


def test_path_counts_stop_at_the_cap():
    x = Value(1.0, label="x")
    v = x
    for i in range(60):  # 2**60 paths
        v = v * v
        v.label = f"v{i}"
    e = explain(v, x)
    assert 2**60 > PATH_COUNT_CAP and e.n_paths == PATH_COUNT_CAP
    assert "(1e+15 or more in all), folded]" in e.equation()


def test_small_path_counts_stay_exact():
    x = Value(1.0, label="x")
    v = x
    for _ in range(20):
        v = v * v
    assert explain(v, x).n_paths == 2**20


CHAIN = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
    from autograd import Value, explain
    x = Value(1.0000001, label="x"); v = x
    for i in range({n}):
        v = v * v; v.label = f"v{{i}}"
    text = str(explain(v, x))
    print(len(text)); print(text.splitlines()[0][:300])
""")


def test_a_long_labelled_chain_explains_in_linear_work_and_prints_folded():
    # 30,000 steps: past the ~14,300 at which str() used to fail (a 2**n path count
    # printed as a decimal integer), and quadratic before (6.6 GB at 300,000 steps).
    # Bounded by a subprocess timeout and an address-space limit, never a clock assert.
    result = subprocess.run([sys.executable, "-c", CHAIN.format(n=30_000)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    size, first = result.stdout.splitlines()[:2]
    assert int(size) < 10_000  # folded: not 30,000 factors per path
    assert "[29991 more factors]" in first


def test_long_paths_fold_in_every_format():
    x = Value(0.5, label="x")
    v = x
    for i in range(50):
        v = (v * 1.0).tanh()
        v.label = f"v{i}"
    e = explain(v, x)
    assert len(e.paths[0].factors) == 50
    assert "[41 more factors]" in e.equation()
    assert r"\text{[41 more factors]}" in e._repr_latex_()
    assert "... and 26 more factors" in str(e)
    assert "- ... and 26 more factors" in e._repr_markdown_()


@pytest.mark.parametrize("x, digits, shown", [
    (-0.21, 3, "-0.210"),  # three significant digits keep their trailing zero
    (0.5, 3, "0.500"),
    (3.0, 3, "3"),  # whole numbers stay whole
    (-2.0, 3, "-2"),
    (12.5, 2, "12"),  # no bare trailing point (round half to even: 12)
    (1.5e20, 2, "1.5e+20"),
    (1.5e20, 1, "2e+20"),
])
def test_significant_digits_keep_trailing_zeros(x, digits, shown):
    a = Value(1.0, label="a")
    y = a * x
    y.label = "y"
    assert explain(y, a, digits=digits).equation() == f"dy/da = {shown}"


def test_one_factor_is_not_written_twice():
    x, w1 = Value(-2.0, label="x"), Value(1.0, label="w1")
    out = (w1 * x).sigmoid()
    # Written once, with its formula (issue 19, part 3): not doutput/dw1 = doutput/dw1.
    assert explain(out, w1, names=False).equation() == \
        "doutput/dw1 = output*(1 - output) * x = -0.210"


def test_the_check_says_why_the_written_total_differs_from_the_exact_one():
    # By hand, to one digit: each factor 0.26 is written 0.3, and 0.3 * 0.3 = 0.09,
    # while the exact 0.26 * 0.26 = 0.0676 rounds to 0.07.
    x = Value(1.0, label="x")
    h = x * 0.26
    h.label = "h"
    y = h * 0.26
    y.label = "y"
    e = explain(y, x, digits=1)
    assert e.equation() == "dy/dx = dy/dh * dh/dx = (0.3)(0.3) = 0.09"
    assert "their product (0.09) is not the exact value rounded (0.07)" in e.check()


def test_digits_true_is_refused_clearly():
    x = Value(1.0, label="x")
    with pytest.raises(ValueError, match="digits must be a positive integer"):
        explain(x * 2, x, digits=True)
    with pytest.raises(ValueError, match="max_paths must be a positive integer"):
        explain(x * 2, x, max_paths=True)


def test_assert_grad_before_backward_says_to_call_it():
    x = Value(3.0, label="x")
    y = x * x
    with pytest.raises(GradientMismatch, match=r"call backward\(\) on the output first"):
        assert_grad(x, 6.0)
    y.backward()
    assert assert_grad(x, 6.0) == 6.0


def test_listed_paths_share_their_factors_instead_of_redoing_them(monkeypatch):
    # Counting work: 8 listed paths of a 2,000-step chain part only near its bottom, so
    # the factors are built about 2,000 times, not 8 x 2,000.
    ex = sys.modules["autograd.explain"]  # the module: `autograd.explain` is the function

    calls = []
    real = ex._segment_formula
    monkeypatch.setattr(ex, "_segment_formula", lambda *a: calls.append(1) or real(*a))
    x = Value(1.0, label="x")
    v = x
    for i in range(2000):
        v = v * v
        v.label = f"v{i}"
    e = explain(v, x)
    assert len(e.paths) == 8 and all(len(p.factors) == 2000 for p in e.paths)
    assert len(calls) <= 2000 + 8 * 3


def test_more_digits_than_a_float_has_print_no_padding():
    a = Value(1.0, label="a")
    y = a * 0.1
    y.label = "y"
    assert explain(y, a, digits=10**6).equation() == f"dy/da = {0.1:.17g}"


@pytest.mark.parametrize("kw", [{"rel": "a"}, {"abs": -1}, {"rel": float("nan")},
                                {"abs": math.inf}, {"rel": True}])
def test_assert_grad_tolerances_must_be_finite_and_nonnegative(kw):
    x = Value(1.0)
    x.grad = 1.0
    with pytest.raises(ValueError, match=r"assert_grad\(\) (rel|abs) must be a finite "
                                         r"number >= 0"):
        assert_grad(x, 1.0, **kw)


# --- user text in Markdown and LaTeX (issue 17, item 3) -------------------------------------

HOSTILE_LABELS = ["<img src=x onerror=alert(1)>", "`<img src=x onerror=alert(1)>`",
                  "a``b<script>alert(1)</script>", "`", "a\\", "x_{1}}", "50% & $#^~",
                  "line\nbreak", "**bold** [link](javascript:alert(1))"]


def _hostile_explanation(label):
    x = Value(0.5, label=label)
    h = x.tanh()
    h.label = f"{label}2"
    y = h * 3.0
    y.label = "y"
    y.backward()
    return explain(y, x)


class _Tags(__import__("html.parser").parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_a_label_never_becomes_markup_in_markdown(label):
    markdown = pytest.importorskip("markdown")
    rendered = markdown.markdown(_hostile_explanation(label)._repr_markdown_())
    parser = _Tags()
    parser.feed(rendered)
    assert set(parser.tags) <= {"p", "ul", "li", "code"}, (parser.tags, rendered)
    # Each factor's code span shows the label as it is.
    shown = "".join(parser.text)
    assert label.replace("\n", " ") + "2" in shown


def _balanced(tex: str) -> bool:
    depth, i = 0, 0
    while i < len(tex):
        if tex[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_a_label_is_escaped_in_latex(label):
    tex = _hostile_explanation(label)._latex_equation()
    assert _balanced(tex), tex
    assert "<img" not in tex and "<script" not in tex and "\n" not in tex


def test_latex_escapes_a_backslash_and_the_specials():
    from autograd.symbolic import tex_escape  # explain's and the worksheets' one escape

    assert tex_escape("a\\") == r"a\backslash{}"
    assert tex_escape("50% & $#_{}") == r"50\%\ \&\ \$\#\_\{\}"


# --- stale gradients named (issue 19, part 4) -----------------------------------------------

def _square():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    return x, y


@pytest.mark.parametrize("runs", [2, 3, 7])
def test_backward_run_n_times_is_named(runs):
    x, y = _square()
    for _ in range(runs):
        y.backward()
    # dy/dx = 2x = 6, by hand; x.grad holds 6 per run.
    assert explain(y, x).check().startswith("check: exactly dy/dx = 6, the same as reverse")
    assert f"backward ran {runs} times without zero_grad" in explain(y, x).check()
    with pytest.raises(GradientMismatch, match=f"backward ran {runs} times without zero_grad"):
        assert_grad(x, 6.0, output=y)
    with pytest.raises(GradientMismatch, match=f"backward ran {runs} times without zero_grad"):
        assert_grad(x, 6.0)


def test_a_grad_that_is_not_a_whole_multiple_is_not_called_repeated_runs():
    x, y = _square()
    y.backward()
    x.grad += 1.0  # 7 = 6 + 1: accumulated from somewhere else, not a repeated run
    assert "times without zero_grad" not in explain(y, x).check()
    with pytest.raises(GradientMismatch) as e:
        assert_grad(x, 6.0, output=y)
    assert "times without zero_grad" not in str(e.value)


def test_drawing_before_backward_says_so():
    from autograd import draw

    x, y = _square()
    assert "backward() has not run" in draw(y).source
    y.backward()
    assert "backward() has not run" not in draw(y).source


def test_the_explorer_says_when_backward_has_not_run():
    from pages import page_data

    from autograd import explore

    x, y = _square()
    data = lambda: page_data(explore(y).html)
    assert data()["notice"] == ("backward() has not run on this graph: every .grad is "
                                "still 0. The gradients shown are replayed here; "
                                "y.backward() fills them in.")
    y.backward()
    assert data()["notice"] is None
