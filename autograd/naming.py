"""Names of nodes for people: a label, else the caller's variable, else none.

``draw``, ``explain``, ``explore``, ``check_work`` and the worksheets show nodes by name.
A node's name is, in order:

1. the name given for it in an explicit ``names`` mapping;
2. its ``label``, when it has one (an explicit label always wins over a variable);
3. the name of the variable that holds it in the caller's frame (locals, then globals;
   the first binding wins; names that start with ``_`` are skipped, so IPython's ``_``
   and ``_7`` never name a node), unless ``names=False``.

Nothing is written onto the nodes: the result is a dictionary, passed to whatever
shows the graph.  Nodes without a name are left out of it; the caller decides how to
show them (a number, ``#7``).

A label or name must be text that can be shown: :func:`check_label` refuses the rest,
where a label is set (``Value(..., label=...)``, ``v.label = ...``) and where a name is
drawn.

>>> import sys
>>> from autograd import Value
>>> x = Value(2.0); w = Value(3.0, label="weight"); y = x * w
>>> names = node_names([x, w, y], frame=sys._getframe())  # user_frame() in a library
>>> names[x], names[w], names[y]
('x', 'weight', 'y')
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from types import FrameType

__all__ = ["Names", "check_label", "node_names", "user_frame", "variable_names"]

# `names=` as the public functions take it: None or True (labels and variables), False
# (labels only), or an explicit mapping, either {node: name} or {name: node}.
Names = bool | Mapping | None

_UNDRAWABLE = re.compile("[\x00\ud800-\udfff]")


def check_label(text: str, what: str = "label") -> str:
    """``text`` if it is a str that can be drawn and written as UTF-8, else an error that
    says what is wrong: a ``TypeError`` naming its type, or a ``ValueError`` naming the
    character (NUL ends strings in Graphviz, and a lone surrogate, half of a UTF-16 pair,
    e.g. from undecodable file names, has no UTF-8 form).

    >>> check_label("∂L/∂w₁")
    '∂L/∂w₁'
    """
    if type(text) is not str:
        raise TypeError(f"{what} must be a str, got {type(text).__name__} {text!r}")
    bad = _UNDRAWABLE.search(text)
    if bad:
        ch = bad.group(0)
        kind = "NUL" if ch == "\x00" else "a lone surrogate"
        raise ValueError(f"{what} {text!r} cannot be drawn: it contains {kind} "
                         f"({ch!r}, U+{ord(ch):04X} at position {bad.start()})")
    return text


# Frames of these packages are the library's own: the user's frame is the first outside.
_LIBRARY = ("autograd", "nn")


def _is_library(module: str) -> bool:
    top = module.partition(".")[0]
    return top in _LIBRARY


def user_frame() -> FrameType | None:
    """The innermost calling frame that is not inside ``autograd`` or ``nn``.

    Public functions call this at their entry, so the variables seen are those of the
    code that called them, however many library frames lie in between.
    """
    frame = sys._getframe(1)
    while frame is not None and _is_library(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
    return frame


def variable_names(frame: FrameType | None) -> dict[int, str]:
    """``id(object) -> name`` for every variable of ``frame``: locals first, then globals.

    The first binding of an object wins; names that start with ``_`` are skipped.  The ids
    are valid while the objects are alive, which the caller guarantees by holding the
    nodes it asks about.
    """
    found: dict[int, str] = {}
    if frame is None:
        return found
    scopes = [frame.f_locals]
    if frame.f_globals is not frame.f_locals:  # at module level they are one dict
        scopes.append(frame.f_globals)
    for scope in scopes:
        for name, obj in list(scope.items()):
            if type(name) is str and not name.startswith("_"):
                found.setdefault(id(obj), name)
    return found


def _explicit(names: Mapping) -> dict[int, str]:
    """An explicit mapping, {node: name} or {name: node}, as id(node) -> name."""
    out: dict[int, str] = {}
    for key, value in names.items():
        node, name = (value, key) if isinstance(key, str) else (key, value)
        if not isinstance(name, str):
            raise TypeError(f"names maps nodes to str names, got {type(name).__name__} "
                            f"{name!r}")
        out[id(node)] = name
    return out


def node_names(nodes: Iterable, names: Names = None, *,
               frame: FrameType | None = None) -> dict:
    """Each named node of ``nodes`` mapped to its name (see the module's docstring).

    Args:
        nodes: the nodes to name (any objects with an optional ``label``: our Values or a
            learner's micrograd-style nodes).
        names: ``None``/``True`` for labels and the caller's variables, ``False`` for
            labels only, or an explicit mapping ``{node: name}`` / ``{name: node}``,
            which wins over labels.
        frame: the frame whose variables name nodes (:func:`user_frame` at the public
            entry point); ``None`` looks at no variables.

    Returns:
        ``{node: name}`` for the nodes that have a name (keyed by identity, as Values
        hash).

    Raises:
        TypeError: ``names`` is not a bool, None or a mapping of nodes to str.
    """
    if names is not None and not isinstance(names, (bool, Mapping)):
        raise TypeError(f"names must be True, False, None or a mapping of nodes to names, "
                        f"got {type(names).__name__}")
    given = _explicit(names) if isinstance(names, Mapping) else {}
    variables = variable_names(frame) if names is not False else {}
    out = {}
    for node in nodes:
        label = getattr(node, "label", "")
        name = given.get(id(node)) or (label if isinstance(label, str) else "") \
            or variables.get(id(node))
        if name:
            out[node] = name
    return out
