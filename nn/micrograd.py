"""micrograd's ``nn``, on our engine: ``Neuron``, ``Layer`` and ``MLP`` as micrograd builds them.

For code written against Karpathy's micrograd (its ``demo.ipynb``, the lecture's
notebooks): change the import line

    from micrograd.nn import Neuron, Layer, MLP

to

    from nn.micrograd import Neuron, Layer, MLP

and the same model is built from the same random numbers: hidden neurons are ReLU, the
last layer is linear (``nonlin=False``), every weight is ``random.uniform(-1, 1)`` drawn
from Python's global ``random`` (so ``random.seed(1337)`` fixes it), weights in
micrograd's order (layer by layer, neuron by neuron), biases start at 0, and a neuron
computes ``sum(w_i * x_i, b)`` with one ``+`` and one ``*`` node per input, as
micrograd does (the same floating-point sums, so the same losses).

These differ from :mod:`nn`'s own ``Neuron``/``Layer``/``MLP``, whose defaults are tanh
everywhere, weights from a private, seedable generator, and one fused ``dot`` node per
neuron.  Both are :class:`nn.Module` subclasses: ``parameters()``, ``zero_grad()``,
``named_parameters()`` and ``state_dict()`` work on either, and parameters are labelled
with their names (``layers.0.neurons.3.w.1``) for drawings.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from autograd import Value

from .modules import Module

__all__ = ["Neuron", "Layer", "MLP"]


def _size(n, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return n


class Neuron(Module):
    """micrograd's neuron: ``relu(w . x + b)``, or ``w . x + b`` with ``nonlin=False``.

    Args:
        nin: number of inputs.
        nonlin: apply ReLU (micrograd's default) or not.

    >>> random.seed(0); n = Neuron(2, nonlin=False)
    >>> n
    LinearNeuron(2)
    >>> round(n([1.0, 2.0]).data, 6) == round(n.w[0].data + 2 * n.w[1].data, 6)
    True
    """

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.nin = _size(nin, "nin")
        self.nout = 1
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin
        self._label_parameters()

    def __call__(self, x: Sequence) -> Value:
        """The neuron's output for the inputs ``x`` (Values or numbers)."""
        if len(x) != self.nin:
            raise ValueError(f"{self!r} takes {self.nin} inputs, got {len(x)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def _own_parameters(self) -> Iterator[tuple[str, Value]]:
        yield from ((f"w.{i}", w) for i, w in enumerate(self.w))
        yield "b", self.b

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """micrograd's layer: ``nout`` neurons on the same inputs.

    Args:
        nin: number of inputs.
        nout: number of neurons.
        **kwargs: passed to every :class:`Neuron` (``nonlin``).

    Returns (when called) one Value for a layer of one neuron, else a list.
    """

    def __init__(self, nin: int, nout: int, **kwargs) -> None:
        self.nin = _size(nin, "nin")
        self.nout = _size(nout, "nout")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        self._label_parameters()

    def __call__(self, x: Sequence) -> Value | list[Value]:
        """The layer's outputs: a list, or one Value for a layer of one neuron."""
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def _children(self) -> Iterator[tuple[str, Module]]:
        return ((f"neurons.{i}", n) for i, n in enumerate(self.neurons))

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """micrograd's multi-layer perceptron: ReLU hidden layers, a linear last layer.

    Args:
        nin: number of inputs.
        nouts: the size of each layer, e.g. ``[16, 16, 1]``.

    >>> random.seed(1337); model = MLP(2, [16, 16, 1])
    >>> len(model.parameters())
    337
    """

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        nouts = list(nouts)
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts, got []")
        sz = [_size(nin, "nin")] + [_size(n, "a layer size") for n in nouts]
        self.nin, self.nout = sz[0], sz[-1]
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]
        self._label_parameters()

    def __call__(self, x: Sequence) -> Value | list[Value]:
        """The network's output for the inputs ``x``."""
        for layer in self.layers:
            x = layer(x)
        return x

    def _children(self) -> Iterator[tuple[str, Module]]:
        return ((f"layers.{i}", layer) for i, layer in enumerate(self.layers))

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
