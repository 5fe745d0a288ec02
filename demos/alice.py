"""Alice and her friends, from D4 "Training a Neural Network, 2".

Part 1: the document's worked example.  All weights 1, all biases 0, Alice's
x = (-2, -1), y = 1.  The engine computes h1, o1 and dL/dw1 with ``backward()``, the
three chain-rule factors the document multiplies by hand (each one a gradient the
engine computes with ``autograd.grad``), prints ``explain()``, whose three-digit hand
calculation writes D4's numbers, and renders the graph with the w1 path highlighted.

Part 2: the document's full training run (Alice, Bob, Charlie, Diana; per-sample SGD,
learning rate 0.1, 1000 epochs, loss printed every 10 epochs).  At every one of the
4000 steps the nine gradients from ``backward()`` are compared with the document's
hand-written partial-derivative formulas, computed here exactly as it writes them.

Run alone: ``python -m demos.alice``.
"""

from __future__ import annotations

import math

import autograd
from autograd import Value

from ._common import out_dir, progress_bar, save_loss_curve
from ._table import Row, claim, close, printed

NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")

DATA = [(-2.0, -1.0), (25.0, 6.0), (17.0, 4.0), (-15.0, -6.0)]  # Alice, Bob, Charlie, Diana
Y_TRUE = [1.0, 0.0, 0.0, 1.0]
# Not in D4's text: the original article goes on to these two (weight - 135, height - 66).
NEW_PEOPLE = {"Emily": ((-7.0, -3.0), 1), "Frank": ((20.0, 2.0), 0)}


class AliceNetwork:
    """D4's network: inputs x1, x2; hidden h1, h2; output o1; all sigmoid."""

    def __init__(self, values: dict[str, float]) -> None:
        self.p = {name: Value(values[name], label=name) for name in NAMES}

    def parameters(self) -> list[Value]:
        """The nine parameters in the document's order w1..w6, b1..b3."""
        return [self.p[n] for n in NAMES]

    def forward(self, x) -> tuple[Value, Value, Value]:
        """(h1, h2, o1) for one sample, labelled as in the document."""
        p = self.p
        x1, x2 = (v if isinstance(v, Value) else Value(v) for v in x)
        h1 = (p["w1"] * x1 + p["w2"] * x2 + p["b1"]).sigmoid()
        h2 = (p["w3"] * x1 + p["w4"] * x2 + p["b2"]).sigmoid()
        o1 = (p["w5"] * h1 + p["w6"] * h2 + p["b3"]).sigmoid()
        h1.label, h2.label, o1.label = "h1", "h2", "o1"
        return h1, h2, o1

    def loss(self, x, y_true: float) -> Value:
        """The squared error of one sample (D4's MSE over a dataset of one)."""
        o1 = self.forward(x)[2]
        loss = (y_true - o1) ** 2
        loss.label = "L"
        return loss


# --- the document's hand-written gradients, transcribed from its train() --------------


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _deriv_sigmoid(x: float) -> float:
    fx = _sigmoid(x)
    return fx * (1 - fx)


def hand_gradients(w: dict[str, float], x, y_true: float) -> dict[str, float]:
    """dL/dparameter for one sample, by D4's formulas (d_L_d_ypred * d_ypred_d_h1 * ...)."""
    sum_h1 = w["w1"] * x[0] + w["w2"] * x[1] + w["b1"]
    h1 = _sigmoid(sum_h1)
    sum_h2 = w["w3"] * x[0] + w["w4"] * x[1] + w["b2"]
    h2 = _sigmoid(sum_h2)
    sum_o1 = w["w5"] * h1 + w["w6"] * h2 + w["b3"]
    y_pred = _sigmoid(sum_o1)
    d_L_d_ypred = -2 * (y_true - y_pred)
    d_ypred_d_w5 = h1 * _deriv_sigmoid(sum_o1)
    d_ypred_d_w6 = h2 * _deriv_sigmoid(sum_o1)
    d_ypred_d_b3 = _deriv_sigmoid(sum_o1)
    d_ypred_d_h1 = w["w5"] * _deriv_sigmoid(sum_o1)
    d_ypred_d_h2 = w["w6"] * _deriv_sigmoid(sum_o1)
    d_h1_d_w1 = x[0] * _deriv_sigmoid(sum_h1)
    d_h1_d_w2 = x[1] * _deriv_sigmoid(sum_h1)
    d_h1_d_b1 = _deriv_sigmoid(sum_h1)
    d_h2_d_w3 = x[0] * _deriv_sigmoid(sum_h2)
    d_h2_d_w4 = x[1] * _deriv_sigmoid(sum_h2)
    d_h2_d_b2 = _deriv_sigmoid(sum_h2)
    return {
        "w1": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1,
        "w2": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2,
        "b1": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1,
        "w3": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3,
        "w4": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4,
        "b2": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2,
        "w5": d_L_d_ypred * d_ypred_d_w5,
        "w6": d_L_d_ypred * d_ypred_d_w6,
        "b3": d_L_d_ypred * d_ypred_d_b3,
    }


# --- part 1: the worked example ---------------------------------------------------------


def worked_example(out=None, echo=print) -> list[Row]:
    """D4's example: Alice alone, weights 1, biases 0."""
    net = AliceNetwork({n: (1.0 if n.startswith("w") else 0.0) for n in NAMES})
    x1, x2 = Value(-2.0, label="x1"), Value(-1.0, label="x2")
    h1, _, o1 = net.forward((x1, x2))
    o1.label = "ypred"  # D4's name for the output in its derivatives
    loss = (1.0 - o1) ** 2
    loss.label = "L"
    loss.backward()
    w1 = net.p["w1"]
    # The document's three factors, each a derivative the engine takes from the graph.
    (dL_dypred,) = autograd.grad(loss, [o1])
    (dypred_dh1,) = autograd.grad(o1, [h1])
    (dh1_dw1,) = autograd.grad(h1, [w1])
    echo(f"h1 = {h1.data:.6g}, o1 = {o1.data:.6g}, dL/dw1 = {w1.grad:.6g} (backward)")
    echo(f"factors (autograd.grad): dL/dypred = {dL_dypred:.6g}, dypred/dh1 = "
         f"{dypred_dh1:.6g}, dh1/dw1 = {dh1_dw1:.6g}")
    ex = "Alice, worked"
    rows = [
        printed(ex, "h1", "0.0474", h1.data, "D4"),
        printed(ex, "o1 = ypred", "0.524", o1.data, "D4"),
        # D4 computes -2(1 - ypred) from ypred already rounded to 0.524, so its -0.952 can
        # be off by 2 * 0.0005 more than its own rounding.
        printed(ex, "dL/dypred", "-0.952", dL_dypred, "D4", tol=1.5e-3,
                why="D4 rounds ypred first"),
        printed(ex, "dypred/dh1", "0.249", dypred_dh1, "D4"),
        printed(ex, "dh1/dw1", "-0.0904", dh1_dw1, "D4"),
        # D4 multiplies the three rounded factors: their relative errors add up.
        printed(ex, "dL/dw1 (backward)", "0.0214", w1.grad, "D4",
                tol=0.0214 * (1.5e-3 / 0.952 + 5e-4 / 0.249 + 5e-5 / 0.0904) + 5e-5,
                why="D4 rounds its factors"),
        # The chain rule itself: the product of the factors is the gradient.
        close(ex, "product of the factors", w1.grad, dL_dypred * dypred_dh1 * dh1_dw1, 1e-15,
              "chain", "dL/dw1 above"),
    ]
    rows += _explain_rows(loss, w1, echo)
    rows += _render_rows(loss, w1, out, echo)
    return rows


def _explain_rows(loss: Value, w1: Value, echo) -> list[Row]:
    # digits=3: explain() then carries three significant digits from rounded labelled
    # values, as D4's hand calculation does, so its written factors are D4's numbers.
    explanation = autograd.explain(loss, w1, digits=3)
    echo(str(explanation))
    ex = "Alice, explain"
    factors = {f.name: f for f in explanation.factors()}
    rows = []
    for name, ref in (("dL/dypred", "-0.952"), ("dypred/dh1", "0.249"),
                      ("dh1/dw1", "-0.0904")):
        factor = factors.get(name)
        if factor is None:
            rows.append(claim(ex, f"factor {name}", ref, f"missing from {sorted(factors)}",
                              False, "D4"))
        else:
            rows.append(printed(ex, f"factor {name} (3 digits)", ref, factor.written, "D4"))
    rows.append(printed(ex, "written product (3 digits)", "0.0214", explanation.written, "D4"))
    rows.append(close(ex, "exact sum over paths", w1.grad, explanation.value, 1e-15, "chain",
                      "dL/dw1 from backward()"))
    return rows


def _render_rows(loss: Value, w1: Value, out, echo) -> list[Row]:
    directory = out_dir(out)
    if directory is None:
        return []
    path = autograd.render(loss, directory / "alice_graph.svg", highlight=w1)
    echo(f"wrote {path} (the paths from L down to w1 in red)")
    text = path.read_text() if path.exists() else ""
    return [claim("Alice, graph", "SVG with the w1 path", "written", path.name,
                  "<svg" in text and "w1" in text, "D4")]


# --- part 2: the full training run ------------------------------------------------------


def initial_parameters(seed: int = 0) -> dict[str, float]:
    """D4 draws its nine parameters with np.random.normal(), unseeded; we seed it."""
    import numpy as np

    rng = np.random.RandomState(seed)
    return {n: float(rng.normal()) for n in NAMES}


def train(epochs: int = 1000, lr: float = 0.1, seed: int = 0, echo=print):
    """D4's training loop with backward() gradients.

    Returns (net, the largest |backward() - D4's formula| over all steps and parameters,
    {epoch: loss} every 10 epochs).
    """
    net = AliceNetwork(initial_parameters(seed))
    params = net.parameters()
    worst = 0.0
    history = {}
    bar = progress_bar(range(epochs), "Alice, D4's training")
    for epoch in bar:
        for x, y_true in zip(DATA, Y_TRUE):
            current = {n: net.p[n].data for n in NAMES}
            net.loss(x, y_true).backward()
            hand = hand_gradients(current, x, y_true)
            worst = max(worst, max(abs(net.p[n].grad - hand[n]) for n in NAMES))
            for p in params:
                p.data -= lr * p.grad
                p.grad = 0.0
        if epoch % 10 == 0:
            preds = [net.forward(x)[2].data for x in DATA]
            loss = sum((t - p) ** 2 for t, p in zip(Y_TRUE, preds)) / len(DATA)
            bar.set_postfix(loss=f"{loss:.3f}")
            history[epoch] = loss
    bar.close()
    # D4 prints "Epoch N loss: ..." every 10 epochs; the whole curve is in alice_loss.png.
    first, last = min(history), max(history)
    echo(f"Epoch {first} loss: {history[first]:.3f} ... Epoch {last} loss: "
         f"{history[last]:.3f} ({epochs} epochs of {len(DATA)} samples)")
    return net, worst, history


def run(out=None, full: bool = False, echo=print) -> list[Row]:
    """The worked example and the full training run; ``full`` changes nothing (it is fast)."""
    rows = worked_example(out, echo)
    net, worst, history = train(echo=echo)
    directory = out_dir(out)
    if directory is not None:
        path = save_loss_curve(list(history), list(history.values()),
                               directory / "alice_loss.png", "Alice & co.: D4's training",
                               "epoch", "mean squared error")
        echo(f"wrote {path}")
    rows.append(close("Alice, training", "max |backward - hand| (4000 steps)", 0.0, worst,
                      1e-12, "hand", "0 (D4 formulas)"))
    correct = sum((net.forward(x)[2].data > 0.5) == bool(y) for x, y in zip(DATA, Y_TRUE))
    rows.append(claim("Alice, training", "training set classified", "4/4", f"{correct}/4",
                      correct == 4, "D4"))
    for name, (x, y) in NEW_PEOPLE.items():
        p = net.forward(x)[2].data
        echo(f"{name}: {p:.3f} - {'F' if p > 0.5 else 'M'}")
        rows.append(claim("Alice, training", f"{name} {x}", "F" if y else "M",
                          f"{p:.3f} {'F' if p > 0.5 else 'M'}", (p > 0.5) == bool(y), "article"))
    return rows


if __name__ == "__main__":
    from ._main import main_for

    main_for(run)
