"""nn.fit(compiled=True) trains exactly like eager fit (the oracle), to 1e-12.

Compiled training traces one sample's step once (targets as inputs of the trace) and
replays it on every whole mini-batch, with the optimizer stepping on arrays; eager fit
builds every batch's graph and calls backward.  The two must agree for every loss and
optimizer, with shuffling and a partial last batch, and on interrupt.
"""

from __future__ import annotations

import gc
import math
import random
import warnings
import weakref

import pytest

import autograd
import nn
from autograd.compile import Compiled

np = pytest.importorskip("numpy")

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.5]]
CASES = {
    "mse": ([0.0, 1.0, 1.0, 0.0, 0.5], "sigmoid", 1),
    "half_sse": ([0.0, 1.0, 1.0, 0.0, 0.5], "linear", 1),
    "bce": ([0.0, 1.0, 1.0, 0.0, 0.25], "sigmoid", 1),
    "bce2": ([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.5, 0.5]], "sigmoid", 2),
    "bce_with_logits": ([0.0, 1.0, 1.0, 0.0, 0.75], "linear", 1),
    "hinge": ([-1, 1, 1, -1, 1], "linear", 1),
    "cross_entropy": ([0, 1, 2, 0, 1], "linear", 3),
    "mse2": ([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.5, 0.5]], "sigmoid", 2),
}
OPTIMIZERS = {
    "sgd": lambda ps: nn.SGD(ps, lr=0.2),
    "momentum": lambda ps: nn.SGD(ps, lr=0.2, momentum=0.5, weight_decay=0.01),
    "nesterov": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda ps: nn.Adam(ps, lr=0.05),
    "adam_wd": lambda ps: nn.Adam(ps, lr=0.05, betas=(0.8, 0.9), weight_decay=0.1),
}


@pytest.fixture
def counted(monkeypatch):
    """Counts of traces and of batched replays while the test runs."""
    counts = {"traces": 0, "replays": 0, "sizes": []}
    trace, replay = Compiled._trace, Compiled.batch_grad

    def counting_trace(self, args):
        counts["traces"] += 1
        return trace(self, args)

    def counting_replay(self, data, *inputs):
        counts["replays"] += 1
        counts["sizes"].append(np.shape(inputs[0])[-1])
        return replay(self, data, *inputs)

    monkeypatch.setattr(Compiled, "_trace", counting_trace)
    monkeypatch.setattr(Compiled, "batch_grad", counting_replay)
    return counts


def _train(case, optimizer, batch_size, compiled, epochs=4, seed=1, loss=None):
    y, out_act, nout = CASES[case]
    model = nn.MLP(2, [4, nout], activation="tanh", output_activation=out_act, seed=seed)
    opt = OPTIMIZERS[optimizer](model.parameters())
    name = loss or case.rstrip("2")
    history = nn.fit(model, X, y, loss=name, optimizer=opt, epochs=epochs,
                     batch_size=batch_size, seed=3, progress=False, compiled=compiled)
    return history, model, opt


def _same(a, b) -> None:
    assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("batch_size", [1, 2, None])  # 2: a partial last batch of 1
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_fit_equals_eager_fit(case, optimizer, batch_size, counted):
    h_eager, m_eager, _ = _train(case, optimizer, batch_size, compiled=False)
    assert counted["traces"] == 0
    h_comp, m_comp, _ = _train(case, optimizer, batch_size, compiled=True)
    # traced once for the whole call; every batch one replay, the last one partial
    size = batch_size or len(X)
    assert counted["traces"] == 1
    assert counted["replays"] == 1 + 4 * math.ceil(len(X) / size)  # + code generation
    epoch = [min(size, len(X) - k) for k in range(0, len(X), size)]
    assert counted["sizes"][1:] == epoch * 4
    _same([p.data for p in m_comp.parameters()], [p.data for p in m_eager.parameters()])
    # the gradient of the last step, written back to the Values
    _same([p.grad for p in m_comp.parameters()], [p.grad for p in m_eager.parameters()])
    _same(h_comp.loss, h_eager.loss)
    assert h_comp.accuracy == h_eager.accuracy


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_step_gradients_equal_eager(case):
    """The gradient of one full-batch step, before any update (lr 0)."""
    grads = []
    for compiled in (False, True):
        y, out_act, nout = CASES[case]
        model = nn.MLP(2, [3, nout], activation="tanh", output_activation=out_act, seed=9)
        nn.fit(model, X, y, loss=case.rstrip("2"), optimizer=nn.SGD(model.parameters(), lr=0.0),
               epochs=1, progress=False, compiled=compiled)
        grads.append([p.grad for p in model.parameters()])
    assert any(g != 0.0 for g in grads[0])
    _same(grads[1], grads[0])


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_optimizer_state_is_written_back_and_continues(optimizer):
    """Two compiled fits in a row equal two eager ones: the momentum buffers and Adam's
    moments and step count went back into the optimizer."""
    results = []
    for compiled in (False, True):
        y, out_act, nout = CASES["mse"]
        model = nn.MLP(2, [4, 1], output_activation=out_act, seed=2)
        opt = OPTIMIZERS[optimizer](model.parameters())
        for _ in range(2):
            nn.fit(model, X, y, optimizer=opt, epochs=2, batch_size=2, seed=0,
                   progress=False, compiled=compiled)
        state = opt.buffers if optimizer == "momentum" else opt.m + opt.v + [opt.t]
        assert all(isinstance(v, float) or isinstance(v, int) for v in state)
        results.append([p.data for p in model.parameters()] + state)
    _same(results[1], results[0])


def _interrupt(opt, compiled: bool, at: int) -> str:
    """Make the optimizer's ``at``-th step (on arrays, when compiled) raise
    KeyboardInterrupt; returns the name of the method replaced on the instance."""
    name = "step_arrays" if compiled else "step"
    real, calls = getattr(opt, name), []

    def step(*args):
        calls.append(1)
        if len(calls) == at:
            raise KeyboardInterrupt
        return real(*args)

    setattr(opt, name, step)
    return name


@pytest.mark.parametrize("compiled", [False, True])
def test_an_interrupt_mid_epoch_leaves_the_parameters_of_the_last_step(compiled):
    """KeyboardInterrupt in the third step: the Values hold the parameters after two
    steps (compiled: written back from the arrays), equal to eager's."""
    y, out_act, nout = CASES["cross_entropy"]
    stopped = nn.MLP(2, [4, 3], output_activation=out_act, seed=4)
    opt = nn.Adam(stopped.parameters(), lr=0.05)
    _interrupt(opt, compiled, at=3)
    with pytest.raises(KeyboardInterrupt):
        nn.fit(stopped, X, y, loss="cross_entropy", optimizer=opt, epochs=5, batch_size=2,
               seed=0, progress=False, compiled=compiled)
    assert opt.t == 2
    # the reference: the first two steps of the same shuffle, by hand
    ref = nn.MLP(2, [4, 3], output_activation=out_act, seed=4)
    ref_opt = nn.Adam(ref.parameters(), lr=0.05)
    order = list(range(len(X)))
    random.Random(0).shuffle(order)
    for batch in (order[0:2], order[2:4]):
        loss = nn.cross_entropy_loss([ref(X[i]) for i in batch], [y[i] for i in batch])
        ref_opt.zero_grad()
        loss.backward()
        ref_opt.step()
    _same([p.data for p in stopped.parameters()], [p.data for p in ref.parameters()])
    _same(opt.m + opt.v, ref_opt.m + ref_opt.v)


def test_the_digits_loss_function_compiles_as_its_named_loss(counted):
    """fit(loss=nn.cross_entropy_loss) (a function, as in the digits demo) replays as
    the named loss does, and keeps the function's (accuracy-free) history."""
    y, out_act, nout = CASES["cross_entropy"]
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [4, 3], output_activation=out_act, seed=6)
        h = nn.fit(model, X, y, loss=nn.cross_entropy_loss,
                   optimizer=nn.Adam(model.parameters(), lr=0.05), epochs=3, batch_size=2,
                   seed=1, progress=False, compiled=compiled)
        assert h.accuracy is None
        results.append(h.loss + [p.data for p in model.parameters()])
    assert counted["traces"] == 1
    _same(results[1], results[0])


def test_a_loss_function_with_a_bad_class_index_is_refused_before_training():
    model = nn.MLP(2, [3], output_activation="linear", seed=0)
    with pytest.raises(ValueError, match=r"y\[1\]"):
        nn.fit(model, X, [0, 3, 1, 2, 0], loss=nn.cross_entropy_loss, progress=False,
               compiled=True)


def test_compiled_fit_with_a_custom_loss(counted):
    def loss(pred, target):  # the target arrives as a Value when compiled
        return (pred - target) ** 2 * 0.5

    y = [0.0, 1.0, 1.0, 0.0, 0.5]
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [3, 1], output_activation="sigmoid", seed=2)
        nn.fit(model, X, y, loss=loss, epochs=5, batch_size=2, seed=0, progress=False,
               compiled=compiled)
        results.append([p.data for p in model.parameters()])
    assert counted["traces"] == 1 and counted["replays"] > 5
    _same(results[1], results[0])


def test_a_batch_whose_samples_branch_differently_runs_eagerly(counted, monkeypatch):
    def loss(pred, target):  # a branch on the prediction: samples may disagree
        return (pred - target) ** 2 if pred > 0.5 else (pred - target) * 0.5

    diverged, real = [], Compiled._diverged
    monkeypatch.setattr(Compiled, "_diverged", lambda self: diverged.append(1) or real(self))
    y = [0.5] * len(X)
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [3, 1], output_activation="sigmoid", seed=5)
        h = nn.fit(model, X, y, loss=loss, epochs=4, seed=0, progress=False,
                   compiled=compiled)
        results.append(h.loss + [p.data for p in model.parameters()])
    assert counted["replays"] and diverged  # tried as a batch, which the samples split
    _same(results[1], results[0])


def _big_model(nout: int, out_act: str, scale: float):
    model = nn.MLP(2, [nout], output_activation=out_act, seed=0)
    for k, p in enumerate(model.parameters()):
        p.data = scale * (1.0 if k % 3 else -1.0)
    return model


@pytest.mark.parametrize("scale", [20.0, 400.0])
def test_saturated_bce_and_huge_logits_run_eagerly_and_equal_eager(scale, monkeypatch):
    """bce near 0/1 (the eager form's PyTorch clamp) and logits past the unshifted
    exponential's range are guards: those batches (or, when the first sample is one, the
    whole fit) run eagerly, and the results still equal eager fit."""
    Xs = X + [[3.0, -2.0], [-1.0, 2.5]]
    for loss, nout, out_act, y in (("bce", 1, "sigmoid", [0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0]),
                                   ("cross_entropy", 3, "linear", [0, 1, 2, 0, 1, 2, 2])):
        results = []
        for compiled in (False, True):
            model = _big_model(nout, out_act, scale)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                h = nn.fit(model, Xs, y, loss=loss, epochs=3, batch_size=3, seed=0,
                           progress=False, compiled=compiled,
                           optimizer=nn.SGD(model.parameters(), lr=1e-3))
            results.append(h.loss + [p.data for p in model.parameters()])
        assert all(math.isfinite(v) for v in results[0])
        _same(results[1], results[0])


def test_a_loss_that_cannot_take_values_as_targets_trains_eagerly_with_a_warning():
    weights = {0.0: 1.0, 1.0: 2.0}

    def loss(pred, target):  # looks the target up by value: a Value is no key
        return (pred - target) ** 2 * weights[target]

    y = [0.0, 1.0, 1.0, 0.0, 1.0]
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [3, 1], output_activation="sigmoid", seed=2)
        if compiled:
            with pytest.warns(RuntimeWarning, match="trains eagerly"):
                nn.fit(model, X, y, loss=loss, epochs=3, batch_size=2, seed=0,
                       progress=False, compiled=True)
        else:
            nn.fit(model, X, y, loss=loss, epochs=3, batch_size=2, seed=0, progress=False)
        results.append([p.data for p in model.parameters()])
    assert results[1] == results[0]


class _PlainSGD:
    """A user's optimizer: no step_arrays, so compiled fit steps on the Values."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = 0.0

    def step(self):
        for p in self.params:
            p.data -= self.lr * p.grad


@pytest.mark.parametrize("which", ["user optimizer", "first layer only"])
def test_optimizers_that_cannot_step_on_arrays_step_on_the_values(which, counted):
    y, out_act, nout = CASES["mse2"]
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [4, nout], output_activation=out_act, seed=8)
        if which == "user optimizer":
            opt = _PlainSGD(model.parameters(), lr=0.3)
        else:  # the program reads parameters the optimizer does not hold
            opt = nn.SGD(model.layers[0].parameters(), lr=0.3, momentum=0.5)
        h = nn.fit(model, X, y, optimizer=opt, epochs=3, batch_size=2, seed=4,
                   progress=False, compiled=compiled)
        results.append(h.loss + [p.data for p in model.parameters()] +
                       [p.grad for p in model.parameters()])
    assert counted["replays"] > 1
    _same(results[1], results[0])


def test_numpy_inputs_and_a_schedule(counted):
    rng = np.random.default_rng(0)
    Xs = rng.normal(size=(23, 3))
    y = rng.integers(0, 4, size=23)
    results = []
    for compiled in (False, True):
        model = nn.MLP(3, [5, 4], output_activation="linear", seed=3)
        opt = nn.SGD(model.parameters(), lr=0.5, momentum=0.9)
        sched = nn.StepLR(opt, step_size=2, gamma=0.5)
        h = nn.fit(model, Xs, y, loss="cross_entropy", optimizer=opt, epochs=5,
                   batch_size=8, seed=2, progress=False, compiled=compiled,
                   lr_schedule=sched)
        results.append(h.loss + h.accuracy + [p.data for p in model.parameters()])
    assert counted["sizes"][1:4] == [8, 8, 7]
    _same(results[1], results[0])


def test_without_numpy_compiled_fit_trains_eagerly_with_a_warning(monkeypatch):
    y, out_act, nout = CASES["mse"]
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [3, 1], output_activation=out_act, seed=1)
        if compiled:
            monkeypatch.setitem(__import__("sys").modules, "numpy", None)  # import fails
            with pytest.warns(RuntimeWarning, match="NumPy is not installed"):
                nn.fit(model, X, y, epochs=2, batch_size=2, seed=0, progress=False,
                       compiled=True)
        else:
            nn.fit(model, X, y, epochs=2, batch_size=2, seed=0, progress=False)
        results.append([p.data for p in model.parameters()])
    assert results[1] == results[0]


def test_an_interrupt_before_the_first_step_leaves_the_values_alone(monkeypatch):
    from nn.compiled import CompiledSteps

    model = nn.MLP(2, [3, 1], seed=1)
    for p in model.parameters():
        p.grad = 0.25  # left from some earlier backward
    before = [(p.data, p.grad) for p in model.parameters()]

    def interrupted(self, batch, weight):
        raise KeyboardInterrupt

    monkeypatch.setattr(CompiledSteps, "step", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.fit(model, X, CASES["mse"][0], epochs=2, progress=False, compiled=True,
               optimizer=nn.Adam(model.parameters()))
    assert [(p.data, p.grad) for p in model.parameters()] == before


# ---- the program kept between fit calls (nn.compiled.cache_info) ----

CacheInfo = nn.compiled.CacheInfo


def _state_of(opt) -> list:
    """The optimizer's state as numbers (a momentum buffer not made yet as inf)."""
    if isinstance(opt, nn.SGD):
        return [math.inf if b is None else b for b in opt.buffers]
    return opt.m + opt.v + [opt.t]


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_two_calls_equal_one_eager_call_of_the_whole_schedule(case, optimizer):
    """Unshuffled, two compiled fits of 2 epochs are one eager fit of 4: the second
    replays the first's program (no trace), and the optimizer's state and the schedule
    carry on."""
    y, out_act, nout = CASES[case]
    runs = []
    for calls in ([4], [2, 2]):
        model = nn.MLP(2, [4, nout], activation="tanh", output_activation=out_act, seed=1)
        opt = OPTIMIZERS[optimizer](model.parameters())
        sched = nn.StepLR(opt, step_size=1, gamma=0.8)
        losses, accuracy = [], []
        for epochs in calls:
            h = nn.fit(model, X, y, loss=case.rstrip("2"), optimizer=opt, epochs=epochs,
                       batch_size=2, shuffle=False, progress=False, lr_schedule=sched,
                       compiled=len(calls) == 2)
            losses += h.loss
            accuracy += h.accuracy or []
        runs.append((losses, accuracy, [p.data for p in model.parameters()],
                     [p.grad for p in model.parameters()], _state_of(opt), model))
    (l0, a0, p0, g0, s0, eager), (l1, a1, p1, g1, s1, model) = runs
    assert nn.compiled.cache_info(eager) == CacheInfo(0, 0, 0, 0)
    assert nn.compiled.cache_info(model) == CacheInfo(hits=1, misses=1, traces=1,
                                                      programs=1)
    _same(l1, l0)
    assert a1 == a0
    _same(p1, p0)
    _same(g1, g0)
    _same(s1, s0)


def _layer_of_relus(model):
    old = model.layers[0]
    model.layers[0] = nn.Layer(2, 4, activation="relu",
                               weights=[[w.data for w in n.w] for n in old.neurons],
                               biases=[n.b.data for n in old.neurons])


def _new_weight(model):
    model.layers[1].neurons[0].w[1] = autograd.Value(0.3)


def _added_bias(model):
    model.layers[0].neurons[2].b = autograd.Value(0.1)


def _added_layer(model):
    model.layers.insert(1, nn.Layer(4, 4, activation="sigmoid", seed=5))


def _output_activation(model):
    model.layers[-1] = nn.Layer(4, 3, activation="tanh",
                                weights=[[w.data for w in n.w] for n in
                                         model.layers[-1].neurons], bias=False)


CHANGES = {"activation swapped": _layer_of_relus, "a weight replaced": _new_weight,
           "a bias added": _added_bias, "a layer added": _added_layer,
           "last layer replaced": _output_activation}


def _fit_twice(change, compiled, y=None, loss="cross_entropy", bias=True):
    """fit, change the model (or not), fit again; a new Adam each time (a replaced
    parameter is only in a new optimizer)."""
    y = y or CASES["cross_entropy"][0]
    model = nn.MLP(2, [4, 3], output_activation="linear", seed=7, bias=bias)
    history = []
    for k in range(2):
        if k == 1 and change is not None:
            change(model)
        h = nn.fit(model, X, y, loss=loss, optimizer=nn.Adam(model.parameters(), lr=0.05),
                   epochs=2, batch_size=2, seed=k, progress=False, compiled=compiled)
        history += h.loss
    return model, history + [p.data for p in model.parameters()]


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_model_changed_in_structure_is_traced_again(change):
    eager, expected = _fit_twice(CHANGES[change], compiled=False, bias=change != "a bias added")
    model, got = _fit_twice(CHANGES[change], compiled=True, bias=change != "a bias added")
    assert len(got) == len(expected)
    _same(got, expected)
    # the second call found the kept program stale, traced anew and kept that instead
    assert nn.compiled.cache_info(model) == CacheInfo(hits=0, misses=2, traces=1,
                                                      programs=1)


def test_a_changed_rule_table_is_traced_again():
    from autograd import rules

    model = nn.MLP(2, [4, 3], output_activation="linear", seed=7)
    y = CASES["cross_entropy"][0]
    for _ in range(2):
        nn.fit(model, X, y, loss="cross_entropy", epochs=1, progress=False, compiled=True)
    with rules.registered("test_fit_cache_op", 1, lambda ctx, x: x,
                          lambda m, out, ctx, x: (1.0,), "1"):
        nn.fit(model, X, y, loss="cross_entropy", epochs=1, progress=False, compiled=True)
    assert nn.compiled.cache_info(model) == CacheInfo(hits=1, misses=2, traces=1,
                                                      programs=1)


def test_one_program_is_kept_per_loss():
    y = CASES["mse"][0]
    model = nn.MLP(2, [3, 1], output_activation="linear", seed=2)
    for loss in ("mse", "half_sse", nn.mse_loss, "mse", "half_sse"):
        nn.fit(model, X, y, loss=loss, epochs=1, progress=False, compiled=True)
    assert nn.compiled.cache_info(model) == CacheInfo(hits=3, misses=2, traces=2,
                                                      programs=2)


def test_parameter_values_are_read_live_not_baked():
    """Between the calls the values change (load_state_dict, an assignment): the kept
    program reads them, as eager fit does."""
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [4, 3], output_activation="linear", seed=3)
        y = CASES["cross_entropy"][0]
        history = []
        for k in range(3):
            if k == 1:
                model.load_state_dict({name: -0.5 * v for name, v in
                                       model.state_dict().items()})
            if k == 2:
                model.layers[0].neurons[1].w[0].data = 2.5
            h = nn.fit(model, X, y, loss="cross_entropy", epochs=2, batch_size=3, seed=k,
                       optimizer=nn.SGD(model.parameters(), lr=0.3, momentum=0.5),
                       progress=False, compiled=compiled)
            history += h.loss + h.accuracy
        results.append(history + [p.data for p in model.parameters()])
    assert nn.compiled.cache_info(model).hits == 2
    _same(results[1], results[0])


def test_an_interrupted_call_writes_back_and_leaves_the_kept_program_usable():
    y = CASES["cross_entropy"][0]
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [4, 3], output_activation="linear", seed=4)
        opt = nn.Adam(model.parameters(), lr=0.05)
        history = nn.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=1,
                         batch_size=2, seed=0, progress=False, compiled=compiled).loss
        name = _interrupt(opt, compiled, at=2)
        with pytest.raises(KeyboardInterrupt):
            nn.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=3,
                   batch_size=2, seed=1, progress=False, compiled=compiled)
        delattr(opt, name)
        stopped = [p.data for p in model.parameters()] + _state_of(opt)
        assert opt.t == 3 + 1  # one epoch of 3 steps, then one step before the interrupt
        history += nn.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=2,
                          batch_size=2, seed=2, progress=False, compiled=compiled).loss
        results.append(stopped + history + [p.data for p in model.parameters()])
    assert nn.compiled.cache_info(model) == CacheInfo(hits=2, misses=1, traces=1,
                                                      programs=1)
    _same(results[1], results[0])


def test_a_kept_program_replays_calls_whose_first_sample_it_cannot_trace(counted):
    """Saturated bce: a first call would train eagerly (the first sample cannot be
    traced); a kept program replays every batch it can and runs the rest eagerly."""
    Xs = X + [[3.0, -2.0], [-1.0, 2.5]]
    y = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [1], output_activation="sigmoid", seed=0)
        nn.fit(model, Xs, y, loss="bce", epochs=2, progress=False, compiled=compiled)
        for p in model.parameters()[1:]:
            p.data = 20.0  # the first sample (0, 0) saturates: sigmoid(20)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # no "trains eagerly"
            h = nn.fit(model, Xs, y, loss="bce", epochs=3, batch_size=3, seed=0,
                       progress=False, compiled=compiled,
                       optimizer=nn.SGD(model.parameters(), lr=1e-3))
        results.append(h.loss + [p.data for p in model.parameters()])
    assert counted["traces"] == 1 and counted["replays"] > 2
    assert nn.compiled.cache_info(model).hits == 1
    _same(results[1], results[0])


def _fit_30_times():
    """(a weak reference to the model, its cache_info) after 30 one-epoch fits."""
    model = nn.MLP(2, [4, 3], output_activation="linear", seed=5)
    opt = nn.Adam(model.parameters(), lr=0.01)
    for _ in range(30):
        nn.fit(model, X, CASES["cross_entropy"][0], loss=nn.cross_entropy_loss,
               optimizer=opt, epochs=1, progress=False, compiled=True)
    return weakref.ref(model), nn.compiled.cache_info(model)


def test_kept_programs_do_not_grow_with_calls_or_keep_the_model_alive():
    # (the model lives in a helper's frame: an assert here snapshots this frame's locals)
    alive, info = _fit_30_times()
    assert info == CacheInfo(hits=29, misses=1, traces=1, programs=1)
    gc.collect()
    assert alive() is None


def test_cache_clear_forgets_one_model_or_all():
    y = CASES["mse"][0]
    models = [nn.MLP(2, [3, 1], seed=s) for s in (0, 1)]
    for model in models + models:
        nn.fit(model, X, y, epochs=1, progress=False, compiled=True)
    nn.compiled.cache_clear(models[0])
    assert nn.compiled.cache_info(models[0]) == CacheInfo(0, 0, 0, 0)
    assert nn.compiled.cache_info(models[1]) == CacheInfo(1, 1, 1, 1)
    nn.fit(models[0], X, y, epochs=1, progress=False, compiled=True)
    assert nn.compiled.cache_info(models[0]) == CacheInfo(0, 1, 1, 1)
    nn.compiled.cache_clear()
    assert [nn.compiled.cache_info(m) for m in models] == [CacheInfo(0, 0, 0, 0)] * 2


class _ScaledMLP(nn.MLP):
    """A module class of the user's: its forward may read anything."""

    scale = 1.0

    def __call__(self, x):
        return [v * _ScaledMLP.scale for v in super().__call__(x)]


def test_own_module_classes_and_loss_functions_are_traced_on_every_call(counted):
    """Their code may read what no key sees (a class attribute, a closure's cell): traced
    afresh on every call, they still equal eager fit after such a change."""
    weight = [1.0]

    def loss(pred, target):
        return autograd.sum([(p - t) ** 2 for p, t in zip(pred, target)]) * weight[0]

    y = CASES["mse2"][0]
    results = []
    for compiled in (False, True):
        _ScaledMLP.scale, weight[0] = 1.0, 1.0
        own = _ScaledMLP(2, [3, 2], output_activation="sigmoid", seed=1)
        plain = nn.MLP(2, [3, 2], output_activation="sigmoid", seed=1)
        for k in range(2):
            if k:
                _ScaledMLP.scale, weight[0] = 2.0, 3.0
            nn.fit(own, X, y, epochs=2, batch_size=2, seed=k, progress=False,
                   compiled=compiled)
            nn.fit(plain, X, y, loss=loss, epochs=2, batch_size=2, seed=k, progress=False,
                   compiled=compiled)
        results.append([p.data for p in own.parameters() + plain.parameters()])
        assert nn.compiled.cache_info(own) == nn.compiled.cache_info(plain) == \
            CacheInfo(0, 0, 0, 0)
    assert counted["traces"] == 4
    _same(results[1], results[0])


MODELS = {
    "Neuron": lambda: nn.Neuron(2, activation="sigmoid", seed=3),
    "Layer": lambda: nn.Layer(2, 2, activation="sigmoid", seed=3),
    "micrograd MLP": lambda: _micrograd_mlp(),
}


def _micrograd_mlp():
    from nn.micrograd import MLP

    random.seed(3)
    return MLP(2, [3, 2])


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_every_module_class_of_nn_keeps_its_program(kind):
    results = []
    for compiled in (False, True):
        model = MODELS[kind]()
        y = CASES["mse2"][0] if model.nout == 2 else CASES["mse"][0]
        opt = nn.SGD(model.parameters(), lr=0.2, momentum=0.5)
        for k in range(3):
            nn.fit(model, X, y, optimizer=opt, epochs=2, batch_size=2, seed=k,
                   progress=False, compiled=compiled)
        results.append([p.data for p in model.parameters()])
    assert nn.compiled.cache_info(model) == CacheInfo(hits=2, misses=1, traces=1,
                                                      programs=1)
    _same(results[1], results[0])
