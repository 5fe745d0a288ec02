"""XOR and 4-bit parity, from D1 "How to train a Neural Network?".

The document trains 2-2-1 and 4-4-1 sigmoid networks without biases, initialised by
``np.random.seed(1); 2*np.random.random(shape)-1``, with the full-batch update
``W += X.T @ delta``.  That update is exactly one step of gradient descent with learning
rate 1 on half the sum of squared errors, so here ``nn.MLP`` with D1's weights, trained
by ``nn.fit(loss="half_sse")``, lets ``backward()`` replace the hand-written deltas.

Run alone: ``python -m demos.xor_parity``.
"""

from __future__ import annotations

import itertools

import nn

from ._common import numpy_uniform_init, transpose
from ._table import Row, claim, close

XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR_Y = [0, 1, 1, 0]
XOR_TEST = [[0, 1], [1, 0]]
XOR_REFERENCE = [0.86002842, 0.86003543]  # D1, "Prediction for test data"

PARITY_X = [list(bits) for bits in itertools.product([0, 1], repeat=4)]
PARITY_Y = [sum(x) % 2 for x in PARITY_X]  # the document's y column, bit for bit
PARITY_TEST = [[1, 0, 1, 1], [0, 1, 0, 0]]
PARITY_REFERENCE = [0.99995361, 0.95753402]  # D1, "Prediction for test data"


def doc_network(n_in: int, n_hidden: int, bias: bool = False) -> nn.MLP:
    """D1's network: sigmoid hidden and output layers, numpy seed(1) weights, no biases.

    ``bias=True`` adds zero-initialised biases, which D1's network lacks.
    """
    w0, w1 = numpy_uniform_init((n_in, n_hidden), (n_hidden, 1), seed=1)
    return nn.MLP(n_in, [n_hidden, 1], activation="sigmoid", output_activation="sigmoid",
                  bias=bias, weights=[transpose(w0), transpose(w1)],
                  biases=[[0.0] * n_hidden, [0.0]] if bias else None)


def train_doc_network(X, y, n_hidden: int, iterations: int = 10000,
                      bias: bool = False) -> nn.MLP:
    """D1's network for data X, y, trained as D1 trains it.

    D1's ``W += X.T @ delta`` is one full-batch step of gradient descent, learning rate
    1, on half the sum of squared errors: ``loss="half_sse"``, no shuffling.
    """
    model = doc_network(len(X[0]), n_hidden, bias)
    nn.fit(model, X, y, loss="half_sse", optimizer=nn.SGD(model.parameters(), lr=1.0),
           epochs=iterations, batch_size=None, shuffle=False, progress=False)
    return model


def predict(model, X) -> list[float]:
    """The model's outputs as floats."""
    return [model(x).data for x in X]


def run(out=None, full: bool = False, echo=print) -> list[Row]:
    """Train both of D1's networks and return the verification rows.

    ``full`` changes nothing here: the document's 10000 iterations are cheap.
    """
    rows: list[Row] = []
    xor = train_doc_network(XOR_X, XOR_Y, n_hidden=2)
    xor_pred = predict(xor, XOR_TEST)
    echo(f"XOR 2-2-1, prediction for {XOR_TEST}: "
         f"{[f'{p:.8f}' for p in xor_pred]}")
    for x, ref, ours in zip(XOR_TEST, XOR_REFERENCE, xor_pred):
        rows.append(close("XOR 2-2-1", f"prediction {x}", ref, ours, 1e-6, "D1"))

    # Why 0.86 for both test points: the network never learned XOR.  Without biases,
    # input (0, 0) makes every hidden unit exactly 0.5 whatever the weights, and the
    # training outputs below show (1, 1) is classified like (0, 1) and (1, 0).
    train_out = predict(xor, XOR_X)
    echo("XOR 2-2-1, outputs on its own training data (target 0 1 1 0):")
    for x, t, p in zip(XOR_X, XOR_Y, train_out):
        echo(f"  {x} -> {p:.4f} (target {t})")
    classes = " ".join("1" if p > 0.5 else "0" for p in train_out)
    rows.append(claim("XOR 2-2-1", "did not learn XOR (so 0.86, 0.86)", "targets 0 1 1 0",
                      f"classes {classes}", classes != "0 1 1 0", "D1"))

    biased = train_doc_network(XOR_X, XOR_Y, n_hidden=4, iterations=2000, bias=True)
    with_bias = predict(biased, XOR_X)
    echo("XOR 2-4-1 with biases, outputs: "
         + ", ".join(f"{p:.3f}" for p in with_bias))
    classes = " ".join("1" if p > 0.5 else "0" for p in with_bias)
    err = max(abs(p - t) for t, p in zip(XOR_Y, with_bias))
    rows.append(claim("XOR 2-4-1 + biases", "learns XOR", "targets 0 1 1 0",
                      f"classes {classes}", classes == "0 1 1 0", "D1",
                      diff=f"max err {err:.3f}"))

    parity = train_doc_network(PARITY_X, PARITY_Y, n_hidden=4)
    parity_pred = predict(parity, PARITY_TEST)
    echo(f"Parity 4-4-1, prediction for {PARITY_TEST}: {[f'{p:.8f}' for p in parity_pred]}")
    for x, ref, ours in zip(PARITY_TEST, PARITY_REFERENCE, parity_pred):
        rows.append(close("parity 4-4-1", f"prediction {x}", ref, ours, 1e-6, "D1"))
    return rows


if __name__ == "__main__":
    from ._main import main_for

    main_for(run)
