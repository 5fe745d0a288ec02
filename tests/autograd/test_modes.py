"""The modes (autograd/modes.py): no_grad and enable_grad (nesting, decorators, exceptions,
threads) and detect_anomaly (what it names, and where it is off)."""

from __future__ import annotations

import math
import threading

import pytest

import autograd as ag
from autograd import Value, detect_anomaly, no_grad


# --- modes --------------------------------------------------------------------------------
def test_no_grad_builds_no_graph_and_nests():
    x = Value(2.0)
    with no_grad():
        y = x * x
        with no_grad():
            z = y + 1
        w = z * 2
    v = x * 3
    assert y.is_leaf and z.is_leaf and w.is_leaf
    assert y.data == 4.0 and w.data == 10.0
    assert not v.is_leaf and ag.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = Value(2.0)
    with no_grad():
        with ag.enable_grad():
            y = x * x
        z = x * x
    assert not y.is_leaf and z.is_leaf


def test_no_grad_as_decorator():
    @no_grad()
    def f(v):
        return v * v

    assert f(Value(3.0)).is_leaf


class Boom(Exception):
    pass


def _records_a_graph() -> bool:
    return not (Value(1.0) * 2.0).is_leaf


@pytest.mark.parametrize("outer", [None, "no_grad"])
@pytest.mark.parametrize("mode", ["no_grad", "enable_grad"])
@pytest.mark.parametrize("form", ["with", "decorator"])
def test_a_mode_is_restored_after_an_exception_inside_it(mode, form, outer):
    from autograd.modes import STATE

    def run():
        if form == "with":
            with getattr(ag, mode)():
                raise Boom
        else:
            @getattr(ag, mode)()
            def f():
                raise Boom
            f()

    def check():
        before, active = ag.is_grad_enabled(), STATE.active
        with pytest.raises(Boom):
            run()
        assert ag.is_grad_enabled() == before and _records_a_graph() == before
        assert STATE.active == active  # the fast path is exact again

    if outer is None:
        check()
        assert ag.is_grad_enabled() and STATE.active == 0
    else:
        with no_grad():
            check()
        assert ag.is_grad_enabled() and _records_a_graph()


def test_no_grad_is_thread_local():
    results = {}
    inside, release = threading.Event(), threading.Event()

    def worker():
        with no_grad():
            inside.set()
            release.wait(5)
            results["worker"] = (Value(1.0) * 2).is_leaf

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(5)
    results["main"] = (Value(1.0) * 2).is_leaf  # while the other thread is in no_grad
    release.set()
    t.join()
    assert results == {"worker": True, "main": False}


# --- anomaly detection --------------------------------------------------------------------
def test_anomaly_in_forward_names_op_inputs_and_line():
    x = Value(-1.0)
    with pytest.raises(FloatingPointError) as info:
        with detect_anomaly():
            y = x * 2.0  # fine
            ag.log(y)  # nan: the first bad op
    message = str(info.value)
    assert "'log'" in message and "(-2.0,)" in message
    assert "test_modes.py" in message


def test_anomaly_in_backward_names_the_op():
    x = Value(0.0)
    with detect_anomaly():
        y = x**0.5  # sqrt(0) = 0 is finite; its derivative at 0 is inf
        with pytest.raises(FloatingPointError, match="backward of op 'pow'.*test_modes.py"):
            y.backward()


def test_nan_inputs_do_not_blame_later_ops():
    with detect_anomaly():
        x = Value(math.nan)
        y = x * 2.0  # nan in, nan out: not where the nan was created
    assert math.isnan(y.data)


def test_anomaly_mode_is_off_outside_the_block():
    with detect_anomaly():
        pass
    assert math.isnan(ag.log(-1.0).data)
