"""Activation functions by name: each maps a ``Value`` to a ``Value`` with engine ops only.

The names are ``torch.nn.functional``'s, with its default arguments; each builds one node
of the rule table (``relu6`` is ``hardtanh(x, 0, 6)``, as in PyTorch).  ``"linear"`` is
the identity and adds no node to the graph.
"""

from __future__ import annotations

from collections.abc import Callable

import autograd
from autograd import Value

__all__ = ["ACTIVATIONS", "activation"]


def _identity(v: Value) -> Value:
    return v


# Unbound Value methods: calling them builds exactly one node (the rule-table primitive).
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": _identity,
    **{name: getattr(autograd, name) for name in (
        "softplus", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softsign",
        "logsigmoid", "hardtanh", "hardsigmoid", "hardswish", "relu6")},
}


def activation(name: str) -> Callable[[Value], Value]:
    """The activation function called ``name``.

    Args:
        name: a key of :data:`ACTIVATIONS`: ``"sigmoid"``, ``"tanh"``, ``"relu"``,
            ``"linear"``, or one of ``torch.nn.functional``'s: ``"gelu"``, ``"silu"``,
            ``"leaky_relu"``, ``"elu"``, ``"selu"``, ``"celu"``, ``"mish"``,
            ``"softplus"``, ``"softsign"``, ``"logsigmoid"``, ``"hardtanh"``,
            ``"hardsigmoid"``, ``"hardswish"``, ``"relu6"``.

    Returns:
        A function from ``Value`` to ``Value``.

    Raises:
        ValueError: ``name`` is not a known activation.

    >>> activation("relu")(Value(-2.0)).data
    0.0
    """
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}"
        ) from None
