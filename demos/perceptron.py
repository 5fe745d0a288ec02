"""The one-neuron perceptron, from D2 "Understanding Neural Network Training with Python".

One sigmoid neuron, three inputs, no bias, weights from
``np.random.seed(1); 2*np.random.random((3, 1))-1``, 15000 full-batch updates
``W += X.T @ (error * out * (1 - out))``, which is gradient descent with learning rate 1
on half the sum of squared errors: ``nn.fit(loss="half_sse")``, where ``backward()``
supplies the gradient.

D2 then trains the same neuron on XOR (a constant third input standing in for a bias)
and suggests it learns it.  It cannot: XOR is not linearly separable, and the outputs
printed here show it.  The document's own numpy code, run alongside, is the oracle.

Run alone: ``python -m demos.perceptron``.
"""

from __future__ import annotations

import nn

from ._common import numpy_uniform_init, transpose
from ._table import Row, claim, close

INITIAL = [-0.16595599, 0.44064899, -0.99977125]  # numpy seed(1), as quoted by issue 5
TRAIN_X = [[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]]
TRAIN_Y = [0, 1, 1, 0]  # the first input, copied: the rule to learn
XOR_X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
XOR_Y = [0, 1, 1, 0]
NEW = [1, 0, 0]


def neuron() -> nn.MLP:
    """D2's neuron: sigmoid(w . x), no bias, weights from numpy seed(1)."""
    (w,) = numpy_uniform_init((3, 1), seed=1)
    return nn.MLP(3, [1], output_activation="sigmoid", bias=False, weights=[transpose(w)])


def train(model: nn.MLP, X, y, iterations: int = 15000) -> None:
    """D2's train(): full batch, learning rate 1, half the sum of squared errors."""
    nn.fit(model, X, y, loss="half_sse", optimizer=nn.SGD(model.parameters(), lr=1.0),
           epochs=iterations, batch_size=None, shuffle=False, progress=False)


def numpy_reference(iterations: int = 15000):
    """D2's NeuralNetwork, numpy and all, run here: (weights after rule, after XOR)."""
    import numpy as np

    np.random.seed(1)
    w = 2 * np.random.random((3, 1)) - 1

    def think(inputs):
        return 1 / (1 + np.exp(-np.dot(inputs, w)))

    def train(X, y):
        nonlocal w
        for _ in range(iterations):
            output = think(X)
            w += np.dot(X.T, (y - output) * output * (1 - output))

    train(np.array(TRAIN_X), np.array([TRAIN_Y]).T)
    first = w[:, 0].tolist()
    train(np.array(XOR_X), np.array([XOR_Y]).T)
    return first, w[:, 0].tolist()


def run(out=None, full: bool = False, echo=print) -> list[Row]:
    """Train the neuron on D2's rule, then on XOR; ``full`` changes nothing (it is fast)."""
    ex = "perceptron"
    model = neuron()
    weights = model.parameters()
    rows = [close(ex, f"initial w{i + 1}", ref, w.data, 5e-9, "target")
            for i, (ref, w) in enumerate(zip(INITIAL, weights))]
    echo("initial weights: " + ", ".join(f"{w.data:.8f}" for w in weights))
    train(model, TRAIN_X, TRAIN_Y)
    numpy_rule, numpy_xor = numpy_reference()
    echo("weights after 15000 iterations: " + ", ".join(f"{w.data:.8f}" for w in weights))
    for i, (ref, w) in enumerate(zip(numpy_rule, weights)):
        rows.append(close(ex, f"trained w{i + 1}", ref, w.data, 1e-9, "numpy"))
    p = model(NEW).data
    echo(f"new situation {NEW}: {p:.8f}")
    rows.append(claim(ex, f"output for {NEW}", "~1 (output = 1st input)", f"{p:.8f}",
                      p > 0.99, "D2"))

    # D2 goes on training the same neuron on XOR.
    train(model, XOR_X, XOR_Y)
    outs = [model(x).data for x in XOR_X]
    echo("the same neuron trained on XOR, outputs (target 0 1 1 0): "
         + ", ".join(f"{o:.3f}" for o in outs))
    worst = max(abs(o - t) for o, t in zip(outs, XOR_Y))
    rows.append(close(ex, "XOR: weights vs D2's code", 0.0,
                      max(abs(a - w.data) for a, w in zip(numpy_xor, weights)), 1e-9, "numpy"))
    # Passes when the neuron fails to fit XOR, as it must: no line separates XOR.
    right = sum((o > 0.5) == bool(t) for o, t in zip(outs, XOR_Y))
    rows.append(claim(ex, "one neuron cannot fit XOR", "cannot (D2 implies it can)",
                      f"{'confirmed' if right < 4 else 'NOT confirmed'}: {right}/4 right",
                      right < 4, "D2", diff="outputs " + " ".join(f"{o:.2f}" for o in outs)
                      + f", max err {worst:.2f}"))
    return rows


if __name__ == "__main__":
    from ._main import main_for

    main_for(run)
