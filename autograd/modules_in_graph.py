"""Which nodes of a graph belong to which ``nn`` neuron or layer, read from labels alone.

``nn`` labels every parameter with its full name (``layers.0.neurons.3.w.0``) and builds a
neuron as one fused ``dot`` node (``w . x + b``) followed by at most one activation node.
So, with no bookkeeping in the engine (``backward`` pays nothing):

* a ``dot`` node whose labelled inputs are parameters of one neuron (``P.w.k``, ``P.b``)
  is that neuron's pre-activation;
* a node applying one of nn's activations to it (and nothing else) is the neuron's output.

A neuron's name is the prefix ``P`` (``layers.0.neurons.3``; ``neuron`` for a lone
``nn.Neuron``); its layer is ``P`` without the last ``neurons.j`` (``layers.0``; ``layer``
for a lone ``nn.Layer``).  The neuron's parameters belong to it too.
"""

from __future__ import annotations

import re

from .engine import Value

__all__ = ["ACTIVATION_OPS", "COLLAPSE_LEVELS", "module_of_nodes", "neuron_of_parameter"]

# The ops nn.activations.ACTIVATIONS builds (its "linear" builds none).  Named here because
# autograd must not import nn; a test keeps the two in step.
ACTIVATION_OPS = frozenset({
    "sigmoid", "tanh", "relu", "softplus", "leaky_relu", "elu", "selu", "celu", "gelu",
    "silu", "mish", "softsign", "logsigmoid", "hardtanh", "hardsigmoid", "hardswish"})

COLLAPSE_LEVELS = ("neuron", "layer")

_PARAMETER = re.compile(r"(?:(.*)\.)?(?:w\.\d+|b)")
_NEURON_IN_LAYER = re.compile(r"(?:(.*)\.)?neurons\.\d+")


def neuron_of_parameter(node: Value) -> str | None:
    """The neuron prefix of an nn parameter's label (``""`` for a lone neuron), or None."""
    if not node.is_leaf or not node.label:
        return None
    match = _PARAMETER.fullmatch(node.label)
    if match is None:
        return None
    return match.group(1) or ""


def _layer_of(neuron: str) -> str:
    match = _NEURON_IN_LAYER.fullmatch(neuron)
    if match is None:
        return neuron or "neuron"  # a neuron that is not in a layer is its own module
    return match.group(1) or "layer"


def module_of_nodes(order: list[Value], level: str) -> dict[Value, str]:
    """The nodes of ``order`` that belong to an nn module, each with the module's name.

    Args:
        order: the nodes of a graph in topological order.
        level: ``"neuron"`` or ``"layer"``.

    Returns:
        ``{node: name}``; names are ``layers.0.neurons.3`` for neurons and ``layers.0``
        for layers (``neuron``/``layer`` for a lone ``nn.Neuron``/``nn.Layer``).

    >>> import nn
    >>> model = nn.MLP(2, [2, 1], seed=0)
    >>> y = model([1.0, 2.0])
    >>> from autograd import topological_order
    >>> sorted(set(module_of_nodes(topological_order(y), "neuron").values()))
    ['layers.0.neurons.0', 'layers.0.neurons.1', 'layers.1.neurons.0']
    """
    if level not in COLLAPSE_LEVELS:
        raise ValueError(f"collapse must be 'neuron' or 'layer', got {level!r}")
    neuron: dict[Value, str] = {}
    for node in order:
        if node.op == "dot":
            owners = {neuron_of_parameter(child) for child in node.inputs}
            owners.discard(None)
            if len(owners) == 1:
                (name,) = owners
                neuron[node] = name
                for child in node.inputs:
                    if neuron_of_parameter(child) == name:
                        neuron[child] = name
        elif node.op in ACTIVATION_OPS and len(node.inputs) == 1:
            (child,) = node.inputs
            if child.op == "dot" and child in neuron:
                neuron[node] = neuron[child]
    if level == "neuron":
        return {node: name or "neuron" for node, name in neuron.items()}
    return {node: _layer_of(name) for node, name in neuron.items()}
