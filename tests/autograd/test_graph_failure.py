"""A backward() that fails half way (a partial raises, Ctrl-C) changes no ``grad``.

Before the fix, earlier leaf gradients were set aside and zeroed, and added back only
when the pass finished: a failure lost them (a.grad 3.0 became 0.0 or 5.0, by node order)
and a retry gave the wrong sum.  The failure is made by a float subclass whose arithmetic
raises, put as a node's data after the forward pass, so it strikes exactly when the
reverse pass reads that node: in a user primitive's partial and in built-in ones, early,
midway or late in the pass, on the generated pass, on the generic loop of a wide sum and
on ``detect_anomaly``'s reference walk.
"""

import math

import pytest

import autograd
from autograd import Value, detect_anomaly, topological_order
from autograd.extend import primitive, unregister


def raising(value: float, exc: type[BaseException]) -> float:
    """``value``, as a float whose every arithmetic operation raises ``exc``."""

    def boom(*_):
        raise exc("arithmetic on a poisoned input")

    names = ("add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv", "neg", "pow",
             "rpow")
    kind = type("Poisoned", (float,), {f"__{n}__": boom for n in names})
    return kind(value)


@pytest.fixture
def cube():
    f = primitive("hc_fail_cube", lambda x: x * x * x,
                  lambda m, out, ctx, x: (3.0 * x * x,), formula="3*x**2")
    yield f
    unregister("hc_fail_cube")


def exact(x: float) -> str:
    """A float's exact identity: its bits as hex, so -0.0 and nan are told apart."""
    return x.hex() if isinstance(x, float) and not math.isnan(x) else repr(x)


def build(cube, order: str, wide: bool):
    # y = (a**3 + a*b*c) * a + b; dy/da = 4a^3 + 2abc, dy/db = a^2 c + 1, dy/dc = a^2 b
    a, b, c = Value(2.0, label="a"), Value(-1.5, label="b"), Value(0.5, label="c")
    if order == "left":
        y = (cube(a) + a * b * c) * a + b
    else:  # the same function, operands swapped: another node order
        y = b + a * (c * (b * a) + cube(a))
    if wide:  # more inputs than the generated functions unroll: the generic loop runs first
        y = autograd.sum([y] + [b] * 70)
    return a, b, c, y


def expected(wide: bool) -> dict[str, float]:
    a, b, c = 2.0, -1.5, 0.5
    return {"a": 4 * a**3 + 2 * a * b * c, "b": a * a * c + 1 + (70 if wide else 0),
            "c": a * a * b}


@pytest.mark.parametrize("exc", [ValueError, KeyboardInterrupt])
@pytest.mark.parametrize("poisoned", ["a", "b", "c"])
@pytest.mark.parametrize("order", ["left", "right"])
@pytest.mark.parametrize("path", ["generated", "wide", "anomaly"])
def test_a_failed_backward_leaves_every_grad_and_a_retry_adds_once(
        cube, exc, poisoned, order, path):
    a, b, c, y = build(cube, order, wide=path == "wide")
    leaves = {"a": a, "b": b, "c": c}
    nodes = topological_order(y)
    # Earlier state: a has a gradient, b and c have none; interior nodes keep the grads
    # of an earlier backward of another root.
    (y * 2.0).backward()
    a.grad, b.grad, c.grad = 3.0, 0.0, 0.0
    before = [exact(n.grad) for n in nodes]
    assert any(n.grad not in (0.0, 1.0) for n in nodes if n._prev)  # stale interior grads

    good = leaves[poisoned].data
    leaves[poisoned].data = raising(good, exc)
    with pytest.raises(exc, match="poisoned"):
        if path == "anomaly":
            with detect_anomaly():
                y.backward()
        else:
            y.backward()
    assert [exact(n.grad) for n in nodes] == before

    leaves[poisoned].data = good
    y.backward()
    want = expected(path == "wide")
    assert a.grad == 3.0 + want["a"]
    assert b.grad == want["b"] and c.grad == want["c"]


def test_the_issue_example_a_retry_gives_eight(cube):
    # a.grad was 3.0; y = a + cube(a) - cube(a)... here y = a * 5 with a partial that fails
    # once: after the failure a.grad is 3.0 again, and the retry gives 3 + 5 = 8.
    a = Value(1.0)
    y = a * 5.0 + cube(a) * 0.0
    a.grad = 3.0
    a.data = raising(1.0, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    assert a.grad == 3.0
    a.data = 1.0
    y.backward()
    assert a.grad == 8.0


def test_a_bad_seed_changes_nothing():
    a = Value(2.0)
    y = a * a
    a.grad = 3.0
    with pytest.raises(TypeError):
        y.backward(object())
    assert a.grad == 3.0 and y.grad == 0.0


def test_a_zero_gradient_comes_back_as_zero_its_sign_only_if_untouched(cube):
    # A zero gradient is not recorded (that would cost every pass a step per leaf): after
    # a failure it is 0.0 again, and -0.0 stays -0.0 only where no contribution reached it.
    a, b, c, y = build(cube, "left", wide=False)
    untouched = Value(1.0)
    y = untouched * 0.0 + y  # reached last: the failure comes first
    a.grad, b.grad, c.grad, untouched.grad = -0.0, -0.0, -0.0, -0.0
    b.data = raising(b.data, ValueError)
    with pytest.raises(ValueError):
        y.backward()
    assert a.grad == 0.0 and b.grad == 0.0 and c.grad == 0.0
    assert exact(untouched.grad) == exact(-0.0)
