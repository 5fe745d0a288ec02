"""nn.fit(compiled=True) trains exactly like eager fit (the oracle), to rounding."""

from __future__ import annotations

import pytest

import autograd
import nn

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.5]]
CASES = {
    "mse": ([0.0, 1.0, 1.0, 0.0, 0.5], "sigmoid", 1),
    "half_sse": ([0.0, 1.0, 1.0, 0.0, 0.5], "linear", 1),
    "bce": ([0.0, 1.0, 1.0, 0.0, 1.0], "sigmoid", 1),
    "bce_with_logits": ([0.0, 1.0, 1.0, 0.0, 1.0], "linear", 1),
    "hinge": ([-1, 1, 1, -1, 1], "linear", 1),
    "cross_entropy": ([0, 1, 2, 0, 1], "linear", 3),
    "mse2": ([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.5, 0.5]], "sigmoid", 2),
}


def _train(loss, y, out_act, nout, batch_size, compiled):
    model = nn.MLP(2, [4, nout], activation="tanh", output_activation=out_act, seed=1)
    history = nn.fit(model, X, y, loss="mse" if loss == "mse2" else loss,
                     optimizer=nn.SGD(model.parameters(), lr=0.2, momentum=0.5), epochs=6,
                     batch_size=batch_size, seed=3, progress=False, compiled=compiled)
    return history, [p.data for p in model.parameters()]


@pytest.mark.parametrize("batch_size", [1, 2, None])
@pytest.mark.parametrize("loss", sorted(CASES))
def test_compiled_fit_equals_eager_fit(loss, batch_size, monkeypatch):
    y, out_act, nout = CASES[loss]
    h_eager, w_eager = _train(loss, y, out_act, nout, batch_size, compiled=False)
    traced = []
    real_compile = autograd.compile
    monkeypatch.setattr(autograd, "compile", lambda fn: traced.append(fn) or real_compile(fn))
    h_comp, w_comp = _train(loss, y, out_act, nout, batch_size, compiled=True)
    # one program per distinct target: the replay really ran
    assert len(traced) == len({tuple(t) if isinstance(t, list) else t for t in y})
    assert w_comp == pytest.approx(w_eager, rel=1e-10, abs=1e-12)
    assert h_comp.loss == pytest.approx(h_eager.loss, rel=1e-10, abs=1e-12)
    assert h_comp.accuracy == h_eager.accuracy


def test_compiled_fit_with_a_custom_loss():
    def loss(pred, target):
        return (pred - target) ** 2 * 0.5

    y = [0.0, 1.0, 1.0, 0.0, 0.5]
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [3, 1], output_activation="sigmoid", seed=2)
        nn.fit(model, X, y, loss=loss, epochs=5, batch_size=2, seed=0, progress=False,
               compiled=compiled)
        results.append([p.data for p in model.parameters()])
    assert results[1] == pytest.approx(results[0], rel=1e-10, abs=1e-12)


def test_many_distinct_targets_fall_back_to_eager_samples(monkeypatch):
    from nn.train import _Replay

    monkeypatch.setattr(_Replay, "MAX_PROGRAMS", 2)
    y = [0.1, 0.2, 0.3, 0.4, 0.5]  # five targets, two programs, three eager samples
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [3, 1], output_activation="sigmoid", seed=4)
        h = nn.fit(model, X, y, loss="mse", epochs=4, batch_size=2, seed=1, progress=False,
                   compiled=compiled)
        results.append(h.loss + [p.data for p in model.parameters()])
    assert results[1] == pytest.approx(results[0], rel=1e-10, abs=1e-12)


def _counting_batches(monkeypatch) -> list:
    """Record the batch size of every batched replay."""
    from autograd.compile import Compiled

    sizes, real = [], Compiled.batch_backward
    monkeypatch.setattr(Compiled, "batch_backward",
                        lambda self, X, w: sizes.append(len(w)) or real(self, X, w))
    return sizes


@pytest.mark.parametrize("batch_size", [2, 3, None])
def test_mini_batches_replay_as_matrices_and_equal_eager(batch_size, monkeypatch):
    pytest.importorskip("numpy")
    Xs = [[0.1 * k, 1.0 - 0.07 * k] for k in range(12)]
    y = [1 if k % 3 else -1 for k in range(12)]
    results = []
    for compiled in (False, True):
        sizes = _counting_batches(monkeypatch) if compiled else []
        model = nn.MLP(2, [5, 4, 1], activation="relu", output_activation="linear", seed=7)
        h = nn.fit(model, Xs, y, loss="hinge", epochs=5, batch_size=batch_size, seed=2,
                   progress=False, compiled=compiled,
                   optimizer=nn.SGD(model.parameters(), lr=0.1, momentum=0.9))
        results.append(h.loss + [p.data for p in model.parameters()] + h.accuracy)
    # samples sharing a target replayed together, several at a time
    assert sizes and max(sizes) > 1
    assert sum(sizes) <= 5 * len(Xs)
    assert results[1] == pytest.approx(results[0], rel=1e-12, abs=1e-13)


def test_a_batch_whose_samples_branch_differently_replays_sample_by_sample(monkeypatch):
    pytest.importorskip("numpy")

    def loss(pred, target):  # a branch on the prediction: samples may disagree
        return (pred - target) ** 2 if pred > 0.5 else (pred - target) * 0.5

    from autograd.compile import Compiled

    diverged, real = [], Compiled._diverged
    monkeypatch.setattr(Compiled, "_diverged", lambda self: diverged.append(1) or real(self))
    y = [0.5] * len(X)
    results = []
    for compiled in (False, True):
        sizes = _counting_batches(monkeypatch) if compiled else []
        model = nn.MLP(2, [3, 1], output_activation="sigmoid", seed=5)
        h = nn.fit(model, X, y, loss=loss, epochs=4, seed=0, progress=False,
                   compiled=compiled)
        results.append(h.loss + [p.data for p in model.parameters()])
    assert sizes and diverged  # tried as a batch, which the samples split
    assert results[1] == pytest.approx(results[0], rel=1e-12, abs=1e-13)
