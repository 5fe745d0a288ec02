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

# This registers all the operations, family by family (each module calls rule()).
from . import activations, arithmetic, exponential, piecewise, special, trigonometric  # noqa: F401
from .maths import FloatMath
from .registry import (
    CHANGES,
    RULES,
    Rule,
    UnknownOpError,
    is_paired,
    local_partials,
    op_table,
    registered,
    rule,
    rule_of,
    seal_built_in,
    unary,
    unregister,
    version,
)

__all__ = ["Rule", "RULES", "BUILT_IN", "CHANGES", "version", "rule", "unary", "unregister",
           "registered", "rule_of", "local_partials", "op_table", "FloatMath",
           "UnknownOpError", "is_paired"]

#: The ops of the package itself (never removed).
BUILT_IN: frozenset[str] = seal_built_in()
