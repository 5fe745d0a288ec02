"""Activation functions by name: each maps a ``Value`` to a ``Value`` with engine ops only.

The names are ``torch.nn.functional``'s, with its default arguments; each builds one node
of the rule table: every rule that is an ``activation`` (``Rule.activation``), by its
name, and ``relu6``, the composite ``hardtanh(x, 0, 6)`` as in PyTorch.  ``"linear"`` is
the identity and adds no node to the graph.
"""

from __future__ import annotations

from collections.abc import Callable

import autograd
from autograd import RULES, Value
from autograd.ops import FUNCTIONS

__all__ = ["ACTIVATIONS", "activation"]


def _identity(v: Value) -> Value:
    return v


# Each builds exactly one node (the rule-table primitive): the unbound Value method where
# the rule has one (no type check on the hot path), else the op's function.  A rule
# without functions (gelu_tanh) is reached through another's (gelu(x, "tanh")).
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    **{r.name: getattr(Value, r.name) if r.method else FUNCTIONS[r.functions[0]]
       for r in RULES.values() if r.activation and r.functions},
    "linear": _identity,
    "relu6": autograd.relu6,
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
