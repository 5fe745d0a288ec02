"""The rule table: every primitive operation, its forward function and its derivative.

This package is the only place an operation's derivative is written, one file per family
(find an op's derivative from the file names alone):

* ``arithmetic.py``     add, mul, div, pow, sqrt, rsqrt, cbrt, hypot, fused sum and dot
* ``exponential.py``    exp, exp2, expm1, log, log1p, log2, log10, logaddexp
* ``trigonometric.py``  sin, cos, tan, their inverses, atan2, and the hyperbolic functions
* ``special.py``        erf, erfc
* ``activations.py``    sigmoid, relu, softplus, gelu, silu, ... (``torch.nn.functional``)
* ``piecewise.py``      abs, sign, floor, ceil, round, trunc, maximum, minimum, clamp,
  copysign, fmod, remainder: kinks and ties, with PyTorch's subgradients
* ``maths.py``          the IEEE-safe float functions and the two math namespaces

This ``__init__`` is the registry: :data:`RULES`, filled by :func:`rule` as the family
modules are imported at its end.  Each primitive has

* ``forward(ctx, *xs)``: the output value, computed on floats with IEEE semantics
  (``exp(1000)`` is ``inf``, ``log(0)`` is ``-inf``, never a raw :mod:`math` exception);
* ``partials(m, out, ctx, *xs)``: the local partial derivatives of the output with
  respect to each input, one per input, in order;
* ``formula``: the local derivatives written for a person, one per input (shown by
  :func:`autograd.explain` and on graph edges);
* ``expr``: the forward itself in the same notation, over the inputs ``x`` (one input) or
  ``a`` and ``b`` (two) and the names ``ctx_names`` gives ``ctx``'s constants: what a
  symbolic tool (sympy) needs to rebuild the op, e.g. ``"x**k"`` for ``pow``.

``partials`` is a *pure* rule written once against a small math namespace ``m``:
:class:`FloatMath` evaluates it on floats (the fast path of ``backward``), and
:class:`ValueMath` evaluates it on :class:`~autograd.Value` nodes, which records a new
graph and so gives higher-order derivatives.  Neither namespace knows any derivative.

``ctx`` carries an op's constant, if it has one: the exponent of ``pow``, whether
``dot`` has a bias.  It is ``None`` for every other op.

``ctx`` is a number or a tuple of numbers (``clamp``'s bounds, ``softplus``'s beta and
threshold): it is hashed, and written into generated code.

Adding an operation means adding one :func:`rule` call to its family's file and a method
or function that builds the node; tests parametrised over :data:`RULES` pick it up at once.

Composite operations (negation, subtraction, ``relu6``, ...) have no entry: they are built
from these primitives, exactly, and differentiate through them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType

from .maths import (  # noqa: F401 - the float functions, importable from here as before
    FloatMath,
    ValueMath,
    safe_cos,
    safe_div,
    safe_exp,
    safe_log,
    safe_pow,
    safe_recip,
    safe_sin,
    safe_sqrt,
    stable_sigmoid,
)

__all__ = ["Rule", "RULES", "VERSION", "BUILT_IN", "rule", "unary", "unregister",
           "registered", "rule_of", "local_partials", "op_table", "FloatMath", "ValueMath",
           "UnknownOpError"]


class UnknownOpError(KeyError):
    """Raised when a node's op has no entry in the rule table."""

    def __str__(self) -> str:
        return f"no derivative rule for op {self.args[0]!r}; known ops: {sorted(RULES)}"


@dataclass(frozen=True)
class Rule:
    """One primitive: its name, forward function, derivative rule and formulas."""

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
    # What the engine builds from the rule (autograd.engine generates them at import):
    doc: str = ""  # the docstring of the op's method and function(s)
    method: bool = False  # a Value method of the op's name (v.exp())
    functions: tuple[str, ...] = ()  # module-level functions building it (autograd.exp)
    cli: bool = False  # the command line (autograd.program) may call those functions
    # ctx_of(*constants) -> ctx: the op's constant arguments (after its inputs, with their
    # defaults) checked and made into ctx; its signature is the functions' too.
    ctx_of: Callable | None = None
    # The forward on NumPy arrays (batched replay, autograd.vectorized), with forward's
    # signature, and for a one-input op without a constant, as a function of x alone.
    array: Callable | None = None
    array_of_x: Callable | None = None

    def local_partials(self, out: float, ctx, xs) -> tuple:
        """The local partials evaluated on floats (see also the module's
        :func:`local_partials`, which takes a node)."""
        return self.partials(FloatMath, out, ctx, *xs)


_RULES: dict[str, Rule] = {}
#: The table, op name -> :class:`Rule`: read-only (:func:`rule` registers, and
#: :func:`unregister` removes, a rule).
RULES: Mapping[str, Rule] = MappingProxyType(_RULES)
#: How many times the table has changed (a rule registered or removed).  Whatever is made
#: from rules (backward's generated code, compiled programs) remembers the version it was
#: made at and is made again when it differs, so a rule removed or registered again is
#: never served from code made for an earlier one.
VERSION = 0


def _changed() -> None:
    global VERSION
    VERSION += 1


def rule_of(op: str) -> Rule:
    """The rule of ``op``.

    Raises:
        UnknownOpError: ``op`` has no rule (the message names it, and the known ops).
    """
    try:
        return _RULES[op]
    except KeyError:
        raise UnknownOpError(op) from None


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


def rule(name: str, arity: int, forward, partials, *formula: str, of_x=None, expr: str = "",
         ctx_names: tuple[str, ...] = (), doc: str = "", method: bool = False,
         functions: tuple[str, ...] | None = None, cli: bool = True, ctx_of=None, array=None,
         array_of_x=None) -> Rule:
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

    Returns:
        The new :class:`Rule`.

    Raises:
        ValueError: ``name`` is already registered.
    """
    if name in RULES:
        raise ValueError(f"op {name!r} is already registered")
    entry = Rule(name, forward, partials, tuple(formula), arity, of_x, expr, tuple(ctx_names),
                 doc, method, (name,) if functions is None else tuple(functions), cli, ctx_of,
                 array, array_of_x)
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
    if name in BUILT_IN:
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
          array: Callable | None = None, **keywords) -> Rule:
    """Register a one-input primitive without a constant, given its forward ``of_x(x)``
    (and ``array(x)``, the same on NumPy arrays); other keywords as :func:`rule`'s."""
    return rule(name, 1, lambda ctx, x: of_x(x), partials, formula, of_x=of_x,
                array=None if array is None else lambda ctx, x: array(x), array_of_x=array,
                **keywords)


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


# This registers all the operations, family by family (each module calls rule()).
from . import (  # noqa: E402, F401
    activations,
    arithmetic,
    exponential,
    piecewise,
    special,
    trigonometric,
)

#: The ops of the package itself (never removed).
BUILT_IN: frozenset[str] = frozenset(_RULES)
