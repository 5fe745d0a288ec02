"""The answer key of a graph and the explorer quiz's questions, as plain data."""

from __future__ import annotations

import math

from ..engine import Value
from ..naming import Names
from .graph_eval import GraphEval
from .mistakes import Diagnoser

__all__ = ["answer_key", "QUIZ_MODES", "quiz_data"]


_MAX_OTHER_NODES = 40  # other_node slips per answer: a page of many nodes stays small


def answer_key(root: Value, *, names: Names = None, lr: float | None = None,
               frame=None) -> list[dict]:
    """Every node's right value and gradient with the slips for each, as plain data.

    The explorer's quiz embeds this and only compares numbers: it computes no
    derivative itself.

    Args:
        root: the output (the loss).
        names: as for :func:`autograd.naming.node_names`.
        lr: the learning rate, for ``after_update`` slips (None: none of those).
        frame: the frame whose variables name nodes (:func:`autograd.naming.user_frame`
            at the public entry point).

    Returns:
        One dict per node, in the engine's backward order (the root first)::

            {"index": i, "name": "h1", "op": "sigmoid", "named": True,
             "grad": {"target": "dL/dh1", "value": 0.249, "formula": "...",
                      "mistakes": [{"kind": "sign", "value": -0.249, "message": "..."}]},
             "value": {"target": "h1", "value": 0.0474, "formula": "...",
                       "mistakes": [...]}}

        ``index`` is the node's place in :func:`autograd.topological_order`; ``named``
        whether it has a name (an unnamed leaf is a constant); a value is None where it
        is not finite (nothing to type).
    """
    g = GraphEval(root, names, frame)
    d = Diagnoser(g, lr)
    out = []
    for i in range(g.root_index, -1, -1):
        node = g.order[i]
        out.append({"index": i, "name": g.show(i), "op": node.op, "named": i in g.name,
                    "grad": _answer(d, ("d", g.root_index, i)),
                    "value": _answer(d, ("v", i))})
    return out


def _answer(d: Diagnoser, key: tuple) -> dict:
    truth = d.truth(key)
    if not math.isfinite(truth):
        return {"target": d.target_text(key), "value": None, "formula": "",
                "mistakes": []}
    seen, mistakes, others = set(), [], 0
    for m in d.candidates(key):
        if not math.isfinite(m.value) or math.isclose(m.value, truth, rel_tol=1e-9,
                                                      abs_tol=1e-300):
            continue
        if (m.kind, m.value) in seen:
            continue
        if m.kind == "other_node":  # many, and the least telling: only so many
            if others >= _MAX_OTHER_NODES:
                continue
            others += 1
        seen.add((m.kind, m.value))
        mistakes.append({"kind": m.kind, "value": m.value, "message": m.message})
    return {"target": d.target_text(key), "value": truth, "formula": d.formula(key),
            "mistakes": mistakes}


QUIZ_MODES = ("backward", "forward")


def quiz_data(root: Value, mode: str = "backward", *, names: Names = None,
              lr: float | None = None, number_format: str = ".4g", frame=None) -> dict:
    """The explorer quiz's questions and answers, as plain JSON-ready data.

    ``"backward"``: every gradient d(root)/d(node) in the engine's backward order (the
    root's own, 1, and constants' are not asked); ``"forward"``: every computed value in
    forward order (leaves are given).  Each item carries the right value, the formula
    for the reveal button and the slips' values (:func:`answer_key`); the page only
    compares numbers.

    Raises:
        ValueError: ``mode`` is not one of :data:`QUIZ_MODES`.
    """
    if mode not in QUIZ_MODES:
        raise ValueError(f"quiz must be True, 'backward' or 'forward', got {mode!r}")
    key = answer_key(root, names=names, lr=lr, frame=frame)
    if mode == "forward":
        key = key[::-1]
    items = []
    for entry in key:
        i = entry["index"]
        answer = entry["grad" if mode == "backward" else "value"]
        if answer["value"] is None:
            continue
        leaf = not entry["op"]
        if mode == "backward" and (entry["index"] == len(key) - 1 or
                                   (leaf and not entry["named"])):
            continue  # d(root)/d(root) = 1, and a constant's gradient, are not asked
        if mode == "forward" and leaf:
            continue  # the leaves are given
        items.append({"index": i, "answer": answer,
                      "shown": format(answer["value"], number_format)})
    return {"mode": mode, "items": items}
