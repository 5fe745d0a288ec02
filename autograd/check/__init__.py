"""``check_work``: a learner's hand calculation checked line by line, mistakes diagnosed.

The work is written in the line notation of :mod:`autograd.notation` (forward lines
``h1 = ... = 0.0474``, derivative lines ``dL/dw1 = ... = 0.0214``, update lines
``w1 ← w1 - η*dL/dw1 = 0.998``).  Every ``= EXPR`` part of every line is checked against
the graph:

* a **number** is right when, at the precision it is written, it equals the exact value
  or the value that follows from the learner's own earlier (rounded) numbers, the way the
  documents carry their rounding (D4's ``0.0214`` is the product of its rounded factors;
  the exact value rounds to 0.0215: accepted, with a note).  On an exact tie both
  neighbours are right.
* an **expression in names only** (``w5 * f'(w5*h1 + w6*h2 + b3)``) is right when it
  equals the truth *as a function of the leaves*: it is also evaluated with the named
  leaves moved a little, so a formula that matches by coincidence here is caught.
* an **expression with numbers in it** (``x1 * 0.0452``, ``-2*(1 - ypred)``: the 1 may
  stand for a leaf ``y``) is checked at this point only, within the rounding of the
  numbers written in it (whole numbers are exact).

``dA/dB`` is the total derivative of node A with respect to node B: all paths, parallel
edges merged, taken from the rule table (this module evaluates rules and multiplies; it
derives nothing).  A wrong part gets a diagnosis whose ``kind`` is one of :data:`KINDS`
and a sentence that names the nodes and gives the correct formula as
:func:`autograd.explain` writes it.

The modules: ``result`` (:class:`CheckResult` and its lines), ``precision`` (numbers at
the precision they are written), ``reading`` (the work's names and values, against the
graph) and ``checker`` (:func:`check_work`, line by line).
"""

from __future__ import annotations

from ..diagnose import ACTIVATIONS, KINDS
from .checker import check_work
from .reading import LR_NAMES
from .result import CheckedLine, CheckResult, PartCheck

__all__ = ["check_work", "CheckResult", "CheckedLine", "PartCheck", "KINDS", "ACTIVATIONS",
           "LR_NAMES"]
