"""User primitives against careless and hostile definitions (issue 17, item 6): names that
Python reads as another name, partials written with ``/`` at 0, a forward that raises,
and partials that read state which can change."""

from __future__ import annotations

import math
import re

import pytest

import autograd as ag
from autograd import Value
from autograd.extend import primitive, unregister
from autograd.rules import RULES, rule


@pytest.fixture
def define():
    """``define(name, ...)`` is ``ag.primitive``, undone after the test."""
    names = []

    def make(name, *args, **kwargs):
        op = primitive(name, *args, **kwargs)
        names.append(name)
        return op

    yield make
    for name in names:
        unregister(name)


# --- names Python normalises (NFKC) ---------------------------------------------------------

@pytest.mark.parametrize("name, char, code", [
    ("ℯxp", "ℯ", "U+212F"),  # read as exp: it would call the built-in op
    ("ﬁ", "ﬁ", "U+FB01"),  # read as fi: two ops with one name in code
    ("ｅxp", "ｅ", "U+FF45"),  # fullwidth e
])
def test_a_name_python_reads_as_another_is_refused_naming_the_character(name, char, code):
    with pytest.raises(ValueError, match=re.escape(f"{char!r} ({code} ") + ".*read as"):
        primitive(name, lambda x: x, lambda m, out, ctx, x: (1.0,), formula="1")
    assert name not in RULES
    with pytest.raises(ValueError, match=re.escape(code)):  # the registry refuses it too
        rule(name, 1, lambda ctx, x: x, lambda m, out, ctx, x: (1.0,), "1")
    assert name not in RULES


def test_fi_and_its_ligature_do_not_clash(define):
    fi = define("fi", lambda x: 2.0 * x, lambda m, out, ctx, x: (2.0,), formula="2")
    with pytest.raises(ValueError, match=re.escape("U+FB01")):
        primitive("ﬁ", lambda x: 3.0 * x, lambda m, out, ctx, x: (3.0,), formula="3")
    x = Value(1.0)
    fi(x).backward()
    assert x.grad == 2.0


# --- partials written with / : IEEE results in every path ----------------------------------

def _log_abs(x: float) -> float:
    return math.log(abs(x)) if x else -math.inf


@pytest.fixture
def log_abs(define):
    # d/dx log|x| = 1/x, written with `/` as the docs show: inf at 0.0, -inf at -0.0
    return define("t_log_abs", _log_abs, lambda m, out, ctx, x: (1.0 / x,), formula="1/x")


@pytest.mark.parametrize("x0, expected", [(0.0, math.inf), (-0.0, -math.inf), (4.0, 0.25)])
def test_division_by_zero_in_partials_is_ieee_everywhere(log_abs, x0, expected):
    def f(x):
        return log_abs(x) * 1.0

    results = {}
    x = Value(x0)
    f(x).backward()
    results["backward"] = x.grad
    v = Value(x0)
    results["grad"] = ag.grad(f(v), [v])[0]
    v = Value(x0)
    results["create_graph"] = ag.grad(f(v), [v], create_graph=True)[0].data
    v = Value(x0)
    ag.graph.reference_backward(f(v))
    results["reference_backward"] = v.grad
    results["jvp"] = ag.jvp(f, x0, 1.0)[1]
    results["compile"] = ag.compile(f, [x0])(x0).input_grads[0]
    v = Value(x0, label="x")
    y = f(v)
    y.label = "y"
    results["explain"] = ag.explain(y, v).value
    results["local_partials (draw, explore)"] = ag.rules.local_partials(y.inputs[0])[0]
    for where, got in results.items():
        assert got == expected and math.copysign(1, got) == math.copysign(1, expected), \
            (where, got)


def test_draw_and_explain_show_the_ieee_partial(log_abs):
    x = Value(0.0, label="x")
    y = log_abs(x)
    y.label = "y"
    assert "inf" in ag.draw_dot(y).source
    assert ag.explain(y, x).value == math.inf


# --- a forward that raises names the op --------------------------------------------------

def test_a_forward_that_raises_names_the_op_and_the_input(define):
    op = define("t_strict_log", math.log, lambda m, out, ctx, x: (m.recip(x),), formula="1/x")
    with pytest.raises(ValueError, match=r"forward of primitive 't_strict_log' at \(-1\.0,\) "
                                         r"raised ValueError: math domain error"):
        op(-1.0)
    w = Value(1.0)
    with pytest.raises(ValueError, match="t_strict_log"):
        ag.compile(lambda t: op(w * t), [1.0])(-1.0)


# --- partials that read state which can change ------------------------------------------------

K = 3.0  # a module global a rule might read


def test_partials_reading_a_global_number_are_refused_naming_it():
    with pytest.raises(ValueError, match=r"reads the global 'K' \(now 3\.0\).*K=K"):
        primitive("t_scaled_k", lambda x: K * x, lambda m, out, ctx, x: (K,), formula="K")
    assert "t_scaled_k" not in RULES


def test_partials_reading_a_closure_variable_are_refused():
    def make(k):
        return primitive("t_closure_k", lambda x: k * x, lambda m, out, ctx, x: (k,),
                         formula="k")

    with pytest.raises(ValueError, match="closure variable 'k'"):
        make(5.0)


def test_partials_reading_a_mutable_default_or_through_a_helper_are_refused():
    table = [3.0]
    with pytest.raises(ValueError, match="default argument 't'"):
        primitive("t_list", lambda x: x, lambda m, out, ctx, x, t=table: (t[0],), formula="k")

    def slope(x):
        return K * x

    with pytest.raises(ValueError, match="global 'K'"):
        primitive("t_helper", lambda x: x, lambda m, out, ctx, x: (slope(x),), formula="k")


def test_a_constant_bound_as_a_default_argument_is_the_same_in_every_path(define):
    global K
    op = define("t_fixed_k", lambda x, k=K: k * x, lambda m, out, ctx, x, k=K: (k,),
                formula="k")
    old, K = K, 5.0  # changing the global afterwards changes nothing
    try:
        x = Value(2.0)
        op(x).backward()
        (d,) = ag.grad(op(x), [x], create_graph=True)
        w = Value(1.0)
        ag.compile(lambda t: op(w * t), [2.0]).backward(2.0)
        assert (x.grad, d.data, w.grad) == (3.0, 3.0, 6.0)
    finally:
        K = old
