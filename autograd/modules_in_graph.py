"""Which nodes of a graph belong to which module (a neuron, a layer), for ``draw``'s
``collapse``: asked of a *grouping* that the library building the modules provides.

autograd knows no neural-network library and no label grammar: ``nn`` hands its grouping
(:mod:`nn.grouping`, which reads nn's parameter labels) to :func:`use_grouping` when it is
imported, and another library may do the same.  Without one, nothing is collapsed.  A
grouping is any object with

* ``modules(order, level) -> {node: name}``: the nodes of ``order`` (a topological order)
  that belong to a module at ``level`` (``"neuron"`` or ``"layer"``), with its name;
* ``neuron_of_parameter(node) -> str | None``: the neuron a parameter belongs to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["COLLAPSE_LEVELS", "Grouping", "use_grouping", "module_of_nodes",
           "neuron_of_parameter"]

COLLAPSE_LEVELS = ("neuron", "layer")


class Grouping(Protocol):
    """What a library tells ``draw`` about its modules (see the module docstring)."""

    def modules(self, order: list[Value], level: str) -> dict[Value, str]: ...

    def neuron_of_parameter(self, node: Value) -> str | None: ...


_GROUPINGS: list[Grouping] = []


def use_grouping(grouping: Grouping) -> None:
    """Let ``draw``'s ``collapse`` ask ``grouping`` which nodes form modules (``nn`` calls
    this when imported; a grouping given twice counts once)."""
    if grouping not in _GROUPINGS:
        _GROUPINGS.append(grouping)


def module_of_nodes(order: list[Value], level: str,
                    groups: Grouping | None = None) -> dict[Value, str]:
    """The nodes of ``order`` that belong to a module, each with the module's name.

    Args:
        order: the nodes of a graph in topological order.
        level: ``"neuron"`` or ``"layer"``.
        groups: the grouping to ask; by default every grouping given to
            :func:`use_grouping` (``nn``'s, once ``nn`` is imported).

    Raises:
        ValueError: ``level`` is neither.
    """
    if level not in COLLAPSE_LEVELS:
        raise ValueError(f"collapse must be 'neuron' or 'layer', got {level!r}")
    found: dict[Value, str] = {}
    for grouping in [groups] if groups is not None else _GROUPINGS:
        found.update(grouping.modules(order, level))
    return found


def neuron_of_parameter(node: Value, groups: Grouping | None = None) -> str | None:
    """The neuron a parameter belongs to, by the first grouping that knows (or None)."""
    for grouping in [groups] if groups is not None else _GROUPINGS:
        name = grouping.neuron_of_parameter(node)
        if name is not None:
            return name
    return None
