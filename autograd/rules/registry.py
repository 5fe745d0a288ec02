"""The registry of the rule table: :data:`RULES`, :class:`Rule`, and the one seam that
changes it (:func:`rule`, :func:`unregister`, :func:`registered`, each change counted by
:func:`version`), and :func:`local_partials`, the one way to evaluate a node's rule.

The families (``arithmetic.py``, ...) register their rules here; :mod:`autograd.rules`
loads them and is the public face of the table (see its docstring for what a rule is).
"""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType

from .maths import FloatMath, array_function

__all__ = ["Rule", "RULES", "UnknownOpError", "CHANGES", "version", "rule", "unary", "unregister",
           "registered", "rule_of", "local_partials", "op_table", "seal_built_in",
           "check_op_name", "is_paired"]


class UnknownOpError(KeyError):
    """Raised when a node's op has no entry in the rule table."""

    def __str__(self) -> str:
        return f"no derivative rule for op {self.args[0]!r}; known ops: {sorted(RULES)}"


@dataclass(frozen=True)
class Rule:
    """One primitive: its name, forward function, derivative rule and formulas, and
    everything code outside the table asks about it (what autograd.ops builds; how it is
    written, drawn and recognised): code elsewhere reads these fields, never an op's name.
    Each field is described where it is declared (and in :func:`rule`'s Args)."""

    name: str
    forward: Callable[..., float]
    partials: Callable[..., tuple]
    formula: tuple[str, ...]
    arity: int  # number of inputs, or -1 for n-ary ops
    # For one-input ops without a constant: the forward as a function of x alone, which
    # the engine and generated code call directly (``forward`` wraps it to take ctx).
    of_x: Callable[[float], float] | None = None
    # The forward in symbols (see the module docstring); "" where none was given (a user
    # primitive).  An n-ary op's is written for a person ("x_1 + ... + x_n").
    expr: str = ""
    # The names ``expr`` and ``formula`` give ctx's constants, in ctx's order (a one-name
    # tuple for an op whose ctx is a single number).
    ctx_names: tuple[str, ...] = ()
    # What is built from the rule (autograd.ops generates them at import):
    doc: str = ""  # the docstring of the op's method and function(s)
    method: bool = False  # a Value method of the op's name (v.exp())
    functions: tuple[str, ...] = ()  # module-level functions building it (autograd.exp)
    cli: bool = False  # the command line (autograd.program) may call those functions
    # ctx_of(*constants) -> ctx: the op's constant arguments (after its inputs, with their
    # defaults) checked and made into ctx; its signature is the functions' too.
    ctx_of: Callable | None = None
    # The forward on NumPy arrays (batched replay, autograd.vectorized), with forward's
    # signature, and for a one-input op without a constant, as a function of x alone (or
    # the name of NumPy's own function: "exp" is numpy.exp, called with no wrapper).
    array: Callable | None = None
    array_of_x: Callable | str | None = None
    # How code outside the table writes, draws and recognises the op (it asks the rule,
    # never compares a name):
    # the Python operator whose method builds it ("+": Value.__add__ and __radd__); a
    # one-input rule with a constant shares "**" with the two-input one, for a number
    # exponent (x ** 2.0 is pow, x ** y powv)
    operator: str = ""
    # its float and array forward is exactly Python's ``a <operator> b`` (add, mul), which
    # the operators and generated code write inline
    native: bool = False
    # a float forward as a Python expression in ``{x}``, bit for bit ``of_x``, which
    # generated code writes instead of a call (names: autograd.codegen.code_globals)
    inline: str = ""
    # what a person writes between its inputs (drawings, the explorer's formulas); on a
    # one-input op, its constant is the right operand (x**2): see Rule.with_constant
    symbol: str = ""
    # n-ary, its forward adds terms left to right from 0.0 (rules.left_to_right_sum): its
    # inputs, or with ``paired`` the products w_i*x_i (then the bias)
    summed: bool = False
    # inputs are n weights, then n inputs, then a bias where ctx is True (dot): a neuron,
    # and a layer's neurons one matrix product in batched replay
    paired: bool = False
    # what other code spells the op (micrograd's "+", "ReLU": autograd.foreign)
    aliases: tuple[str, ...] = ()
    # for a function that builds one of several rules by an argument (gelu's
    # ``approximate``): choose(*arguments) -> the op name to build; its signature, after
    # the input, is the function's
    choose: Callable | None = None
    # An activation function (a neuron's f: nn's activation names, a learner's written f).
    activation: bool = False
    # -- how the learner-side modules read and write the op (symbolic, program, check,
    # diagnose, exercises) --
    # The op in SymPy, ``sympy(sp, ctx, *xs)`` given the sympy module, ctx and the inputs
    # as SymPy expressions, for an op that is one of SymPy's own functions (``exp``,
    # ``sin``) or whose ``expr`` sympy should not rebuild; other ops are translated from
    # their ``expr`` (and a call in a formula, ``softplus(x)``, from the op's defaults).
    sympy: Callable | None = None
    # A call of the op in LaTeX and in MathML: format strings over the arguments' markup
    # ("{0}", "{1}"), e.g. r"\sin\left({0}\right)" and "<msqrt>{0}</msqrt>"; "" writes
    # the op's name upright with its arguments in parentheses.
    latex: str = ""
    mathml: str = ""
    # An op whose output is a sum of products of its inputs taken k at a time: k.  1 for
    # a plain sum (``add``, n-ary ``sum``: called ``sum(a, b, ...)``), 2 for n-ary ``dot``,
    # whose inputs are two lists of one length multiplied pair by pair, then an optional
    # bias (called ``dot([w1, w2], [x1, x2], b)``); 0 for every other op.
    sum_of: int = 0
    # The parts the op plays in generated exercises (:mod:`autograd.exercises`):
    # "hidden" (a hidden neuron's activation), "output" (the output neuron's, with the
    # squared error), "probability" (an output in (0, 1), so binary cross-entropy too),
    # "expression" (the function applied in an expression exercise).
    exercises: tuple[str, ...] = ()

    def with_constant(self, text: str, ctx) -> str:
        """``text`` (one of the formulas) with the op's constant written as its number,
        for an op whose constant is an operand (a one-input op with a ``symbol``: ``x**k``
        at k = 3 gives ``3*x**2``); else ``text`` unchanged."""
        if not (self.symbol and self.arity == 1 and self.ctx_names):
            return text
        (k,) = self.ctx_names
        return text.replace(f"({k}-1)", f"{ctx - 1.0:g}").replace(k, f"{ctx:g}")

    def local_partials(self, out: float, ctx, xs) -> tuple:
        """The local partials evaluated on floats (see also the module's
        :func:`local_partials`, which takes a node)."""
        return self.partials(FloatMath, out, ctx, *xs)


_RULES: dict[str, Rule] = {}
#: The table, op name -> :class:`Rule`: read-only (:func:`rule` registers, and
#: :func:`unregister` removes, a rule).
RULES: Mapping[str, Rule] = MappingProxyType(_RULES)
class Changes:
    """How many times the table has changed (a rule registered or removed), in ``count``.

    Whatever is made from rules (backward's generated code, compiled programs) remembers
    the count it was made at and is made again when it differs, so a rule removed or
    registered again is never served from code made for an earlier one.  (An object
    read by attribute, as ``modes.STATE``: the check costs no call on the hot path.)
    """

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


#: The table's change count (read ``CHANGES.count``; only this module changes it).
CHANGES = Changes()
_BUILT_IN: set[str] = set()


def version() -> int:
    """How many times the table has changed (``CHANGES.count``)."""
    return CHANGES.count


def _changed() -> None:
    CHANGES.count += 1


def seal_built_in() -> frozenset[str]:
    """Mark the ops registered so far as the package's own (never removed); called once,
    by :mod:`autograd.rules` when its families are loaded."""
    _BUILT_IN.update(_RULES)
    return frozenset(_BUILT_IN)


def rule_of(op: str) -> Rule:
    """The rule of ``op``.

    Raises:
        UnknownOpError: ``op`` has no rule (the message names it, and the known ops).
    """
    try:
        return _RULES[op]
    except KeyError:
        raise UnknownOpError(op) from None


def is_paired(op: str) -> bool:
    """Whether ``op``'s inputs are weights, inputs and a bias (its rule is ``paired``, as
    ``dot``'s): False for a leaf's ``""`` and for an op with no rule."""
    r = _RULES.get(op)
    return r is not None and r.paired


def local_partials(node, m=FloatMath) -> tuple:
    """The local partial derivatives of ``node`` with respect to each of its inputs, in
    order: its op's rule evaluated at the node (``d node / d node.inputs[i]``).

    This is the one way to evaluate a node's rule: backward's checked and generic paths,
    ``grad``, ``functional``, ``gradcheck`` and the presentation code use it.

    Args:
        node: a :class:`~autograd.Value` made by an op (not a leaf).
        m: :class:`FloatMath` (floats, the default) or :class:`ValueMath` (Values that
            record a graph, for higher derivatives).

    Raises:
        UnknownOpError: the node's op has no rule.
    """
    r = rule_of(node.op)
    if m is FloatMath:
        return r.partials(m, node.data, node.ctx, *[x.data for x in node.inputs])
    return r.partials(m, node, node.ctx, *node.inputs)


def check_op_name(name: str) -> str:
    """``name`` if Python reads it as written, else ValueError naming the characters.

    Python normalises identifiers (NFKC) when it reads source: ``ℯxp`` in code *is*
    ``exp``, and ``ﬁ`` is ``fi``.  An op whose name changes so would be a different op in
    generated code than in the table (it could even call a built-in one), so it is refused.
    """
    normal = unicodedata.normalize("NFKC", name)
    if normal != name:
        changed = ", ".join(f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed')})"
                            for c in dict.fromkeys(name)
                            if unicodedata.normalize("NFKC", c) != c)
        raise ValueError(f"op name {name!r} is not in the form Python reads it in: {changed} "
                         f"read as {normal!r}; name the op {normal!r} (or another name) "
                         f"instead")
    return name


def rule(name: str, arity: int, forward, partials, *formula: str, of_x=None, expr: str = "",
         ctx_names: tuple[str, ...] = (), doc: str = "", method: bool = False,
         functions: tuple[str, ...] | None = None, cli: bool = True, ctx_of=None, array=None,
         array_of_x=None, operator: str = "", native: bool = False, inline: str = "",
         symbol: str = "", summed: bool = False, paired: bool = False,
         aliases: tuple[str, ...] = (), choose=None, activation: bool = False, sympy=None,
         latex: str = "", mathml: str = "", sum_of: int = 0,
         exercises: tuple[str, ...] = ()) -> Rule:
    """Register a primitive in :data:`RULES` and return its entry.

    Args:
        name: the op name that nodes carry (``Value.op``).
        arity: number of inputs, or -1 for an n-ary op.
        forward: ``forward(ctx, *xs) -> float``, the output on floats.
        partials: ``partials(m, out, ctx, *xs) -> tuple``, the local derivative of the
            output with respect to each input, written with the math namespace ``m``
            (:class:`FloatMath` or :class:`ValueMath`).
        *formula: the same derivatives written for a person, one per input.
        of_x: for a one-input op without a constant, the forward as a function of x
            alone (see :func:`unary`).
        expr: the forward written in the formula's notation (``"exp(x)"``, ``"a*b"``).
        ctx_names: the names ``expr`` and ``formula`` use for ctx's constants, in order.
        doc: the op's docstring (its method's and functions').
        method: whether ``Value`` has a method of the op's name.
        functions: the names of the module-level functions that build the op
            (``autograd.exp``); ``(name,)`` when not given.
        cli: whether the command line may call those functions.
        ctx_of: ``ctx_of(*constants) -> ctx`` for an op with constant arguments: checks
            them (errors name the op) and makes ``ctx``; its signature, after the op's
            inputs, is the functions' and the method's.
        array: ``forward`` on NumPy arrays, for batched replay.
        array_of_x: ``of_x`` on NumPy arrays.
        operator: the Python operator whose ``Value`` method builds the op (``"+"``:
            ``__add__`` and ``__radd__``); a one-input rule with a constant may share
            ``"**"`` with a two-input one (a number exponent builds it).
        native: the forward is exactly Python's ``a <operator> b`` on floats and arrays
            (written inline by the operators and generated code).
        inline: the float forward as a Python expression in ``{x}``, bit for bit
            ``of_x`` (generated code writes it instead of a call).
        symbol: what a person writes between the inputs (``"+"``, ``"**"``); drawings
            and the explorer show it instead of the name.
        summed: an n-ary op whose forward adds its terms left to right from 0.0.
        paired: inputs are n weights, n inputs, then a bias where ctx is True.
        aliases: other spellings of the op (micrograd's ``"+"``, ``"ReLU"``).
        choose: ``choose(*arguments) -> op name``, for a function building one of
            several rules by an argument (gelu's ``approximate``).
        activation: whether the op is an activation function (a neuron's ``f``).
        sympy: ``sympy(sp, ctx, *xs)``, the op in SymPy (when its ``expr`` is not enough).
        latex: a call of the op in LaTeX, a format string over its arguments (``{0}``).
        mathml: the same in MathML.
        sum_of: k for an op whose output sums its inputs' products k at a time (1: a sum,
            2: ``dot``); 0 otherwise.
        exercises: the parts the op plays in generated exercises (see :class:`Rule`).

    Returns:
        The new :class:`Rule`.

    Raises:
        ValueError: ``name`` is already registered.
    """
    check_op_name(name)
    if name in RULES:
        raise ValueError(f"op {name!r} is already registered")
    entry = Rule(name, forward, partials, tuple(formula), arity, of_x, expr, tuple(ctx_names),
                 doc, method, (name,) if functions is None else tuple(functions), cli, ctx_of,
                 array, array_of_x, operator, native, inline, symbol, summed, paired,
                 tuple(aliases), choose, activation, sympy, latex, mathml, sum_of,
                 tuple(exercises))
    _RULES[name] = entry
    _changed()
    return entry


def unregister(name: str) -> None:
    """Remove the rule of ``name`` (one registered after import: built-in ops stay).

    Nodes built with the op before stay in their graphs but can no longer be
    differentiated (:class:`UnknownOpError`).

    Raises:
        ValueError: ``name`` is a built-in op.
        UnknownOpError: ``name`` has no rule.
    """
    if name in _BUILT_IN:
        raise ValueError(f"op {name!r} is a built-in op; only rules registered after import "
                         f"can be removed")
    rule_of(name)
    del _RULES[name]
    _changed()


@contextmanager
def registered(name: str, arity: int, forward, partials, *formula: str,
               **keywords) -> Iterator[Rule]:
    """Register a rule for the duration of a ``with`` block (arguments as :func:`rule`'s),
    and remove it at the end, however the block ends.

    >>> from autograd import Value
    >>> with registered("cube", 1, lambda ctx, x: x**3,
    ...                 lambda m, out, ctx, x: (3.0 * x * x,), "3*x**2") as cube:
    ...     cube.partials(FloatMath, 8.0, None, 2.0)
    (12.0,)
    >>> "cube" in RULES
    False
    """
    entry = rule(name, arity, forward, partials, *formula, **keywords)
    try:
        yield entry
    finally:
        if _RULES.get(name) is entry:
            unregister(name)


def unary(name: str, of_x: Callable[[float], float], partials, formula: str, *,
          array: Callable | str | None = None, **keywords) -> Rule:
    """Register a one-input primitive without a constant, given its forward ``of_x(x)``
    (and ``array(x)``, the same on NumPy arrays); other keywords as :func:`rule`'s."""
    return rule(name, 1, lambda ctx, x: of_x(x), partials, formula, of_x=of_x,
                array=None if array is None else lambda ctx, x: array_function(array)(x),
                array_of_x=array, **keywords)


def op_table() -> str:
    """The table of every op, in Markdown, from :data:`RULES` (the docs show it: it is
    generated when the site is built, so it cannot go stale): its file, how to call it,
    its forward and its local derivatives."""

    def calls(r: Rule) -> str:
        constants = [] if r.ctx_of is None else [
            f"{p.name}={p.default!r}" for p in inspect.signature(r.ctx_of).parameters.values()]
        inputs = {1: "x", 2: "a, b"}.get(r.arity, "...")
        ways = [f"`{name}({', '.join([inputs, *constants])})`" for name in r.functions]
        if r.method:
            ways.append(f"`x.{r.name}({', '.join(constants)})`" if r.arity == 1
                        else f"`a.{r.name}(b)`")
        return ", ".join(ways) or "operator, or see its doc"

    rows = ["| op | file | call | forward | d/d(inputs) | doc |", "|---|---|---|---|---|---|"]
    for r in RULES.values():
        family = r.partials.__module__.rsplit(".", 1)[-1]
        cells = [f"`{r.name}`", f"`{family}.py`", calls(r), f"`{r.expr}`",
                 ", ".join(f"`{f}`" for f in r.formula), r.doc.split("\n\n")[0]]
        rows.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ")
                                      for c in cells) + " |")
    return "\n".join(rows) + "\n"
