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
"""

from __future__ import annotations

import ast
import functools
import html
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .engine import Value
from .graph import topological_order
from .naming import Names, node_names, user_frame
from .notation import format_number
from .program import FUNCTIONS
from .rules import RULES, rule_of

__all__ = [
    "Expr", "Num", "Name", "Deriv", "Blank", "BinOp", "Neg", "Call", "IfExp", "Compare",
    "Juxt", "NotExpressible", "from_formula", "fold", "to_text", "to_latex", "to_mathml",
    "to_sympy_expr", "substitute", "writable", "product", "total", "number_text", "forward_tree",
    "partial_tree", "to_sympy", "symbolic_grad", "sum_terms", "input_names", "operator_of",
]


class NotExpressible(ValueError):
    """A rule's formula cannot be written as an expression (no ``expr``, or prose)."""


# --- the tree ---------------------------------------------------------------------------


class Expr:
    """A node of an expression tree (immutable)."""

    __slots__ = ()


@dataclass(frozen=True, eq=False)
class Num(Expr):
    """A number: ``value``, written as ``text``; ``const`` for a formula's own constants
    (folded when they meet), False for numbers written in for names (never folded)."""

    value: float
    text: str
    const: bool = True


@dataclass(frozen=True, eq=False)
class Name(Expr):
    """A node's name (``h1``) or a constant's name (``pi``, ``η``)."""

    name: str


@dataclass(frozen=True, eq=False)
class Deriv(Expr):
    """The derivative name ``d<top>/d<bottom>`` (never a division)."""

    top: str
    bottom: str


@dataclass(frozen=True, eq=False)
class Blank(Expr):
    """The n-th blank of a worksheet."""

    n: int


@dataclass(frozen=True, eq=False)
class BinOp(Expr):
    op: str  # + - * / **
    left: Expr
    right: Expr


@dataclass(frozen=True, eq=False)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True, eq=False)
class Call(Expr):
    """A call ``fn(*args)``; ``ctx`` is the op's constant where the call stands for a
    node (None: the op's defaults, as a formula's ``softplus(x)`` means)."""

    fn: str
    args: tuple
    ctx: object = None


@dataclass(frozen=True, eq=False)
class Compare(Expr):
    op: str  # < <= > >= == !=
    left: Expr
    right: Expr


@dataclass(frozen=True, eq=False)
class IfExp(Expr):
    body: Expr
    test: Expr
    orelse: Expr


@dataclass(frozen=True, eq=False)
class Juxt(Expr):
    """Numbers multiplied the documents' way: ``(-0.952)(0.249)(-0.0904)``."""

    factors: tuple


def children(e: Expr) -> tuple:
    """The subtrees of ``e``, in order."""
    if isinstance(e, (BinOp, Compare)):
        return (e.left, e.right)
    if isinstance(e, Neg):
        return (e.operand,)
    if isinstance(e, Call):
        return e.args
    if isinstance(e, IfExp):
        return (e.body, e.test, e.orelse)
    if isinstance(e, Juxt):
        return e.factors
    return ()


def fold(e: Expr, combine: Callable[[Expr, list], object]):
    """``combine(node, [results of its children])`` bottom-up, with an explicit stack."""
    results: dict[int, object] = {}
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            results[id(node)] = combine(node, [results[id(c)] for c in children(node)])
        elif id(node) not in results:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(children(node)))
    return results[id(e)]


def _rebuild(node: Expr, kids: list) -> Expr:
    """``node`` with new children (through the simplifying constructors)."""
    if isinstance(node, BinOp):
        return binop(node.op, *kids)
    if isinstance(node, Neg):
        return neg(kids[0])
    if isinstance(node, Call):
        return Call(node.fn, tuple(kids), node.ctx)
    if isinstance(node, Compare):
        return Compare(node.op, *kids)
    if isinstance(node, IfExp):
        return IfExp(*kids)
    if isinstance(node, Juxt):
        return Juxt(tuple(kids))
    return node


def substitute(e: Expr, replace: Callable[[Expr], Expr | None]) -> Expr:
    """``e`` with every leaf for which ``replace`` gives a tree replaced by it."""

    def combine(node, kids):
        if not children(node):
            new = replace(node)
            return node if new is None else new
        return _rebuild(node, kids)

    return fold(e, combine)


# --- numbers ------------------------------------------------------------------------------


def number_text(x: float, digits: int | None = None) -> str:
    """``x`` as a person writes it: to ``digits`` significant digits as the notation's
    writer does (:func:`autograd.notation.format_number`: ``-0.210``, whole numbers
    whole), or exactly (the shortest text that reads back as ``x``) when ``digits`` is
    None."""
    if digits is not None or not math.isfinite(x):
        return format_number(x, min(digits or 17, 17))
    if x == math.floor(x) and abs(x) < 1e15:
        return format_number(x)
    return repr(x)


def _const(value: float) -> Num:
    return Num(value, number_text(value))


def _is_num(e: Expr, value: float | None = None) -> bool:
    return isinstance(e, Num) and (value is None or e.value == value)


# --- simplifying constructors -------------------------------------------------------------

_FOLD = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
         "/": lambda a, b: a / b if b else None, "**": lambda a, b: a ** b}


def neg(e: Expr) -> Expr:
    """``-e``, simplified (``--x`` is ``x``, ``-(2)`` is ``-2``)."""
    if isinstance(e, Neg):
        return e.operand
    if isinstance(e, Num) and e.const:
        return _const(-e.value)
    return Neg(e)


def binop(op: str, a: Expr, b: Expr) -> Expr:
    """``a op b``, with the simplifications a person makes without thinking: constants
    folded, ``x*1``, ``x**1``, ``x + 0`` dropped, ``x*(-1)`` as ``-x``, ``a + -b`` as
    ``a - b``."""
    if isinstance(a, Num) and isinstance(b, Num) and a.const and b.const:
        try:
            value = _FOLD[op](a.value, b.value)
        except (OverflowError, ZeroDivisionError, ValueError, TypeError):
            value = None
        if isinstance(value, float | int) and math.isfinite(value):
            return _const(float(value))
    if op == "*":
        return product([a, b])
    if op == "**" and _is_num(b, 1.0):
        return a
    if op == "+":
        if _is_num(b, 0.0) and b.const:
            return a
        if _is_num(a, 0.0) and a.const:
            return b
        if isinstance(b, Neg):
            return BinOp("-", a, b.operand)
        if isinstance(b, Num) and b.const and b.value < 0:
            return BinOp("-", a, _const(-b.value))
        if isinstance(b, BinOp) and b.op == "*" and isinstance(b.left, Num) and b.left.const \
                and b.left.value < 0:
            return BinOp("-", a, product([_const(-b.left.value), b.right]))
    if op == "-" and isinstance(b, Neg):
        return binop("+", a, b.operand)
    if op == "/" and _is_num(b, 1.0) and b.const:
        return a
    return BinOp(op, a, b)


def _factors(e: Expr) -> list[Expr]:
    """The factors of a product tree, flattened (without recursion)."""
    out, stack = [], [e]
    while stack:
        node = stack.pop()
        if isinstance(node, BinOp) and node.op == "*":
            stack += [node.right, node.left]
        elif isinstance(node, Neg):
            out.append(_const(-1.0))
            stack.append(node.operand)
        else:
            out.append(node)
    return out


def product(terms: list[Expr]) -> Expr:
    """The product of ``terms``: constant factors multiplied into one coefficient written
    first (``-2*(1 - y)``), factors of 1 left out; 1 for no factors."""
    coefficient = 1.0
    rest: list[Expr] = []
    for term in terms:
        for f in _factors(term):
            if isinstance(f, Num) and f.const:
                coefficient *= f.value
            else:
                rest.append(f)
    if not rest:
        return _const(coefficient)
    tree = rest[0]
    for f in rest[1:]:
        tree = BinOp("*", tree, f)
    if coefficient == 1.0:
        return tree
    if coefficient == -1.0:
        return Neg(tree)
    return BinOp("*", _const(coefficient), tree)


def total(terms: list[Expr]) -> Expr:
    """The sum of ``terms`` (0 for none), through :func:`binop`'s simplifications."""
    if not terms:
        return _const(0.0)
    tree = terms[0]
    for t in terms[1:]:
        tree = binop("+", tree, t)
    return tree


# --- reading the rule table's strings -----------------------------------------------------

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
           ast.NotEq: "!="}


def from_formula(text: str, env: Mapping[str, Expr],
                 calls: Mapping[tuple, Expr] | None = None) -> Expr:
    """Parse ``text`` (a rule's ``expr`` or ``formula``) into a tree.

    Args:
        text: a Python expression over the op's input and constant names.
        env: the tree each name stands for (``{"x": <tree>}``); other names are kept as
            names (``pi``).
        calls: ``{(fn, arg names): tree}``: a call such as ``sigmoid(x)`` written in the
            formula for the node itself is replaced by the node's name.

    Raises:
        NotExpressible: the text is not an expression of this notation.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise NotExpressible(f"{text!r} is not an expression") from None
    calls = calls or {}

    def convert(node: ast.AST) -> Expr:  # formula strings are short: recursion is bounded
        kind = type(node)
        if kind is ast.Constant and type(node.value) in (int, float):
            return _const(float(node.value))
        if kind is ast.Name:
            return env[node.id] if node.id in env else Name(node.id)
        if kind is ast.BinOp and type(node.op) in _BINOPS:
            return binop(_BINOPS[type(node.op)], convert(node.left), convert(node.right))
        if kind is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
            inner = convert(node.operand)
            return neg(inner) if type(node.op) is ast.USub else inner
        if kind is ast.Call and type(node.func) is ast.Name and not node.keywords:
            key = (node.func.id, tuple(a.id if type(a) is ast.Name else None
                                       for a in node.args))
            if key in calls:
                return calls[key]
            return Call(node.func.id, tuple(convert(a) for a in node.args))
        if kind is ast.IfExp:
            return IfExp(convert(node.body), convert(node.test), convert(node.orelse))
        if kind is ast.Compare and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
            return Compare(_CMPOPS[type(node.ops[0])], convert(node.left),
                           convert(node.comparators[0]))
        if kind is ast.Compare:  # a < x < b
            parts = [convert(node.left), *map(convert, node.comparators)]
            tests = [Compare(_CMPOPS[type(op)], parts[i], parts[i + 1])
                     for i, op in enumerate(node.ops)]
            return Call("and", tuple(tests))
        raise NotExpressible(f"{text!r}: {kind.__name__} is not part of the notation")

    return convert(tree)


def _ctx_env(rule, ctx) -> dict[str, Expr]:
    names = tuple(getattr(rule, "ctx_names", ()) or ())
    if not names or ctx is None:
        return {}
    values = ctx if isinstance(ctx, tuple) else (ctx,)
    env = {}
    for name, value in zip(names, values):
        if value is None:  # clamp without one of its bounds
            raise NotExpressible(f"the constant {name!r} is not set")
        if not isinstance(value, bool):
            env[name] = _const(float(value))
    return env


def input_names(n: int) -> tuple[str, ...]:
    """The names a rule's strings give its ``n`` inputs: ``x``, or ``a`` and ``b``."""
    return ("x",) if n == 1 else ("a", "b") if n == 2 else ()


def sum_terms(k: int, count: int) -> list[tuple[int, ...]]:
    """The inputs (by index) multiplied in each term of an op that sums its ``count``
    inputs' products ``k`` at a time (``Rule.sum_of``): ``k`` lists of one length, taken
    position by position, then each input left over (a bias) a term of its own."""
    n = count // k
    return [tuple(i + j * n for j in range(k)) for i in range(n)] + \
        [(i,) for i in range(k * n, count)]


def _times(factors: list[Expr]) -> Expr:
    return factors[0] if len(factors) == 1 else product(factors)


def _sum_forward(rule, args: list[Expr]) -> Expr:
    """An n-ary sum's (``Rule.sum_of``) terms written out: its strings have ``...``."""
    return total([_times([args[i] for i in term]) for term in sum_terms(rule.sum_of, len(args))])


def _sum_partial(rule, k: int, args: list[Expr]) -> Expr:
    """d/d(input k) of an n-ary sum of products: the other factors of k's term."""
    return total([_times([args[i] for i in term if i != k]) if len(term) > 1 else _const(1.0)
                  for term in sum_terms(rule.sum_of, len(args)) if k in term])


@functools.lru_cache(maxsize=256)
def _operator_in(expr: str, names: tuple[str, ...]) -> tuple[str, str, str] | None:
    try:
        tree = from_formula(expr, {})
    except NotExpressible:
        return None
    if isinstance(tree, BinOp) and isinstance(tree.left, Name) \
            and isinstance(tree.right, Name) and {tree.left.name, tree.right.name} <= set(names):
        return tree.op, tree.left.name, tree.right.name
    return None


def operator_of(rule) -> tuple[str, str, str] | None:
    """``(operator, left, right)`` when the rule's ``expr`` is one operator between its
    inputs or constants (``a*b``, ``a/b``, ``x**k``: the op is written infix), else None."""
    if rule is None or rule.arity == -1 or not rule.expr:
        return None
    return _operator_in(rule.expr, input_names(rule.arity) + tuple(rule.ctx_names))


def forward_tree(node: Value, args: list[Expr], *, calls: bool = True) -> Expr:
    """The forward of ``node`` over the trees of its inputs.

    With ``calls`` (the notation people write), an op that the command line's language
    can call by name is written as that call (``sigmoid(w*x + b)``, as the documents
    write f(...)); otherwise, and for ``calls=False`` (sympy), the rule's ``expr``.
    """
    rule = rule_of(node.op)
    if rule.arity == -1 and rule.sum_of:
        return _sum_forward(rule, args)
    expr = rule.expr if rule.arity != -1 else ""  # an n-ary op's is for people
    if not expr and not calls and rule.sympy is None:
        raise NotExpressible(f"op {node.op!r} has no expr (nor sympy form) in the rule table")
    if not expr or (calls and node.op in FUNCTIONS and node.ctx is None):
        return Call(node.op, tuple(args), node.ctx)
    env = dict(_ctx_env(rule, node.ctx))
    env.update(zip(input_names(len(args)), args))
    return from_formula(expr, env)


def partial_tree(node: Value, k: int, args: list[Expr], itself: Expr | None = None) -> Expr:
    """d(node)/d(input k) from the rule's formula, over the trees of its inputs.

    ``itself`` (the node's name) replaces a call of the op on its own inputs in the
    formula (``sigmoid(x)*(1 - sigmoid(x))`` for a node named h is ``h*(1 - h)``).
    """
    rule = rule_of(node.op)
    if rule.arity == -1 and rule.sum_of:  # "x_i (for w_i)": the other factors of the term
        return _sum_partial(rule, k, args)
    text = rule.formula[0] if rule.arity == -1 else rule.formula[k]
    names = input_names(len(args))
    env = dict(_ctx_env(rule, node.ctx))
    env.update(zip(names, args))
    calls = {(node.op, names): itself} if itself is not None else None
    return from_formula(text, env, calls)


# --- printers: text (the checker's notation) ----------------------------------------------


def writable(e: Expr) -> bool:
    """Whether the line notation can write ``e`` (it has no case splits)."""
    return fold(e, lambda node, kids: all(kids) and not isinstance(node, IfExp | Compare))


_PREC = {"+": 2, "-": 2, "*": 3, "/": 3, "**": 5}
_ATOM = 9


def _prec(e: Expr) -> int:
    if isinstance(e, IfExp):
        return 0
    if isinstance(e, Compare) or (isinstance(e, Call) and e.fn == "and"):
        return 1
    if isinstance(e, BinOp):
        return _PREC[e.op]
    if isinstance(e, Neg):
        return 4
    if isinstance(e, Num) and (e.text.startswith("-") or "e" in e.text):
        return 4 if e.text.startswith("-") else _ATOM
    return _ATOM


def _needs_parens(child: Expr, parent: Expr, side: str) -> bool:
    p, c = _prec(parent), _prec(child)
    if isinstance(parent, BinOp) and side == "right" and c == 4:
        return True  # a*(-b), a - (-2), never a*-b
    if isinstance(parent, BinOp):
        if parent.op == "**":
            return c <= 5 if side == "left" else c < 5
        if side == "right" and parent.op in ("-", "/", "*"):
            return c <= p
        return c < p
    if isinstance(parent, Neg):
        return c <= 4
    if isinstance(parent, Compare):
        return c <= 1
    if isinstance(parent, IfExp):
        return c <= 0
    return False


def _sides(node: Expr) -> list[str]:
    if isinstance(node, BinOp | Compare):
        return ["left", "right"]
    return ["only"] * len(children(node))


def _wrap_children(node: Expr, kids: list, paren: Callable[[object], object]) -> list:
    return [paren(k) if _needs_parens(c, node, s) else k
            for c, k, s in zip(children(node), kids, _sides(node))]


def to_text(e: Expr, *, blank: Callable[[int], str] = lambda n: f"____({n})",
            times: str = "*") -> str:
    """``e`` in the checker's line notation (a Python-like expression)."""

    def combine(node, kids):
        kids = _wrap_children(node, kids, lambda k: f"({k})")
        if isinstance(node, Num):
            return node.text
        if isinstance(node, Name):
            return node.name
        if isinstance(node, Deriv):
            return f"d{node.top}/d{node.bottom}"
        if isinstance(node, Blank):
            return blank(node.n)
        if isinstance(node, BinOp):
            op = times if node.op == "*" else node.op
            names = isinstance(node.left, Deriv) or isinstance(node.right, Deriv)
            spaced = f" {op} " if node.op in "+-" or names else op
            return f"{kids[0]}{spaced}{kids[1]}"
        if isinstance(node, Neg):
            return f"-{kids[0]}"
        if isinstance(node, Compare):
            return f"{kids[0]} {node.op} {kids[1]}"
        if isinstance(node, Call):
            if node.fn == "and":
                return " and ".join(kids)
            return f"{node.fn}({', '.join(kids)})"
        if isinstance(node, IfExp):
            return f"{kids[0]} if {kids[1]} else {kids[2]}"
        if isinstance(node, Juxt):
            return "".join(f"({k})" for k in kids)
        raise TypeError(f"not an expression tree: {node!r}")

    return fold(e, combine)


# --- printers: LaTeX ------------------------------------------------------------------------

# The notation's own functions that are not ops (an op's call is written as its rule says).
_LATEX_NOTATION = {"max": r"\max", "min": r"\min"}
_LATEX_SPECIAL = re.compile(r"([\\{}$&#^_%~])")
_LATEX_CHARS = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}",
                "~": r"\textasciitilde{}"}


# The notation's own symbols outside ASCII, which pdflatex's inputenc does not know.
_LATEX_SYMBOLS = {"η": r"\ensuremath{\eta}", "←": r"\ensuremath{\leftarrow}",
                  "·": r"\ensuremath{\cdot}", "−": "-", "∂": r"\ensuremath{\partial}"}


def latex_text(text: str) -> str:
    """``text`` escaped for LaTeX (text mode or inside ``\\mathrm``)."""
    text = _LATEX_SPECIAL.sub(lambda m: _LATEX_CHARS.get(m.group(1), "\\" + m.group(1)),
                              text)
    return "".join(_LATEX_SYMBOLS.get(ch, ch) for ch in text)


def latex_name(name: str) -> str:
    """A node name in math: ``w1`` as ``w_{1}``, ``x`` as ``x``, others upright."""
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    if re.fullmatch(r"[A-Za-z]", name):
        return name
    if name in ("η", "pi"):
        return r"\eta" if name == "η" else r"\pi"
    return rf"\mathrm{{{latex_text(name)}}}"


def _call_markup(fn: str, language: str, args: list[str]) -> str | None:
    """A call of op ``fn`` as its rule writes it in ``language`` (``Rule.latex`` or
    ``Rule.mathml``), or None where the rule gives no form for this many arguments."""
    rule = RULES.get(fn)
    template = getattr(rule, language, "") if rule is not None else ""
    if not template or rule.arity not in (-1, len(args)):
        return None
    return template.format(*args)


def to_latex(e: Expr) -> str:
    """``e`` in LaTeX math."""

    def combine(node, kids):
        raw = kids
        kids = _wrap_children(node, kids, lambda k: rf"\left({k}\right)")
        if isinstance(node, Num):
            return node.text.replace("inf", r"\infty")
        if isinstance(node, Name):
            return latex_name(node.name)
        if isinstance(node, Deriv):
            return (rf"\frac{{\partial {latex_name(node.top)}}}"
                    rf"{{\partial {latex_name(node.bottom)}}}")
        if isinstance(node, Blank):
            return rf"\underline{{\hspace{{3em}}}}_{{({node.n})}}"
        if isinstance(node, BinOp):
            if node.op == "/":
                return rf"\frac{{{raw[0]}}}{{{raw[1]}}}"
            if node.op == "**":
                return f"{{{kids[0]}}}^{{{raw[1]}}}"
            op = r" \cdot " if node.op == "*" else f" {node.op} "
            return f"{kids[0]}{op}{kids[1]}"
        if isinstance(node, Neg):
            return f"-{kids[0]}"
        if isinstance(node, Compare):
            op = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", "==": "="}.get(node.op, node.op)
            return f"{kids[0]} {op} {kids[1]}"
        if isinstance(node, Call):
            if node.fn == "and":
                return r" \wedge ".join(kids)
            written = _call_markup(node.fn, "latex", raw)
            if written is not None:
                return written
            head = _LATEX_NOTATION.get(node.fn, rf"\operatorname{{{latex_text(node.fn)}}}")
            return rf"{head}\left({', '.join(raw)}\right)"
        if isinstance(node, IfExp):
            return (rf"\begin{{cases}} {raw[0]} & \text{{if }} {raw[1]} \\ {raw[2]}"
                    rf" & \text{{otherwise}} \end{{cases}}")
        if isinstance(node, Juxt):
            return "".join(rf"\left({k}\right)" for k in raw)
        raise TypeError(f"not an expression tree: {node!r}")

    return fold(e, combine)


# --- printers: MathML -----------------------------------------------------------------------


def mathml_name(name: str) -> str:
    """A node name as MathML (escaped): ``w1`` as w with subscript 1."""
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return f"<msub><mi>{m.group(1)}</mi><mn>{m.group(2)}</mn></msub>"
    if name == "pi":
        return "<mi>π</mi>"
    variant = "" if len(name) == 1 else ' mathvariant="italic"'
    return f"<mi{variant}>{html.escape(name)}</mi>"


def _mo(op: str) -> str:
    return f"<mo>{html.escape(op)}</mo>"


def _fenced(inner: str) -> str:
    return f"<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"


def to_mathml(e: Expr) -> str:
    """``e`` as the content of a MathML ``<math>`` element (every text escaped)."""

    def combine(node, kids):
        raw = kids
        kids = _wrap_children(node, kids, _fenced)
        if isinstance(node, Num):
            text = node.text
            if text.startswith("-"):
                return f"<mrow><mo>−</mo><mn>{html.escape(text[1:])}</mn></mrow>"
            return f"<mn>{html.escape(text)}</mn>"
        if isinstance(node, Name):
            return mathml_name(node.name)
        if isinstance(node, Deriv):
            return (f"<mfrac><mrow><mo>∂</mo>{mathml_name(node.top)}</mrow>"
                    f"<mrow><mo>∂</mo>{mathml_name(node.bottom)}</mrow></mfrac>")
        if isinstance(node, Blank):
            return (f'<msub><mtext class="blank">\u2003\u2003\u2003</mtext>'
                    f"<mtext>({node.n})</mtext></msub>")
        if isinstance(node, BinOp):
            if node.op == "/":
                return f"<mfrac><mrow>{raw[0]}</mrow><mrow>{raw[1]}</mrow></mfrac>"
            if node.op == "**":
                return f"<msup><mrow>{kids[0]}</mrow><mrow>{raw[1]}</mrow></msup>"
            op = {"*": "·", "-": "−"}.get(node.op, node.op)
            return f"<mrow>{kids[0]}{_mo(op)}{kids[1]}</mrow>"
        if isinstance(node, Neg):
            return f"<mrow><mo>−</mo>{kids[0]}</mrow>"
        if isinstance(node, Compare):
            op = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "="}.get(node.op, node.op)
            return f"<mrow>{kids[0]}{_mo(op)}{kids[1]}</mrow>"
        if isinstance(node, Call):
            if node.fn == "and":
                return "<mrow>" + _mo("∧").join(kids) + "</mrow>"
            written = _call_markup(node.fn, "mathml", raw)
            if written is not None:
                return written
            args = _mo(",").join(raw)
            return f"<mrow><mi>{html.escape(node.fn)}</mi><mo>\u2061</mo>{_fenced(args)}</mrow>"
        if isinstance(node, IfExp):
            return (f"<mrow><mo>{{</mo><mtable><mtr><mtd>{raw[0]}</mtd><mtd><mtext>if"
                    f"</mtext>{raw[1]}</mtd></mtr><mtr><mtd>{raw[2]}</mtd><mtd><mtext>"
                    f"otherwise</mtext></mtd></mtr></mtable></mrow>")
        if isinstance(node, Juxt):
            return "<mrow>" + "".join(_fenced(k) for k in raw) + "</mrow>"
        raise TypeError(f"not an expression tree: {node!r}")

    return fold(e, combine)


# --- sympy ------------------------------------------------------------------------------------


def _sympy():
    try:
        import sympy
    except ImportError:
        raise ImportError("autograd's symbolic view needs sympy, an optional dependency: "
                          "pip install sympy") from None
    return sympy


# The notation's own functions that are not ops (an op is translated from its rule).
_SYMPY_NOTATION: dict[str, Callable] = {
    "Phi": lambda sp: lambda x: (1 + sp.erf(x / sp.sqrt(2))) / 2,
    "min": lambda sp: sp.Min, "max": lambda sp: sp.Max, "and": lambda sp: sp.And,
}


def _default_ctx(rule):
    """The ctx of a call that gives no constants (``softplus(x)`` in a formula)."""
    if rule.ctx_of is None:
        return None
    try:
        return rule.ctx_of()
    except (TypeError, ValueError):
        raise NotExpressible(f"op {rule.name!r} needs its constants") from None


def _call_in_sympy(sp, call: Call, args: list, seen: frozenset):
    """A call of the notation in sympy: one of its own functions, or an op, by its rule:
    ``Rule.sympy``, else the rule's ``expr`` with the arguments put in."""
    if call.fn in _SYMPY_NOTATION:
        return _SYMPY_NOTATION[call.fn](sp)(*args)
    rule = RULES.get(call.fn)
    if rule is None or rule.arity not in (-1, len(args)):
        raise NotExpressible(f"no sympy form for the function {call.fn!r}")
    ctx = call.ctx if call.ctx is not None else _default_ctx(rule)
    if rule.sympy is not None:
        return rule.sympy(sp, ctx, *args)
    if rule.arity == -1 or not rule.expr or call.fn in seen:
        raise NotExpressible(f"no sympy form for the function {call.fn!r}")
    tree = from_formula(rule.expr, _ctx_env(rule, ctx))
    return _to_sympy(sp, tree, dict(zip(input_names(len(args)), args)), seen | {call.fn})


def to_sympy_expr(e: Expr, symbols: Mapping[str, object] | None = None):
    """``e`` as a sympy expression; names become symbols (or ``symbols[name]``).

    Raises:
        ImportError: sympy is not installed.
        NotExpressible: ``e`` has a blank, a derivative name or an unknown function.
    """
    return _to_sympy(_sympy(), e, dict(symbols or {}), frozenset())


def _to_sympy(sp, e: Expr, symbols: dict, seen: frozenset):
    relations = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq,
                 "!=": sp.Ne}

    def combine(node, kids):
        if isinstance(node, Num):
            v = node.value
            if math.isfinite(v) and v == math.floor(v) and abs(v) < 2**53:
                return sp.Integer(int(v))
            if node.const and math.isfinite(v) and v == round(v, 12):
                return sp.nsimplify(v)  # the formula's 1/2, 1/3: exact
            return sp.Float(v) if math.isfinite(v) else (sp.nan if v != v else
                                                          sp.oo if v > 0 else -sp.oo)
        if isinstance(node, Name):
            if node.name == "pi":
                return sp.pi
            if node.name not in symbols:
                symbols[node.name] = sp.Symbol(node.name, real=True)
            return symbols[node.name]
        if isinstance(node, BinOp):
            a, b = kids
            return {"+": a + b, "-": a - b, "*": a * b}[node.op] if node.op in "+-*" \
                else (a / b if node.op == "/" else a**b)
        if isinstance(node, Neg):
            return -kids[0]
        if isinstance(node, Compare):
            return relations[node.op](*kids)
        if isinstance(node, Call):
            return _call_in_sympy(sp, node, kids, seen)
        if isinstance(node, IfExp):
            return sp.Piecewise((kids[0], kids[1]), (kids[2], True))
        if isinstance(node, Juxt):
            return sp.Mul(*kids)
        raise NotExpressible(f"{type(node).__name__} has no sympy form")

    return fold(e, combine)


def _graph_tree(root: Value, names: dict) -> Expr:
    """The whole graph as one tree over its leaves (named leaves as names, the others as
    their numbers), from each rule's ``expr``."""
    trees: dict[Value, Expr] = {}
    for node in topological_order(root):
        if not node.inputs:
            name = names.get(node)
            trees[node] = Name(name) if name else Num(node.data, number_text(node.data),
                                                      const=False)
        else:
            trees[node] = forward_tree(node, [trees[c] for c in node.inputs], calls=False)
    return trees[root]


def _leaf_names(root: Value, names: Names, frame) -> dict:
    order = topological_order(root)
    return node_names([n for n in order if not n.inputs], names, frame=frame)


def to_sympy(root: Value, *, names: Names = None):
    """The graph of ``root`` as a sympy expression in its leaves' names.

    Leaves are named as everywhere else (labels, then the caller's variables,
    :mod:`autograd.naming`); a leaf without a name is a constant, its number.

    Raises:
        ImportError: sympy is not installed.
        NotExpressible: an op's rule has no ``expr`` sympy can read.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); y = (x * x).exp()
    >>> to_sympy(y)
    exp(x**2)
    """
    _sympy()
    frame = user_frame()
    if not isinstance(root, Value):
        raise TypeError(f"to_sympy() needs a Value, got {type(root).__name__}")
    return to_sympy_expr(_graph_tree(root, _leaf_names(root, names, frame)))


def _FLAT(sp) -> tuple:  # noqa: N802 - a constant of sympy's, made when sympy is there
    return (sp.floor, sp.ceiling, sp.sign)


def symbolic_grad(root: Value, wrt, *, names: Names = None, simplify: bool = True):
    """d(root)/d(wrt) in closed form, as a sympy expression in the leaves' names.

    Args:
        root: the output.
        wrt: a named leaf of ``root``'s graph, or a list of them (then a list is returned).
        names: as for :func:`to_sympy`.
        simplify: run ``sympy.simplify`` on the result.

    Raises:
        ImportError: sympy is not installed.
        ValueError: ``wrt`` is not a named leaf of the graph.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x + x
    >>> symbolic_grad(y, x)
    2*x + 1
    """
    sp = _sympy()
    frame = user_frame()
    if not isinstance(root, Value):
        raise TypeError(f"symbolic_grad() needs a Value, got {type(root).__name__}")
    leaf_names = _leaf_names(root, names, frame)
    symbols: dict[str, object] = {}
    expression = to_sympy_expr(_graph_tree(root, leaf_names), symbols)
    many = isinstance(wrt, list | tuple)
    results = []
    for w in (wrt if many else [wrt]):
        name = leaf_names.get(w) if isinstance(w, Value) else None
        if name is None:
            raise ValueError("symbolic_grad() wrt must be a named leaf of the graph "
                             "(a Value with a label or held in a variable)")
        symbol = symbols.get(name) or sp.Symbol(name, real=True)
        # sympy leaves d floor(u)/du and d sign(u)/du unevaluated; they are 0 wherever
        # they exist (between the jumps), the rule table's convention for these ops
        d = sp.diff(expression, symbol).replace(
            lambda e: isinstance(e, sp.Derivative) and e.expr.func in _FLAT(sp),
            lambda e: sp.Integer(0)).doit()
        results.append(sp.simplify(d) if simplify else d)
    return results if many else results[0]
