"""``primitive``: a user's own operation, with its derivative written once.

HIPS autograd calls this module ``extend`` too: it is the way in for code outside the
package.  A primitive defined here becomes an entry of the one rule table,
:data:`autograd.rules.RULES`, exactly like the built-in ops, so everything that reads the
table works with it: ``backward`` and ``grad``, higher derivatives
(``grad(..., create_graph=True)``), ``jvp``/``hessian``, ``explain`` formulas, edge labels
in ``draw``, ``gradcheck``, ``compile`` and ``detect_anomaly``.

Its ``partials(m, out, ctx, *xs)`` is written against the same math namespace ``m`` as
the built-in rules, and is checked when the primitive is defined: it is evaluated once on
symbols (the code generator's namespace), which catches a wrong number of partials, an
``if`` on an input's value and a call of :mod:`math` where ``m`` is needed, with an error
that names the op.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from . import rules
from .codegen import CODE_MATH, Expr
from .engine import Value, as_value, new_node
from .floats import to_float
from .rules import BUILT_IN, RULES, FloatMath, registered, rule

__all__ = ["primitive", "unregister", "registered"]


def _math_functions() -> str:
    return ", ".join(f"m.{n}" for n in sorted(dir(FloatMath)) if not n.startswith("_"))


def _check_name(name) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"primitive name must be a Python identifier (it names the op in "
                         f"generated code and error messages), got {name!r}")
    if name in BUILT_IN:
        raise ValueError(f"op {name!r} is a built-in op; choose another name")
    if name in RULES:
        raise ValueError(f"op {name!r} is already defined by autograd.primitive; call "
                         f"autograd.extend.unregister({name!r}) first to redefine it")
    return name


def _check_arity(name: str, arity) -> int:
    if type(arity) is not int or arity < 1:
        raise ValueError(f"primitive {name!r}: arity must be a positive int (the number of "
                         f"inputs), got {arity!r}")
    return arity


def _check_formula(name: str, formula, arity: int) -> tuple[str, ...]:
    if isinstance(formula, str):
        formulas = (formula,)
    else:
        try:
            formulas = tuple(formula)
        except TypeError:
            formulas = ()  # not a sequence: refused below
    if len(formulas) != arity or not all(isinstance(f, str) and f for f in formulas):
        raise ValueError(
            f"primitive {name!r}: formula must give the derivative with respect to each of "
            f"its {arity} input(s) as a non-empty string (a str, or a sequence of {arity} "
            f"str), got {formula!r}"
        )
    return formulas


def _unevaluable(name: str, e: Exception) -> ValueError:
    return ValueError(
        f"partials of primitive {name!r} must be written with arithmetic (+ - * /) on "
        f"its arguments and the functions of m ({_math_functions()}; x**k is "
        f"m.pow(x, k)), with no `if` on an input's value (use m.step / m.sign) and no "
        f"math or numpy calls or Value methods; evaluating it on symbols failed: "
        f"{type(e).__name__}: {e}"
    )


def _check_partials(name: str, partials, arity: int) -> None:
    """Evaluate ``partials`` on symbols: what the engine will need, checked now."""
    xs = [Expr(f"x{i}") for i in range(arity)]
    try:
        ps = partials(CODE_MATH, Expr("out"), None, *xs)
    except AttributeError as e:
        if str(e).isidentifier():  # CODE_MATH names the missing function, nothing else
            raise ValueError(f"partials of primitive {name!r}: m has no function "
                             f"{str(e)!r}; it has {_math_functions()}") from e
        raise _unevaluable(name, e) from e
    except Exception as e:
        raise _unevaluable(name, e) from e
    if not isinstance(ps, (tuple, list)):
        raise ValueError(
            f"partials of primitive {name!r} must return a tuple with one partial "
            f"derivative per input ({arity}), got a single "
            f"{'expression' if type(ps) is Expr else type(ps).__name__}; "
            f"write `return (d,)` for one input"
        )
    if len(ps) != arity:
        raise ValueError(
            f"partials of primitive {name!r} returned {len(ps)} partial derivative(s) for "
            f"its {arity} input(s); return one per input, in order"
        )
    for i, p in enumerate(ps):
        if type(p) is not Expr and (isinstance(p, bool) or not isinstance(p, (int, float))):
            raise ValueError(f"partials of primitive {name!r}: partial {i} is a "
                             f"{type(p).__name__}, not a number or an expression in m")


def primitive(
    name: str,
    forward: Callable[..., float],
    partials: Callable[..., tuple],
    *,
    formula: str | Sequence[str],
    arity: int = 1,
    doc: str | None = None,
) -> Callable[..., Value]:
    """Define a new primitive operation, differentiable like the built-in ones.

    The rule is written once: ``forward`` computes the value on floats, ``partials`` the
    local derivative with respect to each input, against the math namespace ``m`` that
    the built-in rules use (see :mod:`autograd.rules`).  The engine multiplies by the
    upstream gradient; ``partials`` never does.  Because ``m`` may be evaluated on floats,
    on Values (for higher derivatives) or on source text (for ``backward``'s and
    ``compile``'s generated code), ``partials`` must use only arithmetic and ``m``'s
    functions, never branch on an input's value (``m.step`` and ``m.sign`` write piecewise
    derivatives), and never call :mod:`math` directly.  Using ``out`` (the op's own output)
    often gives the most stable derivative.

    ``compile`` generates code for the primitive (its forward is called from the
    generated code; its derivative is generated from ``partials``), so no eager fallback
    is needed.  Batched replay (``Compiled.batch_forward``/``batch_backward``, on NumPy
    arrays) calls ``forward`` once per sample (correct, not fast).

    Args:
        name: the op name its nodes carry (``Value.op``); a Python identifier that is not
            an op already.
        forward: ``forward(*xs) -> float``, the value on floats (ideally with IEEE results:
            ``inf``/``nan`` rather than an exception).
        partials: ``partials(m, out, ctx, *xs) -> tuple``, one local partial derivative
            per input; ``ctx`` is always ``None`` for a user primitive (it is the slot
            built-in ops use for a constant, such as ``pow``'s exponent).
        formula: the derivative written for a person, one per input (a str for one
            input); shown by ``explain``.  Name the inputs ``x`` (one input) or ``a`` and
            ``b`` (two), and the op's own output ``name(x)``.
        arity: the number of inputs.
        doc: the docstring of the returned function.

    Returns:
        A function of ``arity`` numbers or Values that returns a new Value (node).  Its
        ``rule`` attribute is the :class:`~autograd.rules.Rule` entered in ``RULES``.

    Raises:
        ValueError: a bad name (not an identifier, or already an op), arity or formula,
            or ``partials`` cannot be evaluated by the engine or returns the wrong number
            of partial derivatives; the message names the op.
        TypeError: ``forward`` or ``partials`` is not callable.

    >>> import math
    >>> from autograd import Value, grad
    >>> cube = primitive("cube_doc", lambda x: x**3,
    ...                  lambda m, out, ctx, x: (3.0 * x * x,), formula="3*x**2")
    >>> x = Value(2.0)
    >>> y = cube(x)
    >>> (dy,) = grad(y, [x], create_graph=True)
    >>> y.data, dy.data, grad(dy, [x])[0]
    (8.0, 12.0, 12.0)
    >>> unregister("cube_doc")
    """
    name = _check_name(name)
    arity = _check_arity(name, arity)
    formulas = _check_formula(name, formula, arity)
    if not callable(forward):
        raise TypeError(f"primitive {name!r}: forward must be callable, got "
                        f"{type(forward).__name__}")
    if not callable(partials):
        raise TypeError(f"primitive {name!r}: partials must be callable, got "
                        f"{type(partials).__name__}")
    _check_partials(name, partials, arity)

    def value_of(*xs: float) -> float:
        data = forward(*xs)
        if type(data) is float:
            return data
        try:  # ints, numpy floats: the same float eager and compiled code will see
            return to_float(data)
        except TypeError:
            raise TypeError(f"forward of primitive {name!r} returned "
                            f"{type(data).__name__}, not a real number") from None

    # No ``of_x``: generated code calls ``_f_<name>(None, *xs)`` (batched replay: once
    # per sample, autograd.vectorized's fallback for ops without a NumPy version).
    entry = rule(name, arity, lambda ctx, *xs: value_of(*xs), partials, *formulas,
                 functions=(), cli=False)

    def op(*inputs) -> Value:
        if len(inputs) != arity:
            raise TypeError(f"{name}() takes {arity} input(s), got {len(inputs)}")
        xs = tuple(x if type(x) is Value else as_value(x) for x in inputs)
        return new_node(value_of(*[x.data for x in xs]), xs, name)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc if doc is not None else \
        f"The primitive {name!r} (defined with autograd.primitive); d/d(inputs): " \
        f"{', '.join(formulas)}."
    op.rule = entry
    return op


def unregister(name: str) -> None:
    """Remove a primitive defined with :func:`primitive`, so its name can be defined again.

    For a notebook cell that defines a primitive and is run twice.  Nodes built with the
    op before stay in their graphs but can no longer be differentiated
    (``UnknownOpError``).  A name that is not defined is ignored.  (For a primitive that
    should exist only for a block of code, a test say, use :func:`registered`.)

    Raises:
        ValueError: ``name`` is a built-in op.
    """
    if name in BUILT_IN:
        raise ValueError(f"op {name!r} is a built-in op; only primitives defined with "
                         f"autograd.primitive can be unregistered")
    if name in RULES:
        rules.unregister(name)
