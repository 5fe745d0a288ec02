r"""What a derivative is at any point of a graph, and the slips that give wrong numbers.

The checker (:func:`autograd.check_work`) and the explorer's quiz share this module:

* :class:`GraphEval` holds a root's graph as index arrays and evaluates it on floats from
  the rule table, at the graph's own point or with leaves moved: node values, total
  derivatives d(top)/d(node) (reverse mode) and d(node)/d(bottom) (forward mode).  The
  user's nodes are never touched.
* :class:`Diagnoser` knows the right value of a *target* and the values of the known
  slips for it (:class:`Mistake`: a ``kind`` from :data:`KINDS`, the wrong value, and a
  sentence that names the nodes), and writes the correct formula as ``explain`` does.

A target is a tuple: ``("v", i)`` the value of node ``i`` (its index in topological
order), ``("d", a, b)`` the total derivative of node ``a`` with respect to node ``b``,
``("u", i)`` leaf ``i`` after one SGD step, ``("lr",)`` the learning rate.

The modules: ``graph_eval`` (:class:`GraphEval`, the paths between two nodes, a note on
stale gradients), ``formulas`` (the graph written for people: a node's formula, a
derivative's chain), ``mistakes`` (:class:`Diagnoser` and the slips, :class:`Mistake`) and
``quiz`` (the answer key and the explorer quiz's data).
"""

from __future__ import annotations

from .formulas import chain_text, node_formula
from .graph_eval import ACTIVATIONS, GraphEval, is_activation, stale_grad_notes
from .mistakes import KINDS, SIGN, Diagnoser, Mistake
from .quiz import QUIZ_MODES, answer_key, quiz_data

__all__ = [
    "GraphEval", "Diagnoser", "Mistake", "KINDS", "SIGN", "ACTIVATIONS", "is_activation",
    "chain_text", "node_formula", "stale_grad_notes", "answer_key", "quiz_data", "QUIZ_MODES",
]
