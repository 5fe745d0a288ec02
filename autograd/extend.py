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

import dis
import types
from collections.abc import Callable, Sequence

from . import rules
from .codegen import CODE_MATH, Expr, code_globals, partials_src
from .engine import Value, as_value, new_node
from .floats import to_float
from .rules import BUILT_IN, RULES, FloatMath, registered, rule
from .rules.registry import check_op_name

__all__ = ["primitive", "unregister", "registered"]


def _math_functions() -> str:
    return ", ".join(f"m.{n}" for n in sorted(dir(FloatMath)) if not n.startswith("_"))


def _check_name(name) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"primitive name must be a Python identifier (it names the op in "
                         f"generated code and error messages), got {name!r}")
    check_op_name(name)
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

    A ``/`` in ``partials`` divides as IEEE 754 does in every path (``1/x`` at 0 is
    ``inf``), as in the built-in rules.  ``partials`` must not read what can change after
    the primitive is defined (``backward`` and ``compile`` write it out once): a global or
    closure variable holding data, or a mutable default argument, is refused; bind a
    constant as a default argument (``lambda m, out, ctx, x, k=K: ...``).

    Raises:
        ValueError: a bad name (not an identifier, already an op, or one Python reads as
            another name: ``ℯxp`` is ``exp`` in code), arity or formula, or ``partials``
            cannot be evaluated by the engine, returns the wrong number of partial
            derivatives or reads state that can change; the message names the op.
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
    _check_callable(name, "forward", forward)
    _check_callable(name, "partials", partials)
    _check_partials(name, partials, arity)
    _check_no_mutable_state(name, partials)
    value_of = _forward(name, forward)
    # No ``of_x``: generated code calls ``_f_<name>(None, *xs)`` (batched replay: once
    # per sample, autograd.vectorized's fallback for ops without a NumPy version).
    entry = rule(name, arity, lambda ctx, *xs: value_of(*xs),
                 _ieee_on_floats(name, partials, arity), *formulas, functions=(), cli=False)
    return _op_function(entry, value_of, doc)


_LOADS = {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLASSDEREF"}
_FIXED = (int, float, complex, str, bytes, bool, type(None))


def _is_fixed(value) -> bool:
    """Whether ``value`` can never change: a number, a string, or a tuple of them."""
    if isinstance(value, tuple):
        return all(_is_fixed(v) for v in value)
    return isinstance(value, _FIXED)


def _names_read(f) -> list[tuple[str, str, object]]:
    """``(kind, name, value)`` for each global or closure variable ``f`` reads (its
    nested functions' too), and for its default arguments."""
    found = []
    cells = dict(zip(f.__code__.co_freevars, f.__closure__ or ()))
    codes = [f.__code__]
    while codes:
        code = codes.pop()
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        for ins in dis.get_instructions(code):
            if ins.opname not in _LOADS:
                continue
            if ins.argval in cells:
                try:
                    found.append(("closure variable", ins.argval, cells[ins.argval].cell_contents))
                except ValueError:  # an empty cell: nothing to read yet
                    pass
            elif ins.argval in f.__globals__:
                found.append(("global", ins.argval, f.__globals__[ins.argval]))
    for i, value in enumerate(f.__defaults__ or ()):
        found.append(("default argument", f.__code__.co_varnames[f.__code__.co_argcount
                      - len(f.__defaults__) + i], value))
    return found


def _check_no_mutable_state(name: str, partials) -> None:
    """Refuse ``partials`` that read a value that can change after the primitive is
    defined (a global or closure variable holding data, a mutable default): backward and
    compile generate code from ``partials`` once, so they would keep its value of now
    while ``create_graph`` read the new one.  Functions it calls are checked too."""
    seen, todo = set(), [partials]
    while todo:
        f = todo.pop()
        if id(f) in seen or not isinstance(f, types.FunctionType):
            continue
        seen.add(id(f))
        for kind, var, value in _names_read(f):
            if isinstance(value, types.FunctionType):
                todo.append(value)  # a helper the rule calls: it must be fixed too
            elif kind == "default argument" and _is_fixed(value):
                continue  # fixed when the function was defined
            elif isinstance(value, types.ModuleType) or callable(value):
                continue
            else:
                raise ValueError(
                    f"partials of primitive {name!r} reads the {kind} {var!r} "
                    f"(now {value!r}), which can change after the primitive is defined: "
                    f"backward and compile write the rule out once and would keep its "
                    f"value of now.  Fix it when the rule is written, as a default "
                    f"argument holding a number (lambda m, out, ctx, x, {var}={var}: ...),"
                    f" and define the primitive again (unregister first) to change it")


def _check_callable(name: str, what: str, f) -> None:
    if not callable(f):
        raise TypeError(f"primitive {name!r}: {what} must be callable, got "
                        f"{type(f).__name__}")


def _forward(name: str, forward) -> Callable[..., float]:
    """``forward`` as the op's float forward: a float out, an error naming the op."""

    def value_of(*xs: float) -> float:
        try:
            data = forward(*xs)
        except (ArithmeticError, ValueError, TypeError) as e:
            raise type(e)(f"forward of primitive {name!r} at {xs!r} raised "
                          f"{type(e).__name__}: {e}") from e
        if type(data) is float:
            return data
        try:  # ints, numpy floats: the same float eager and compiled code will see
            return to_float(data)
        except TypeError:
            raise TypeError(f"forward of primitive {name!r} returned "
                            f"{type(data).__name__}, not a real number") from None

    return value_of


def _ieee_on_floats(name: str, partials, arity: int):
    """``partials``, evaluated on floats by code generated from it, as ``backward`` and
    ``compile`` do: a ``/`` in it then gives IEEE results (``1/x`` at 0 is inf, as for
    the built-in rules) in every path, never ZeroDivisionError in some.  On Values and
    symbols it is the user's own function."""
    xs = [f"x{i}" for i in range(arity)]
    body = ", ".join(partials_src(partials, None, "out", xs)[i] or "1.0" for i in range(arity))
    source = f"def partials_{name}(out, {', '.join(xs)}):\n    return ({body},)\n"
    namespace = code_globals()
    exec(compile(source, f"<autograd.extend: partials of {name!r}>", "exec"), namespace)
    on_floats = namespace[f"partials_{name}"]

    def evaluate(m, out, ctx, *xs):
        if m is FloatMath:
            return on_floats(out, *xs)
        return partials(m, out, ctx, *xs)

    return evaluate


def _op_function(entry, value_of, doc: str | None) -> Callable[..., Value]:
    """The function that builds one node of the primitive ``entry``."""
    name, arity = entry.name, entry.arity

    def op(*inputs) -> Value:
        if len(inputs) != arity:
            raise TypeError(f"{name}() takes {arity} input(s), got {len(inputs)}")
        xs = tuple(x if type(x) is Value else as_value(x) for x in inputs)
        return new_node(value_of(*[x.data for x in xs]), xs, name)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc if doc is not None else \
        f"The primitive {name!r} (defined with autograd.primitive); d/d(inputs): " \
        f"{', '.join(entry.formula)}."
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
