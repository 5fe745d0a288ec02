"""Row 2: the reference 2-2-1 sigmoid network, per-sample SGD, against hand-written floats.

The network, data set, loss and learning rate are the reference document's (003: Alice,
Bob, Charlie, Diana; MSE; eta = 0.1).  The hand-written contender uses the document's
formulas for every partial derivative on plain floats, written as well as we can (each
sigmoid computed once and reused, as f'(x) = f(x)(1 - f(x)) allows).  Every contender
must end with the same nine parameters to 1e-9.
"""

from __future__ import annotations

import math
import random
import time

import autograd as ag
from autograd import Value

from .harness import Row, all_close, fmt_time, interleaved, median

DATA = ((-2.0, -1.0, 1.0), (25.0, 6.0, 0.0), (17.0, 4.0, 0.0), (-15.0, -6.0, 1.0))
LR = 0.1
NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")


def initial(seed: int = 3) -> list[float]:
    rng = random.Random(seed)
    return [rng.gauss(0.0, 1.0) for _ in NAMES]


def train_hand(epochs: int, init: list[float]) -> list[float]:
    """The document's backprop, by hand, on floats."""
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = init
    exp = math.exp
    for _ in range(epochs):
        for x0, x1, y in DATA:
            h1 = 1.0 / (1.0 + exp(-(w1 * x0 + w2 * x1 + b1)))
            h2 = 1.0 / (1.0 + exp(-(w3 * x0 + w4 * x1 + b2)))
            o1 = 1.0 / (1.0 + exp(-(w5 * h1 + w6 * h2 + b3)))
            d_L_d_ypred = -2.0 * (y - o1)
            d_o1 = o1 * (1.0 - o1)  # f'(sum_o1)
            d_h1 = h1 * (1.0 - h1)
            d_h2 = h2 * (1.0 - h2)
            g_h1 = d_L_d_ypred * w5 * d_o1  # dL/dh1, then through h1's sigmoid
            g_h2 = d_L_d_ypred * w6 * d_o1
            w1 -= LR * g_h1 * x0 * d_h1
            w2 -= LR * g_h1 * x1 * d_h1
            b1 -= LR * g_h1 * d_h1
            w3 -= LR * g_h2 * x0 * d_h2
            w4 -= LR * g_h2 * x1 * d_h2
            b2 -= LR * g_h2 * d_h2
            w5 -= LR * d_L_d_ypred * h1 * d_o1
            w6 -= LR * d_L_d_ypred * h2 * d_o1
            b3 -= LR * d_L_d_ypred * d_o1
    return [w1, w2, w3, w4, w5, w6, b1, b2, b3]


def network(params):
    """The loss of one sample as a function of Values, written as the document does."""
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = params

    def loss(x0, x1, y):
        h1 = ag.dot((w1, w2), (x0, x1), b1).sigmoid()
        h2 = ag.dot((w3, w4), (x0, x1), b2).sigmoid()
        o1 = ag.dot((w5, w6), (h1, h2), b3).sigmoid()
        return (y - o1) ** 2

    return loss


def train_eager(epochs: int, init: list[float]) -> list[float]:
    params = [Value(v) for v in init]
    loss = network(params)
    for _ in range(epochs):
        for x0, x1, y in DATA:
            loss(x0, x1, y).backward()
            for p in params:
                p.data -= LR * p.grad
                p.grad = 0.0
    return [p.data for p in params]


def train_compiled(epochs: int, init: list[float]) -> list[float]:
    params = [Value(v) for v in init]
    step = ag.compile(network(params), DATA[0]).backward
    for _ in range(epochs):
        for x0, x1, y in DATA:
            step(x0, x1, y)
            for p in params:
                p.data -= LR * p.grad
                p.grad = 0.0
    return [p.data for p in params]


class Fused:
    """The compiled network with the SGD update fused into the generated code
    (``Compiled.sgd``: the parameters stay in local variables for the whole run).

    Compiled once (the time it takes is reported next to the row); every run starts the
    same parameters from ``init`` again."""

    def __init__(self, init: list[float]) -> None:
        t0 = time.perf_counter()
        self.params = [Value(v) for v in init]
        self.compiled = ag.compile(network(self.params), DATA[0])
        self.compiled.sgd(DATA, LR, epochs=0)  # generates the code
        self.compile_seconds = time.perf_counter() - t0

    def __call__(self, epochs: int, init: list[float]) -> list[float]:
        for p, v in zip(self.params, init):
            p.data = v
        self.compiled.sgd(DATA, LR, epochs)
        return [p.data for p in self.params]


def run(rounds: int, epochs: int = 1000) -> list[Row]:
    init = initial()
    contenders = {"hand": train_hand, "eager": train_eager}
    if hasattr(ag, "compile"):
        contenders["compiled"] = train_compiled
        contenders["fused"] = Fused(init)
    results = {}

    def bench(name):
        def go():
            results[name] = contenders[name](epochs, init)
        return go

    times = interleaved({name: bench(name) for name in contenders}, rounds, warmup=1)
    t = {name: median(ts) for name, ts in times.items()}
    steps = epochs * len(DATA)
    hand_us = t["hand"] / steps * 1e6
    rows = []
    for name, target in (("eager", 10.0), ("compiled", 2.0), ("fused", 1.5)):
        label = f"Alice 2-2-1 network, per-sample SGD, {epochs} epochs: {name} vs hand floats"
        if name == "fused":
            label = (f"Alice 2-2-1 network, per-sample SGD, {epochs} epochs: compiled with the "
                     f"update fused (Compiled.sgd) vs hand floats")
        if name not in t:
            rows.append(Row(label, "autograd.compile not available", ratio=None, note="missing"))
            continue
        rows.append(Row(
            label,
            f"{name} {t[name] / steps * 1e6:.2f} us, hand {hand_us:.2f} us per step "
            f"({fmt_time(t[name])} vs {fmt_time(t['hand'])} in all)",
            ratio=t[name] / t["hand"], target=target, lower=True, unit="x slower",
            ok=all_close(results[name], results["hand"]),
            details=[f"compiling once took {fmt_time(contenders[name].compile_seconds)}, not "
                     f"in the timed runs"] if name == "fused" else [],
        ))
    return rows
