"""The linear model, from D5 "How to train a neural network from scratch".

One layer, identity activation, no bias, mean squared error, gradient descent from D5's
blind guess W = [0.2, 1.4, 30]: ``nn.MLP(3, [1], output_activation="linear")`` trained by
``nn.fit(loss="mse")``.  D5's data table is an image, so the data here is made
from the rule D5 says generated it, y = 0.5 x1 + 0.9 x2 + 1.2 x3, and includes an input
whose correct output is D5's 13.5.  D5: "Updating the weights 2000 times is usually
enough ... did you get [.5,.9,1.2]?"

Run alone: ``python -m demos.linear_model``.
"""

from __future__ import annotations

import nn
from autograd import Value, dot

from ._table import Row, close

TRUE_W = [0.5, 0.9, 1.2]
GUESS = [0.2, 1.4, 30.0]
X = [(1, 2, 3), (2, 1, 0), (3, 4, 1), (0, 1, 5), (9, 2, 6), (4, 3, 2)]
Y = [sum(w * x for w, x in zip(TRUE_W, row)) for row in X]  # (9, 2, 6) -> 13.5
LEARNING_RATE = 0.01  # below 2 / (largest eigenvalue of the MSE's Hessian, 61.6 here)


def train(steps: int = 2000, lr: float = LEARNING_RATE) -> list:
    """Gradient descent on the mean squared error, from D5's guess; returns the weights."""
    model = nn.MLP(3, [1], output_activation="linear", bias=False, weights=[[GUESS]])
    nn.fit(model, X, Y, loss="mse", optimizer=nn.SGD(model.parameters(), lr=lr),
           epochs=steps, batch_size=None, shuffle=False, progress=False)
    return model.parameters()


def run(out=None, full: bool = False, echo=print) -> list[Row]:
    """Fit the weights and compare with D5's [.5, .9, 1.2]; ``full`` changes nothing."""
    ex = "linear model"
    first = dot([Value(g) for g in GUESS], X[4]).data
    echo(f"the guess {GUESS} on {X[4]}: {first:.1f}, the correct output is {Y[4]:.1f}")
    w = train()
    echo("weights after 2000 updates: " + ", ".join(f"{v.data:.6f}" for v in w))
    rows = [close(ex, f"W{i + 1} after 2000 steps", ref, v.data, 1e-6, "D5", f"{ref:g}")
             for i, (ref, v) in enumerate(zip(TRUE_W, w))]
    return rows


if __name__ == "__main__":
    from ._main import main_for

    main_for(run)
