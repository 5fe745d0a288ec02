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

from collections.abc import Callable
from dataclasses import dataclass

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

__all__ = ["Rule", "RULES", "rule", "unary", "FloatMath", "ValueMath", "UnknownOpError"]


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

    def local_partials(self, out: float, ctx, xs) -> tuple:
        """The local partials evaluated on floats."""
        return self.partials(FloatMath, out, ctx, *xs)


RULES: dict[str, Rule] = {}
# How many rule() calls so far: code generated from RULES (autograd.graph's backward) is
# checked against it, and against len(RULES), so a rule removed or registered again is
# never served from code made for an earlier one.
_REGISTRATIONS = [0]


def rule(name: str, arity: int, forward, partials, *formula: str, of_x=None, expr: str = "",
         ctx_names: tuple[str, ...] = ()) -> Rule:
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

    Returns:
        The new :class:`Rule`.

    Raises:
        ValueError: ``name`` is already registered.
    """
    if name in RULES:
        raise ValueError(f"op {name!r} is already registered")
    entry = Rule(name, forward, partials, tuple(formula), arity, of_x, expr, tuple(ctx_names))
    RULES[name] = entry
    _REGISTRATIONS[0] += 1
    return entry


def unary(name: str, of_x: Callable[[float], float], partials, formula: str, *,
          expr: str = "") -> Rule:
    """Register a one-input primitive without a constant, given its forward ``of_x(x)``."""
    return rule(name, 1, lambda ctx, x: of_x(x), partials, formula, of_x=of_x, expr=expr)


# This registers all the operations, family by family (each module calls rule()).
from . import (  # noqa: E402, F401
    activations,
    arithmetic,
    exponential,
    piecewise,
    special,
    trigonometric,
)
