"""Batched replay as matrix products: a layer's dots become one ``W @ X``.

Oracle: eager mode, one sample at a time, gradients summed over the samples (to 1e-12,
relative to the largest gradient: a matrix product adds in its own order).  Every test
also checks that the matrix path really ran (the plan found the layers), so none of
them passes by falling back to node-by-node replay.
"""

from __future__ import annotations

import importlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import Value, lanes
from autograd.compiling.emit import matrix_ops

np = pytest.importorskip("numpy")
compile_module = importlib.import_module("autograd.compile")


def lanes_of(compiled) -> list:
    program = compiled._program
    return lanes.plan(program.instrs, matrix_ops()).lanes


def eager_sums(fn, params, samples):
    """Per-sample eager values and the gradients summed over the samples."""
    values, sums = [], [0.0] * len(params)
    for xs in samples:
        for p in params:
            p.grad = 0.0
        out = fn(*[[Value(x) for x in a] if isinstance(a, list) else Value(a) for a in xs])
        out.backward()
        values.append(out.data)
        sums = [s + p.grad for s, p in zip(sums, params)]
    for p in params:
        p.grad = 0.0
    return values, sums


def assert_close(got, want, tol=1e-12):
    scale = max([1.0] + [abs(w) for w in want])
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert abs(g - w) <= tol * scale, (g, w)


ACTS = ["relu", "tanh", "sigmoid", "linear"]


@st.composite
def mlps(draw):
    nin = draw(st.integers(1, 3))
    widths = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    acts = [draw(st.sampled_from(ACTS)) for _ in widths]
    bias = draw(st.booleans())
    weight = st.floats(-2.0, 2.0, allow_nan=False)
    layers, n = [], nin
    for width in widths:
        layers.append([([Value(draw(weight)) for _ in range(n)],
                        Value(draw(weight)) if bias else None) for _ in range(width)])
        n = width
    batch = draw(st.integers(1, 5))
    samples = [[draw(st.floats(-3.0, 3.0, allow_nan=False)) for _ in range(nin)]
               for _ in range(batch)]
    l2 = draw(st.booleans())
    return layers, acts, samples, l2


def network(layers, acts, l2):
    params = [p for layer in layers for ws, b in layer for p in ws + ([b] if b else [])]

    def loss(xs):
        for layer, act in zip(layers, acts):
            xs = [ag.dot(ws, xs, b) for ws, b in layer]
            if act != "linear":
                xs = [getattr(x, act)() for x in xs]
        out = ag.sum(xs) ** 2
        return out + 1e-3 * ag.dot(params, params) if l2 else out

    return loss, params


@settings(max_examples=60, deadline=None)
@given(mlps())
def test_random_networks_equal_per_sample_eager(case):
    layers, acts, samples, l2 = case
    fn, params = network(layers, acts, l2)
    compiled = ag.compile(fn, [samples[0]])
    found = lanes_of(compiled)
    assert sum(lane.kind == "matrix" for lane in found) == len(layers)
    assert sum(lane.kind == "unary" for lane in found) == sum(a != "linear" for a in acts)
    want_values, want_grads = eager_sums(fn, params, [[s] for s in samples])
    values = compiled.batch_backward(np.array(samples).T)
    assert_close(list(values), want_values)
    assert_close([p.grad for p in params], want_grads)
    assert_close(list(compiled.batch_forward(np.array(samples).T)), want_values)


@settings(max_examples=40, deadline=None)
@given(mlps())
def test_batch_grad_takes_and_returns_arrays_and_touches_no_value(case):
    layers, acts, samples, l2 = case
    fn, params = network(layers, acts, l2)
    compiled = ag.compile(fn, [samples[0]])
    want_values, want_grads = eager_sums(fn, params, [[s] for s in samples])
    data_before = [p.data for p in params]
    order = compiled.parameters
    values, grads = compiled.batch_grad(np.array([p.data for p in order]),
                                        np.array(samples).T)
    assert_close(list(values), want_values)
    by_param = dict(zip(map(id, order), grads.tolist()))
    assert_close([by_param.get(id(p), 0.0) for p in params], want_grads)
    assert [p.grad for p in params] == [0.0] * len(params)
    assert [p.data for p in params] == data_before
    # the first layer takes the list argument itself as its matrix: no row is copied
    assert "_X0 = _batch(a0)" in compiled._program.sources["batch_grad"]


def test_batch_grad_reads_the_data_it_is_given_and_follows_guards():
    w = Value(0.5)

    def fn(xs, t):
        y = ag.dot([w, w], xs) - t
        return y * y if y > 0 else y * -1.0

    compiled = ag.compile(fn, [[1.0, 2.0], 0.0])
    X = np.array([[1.0, 2.0], [3.0, 1.0]])  # two samples as columns
    for data in (0.5, 2.0):  # w's data comes from the array, not from w
        values, grads = compiled.batch_grad(np.array([data]), X, np.zeros(2))
        ys = data * X.sum(axis=0)
        assert list(values) == pytest.approx(list(ys * ys), rel=1e-15)
        assert float(grads[0]) == pytest.approx(float((2 * ys * X.sum(axis=0)).sum()),
                                                rel=1e-15)
    with pytest.raises(compile_module.DivergedBatch):  # one sample takes the other branch
        compiled.batch_grad(np.array([0.5]), X, np.array([0.0, 10.0]))
    assert w.grad == 0.0 and w.data == 0.5


def moons_like(seed=0):
    import random

    rng = random.Random(seed)
    sizes = (2, 16, 16, 1)
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(a)], Value(rng.uniform(-0.1, 0.1)))
               for _ in range(b)] for a, b in zip(sizes, sizes[1:])]
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]

    def loss(x0, x1, y):
        xs = [x0, x1]
        for i, layer in enumerate(layers):
            xs = [ag.dot(ws, xs, b) for ws, b in layer]
            if i < 2:
                xs = [x.relu() for x in xs]
        hinge = (1.0 - y * xs[0]).relu()
        return (hinge + 1e-4 * ag.dot(params, params)) * (1.0 / 50)

    samples = [(rng.uniform(-1.5, 2.5), rng.uniform(-1, 1.5), rng.choice((-1.0, 1.0)))
               for _ in range(50)]
    return loss, params, samples


def test_the_moons_network_equals_per_sample_eager():
    fn, params, samples = moons_like()
    compiled = ag.compile(fn, samples[0])
    assert [lane.kind for lane in lanes_of(compiled)] == \
        ["matrix", "matrix", "matrix", "unary", "unary"]
    assert "@" in "".join(compiled._program.function("batch_backward") and
                          compiled._program.sources["batch_backward"])
    want_values, want_grads = eager_sums(fn, params, samples)
    values = compiled.batch_backward(*[np.array(c) for c in zip(*samples)])
    assert_close(list(values), want_values)
    assert_close([p.grad for p in params], want_grads)


def test_the_alice_network_equals_per_sample_eager():
    # Document 003's network: the two hidden neurons share (x0, x1); the output neuron
    # reads (h1, h2), the rows of the hidden lane.
    params = [Value(v) for v in (0.3, -0.5, 0.8, 0.1, -0.7, 0.4, 0.0, 0.2, -0.1)]
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = params

    def fn(x0, x1, y):
        h1 = ag.dot((w1, w2), (x0, x1), b1).sigmoid()
        h2 = ag.dot((w3, w4), (x0, x1), b2).sigmoid()
        o1 = ag.dot((w5, w6), (h1, h2), b3).sigmoid()
        return (y - o1) ** 2

    data = [(-2.0, -1.0, 1.0), (25.0, 6.0, 0.0), (17.0, 4.0, 0.0), (-15.0, -6.0, 1.0)]
    compiled = ag.compile(fn, data[0])
    assert [lane.kind for lane in lanes_of(compiled)] == ["matrix", "matrix", "unary", "unary"]
    want_values, want_grads = eager_sums(fn, params, data)
    values = compiled.batch_backward(*[np.array(c) for c in zip(*data)])
    assert_close(list(values), want_values)
    assert_close([p.grad for p in params], want_grads)


def test_shared_weights_and_rows_read_by_name_stay_correct():
    # w is used by two neurons of one layer: that layer runs node by node; the hidden
    # rows are also returned as auxiliary outputs (read by name next to the matrix).
    w, u, v = Value(0.7), Value(-1.2), Value(0.4)

    def fn(x0, x1):
        h = [ag.dot((w, u), (x0, x1)).tanh(), ag.dot((v, w), (x0, x1)).tanh()]
        return ag.sum(h) ** 2, h

    compiled = ag.compile(fn, [0.5, -1.0])
    assert all(lane.kind != "matrix" for lane in lanes_of(compiled))
    samples = [(0.5, -1.0), (2.0, 0.25), (-1.0, 0.0)]
    want_values, want_grads = eager_sums(lambda a, b: fn(a, b)[0], [w, u, v], samples)
    values, aux = compiled.batch_backward(*[np.array(c) for c in zip(*samples)])
    assert_close(list(values), want_values)
    assert_close([w.grad, u.grad, v.grad], want_grads)
    assert_close(list(aux[0]), [math.tanh(0.7 * a - 1.2 * b) for a, b in samples])


def test_a_lane_that_is_the_output_and_ieee_edges():
    # The last layer is the output itself; inf and nan give IEEE results, as in eager.
    ws = [Value(1.0), Value(-2.0)]
    b = Value(0.5)
    fn = lambda x0, x1: ag.dot(ws, (x0, x1), b)  # noqa: E731
    compiled = ag.compile(fn, [1.0, 2.0])
    assert [lane.kind for lane in lanes_of(compiled)] == ["matrix"]
    samples = [(1.0, 2.0), (math.inf, 0.0), (0.0, math.nan), (1e308, -1e308), (-0.0, 1e-300)]
    want_values, want_grads = eager_sums(fn, ws + [b], samples)
    values = compiled.batch_backward(*[np.array(c) for c in zip(*samples)])
    same = lambda a, b: a == b or (a != a and b != b)  # noqa: E731
    assert all(same(float(v), w) for v, w in zip(values, want_values))
    assert want_values[3] == math.inf and math.isnan(want_values[2])
    assert all(same(p.grad, w) for p, w in zip(ws + [b], want_grads))
