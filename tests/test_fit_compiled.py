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
