"""Which nodes of a graph belong to which neuron or layer, read from nn's labels alone: the
grouping ``autograd.draw(..., collapse="neuron" | "layer")`` uses (nn hands it to
:func:`autograd.modules_in_graph.use_grouping` when imported; autograd never reads nn's
label grammar itself).

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

from autograd import Value
from autograd.rules import is_paired

from .activations import ACTIVATIONS

__all__ = ["ACTIVATION_OPS", "modules", "neuron_of_parameter"]

#: The ops nn's activations build (relu6 is a hardtanh node, as in PyTorch).
ACTIVATION_OPS = frozenset(f(Value(0.5)).op for name, f in ACTIVATIONS.items()
                           if name != "linear")

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


def modules(order: list[Value], level: str) -> dict[Value, str]:
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
    >>> sorted(set(modules(topological_order(y), "neuron").values()))
    ['layers.0.neurons.0', 'layers.0.neurons.1', 'layers.1.neurons.0']
    """
    neuron: dict[Value, str] = {}
    for node in order:
        if is_paired(node.op):
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
            if is_paired(child.op) and child in neuron:
                neuron[node] = neuron[child]
    if level == "neuron":
        return {node: name or "neuron" for node, name in neuron.items()}
    return {node: _layer_of(name) for node, name in neuron.items()}
