"""Small helpers the demos share: the documents' numpy initialisation and a dense layer.

The dense layer is written on the engine directly (``autograd.dot`` plus an activation)
so the reference examples need nothing but :mod:`autograd`; gradients always come from
``backward()``, never from a hand-written formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from autograd import Value, dot

__all__ = ["numpy_uniform_init", "dense", "as_params", "sgd_step", "out_dir"]

ACTIVATIONS = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": lambda v: v,
}


def numpy_uniform_init(*shapes: tuple[int, int], seed: int = 1) -> list[list[list[float]]]:
    """The documents' initialisation, ``np.random.seed(seed); 2*np.random.random(shape)-1``.

    The arrays are drawn in order from numpy's legacy generator, exactly as the documents
    do, and returned as plain nested lists in numpy's ``(inputs, outputs)`` layout.
    """
    import numpy as np  # a demo extra: only the demos ever import numpy

    np.random.seed(seed)
    return [(2 * np.random.random(shape) - 1).tolist() for shape in shapes]


def as_params(matrix: Sequence[Sequence[float]]) -> list[list[Value]]:
    """A numpy-layout matrix ``W[in][out]`` as Values in ``weight[out][in]`` layout."""
    n_in, n_out = len(matrix), len(matrix[0])
    return [[Value(matrix[i][j], label=f"w[{j}][{i}]") for i in range(n_in)]
            for j in range(n_out)]


def dense(weights: list[list[Value]], inputs: Sequence, activation: str,
          biases: Sequence[Value] | None = None) -> list[Value]:
    """One fully connected layer: ``activation(weight[j] . inputs + bias[j])`` for each j."""
    act = ACTIVATIONS[activation]
    if biases is None:
        return [act(dot(row, inputs)) for row in weights]
    return [act(dot(row, inputs, bias=b)) for row, b in zip(weights, biases)]


def sgd_step(params: Sequence[Value], lr: float) -> None:
    """Plain gradient descent, then clear the gradients for the next backward()."""
    for p in params:
        p.data -= lr * p.grad
        p.grad = 0.0


def out_dir(path: str | Path | None) -> Path | None:
    """The artefact directory, created if needed (None means: write no files)."""
    if path is None:
        return None
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    return p
