"""The line notation of hand calculations: read it (:func:`parse_work`) and write it.

A learner's derivation, as the reference documents and :func:`autograd.explain` write
it, is a sequence of lines of three kinds::

    h1 = sigmoid(w1*x1 + w2*x2 + b1) = f(-2 + -1 + 0) = 0.0474          # forward
    dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214
    w1 <- w1 - lr*dL/dw1 = 0.998                                        # update

* A **forward** line ``NAME = EXPR = ... = NUMBER`` gives a node's value, a
  **derivative** line ``dA/dB = EXPR = ...`` a derivative, an **update** line
  ``NAME ← EXPR = ...`` (or ``<-``) a value after one gradient-descent step.  A line may
  have any number of ``= EXPR`` parts; the last is usually a number.
* ``dA/dB`` (or ``∂A/∂B``) is always the *name* of a derivative, never a division.
* An EXPR is in the command line's expression language (:mod:`autograd.program`):
  numbers, names, ``+ - * / **`` (and ``^``), unary minus and calls of the engine's
  functions, written the documents' way too: ``·``, ``×`` and ``∗`` multiply, ``−`` is
  minus, juxtaposition multiplies (``(-0.952)(0.249)``, ``-2(1 - ypred)``, and ``w1x1``
  when the names ``w1`` and ``x1`` are known), and ``f'(z)`` is the derivative of the
  function ``f`` at ``z``.
* A part written ``?`` or ``___`` is a blank, left for the learner to fill in.
* Blank lines and lines starting with ``#`` (comments, Markdown headings) are skipped.

A line that cannot be read raises :class:`NotationError` (a ``ValueError``) naming the
line and column.  The writer (:func:`format_line`, :func:`format_number`,
:func:`derivative_name`) emits exactly what the parser reads, so worksheets and checkers
speak one notation.

The modules: ``tree`` (the expression tree, names, arithmetic on floats), ``tokens`` (the
tokenizer), ``reader`` (the parser) and ``writer`` (numbers and lines).

>>> line = parse_line("dL/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214")
>>> line.kind, line.target, [str(p) for p in line.parts]
('derivative', ('L', 'w1'), ['-0.952*0.249*(-0.0904)', '0.0214'])
>>> format_line(("L", "w1"), "dL/dypred * dypred/dh1 * dh1/dw1", 0.02148)
'dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = 0.0215'
"""

from __future__ import annotations

from .reader import parse_line, parse_work, read_work
from .tree import (
    MAX_LINE_CHARS,
    MAX_NESTING,
    Blank,
    Call,
    Deriv,
    Expr,
    Line,
    Name,
    Neg,
    NotationError,
    Num,
    Pow,
    Prod,
    Sum,
    derivative_name,
    evaluate,
    leaves,
)
from .writer import format_line, format_number

__all__ = [
    "NotationError", "Num", "Name", "Deriv", "Call", "Neg", "Sum", "Prod", "Pow", "Blank",
    "Expr", "Line", "parse_line", "parse_work", "read_work", "evaluate", "leaves",
    "format_number", "format_line", "derivative_name", "MAX_LINE_CHARS", "MAX_NESTING",
]
