"""Formulas as data: the rule table's strings read once, written as text, LaTeX, MathML
or sympy.

Every op's forward (``Rule.expr``) and local derivatives (``Rule.formula``) are Python
expressions over the op's inputs (``x``, or ``a`` and ``b``) and its constants
(``Rule.ctx_names``).  :func:`from_formula` parses such a string with :mod:`ast`, puts
trees in for the input names, and returns a small expression tree (:class:`Expr`); one
printer per language writes that tree (:func:`to_text`, :func:`to_latex`,
:func:`to_mathml`, :func:`to_sympy_expr`).  No printer knows any op: they know the
notation (``+ - * / **``, calls, ``a if c else b``) and a few function names
(how a call is written in LaTeX and MathML is the op's rule's, ``Rule.latex`` and
``Rule.mathml``: ``sqrt`` is a root sign, ``abs`` bars).

:func:`to_sympy` and :func:`symbolic_grad` give a whole graph as a sympy expression in
its leaves' names (sympy is optional: without it they raise ImportError saying so).

Trees are walked with an explicit stack (:func:`fold`), never by recursion: a chain of
unnamed nodes written out inline is as deep as the graph.

The modules: ``tree`` (the expression tree and its simplifying constructors),
``formulas`` (the rule table's strings read into trees: a node's forward and partials),
``printers`` (text, LaTeX, MathML) and ``closed_form`` (sympy: :func:`to_sympy`,
:func:`symbolic_grad`).
"""

from __future__ import annotations

from .closed_form import symbolic_grad, to_sympy, to_sympy_expr
from .formulas import forward_tree, from_formula, input_names, operator_of, partial_tree, sum_terms
from .printers import (
    latex_name,
    latex_text,
    mathml_name,
    tex_escape,
    to_latex,
    to_mathml,
    to_text,
    writable,
)
from .tree import (
    BinOp,
    Blank,
    Call,
    Compare,
    Deriv,
    Expr,
    IfExp,
    Juxt,
    Name,
    Neg,
    NotExpressible,
    Num,
    binop,
    children,
    constant,
    fold,
    neg,
    number_text,
    product,
    substitute,
    total,
)

__all__ = [
    "Expr", "Num", "Name", "Deriv", "Blank", "BinOp", "Neg", "Call", "IfExp", "Compare", "Juxt",
    "NotExpressible", "from_formula", "fold", "to_text", "to_latex", "to_mathml",
    "to_sympy_expr", "substitute", "writable", "product", "total", "number_text",
    "forward_tree", "partial_tree", "to_sympy", "symbolic_grad", "sum_terms", "input_names",
    "operator_of", "binop", "neg", "children", "constant", "latex_text", "tex_escape", "latex_name",
    "mathml_name",
]
