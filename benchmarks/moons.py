"""Row 1: one full-batch training step of micrograd's moons demo, ours against micrograd.

Both contenders train ``MLP(2, [16, 16, 1])`` (relu, relu, linear) on the same 100 points
with the demo's loss (mean hinge + 1e-4 L2) and plain SGD, starting from the same weights.
micrograd is written exactly as its demo; ours is written the way our engine is meant to
be used (one fused ``dot`` node per neuron, one ``sum`` for the mean): the comparison is
of the two engines as used, and the results must agree to 1e-9 after every step.
"""

from __future__ import annotations

import random

import autograd as ag
from autograd import Value

from .harness import Row, all_close, close, fmt_time, interleaved, median, without_collector

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4
LR = 0.5


def moons_data(n: int, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """The demo's data: sklearn's make_moons, labels -1 and 1, as plain floats."""
    from sklearn.datasets import make_moons  # the demo extra, installed by `make bench`

    X, y = make_moons(n_samples=n, noise=0.1, random_state=seed)
    return X.tolist(), [float(2 * t - 1) for t in y]


def initial_weights(seed: int = 1337) -> list[list[tuple[list[float], float]]]:
    """Per layer, per neuron: (weights, bias), drawn like micrograd's Neuron."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1, 1) for _ in range(nin)], 0.0) for _ in range(nout)]
        for nin, nout in zip(SIZES, SIZES[1:])
    ]


class Ours:
    """The model and training step on our engine."""

    def __init__(self, weights, X, y) -> None:
        self.layers = [[([Value(w) for w in ws], Value(b)) for ws, b in layer]
                       for layer in weights]
        self.params = [p for layer in self.layers for ws, b in layer for p in (*ws, b)]
        self.X, self.y = X, y

    def model(self, x):
        x = [ag.as_value(v) for v in x]  # wrapped once: every first-layer neuron shares them
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = [ag.dot(ws, x, b) for ws, b in layer]
            if i < last:
                x = [v.relu() for v in x]
        return x[0]

    def loss(self) -> Value:
        scores = [self.model(x) for x in self.X]
        losses = [(1.0 - yi * s).relu() for yi, s in zip(self.y, scores)]
        data_loss = ag.sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * ag.dot(self.params, self.params)
        return data_loss + reg_loss

    def step(self) -> float:
        total = self.loss()
        for p in self.params:
            p.grad = 0.0
        total.backward()
        self.grads = [p.grad for p in self.params]
        for p in self.params:
            p.data -= LR * p.grad
        return total.data

    def weights(self) -> list[float]:
        return [p.data for p in self.params]


class Batched(Ours):
    """The same model, its per-sample loss compiled once and replayed over all points at
    once on NumPy arrays (``Compiled.batch_backward``)."""

    def __init__(self, weights, X, y) -> None:
        import numpy as np

        super().__init__(weights, X, y)
        n = len(X)

        def sample_loss(x0, x1, yi):
            # The batch loss is the sum over samples: each carries 1/n of the mean hinge
            # loss and 1/n of the L2 term.
            hinge = (1.0 - yi * self.model([x0, x1])).relu()
            return (hinge + ALPHA * ag.dot(self.params, self.params)) * (1.0 / n)

        self.columns = [np.array([x[0] for x in X]), np.array([x[1] for x in X]), np.array(y)]
        self.compiled = ag.compile(sample_loss, [X[0][0], X[0][1], y[0]])

    def step(self) -> float:
        for p in self.params:
            p.grad = 0.0
        total = float(self.compiled.batch_backward(*self.columns).sum())
        self.grads = [p.grad for p in self.params]
        for p in self.params:
            p.data -= LR * p.grad
        return total


class HandNumPy:
    """The same step written by hand in NumPy: one matrix product per layer forward, two
    backward, every derivative worked out on paper (the floor batched replay aims at)."""

    def __init__(self, weights, X, y) -> None:
        import numpy as np

        self.np = np
        self.Ws = [np.array([ws for ws, _ in layer]) for layer in weights]
        self.bs = [np.array([b for _, b in layer]) for layer in weights]
        self.X, self.y = np.array(X), np.array(y)

    def step(self) -> float:
        np, X, y = self.np, self.X, self.y
        n = len(y)
        (W1, W2, W3), (b1, b2, b3) = self.Ws, self.bs
        z1 = X @ W1.T + b1
        h1 = np.maximum(z1, 0.0)
        z2 = h1 @ W2.T + b2
        h2 = np.maximum(z2, 0.0)
        s = (h2 @ W3.T + b3)[:, 0]
        margin = 1.0 - y * s
        sq = sum(float(np.sum(W * W)) + float(np.sum(b * b)) for W, b in zip(self.Ws, self.bs))
        total = float(np.sum(np.maximum(margin, 0.0))) / n + ALPHA * sq
        ds = np.where(margin > 0.0, -y, 0.0) / n  # d loss / d score, per sample
        dW3, db3 = ds[None, :] @ h2, np.array([ds.sum()])
        dz2 = np.outer(ds, W3[0]) * (z2 > 0.0)
        dW2, db2 = dz2.T @ h1, dz2.sum(axis=0)
        dz1 = (dz2 @ W2) * (z1 > 0.0)
        dW1, db1 = dz1.T @ X, dz1.sum(axis=0)
        grads = ((dW1, db1), (dW2, db2), (dW3, db3))
        for W, b, (dW, db) in zip(self.Ws, self.bs, grads):
            dW += 2.0 * ALPHA * W
            db += 2.0 * ALPHA * b
            W -= LR * dW
            b -= LR * db
        self.grads = self._flat(grads)
        return total

    def _flat(self, pairs) -> list[float]:
        # in the order of the other contenders' parameters: per neuron, weights then bias
        return [v for W, b in pairs for row, bias in zip(W.tolist(), b.tolist())
                for v in (*row, bias)]

    def weights(self) -> list[float]:
        return self._flat(zip(self.Ws, self.bs))


class Micrograd:
    """The same step, written as in micrograd's demo notebook."""

    def __init__(self, weights, X, y) -> None:
        from micrograd.engine import Value as MValue
        from micrograd.nn import MLP

        self.Value = MValue
        self.model = MLP(SIZES[0], list(SIZES[1:]))
        for layer, wl in zip(self.model.layers, weights):
            for neuron, (ws, b) in zip(layer.neurons, wl):
                for p, w in zip(neuron.w, ws):
                    p.data = w
                neuron.b.data = b
        self.X, self.y = X, y

    def loss(self):
        inputs = [list(map(self.Value, xrow)) for xrow in self.X]
        scores = list(map(self.model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in self.model.parameters())
        return data_loss + reg_loss

    def step(self) -> float:
        total = self.loss()
        self.model.zero_grad()
        total.backward()
        self.grads = [p.grad for p in self.model.parameters()]
        for p in self.model.parameters():
            p.data -= LR * p.grad
        return total.data

    def weights(self) -> list[float]:
        return [p.data for p in self.model.parameters()]


def run(rounds: int, n_points: int = 100) -> list[Row]:
    name = f"moons step, MLP(2,[16,16,1]), {n_points} points: ours vs micrograd"
    X, y = moons_data(n_points)
    w0 = initial_weights()
    contenders = {"ours": Ours(w0, X, y)}
    try:
        contenders["micrograd"] = Micrograd(w0, X, y)
    except ImportError:
        return [Row(name, "micrograd not installed (`make bench` installs it)", note="skipped")]
    # micrograd's step makes reference cycles (each node's _backward closure refers to the
    # node), so its cost depends on the cycle collector: both engines are measured with it
    # on (as in a script) and off (the compute alone), in the same run.
    contenders["ours, collector off"] = Ours(w0, X, y)
    contenders["micrograd, collector off"] = Micrograd(w0, X, y)
    off = {"ours, collector off", "micrograd, collector off"}
    try:
        contenders["batched"] = Batched(w0, X, y)
        contenders["numpy"] = HandNumPy(w0, X, y)
    except ImportError:  # NumPy (the demo extra) missing: no batched rows
        pass
    # Correctness: the first step's loss and gradients agree, and so do the weights after
    # every timed step (every contender takes exactly the same number of steps).
    losses = {k: c.step() for k, c in contenders.items()}
    mg = contenders["micrograd"]
    ok = {k: close(losses[k], losses["micrograd"]) and all_close(c.grads, mg.grads)
          for k, c in contenders.items()}
    # Each timed step follows another (untimed, then timed ones): it pays for collecting its
    # predecessor's garbage, as in a training loop.
    times = interleaved({k: without_collector(c.step) if k in off else c.step
                         for k, c in contenders.items()}, rounds, warmup=1, repeat=3, prime=1)
    t = {k: median(ts) for k, ts in times.items()}
    ok = {k: ok[k] and all_close(c.weights(), mg.weights()) for k, c in contenders.items()}
    n_nodes = len(ag.topological_order(contenders["ours"].loss()))
    both_ok = all(ok[k] for k in ("ours", "micrograd", *off))
    rows = [Row(
        name + ", collector on",
        f"ours {fmt_time(t['ours'])}, micrograd {fmt_time(t['micrograd'])} per step",
        ratio=t["micrograd"] / t["ours"], target=100.0, ok=both_ok,
        details=[f"ours builds {n_nodes} nodes per step (fused dot per neuron); "
                 f"first-step loss {losses['ours']:.12g} (micrograd {losses['micrograd']:.12g})"],
    ), Row(
        name + ", collector off (both)",
        f"ours {fmt_time(t['ours, collector off'])}, micrograd "
        f"{fmt_time(t['micrograd, collector off'])} per step",
        ratio=t["micrograd, collector off"] / t["ours, collector off"], target=15.0, ok=both_ok,
    )]
    if "batched" in t:
        rows.append(Row(
            "moons step, compiled once, replayed on NumPy arrays (stretch): batched vs micrograd",
            f"batched {fmt_time(t['batched'])} per step ({t['ours'] / t['batched']:.1f}x "
            f"faster than ours eager); PyTorch not installed, not compared",
            ratio=t["micrograd"] / t["batched"], ok=ok["batched"]))
        rows.append(Row(
            "moons step, hand-written NumPy (one matrix product per layer, derivatives by "
            "hand): vs micrograd",
            f"NumPy {fmt_time(t['numpy'])} per step; same first loss and gradients, same "
            f"weights after every step (to 1e-9)",
            ratio=t["micrograd"] / t["numpy"], ok=ok["numpy"]))
        rows.append(Row(
            "moons step, batched replay (a layer's dots as one W @ X) vs hand-written NumPy",
            f"batched {fmt_time(t['batched'])}, hand NumPy {fmt_time(t['numpy'])} per step, "
            f"SGD on the Values included",
            ratio=t["batched"] / t["numpy"], target=2.0, lower=True, unit="x slower",
            ok=ok["batched"] and ok["numpy"]))
    return rows


def run_fit(rounds: int, n_points: int = 100, epochs: int = 20) -> Row:
    """nn.fit on the moons data, full batch: compiled=True against compiled=False."""
    import nn

    name = f"nn.fit, moons, MLP(2,[16,16,1]), {epochs} full-batch epochs: compiled vs eager"
    X, y = moons_data(n_points)
    results = {}

    def train(compiled: bool):
        def go():
            model = nn.MLP(2, [16, 16, 1], activation="relu", output_activation="linear",
                           seed=0)
            history = nn.fit(model, X, y, loss="hinge", epochs=epochs, progress=False, seed=0,
                             optimizer=nn.SGD(model.parameters(), lr=0.1), compiled=compiled)
            results[compiled] = history.loss + [p.data for p in model.parameters()]
        return go

    times = interleaved({"eager": train(False), "compiled": train(True)}, rounds, warmup=0)
    t_eager, t_comp = median(times["eager"]), median(times["compiled"])
    return Row(name, f"compiled {fmt_time(t_comp)}, eager {fmt_time(t_eager)} "
                     f"(compiling included)",
               ratio=t_eager / t_comp, ok=all_close(results[True], results[False]))
