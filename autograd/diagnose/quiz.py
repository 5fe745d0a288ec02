"""The answer key of a graph and the explorer quiz's questions, as plain data."""

from __future__ import annotations

import math

from ..engine import Value, new_node
from ..functional import hessian
from ..naming import Names
from ..rules import rule_of
from .graph_eval import GraphEval
from .mistakes import Diagnoser

__all__ = ["answer_key", "chain", "local_second_partials", "MAX_SECOND", "QUIZ_MODES",
           "quiz_data"]


#: The most inputs an op may have for the quiz to embed its second partials (k² numbers).
MAX_SECOND = 8
_MAX_OTHER_NODES = 40  # other_node slips per answer: a page of many nodes stays small


def answer_key(root: Value, *, names: Names = None, lr: float | None = None,
               frame=None) -> list[dict]:
    """Every node's right value and gradient with the slips for each, as plain data.

    The explorer's quiz embeds this (and :func:`chain`) and compares numbers: it
    derives nothing itself.

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
    return _key(GraphEval(root, names, frame), lr)


def _key(g: GraphEval, lr: float | None) -> list[dict]:
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
    for the reveal button, the slips' values (:func:`answer_key`) and the factors the
    answer is made of (:func:`chain`), so that the page can follow the learner's own
    earlier answers (``carried``, ``rounding``) with sums of products and derive nothing.

    Raises:
        ValueError: ``mode`` is not one of :data:`QUIZ_MODES`.
    """
    if mode not in QUIZ_MODES:
        raise ValueError(f"quiz must be True, 'backward' or 'forward', got {mode!r}")
    g = GraphEval(root, names, frame)
    key = _key(g, lr)
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
                      "shown": format(answer["value"], number_format),
                      "chain": chain(g, i, mode)})
    return {"mode": mode, "items": items}


def chain(g: GraphEval, i: int, mode: str = "backward") -> dict | None:
    """The factors an answer is made of, for the quiz to follow a learner's own numbers.

    ``"backward"``: one term per use of node ``i`` by a user ``u`` (a node used twice,
    as in ``x*x``, gives two): ``node`` is ``u``, ``partial`` the local derivative
    du/di from the rule table, ``given`` the true dL/du.  The answer is
    ``sum(partial * given)``, the chain rule; the page puts the learner's dL/du in
    place of ``given``.  ``"forward"``: one term per input ``c`` of node ``i``'s op:
    ``partial`` is di/dc, ``given`` the true value of ``c``; a learner's inputs off by
    ``x - given`` move the value by ``sum(partial * (x - given))`` to first order, and by
    half the sum of ``second[j][k] * (x_j - given_j) * (x_k - given_k)`` more to second
    order (:func:`local_second_partials`; exact for sums, products and squares).

    Returns:
        ``{"terms": [...], "second": [[...], ...] or None}``: the terms in a fixed order
        (users by topological index, inputs as the op takes them) and, in forward mode,
        the op's second partials (None in backward mode, for ops of more than
        :data:`MAX_SECOND` inputs, or where one is not finite); None when a number in
        the terms is not finite (nothing to follow).
    """
    terms = []
    if mode == "backward":
        grads = g.adjoint(g.root_index)
        for u in _users(g)[i]:
            partials = g.partials(u, g.base)
            terms += [(u, p, grads[u]) for c, p in zip(g.inputs[u], partials) if c == i]
    elif not g.inputs[i]:
        return None  # a leaf: no op to follow
    else:
        terms = [(c, p, g.base[c]) for c, p in zip(g.inputs[i], g.partials(i, g.base))]
    if not all(math.isfinite(p) and math.isfinite(v) for _, p, v in terms):
        return None
    second = None
    if mode == "forward" and len(terms) <= MAX_SECOND:
        second = local_second_partials(g.order[i], [g.base[c] for c in g.inputs[i]])
        if not all(math.isfinite(h) for row in second for h in row):
            second = None
    return {"terms": [{"node": u, "partial": float(p), "given": float(v)}
                      for u, p, v in terms], "second": second}


def local_second_partials(node: Value, xs: list[float]) -> list[list[float]]:
    """d²node/(d input j)(d input k) at the inputs ``xs``: the Hessian of the node's op
    alone, through its rule evaluated on Values (higher-order gradients), so that no
    derivative is written here."""
    rule, ctx = rule_of(node.op), node.ctx

    def op(*inputs: Value) -> Value:
        return new_node(rule.forward(ctx, *(x.data for x in inputs)), inputs, node.op, ctx)

    rows = hessian(op, [float(x) for x in xs])
    return [[float(h) for h in row] for row in rows]


def _users(g: GraphEval) -> list[list[int]]:
    """Each node's users (the nodes that take it as an input), once per graph."""
    if "users" not in g.memo:
        users: list[list[int]] = [[] for _ in g.order]
        for u, ins in enumerate(g.inputs):
            for c in dict.fromkeys(ins):  # a node used twice by u is one user
                users[c].append(u)
        g.memo["users"] = users
    return g.memo["users"]
