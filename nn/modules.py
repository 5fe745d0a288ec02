"""Modules: ``Neuron``, ``Layer`` and ``MLP``, with PyTorch's parameter API.

A neuron is one fused :func:`autograd.dot` node (``w . x + b``) followed by one
activation node (none for ``"linear"``), so an n-input neuron adds 2 nodes to the graph,
not 2n.  Every parameter is a leaf :class:`~autograd.Value` whose ``label`` is its name in
:meth:`Module.named_parameters` (``layers.0.neurons.1.w.0``), so graph drawings and
chain-rule explanations say which weight they mean.

Weights given explicitly use ``weight[out][in]``, the layout of ``torch.nn.Linear``:
a trained layer's ``weight`` and ``bias`` move to PyTorch unchanged.
"""

from __future__ import annotations

import math
import numbers
import random
import reprlib
from collections.abc import Iterator, Mapping, Sequence

from autograd import Value, dot
from autograd.engine import as_values
from autograd.ops import fused_dot

from .activations import activation as _activation
from .init import make_rng, weight_matrix
from .jsonfile import write

__all__ = ["Module", "Neuron", "Layer", "MLP"]


def _real(x, what: str) -> float:
    """``x`` as a finite float, or ValueError naming ``what`` it was meant to be."""
    if type(x) is float and math.isfinite(x):  # the common case, without the ABC checks
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{what} must be a real number, got {reprlib.repr(x)}")
    try:
        f = float(x)
    except OverflowError:  # an int of hundreds of digits
        raise ValueError(f"{what} is too large for a float, got {reprlib.repr(x)}") from None
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {f!r}")
    return f


def _count(n, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def _inputs(x, nin: int, who: str) -> tuple[Value, ...]:
    """The inputs as Values (wrapped once, so every neuron of a layer shares them)."""
    try:
        n = len(x)
    except TypeError:
        raise TypeError(
            f"{who} takes a list of {nin} inputs, got {type(x).__name__}"
        ) from None
    if n != nin:
        raise ValueError(f"{who} takes {nin} inputs, got {n}")
    return as_values(x)


class Module:
    """Base class: parameters, names, gradients and state dicts.

    Subclasses say what they hold through :meth:`_own_parameters` and :meth:`_children`;
    everything else is shared.
    """

    nin: int
    nout: int

    def _own_parameters(self) -> Iterator[tuple[str, Value]]:
        """(name, parameter) pairs held directly by this module."""
        return iter(())

    def _children(self) -> Iterator[tuple[str, Module]]:
        """(name, submodule) pairs, in order."""
        return iter(())

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted name, in a stable order.

        Returns:
            A list of ``(name, Value)``, e.g. ``("layers.0.neurons.1.w.0", Value(...))``.

        >>> Neuron(2, seed=0).named_parameters()[-1][0]
        'b'
        """
        result: list[tuple[str, Value]] = []
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:  # pre-order: own parameters first, then children in order
            prefix, module = stack.pop()
            result.extend((prefix + name, p) for name, p in module._own_parameters())
            children = [(f"{prefix}{name}.", child) for name, child in module._children()]
            stack.extend(reversed(children))
        return result

    def parameters(self) -> list[Value]:
        """Every parameter (leaf ``Value``), in the order of :meth:`named_parameters`."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0 (gradients accumulate, as in PyTorch)."""
        for p in self.parameters():
            p.grad = 0.0

    def _label_parameters(self) -> None:
        # Called at the end of each constructor: the outermost module runs last, so
        # labels end up as the full names a user sees in named_parameters().
        for name, p in self.named_parameters():
            p.label = name

    def state_dict(self) -> dict[str, float]:
        """The parameters' values by name (a new dict of floats).

        >>> Neuron(1, weights=[0.5], biases=-1.0).state_dict()
        {'w.0': 0.5, 'b': -1.0}
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set the parameters from ``state`` (as made by :meth:`state_dict`).

        Everything is checked before anything changes: on error the module is untouched.

        Args:
            state: a mapping from every parameter name to a finite real number.

        Raises:
            ValueError: ``state`` is not a mapping, misses names, has extra names, or
                holds a value that is not a finite real number.
        """
        params = self.named_parameters()
        values = _checked_state(state, [name for name, _ in params])
        for (_, p), v in zip(params, values):
            p.data = v


def _checked_state(state, names: list[str]) -> list[float]:
    """The values of ``state`` in the order of ``names``, after checking all of them."""
    if not isinstance(state, Mapping):
        raise ValueError(f"a state dict must be a mapping of names to numbers, got "
                         f"{type(state).__name__}")
    missing = [n for n in names if n not in state]
    expected = set(names)
    extra = [k for k in state if k not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {_shortlist(missing)}")
        if extra:
            parts.append(f"unexpected {_shortlist(extra)}")
        raise ValueError(f"state dict does not match the model's parameters: "
                         f"{'; '.join(parts)}")
    return [_real(state[n], f"state[{n!r}]") for n in names]


def _shortlist(names: list, limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{len(names)} name{'s' if len(names) != 1 else ''} ({shown}{more})"


class Neuron(Module):
    """One neuron: ``activation(w . x + b)`` as one fused ``dot`` node plus the activation.

    Args:
        nin: number of inputs.
        activation: ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"linear"``.
        bias: whether the neuron has a bias ``b``.
        init: the scheme for ``w`` when ``weights`` is not given (see :mod:`nn.init`).
        seed: an int or a ``random.Random`` for reproducible weights.
        weights: explicit weights, a list of ``nin`` numbers.
        biases: the explicit bias, one number (default 0).  The keywords ``weights`` and
            ``biases`` are the same for ``Neuron``, ``Layer`` and ``MLP``.

    Raises:
        ValueError: bad sizes, unknown activation or init, or explicit values of the
            wrong shape or not finite numbers.

    >>> n = Neuron(2, activation="linear", weights=[1.0, 2.0], biases=0.5)
    >>> n([3.0, 4.0]).data
    11.5
    """

    def __init__(self, nin: int, activation: str = "tanh", bias: bool = True,
                 init: str = "uniform", seed: int | random.Random | None = None,
                 weights: Sequence[float] | None = None,
                 biases: float | None = None) -> None:
        self.nin = _count(nin, "nin")
        self.nout = 1
        self.activation = activation
        self._activate = _activation(activation)
        if weights is None:
            weights = weight_matrix(init, self.nin, 1, make_rng(seed))[0]
        weights = _sequence(weights)
        if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence) \
                or len(weights) != self.nin:
            raise ValueError(f"weights must be a list of {self.nin} numbers, got {weights!r}")
        self.w = [Value(_real(v, f"weights[{i}]")) for i, v in enumerate(weights)]
        if not bias and biases is not None:
            raise ValueError("biases given for a neuron without a bias (bias=False)")
        self.b = Value(_real(biases, "biases") if biases is not None else 0.0) \
            if bias else None
        self._label_parameters()

    def _own_parameters(self) -> Iterator[tuple[str, Value]]:
        yield from ((f"w.{i}", w) for i, w in enumerate(self.w))
        if self.b is not None:
            yield "b", self.b

    def __call__(self, x: Sequence) -> Value:
        """The neuron's output for inputs ``x`` (numbers or Values)."""
        try:
            n = len(x)
        except TypeError:  # None, a number: say what a neuron takes
            raise TypeError(f"Neuron takes a list of {self.nin} inputs, got "
                            f"{type(x).__name__}") from None
        if n != self.nin:
            raise ValueError(f"Neuron takes {self.nin} inputs, got {n}")
        return self._activate(dot(self.w, x, bias=self.b))

    def __repr__(self) -> str:
        return f"Neuron(nin={self.nin}, activation={self.activation!r}, bias={self.b is not None})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs.  Always returns a list.

    Args:
        nin: number of inputs.
        nout: number of neurons.
        activation, bias, init, seed: as for :class:`Neuron`.
        weights: explicit weights ``weights[out][in]`` (the layout of ``torch.nn.Linear``'s
            ``weight``).
        biases: explicit biases ``biases[out]``.

    Raises:
        ValueError: bad sizes or explicit values of the wrong shape (the message names
            the row).

    >>> layer = Layer(2, 1, activation="relu", weights=[[1.0, -1.0]])
    >>> [v.data for v in layer([3.0, 1.0])]
    [2.0]
    """

    def __init__(self, nin: int, nout: int, activation: str = "tanh", bias: bool = True,
                 init: str = "uniform", seed: int | random.Random | None = None,
                 weights: Sequence[Sequence[float]] | None = None,
                 biases: Sequence[float] | None = None) -> None:
        self.nin = _count(nin, "nin")
        self.nout = _count(nout, "nout")
        self.activation = activation
        self.bias = bool(bias)
        if weights is None:
            weights = weight_matrix(init, self.nin, self.nout, make_rng(seed))
        weights = _sequence(weights)
        _check_rows(weights, self.nout, "weights", "rows (one per neuron)")
        if biases is not None:
            if not bias:
                raise ValueError("biases given for a layer without biases (bias=False)")
            biases = _sequence(biases)
            _check_rows(biases, self.nout, "biases", "values (one per neuron)")
        self.neurons = [
            Neuron(self.nin, activation, bias, weights=_row(weights, i, self.nin),
                   biases=None if biases is None else biases[i])
            for i in range(self.nout)
        ]
        self._label_parameters()

    def _children(self) -> Iterator[tuple[str, Module]]:
        return ((f"neurons.{i}", n) for i, n in enumerate(self.neurons))

    def __call__(self, x: Sequence) -> list[Value]:
        """The outputs of every neuron, as a list (even for one neuron)."""
        return self._forward(_inputs(x, self.nin, "Layer"))

    def _forward(self, xs: Sequence[Value]) -> list[Value]:
        # xs: nin Values, checked by the caller.  Each neuron is one trusted dot (no
        # rescanning of inputs every neuron shares) and its activation.
        return [n._activate(fused_dot(n.w, xs, n.b)) for n in self.neurons]

    def __repr__(self) -> str:
        return (f"Layer(nin={self.nin}, nout={self.nout}, activation={self.activation!r}, "
                f"bias={self.bias})")


def _check_rows(rows, n: int, what: str, kind: str) -> None:
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise ValueError(f"{what} must be a list of {n} {kind}, got {type(rows).__name__}")
    if len(rows) != n:
        raise ValueError(f"{what} has {len(rows)} {kind.split()[0]}, expected {n} {kind}")


def _row(weights, i: int, nin: int):
    row = _sequence(weights[i])
    if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != nin:
        raise ValueError(f"weights[{i}] must be a list of {nin} numbers (one per input), "
                         f"got {row!r}")
    return row


def _sequence(values):
    # NumPy arrays (and anything else with .tolist(), e.g. a trained torch weight moved
    # over) are not Sequences: take their nested lists, so the checks above apply.
    tolist = getattr(values, "tolist", None)
    return tolist() if callable(tolist) and not isinstance(values, Sequence) else values


class MLP(Module):
    """A multi-layer perceptron: layers of the given sizes, one after another.

    Args:
        nin: number of inputs.
        sizes: neurons per layer, e.g. ``[4, 4, 1]``.
        activation: activation of the hidden layers.
        output_activation: activation of the last layer.
        bias: whether neurons have biases.
        init: the scheme for weights not given explicitly (see :mod:`nn.init`).
        seed: an int or ``random.Random``: one generator feeds every layer in turn.
        weights: optional list, one entry per layer, of ``weights[out][in]`` nested lists
            (``None`` entries use ``init``).
        biases: optional list, one entry per layer, of ``biases[out]`` lists.

    Calling the model returns a ``Value`` when the last layer has one neuron, else a list.

    Raises:
        ValueError: bad sizes, unknown activation or init, explicit values of the wrong
            shape.

    >>> model = MLP(2, [3, 1], seed=0)
    >>> len(model.parameters())
    13
    """

    def __init__(self, nin: int, sizes: Sequence[int], activation: str = "tanh",
                 output_activation: str = "linear", bias: bool = True, init: str = "uniform",
                 seed: int | random.Random | None = None,
                 weights: Sequence | None = None, biases: Sequence | None = None) -> None:
        self.nin = _count(nin, "nin")
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or not sizes:
            raise ValueError(f"sizes must be a non-empty list of layer sizes, got {sizes!r}")
        self.sizes = [_count(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
        self.nout = self.sizes[-1]
        _activation(activation)  # checked even when there is no hidden layer to use it
        self.activation = activation
        self.output_activation = output_activation
        self.bias = bool(bias)
        n = len(self.sizes)
        for what, given in (("weights", weights), ("biases", biases)):
            if given is not None:
                _check_rows(given, n, what, "entries (one per layer)")
        rng = make_rng(seed)
        widths = [self.nin] + self.sizes
        self.layers = []
        for i in range(n):
            try:
                layer = Layer(widths[i], widths[i + 1],
                              activation=activation if i < n - 1 else output_activation,
                              bias=bias, init=init, seed=rng,
                              weights=None if weights is None else weights[i],
                              biases=None if biases is None else biases[i])
            except ValueError as e:
                raise ValueError(f"layer {i}: {e}") from None
            self.layers.append(layer)
        self._label_parameters()

    def _children(self) -> Iterator[tuple[str, Module]]:
        return ((f"layers.{i}", layer) for i, layer in enumerate(self.layers))

    def __call__(self, x: Sequence) -> Value | list[Value]:
        """The network's output: a ``Value`` if the last layer has one neuron, else a list."""
        layers = self.layers
        x = _inputs(x, self.nin, "MLP")  # checked and wrapped once, for the whole network
        for layer in layers:
            x = layer._forward(x)
        return x[0] if self.nout == 1 else x

    def architecture(self) -> dict:
        """What :func:`nn.load` needs to rebuild this network (everything but the weights)."""
        return {
            "nin": self.nin,
            "sizes": list(self.sizes),
            "activation": self.activation,
            "output_activation": self.output_activation,
            "bias": self.bias,
        }

    def save(self, path) -> None:
        """Write architecture and weights to ``path`` as JSON, atomically (see :func:`nn.save`)."""
        write(path, self.architecture(), self.state_dict())

    def __repr__(self) -> str:
        lines = [f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers)]
        return "MLP(\n" + "\n".join(lines) + f"\n)  # {len(self.parameters())} parameters"
