"""autograd.compile: the replay equals eager mode, follows branches, reads parameters live.

Oracles: eager mode on the same function (to 1e-12, on the reference network and on
hypothesis-generated graphs), and the reference document's hand-derived numbers.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import build, step

import autograd as ag
from autograd import Value, grad


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return a == b or abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def alice_network(params):
    """The reference 2-2-1 sigmoid network (document 003) and its squared error."""
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = params

    def loss(x0, x1, y):
        h1 = ag.dot([w1, w2], [x0, x1], b1).sigmoid()
        h2 = ag.dot([w3, w4], [x0, x1], b2).sigmoid()
        o1 = ag.dot([w5, w6], [h1, h2], b3).sigmoid()
        return (y - o1) ** 2

    return loss


def test_alice_gradient_matches_the_document():
    # All weights 1, biases 0, Alice (-2, -1), y = 1: the document gets dL/dw1 = 0.0214.
    params = [Value(1.0) for _ in range(6)] + [Value(0.0) for _ in range(3)]
    step_fn = ag.compile(alice_network(params), [-2.0, -1.0, 1.0])
    result = step_fn(-2.0, -1.0, 1.0)
    # (the document rounds each factor to three digits, hence the tolerance)
    assert result.grads[params[0]] == pytest.approx(0.0214, abs=1e-4)
    assert 1.0 - math.sqrt(result.value) == pytest.approx(0.524, abs=5e-4)  # y_pred


def test_alice_training_equals_eager_training():
    data = [(-2.0, -1.0, 1.0), (25.0, 6.0, 0.0), (17.0, 4.0, 0.0), (-15.0, -6.0, 1.0)]
    init = [0.3, -0.5, 0.8, 0.1, -0.7, 0.4, 0.0, 0.2, -0.1]
    eager = [Value(v) for v in init]
    compiled = [Value(v) for v in init]
    eager_loss, step_fn = alice_network(eager), ag.compile(alice_network(compiled), data[0])
    for _ in range(50):
        for x0, x1, y in data:
            a = eager_loss(x0, x1, y)
            a.backward()
            b = step_fn.backward(x0, x1, y)
            assert close(a.data, b)
            for p, q in zip(eager, compiled):
                assert close(p.grad, q.grad)
                p.data -= 0.1 * p.grad
                q.data -= 0.1 * q.grad
                p.grad = q.grad = 0.0
    assert step_fn.traces == 1
    assert all(close(p.data, q.data) for p, q in zip(eager, compiled))


@given(
    point=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=4),
    program=st.lists(step, min_size=1, max_size=30),
    new_point=st.lists(st.floats(-2.0, 2.0), min_size=4, max_size=4),
)
def test_random_graphs_equal_eager(point, program, new_point):
    # The first leaf is a parameter (captured), the others are inputs.
    w = Value(point[0])
    fn = lambda *xs: build(program, [w, *xs])
    compiled = ag.compile(fn, point[1:])
    for xs in (point[1:], new_point[: len(point) - 1]):
        leaves = [Value(v) for v in xs]
        out = fn(*leaves)
        expected = grad(out, [w, *leaves])
        result = compiled(*xs)
        assert close(result.value, out.data)
        assert close(result.grads.get(w, 0.0), expected[0])
        assert all(close(a, b) for a, b in zip(result.input_grads, expected[1:]))
        assert close(compiled.forward(*xs), out.data)


def test_backward_accumulates_like_eager():
    w = Value(0.5)
    f = ag.compile(lambda x: (w * x).tanh() * w, [2.0])
    f.backward(2.0)
    first = w.grad
    f.backward(2.0)
    assert w.grad == 2 * first
    w.grad = 0.0
    (w * Value(2.0)).tanh().__mul__(w).backward()
    assert w.grad == first


def test_parameters_are_read_live_and_constants_are_baked():
    w = Value(2.0)
    f = ag.compile(lambda x: w * x + 3.0, [1.0])
    assert f.parameters == [w]
    assert f.forward(1.0) == 5.0
    w.data = 10.0
    assert f.forward(1.0) == 13.0
    assert "3.0" in f.source


def test_a_branch_on_data_is_followed():
    def fn(x):
        return x * x if x > 0 else -x

    f = ag.compile(fn, [3.0])
    assert f(3.0).input_grads == (6.0,)
    assert f(-2.0).value == 2.0 and f(-2.0).input_grads == (-1.0,)
    assert f.traces == 2
    assert f(4.0).input_grads == (8.0,)  # back to the first structure: cached, no retrace
    assert f.traces == 2


def test_a_branch_on_a_value_outside_the_output_is_followed():
    def fn(x):
        t = x * 2.0  # not part of the output
        return x.exp() if t < 1.0 else x.log()

    f = ag.compile(fn, [0.1])
    assert close(f.forward(0.1), math.exp(0.1))
    assert close(f.forward(2.0), math.log(2.0))


def test_float_of_a_value_freezes_nothing():
    f = ag.compile(lambda x: x * float(x), [3.0])
    assert f.forward(3.0) == 9.0
    assert f.forward(4.0) == 16.0  # float(x) was 3.0 when traced: the guard retraces


def test_list_inputs_and_tracing_on_first_call():
    w = [Value(0.5), Value(-1.0)]
    f = ag.compile(lambda xs, y: (ag.dot(w, xs) - y) ** 2)
    result = f([1.0, 2.0], 0.5)
    # (0.5 - 2 - 0.5)^2 = 4; d/dw_i = 2 * (-2) * x_i; d/dx_i = 2 * (-2) * w_i; d/dy = 4
    assert result.value == 4.0
    assert [result.grads[p] for p in w] == [-4.0, -8.0]
    assert result.input_grads == ((-2.0, 4.0), 4.0)


def test_fn_must_return_a_value():
    with pytest.raises(TypeError, match="must return a Value"):
        ag.compile(lambda x: 1.0, [0.0])


def test_auxiliary_outputs_are_returned_not_differentiated():
    w = Value(3.0)
    f = ag.compile(lambda x: ((w * x) ** 2, [w * x, x.exp()]), [2.0])
    value, aux = f.backward(2.0)
    assert (value, aux) == (36.0, [6.0, math.exp(2.0)])
    assert w.grad == 24.0  # d(wx)^2/dw = 2 w x^2, the aux outputs add nothing


# --- batched replay (NumPy) ---------------------------------------------------------------
def test_batched_replay_equals_a_loop_of_replays():
    np = pytest.importorskip("numpy")
    data = np.array([(-2.0, -1.0, 1.0), (25.0, 6.0, 0.0), (17.0, 4.0, 0.0), (-15.0, -6.0, 1.0)])
    params = [Value(v) for v in (0.3, -0.5, 0.8, 0.1, -0.7, 0.4, 0.0, 0.2, -0.1)]
    f = ag.compile(alice_network(params))
    values = f.batch_backward(data[:, 0], data[:, 1], data[:, 2])
    batched = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    looped = [f.backward(*row) for row in data.tolist()]
    assert all(close(a, b) for a, b in zip(values, looped))
    assert all(close(p.grad, g) for p, g in zip(params, batched))


@given(
    point=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=4),
    program=st.lists(step, min_size=1, max_size=20),
    shift=st.floats(-1.0, 1.0),
)
def test_batched_random_graphs_equal_eager(point, program, shift):
    np = pytest.importorskip("numpy")
    w = Value(point[0])
    fn = lambda *xs: build(program, [w, *xs])
    f = ag.compile(fn, point[1:])
    samples = [point[1:], [x + shift for x in point[1:]], [x * 0.5 for x in point[1:]]]
    columns = [np.array(c) for c in zip(*samples)]
    values = f.batch_backward(*columns)
    expected_grad = 0.0
    for xs, value in zip(samples, values):
        out = fn(*[Value(x) for x in xs])
        assert close(value, out.data, 1e-11)
        expected_grad += grad(out, [w])[0]
    assert close(w.grad, expected_grad, 1e-11)


def test_a_batch_whose_samples_branch_differently_is_refused():
    np = pytest.importorskip("numpy")
    f = ag.compile(lambda x: x * x if x > 0 else -x, [1.0])
    assert list(f.batch_forward(np.array([1.0, 2.0]))) == [1.0, 4.0]
    with pytest.raises(ValueError, match="different branches"):
        f.batch_forward(np.array([1.0, -2.0]))


def test_batched_list_inputs_take_one_row_per_element():
    np = pytest.importorskip("numpy")
    w = [Value(0.5), Value(-1.0)]
    f = ag.compile(lambda xs, y: (ag.dot(w, xs) - y) ** 2)
    X = np.array([[1.0, 0.0], [2.0, 1.0]])  # two elements (rows), two samples (columns)
    assert list(f.batch_backward(X, np.array([0.5, 0.0]))) == [4.0, 1.0]
    # d/dw = 2 (w.x - y) x, summed: 2(-2)(1, 2) + 2(-1)(0, 1) = (-4, -10)
    assert [p.grad for p in w] == [-4.0, -10.0]



def test_outputs_that_are_leaves():
    w = Value(2.0)
    ident = ag.compile(lambda x: x, [1.0])
    assert ident(5.0) == (5.0, {}, (1.0,))
    param = ag.compile(lambda x: w, [1.0])
    assert param.backward(5.0) == 2.0 and w.grad == 1.0  # as w.backward() would
    const = ag.compile(lambda x: Value(3.0), [1.0])
    assert const(5.0) == (3.0, {}, (0.0,))


def test_no_inputs_and_integer_inputs():
    w = Value(1.5)
    f = ag.compile(lambda: w * w)
    assert f.backward() == 2.25 and w.grad == 3.0
    g = ag.compile(lambda a, b: a * b + 1, [2, 3])
    assert g.forward(4, 5) == 21.0 and type(g.forward(4, 5)) is float


def test_tracing_records_a_graph_even_under_no_grad():
    w = Value(2.0)
    with ag.no_grad():
        f = ag.compile(lambda x: w * x, [3.0])
        assert f.backward(3.0) == 6.0
    assert w.grad == 3.0


# --- fused SGD (Compiled.sgd) --------------------------------------------------------------
def test_sgd_equals_the_loop_it_replaces_bit_for_bit():
    data = [(-2.0, -1.0, 1.0), (25.0, 6.0, 0.0), (17.0, 4.0, 0.0), (-15.0, -6.0, 1.0)]
    init = [0.3, -0.5, 0.8, 0.1, -0.7, 0.4, 0.0, 0.2, -0.1]
    looped, fused = [Value(v) for v in init], [Value(v) for v in init]
    step = ag.compile(alice_network(looped), data[0])
    sums = []
    for _ in range(30):
        total = 0.0
        for sample in data:
            for p in looped:
                p.grad = 0.0
            total = total + step.backward(*sample)
            for p in looped:
                p.data -= 0.1 * p.grad
        sums.append(total)
    compiled = ag.compile(alice_network(fused), data[0])
    assert compiled.sgd(data, 0.1, epochs=30) == sums[-1]
    assert [p.data for p in fused] == [p.data for p in looped]
    assert [p.grad for p in fused] == [p.grad for p in looped]  # the last sample's
    assert compiled.sgd([], 0.1) == 0.0 and [p.data for p in fused] == [p.data for p in looped]


def test_sgd_takes_ints_and_list_arguments_and_refuses_bad_input():
    w = [Value(0.5), Value(-1.0)]
    compiled = ag.compile(lambda xs, y: (ag.dot(w, xs) - y) ** 2)
    compiled.sgd([([1, 0], 1)], lr=0.25)  # (0.5 - 1)^2: d/dw0 = 2 (-0.5) 1 = -1
    assert [p.data for p in w] == [0.75, -1.0]
    with pytest.raises(ValueError, match="sample 1"):
        compiled.sgd([([1, 0], 1), ("ab", 1)], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        compiled.sgd([([1, 0], 1)], lr=math.nan)
    with pytest.raises(ValueError, match="epochs"):
        compiled.sgd([([1, 0], 1)], lr=0.1, epochs=-1)


def test_sgd_refuses_a_function_that_branches():
    w = Value(1.0)
    compiled = ag.compile(lambda x: w * x if x > 0 else -w * x, [1.0])
    with pytest.raises(ag.CompileError, match="branch"):
        compiled.sgd([(1.0,), (-1.0,)], 0.1)
    assert w.data == 1.0
