"""Worksheets: the hand calculation of a graph, laid out as the reference documents lay
it out, for any graph.

``worksheet(L, [w1])`` writes what D4 writes for Alice's network: the given values; the
forward pass (each named quantity's formula in symbols, the same with numbers, its
value); the loss; for each parameter the chain rule (the factors by name, each factor's
closed form in symbols, its number, the product, the sum over paths); with ``lr`` the
SGD step; and a closing check against reverse mode.

Every derivation line is in the line notation :func:`autograd.check_work` reads
(``h1 = sigmoid(w1*x1 + w2*x2 + b1) = ... = 0.0474``,
``dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214``,
``w1 ← w1 - η*dL/dw1 = ... = 0.998``); headings and notes are ``#`` lines.  Prose is
only in the Markdown, LaTeX and HTML renderings around those lines.

Numbers are carried as a hand calculation carries them (and as :func:`autograd.explain`
does): each named intermediate is written rounded to ``digits`` significant digits, and
what is computed from it reads the rounded value.  Every formula comes from the rule
table (:mod:`autograd.symbolic` reads its strings); this module only arranges them.

The modules: ``lines`` (a line of the sheet and a section), ``sheet`` (:class:`Worksheet`),
one writer per format (``markdown``, ``latex``, ``page`` for HTML; the text is the lines
themselves), ``carried`` (the graph as the hand calculation carries it: rounded values,
the segments between named nodes, the paths) and ``build`` (:func:`worksheet`).
"""

from __future__ import annotations

from .build import worksheet
from .carried import MAX_NODES, MAX_PATHS
from .lines import Line
from .sheet import Worksheet

__all__ = ["worksheet", "Worksheet", "Line", "MAX_NODES", "MAX_PATHS"]
