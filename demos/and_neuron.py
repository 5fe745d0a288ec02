"""The AND neuron, from D3 "The training loop".

One sigmoid neuron, w = [0, 0], b = 0, eta = 0.5, 2000 full-batch epochs with the
gradient averaged over the batch.  D3 writes the gradient by hand as the error signal
(a - y) times the input; that is exactly the gradient of the binary cross-entropy of a
sigmoid output, so here ``nn.fit(loss="bce")`` differentiates the mean cross-entropy.

Run alone: ``python -m demos.and_neuron``.
"""

from __future__ import annotations

import math

import nn

from ._table import Row, claim, close

X = [(0, 0), (0, 1), (1, 0), (1, 1)]
Y = [0, 0, 0, 1]
PRINTED = ["0.0", "0.02", "0.02", "0.972"]  # D3: round(a, 3) for each input
CLASSES = [0, 0, 0, 1]


def train(epochs: int = 2000, eta: float = 0.5) -> nn.MLP:
    """Full-batch gradient descent on the mean binary cross-entropy, from all zeros."""
    model = nn.MLP(2, [1], output_activation="sigmoid", weights=[[[0.0, 0.0]]],
                   biases=[[0.0]])
    nn.fit(model, X, Y, loss="bce", optimizer=nn.SGD(model.parameters(), lr=eta),
           epochs=epochs, batch_size=None, shuffle=False, progress=False)
    return model


def document_code(epochs: int = 2000, eta: float = 0.5) -> tuple[list[float], float]:
    """D3's loop, transcribed line for line: the oracle for the trained parameters."""
    def sigmoid(t):
        return 1 / (1 + math.exp(-t))

    w, b = [0.0, 0.0], 0.0
    for _ in range(epochs):
        gw, gb = [0.0, 0.0], 0.0
        for (x1, x2), y in zip(X, Y):
            a = sigmoid(w[0] * x1 + w[1] * x2 + b)
            err = a - y
            gw[0] += err * x1
            gw[1] += err * x2
            gb += err
        n = len(X)
        w[0] -= eta * gw[0] / n
        w[1] -= eta * gw[1] / n
        b -= eta * gb / n
    return w, b


def run(out=None, full: bool = False, echo=print) -> list[Row]:
    """Train the AND neuron and compare with D3's printout; ``full`` changes nothing."""
    ex = "AND neuron"
    model = train()
    w1, w2, b = model.parameters()  # nn's order: the weights, then the bias
    rows = []
    classes = []
    for x, ref in zip(X, PRINTED):
        a = model(x).data
        classes.append(1 if a > 0.5 else 0)
        echo(f"{x} {round(a, 3)} -> {classes[-1]}")
        # D3 prints round(a, 3): ours must round to the same three decimals.
        rows.append(close(ex, f"output {x}", float(ref), a, 5e-4, "D3", ref, "round(a, 3)"))
    rows.append(claim(ex, "classes", " ".join(map(str, CLASSES)), " ".join(map(str, classes)),
                      classes == CLASSES, "D3"))
    ref_w, ref_b = document_code()
    worst = max(abs(ref_w[0] - w1.data), abs(ref_w[1] - w2.data), abs(ref_b - b.data))
    echo(f"w = [{w1.data:.6f}, {w2.data:.6f}], b = {b.data:.6f}")
    rows.append(close(ex, "w, b vs D3's hand gradients", 0.0, worst, 1e-9, "hand",
                      "0 (D3's loop)"))
    return rows


if __name__ == "__main__":
    from ._main import main_for

    main_for(run)
