"""Python source generated from the rule table: no derivative is written here.

A rule's ``partials(m, out, ctx, *xs)`` is pure, so it can be evaluated on *expressions*
instead of numbers: given the names of a node's output and inputs, :data:`CODE_MATH` and
:class:`Expr` record every operation the rule performs and return source text such as
``"(out * (1.0 - out))"``.  That text, run on floats, performs exactly the operations
``FloatMath`` would, in the same order, so its results are bit-for-bit the eager ones.

Two users: :mod:`autograd.graph` turns each op into a small backward function once (no
per-node list of partials, no star-args), and :mod:`autograd.compiling.emit` turns a whole
traced graph into straight-line forward and backward code.  :func:`define` runs generated
source as a function (the engine's comparisons, and :mod:`autograd.ops`: every op's method
and function).
"""

from __future__ import annotations

import linecache
import math
import re

from .rules import RULES, FloatMath, rule_of

__all__ = ["Expr", "CODE_MATH", "code_globals", "src", "forward_src", "forward_lines",
           "partials_src", "backward_lines", "backward_function", "define"]


class Expr:
    """Source text of a float expression; arithmetic on it builds more source text."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    def __bool__(self) -> bool:
        # A rule that branches on data cannot be turned into straight-line code.
        raise TypeError("a derivative rule branched on an input's value; use m.step / m.sign")

    __lt__ = __le__ = __gt__ = __ge__ = lambda self, other: self.__bool__()

    def __add__(self, other):
        return _binary("+", self, other)

    def __radd__(self, other):
        return _binary("+", other, self)

    def __sub__(self, other):
        return _binary("-", self, other)

    def __rsub__(self, other):
        return _binary("-", other, self)

    def __mul__(self, other):
        return _binary("*", self, other)

    def __rmul__(self, other):
        return _binary("*", other, self)

    def __truediv__(self, other):
        return _divide(self, other)

    def __rtruediv__(self, other):
        return _divide(other, self)

    def __neg__(self):
        return Expr(f"(-{self.text})")


def src(x) -> str:
    """Source text of an expression or a constant (floats round-trip exactly)."""
    if type(x) is Expr:
        return x.text
    if isinstance(x, float):
        if math.isnan(x):
            return "_nan"
        if math.isinf(x):
            return "_inf" if x > 0 else "(-_inf)"
        return repr(float(x))
    if isinstance(x, (bool, int)) or x is None:
        return repr(x)
    if type(x) is tuple:  # an op's constants (clamp's bounds, softplus's beta and threshold)
        return "(" + "".join(src(v) + ", " for v in x) + ")"
    raise TypeError(f"cannot write {x!r} into generated code")


def has_literal(x) -> bool:
    """Whether :func:`src` can write ``x`` (else generated code must be given it by name)."""
    return type(x) is Expr or x is None or isinstance(x, (bool, int, float))


def _binary(op: str, a, b) -> Expr:
    return Expr(f"({src(a)} {op} {src(b)})")


def _divide(a, b) -> Expr:
    """``a / b`` with IEEE results (``x/0`` is ``+-inf``, ``0/0`` nan, as
    ``FloatMath.div``): Python's ``/`` raises ZeroDivisionError, so only a division by a
    non-zero constant (``x / 3.0``, all the built-in rules write) is left as ``/``."""
    if type(b) is not Expr and b == b and b != 0:
        return _binary("/", a, b)
    return Expr(f"_m_div({src(a)}, {src(b)})")


class _CodeMath:
    """``m`` for a rule evaluated on expressions: ``m.exp(x)`` becomes ``_m_exp(x)``.

    The generated code calls the very functions of :class:`FloatMath`, so a function's
    meaning (IEEE edge cases, the value of ``step`` at 0) is never written twice.
    """

    def __getattr__(self, name: str):
        if not hasattr(FloatMath, name):
            raise AttributeError(name)
        return lambda *args: Expr(f"_m_{name}({', '.join(src(a) for a in args)})")

    @staticmethod
    def pow(x, k):
        # pow(x, 1) is x itself (IEEE 754, nan and signed zeros included): the partial of
        # x ** 2 needs no call.
        if type(k) is not Expr and k == 1.0:
            return x
        return Expr(f"_m_pow({src(x)}, {src(k)})")


CODE_MATH = _CodeMath()


def code_globals() -> dict[str, object]:
    """Names the generated code may use, from the rule table as it is now.

    Built on every code generation (it is small), so a primitive registered after import
    with :func:`autograd.rules.rule` compiles like a built-in one.
    """
    return {
        "_inf": math.inf, "_nan": math.nan, "_exp": math.exp,
        **{f"_m_{n}": getattr(FloatMath, n) for n in dir(FloatMath) if not n.startswith("_")},
        **{f"_f_{op}": r.forward for op, r in RULES.items()},
        **{f"_x_{op}": r.of_x for op, r in RULES.items() if r.of_x is not None},
    }


#: The most terms one generated expression adds.  CPython's compiler recurses once per
#: operator of an expression (``a + b + c`` nests), so a 3,000-term sum written as one
#: expression raises RecursionError; longer sums continue in further statements, which
#: add in the same order (``t = 0.0 + a + b`` then ``t = t + c``: the same floats).
CHUNK = 100


def _terms(rule, ctx, xs: list[str]) -> list[str]:
    """Source of the terms a summed op adds: its inputs, or (paired) ``w_i * x_i``, then
    the bias where ctx says there is one."""
    if not rule.paired:
        return xs
    n = len(xs) // 2
    terms = [f"{w} * {x}" for w, x in zip(xs[:n], xs[n:2 * n])]
    return terms + xs[2 * n:] if ctx else terms


def forward_src(op: str, ctx, xs: list[str], ctx_src: str | None = None,
                inline: bool = False) -> str:
    """Source of an op's forward value, computed exactly as the eager engine computes it.

    ``ctx_src`` names the constant where it has no literal (a user op's tuple, say);
    ``inline`` writes a rule's ``inline`` forward out (for floats only, not arrays).
    """
    rule = rule_of(op)
    if rule.native:  # Python's own operator, on floats and arrays alike
        return f"({xs[0]} {rule.operator} {xs[1]})"
    if rule.summed:  # left to right from 0.0 (rules.left_to_right_sum), written out
        return f"(0.0 + {' + '.join(_terms(rule, ctx, xs))})"
    if rule.of_x is not None:
        if inline and rule.inline and xs[0].isidentifier():
            return rule.inline.format(x=xs[0])
        return f"_x_{op}({xs[0]})"
    return f"_f_{op}({ctx_src or src(ctx)}, {', '.join(xs)})"


def forward_lines(target: str, op: str, ctx, xs: list[str], ctx_src: str | None = None,
                  inline: bool = False) -> list[str]:
    """Statements assigning an op's forward value to ``target``, none of them longer than
    :data:`CHUNK` terms (see there): the same float operations as :func:`forward_src`."""
    rule = rule_of(op)
    if not rule.summed or len(xs) <= CHUNK:
        return [f"{target} = {forward_src(op, ctx, xs, ctx_src, inline)}"]
    terms = _terms(rule, ctx, xs)
    lines = [f"{target} = (0.0 + {' + '.join(terms[:CHUNK])})"]
    for k in range(CHUNK, len(terms), CHUNK):
        lines.append(f"{target} = ({target} + {' + '.join(terms[k:k + CHUNK])})")
    return lines


def partials_src(partials, ctx, out: str, xs: list[str]) -> list[str | None]:
    """Source of each local partial derivative; None where it is the constant 1."""
    ps = partials(CODE_MATH, Expr(out), ctx, *(Expr(x) for x in xs))
    return [None if (type(p) is not Expr and p == 1) else src(p) for p in ps]


def times(g: str, p: str | None) -> str:
    """Source of the contribution ``g * p`` (just ``g`` when p is 1: the same float)."""
    return g if p is None else f"{g} * {p}"


_NAME = re.compile(r"\b[xo]\d*\b|\bout\b")


def backward_lines(partials, ctx, n: int) -> list[str]:
    """Statements adding ``g * d node / d input`` to each input's ``grad``, for one op.

    They read the names ``node`` and ``g`` and bind ``i0``, ``i1``, ... (the inputs),
    ``x0``, ... (their data) and ``out``; each line is unindented.
    """
    xs = [f"x{i}" for i in range(n)]
    ps = partials_src(partials, ctx, "out", xs)
    used = set(_NAME.findall(" ".join(p for p in ps if p)))
    inputs = ", ".join(f"i{i}" for i in range(n))
    lines = [f"{inputs}, = node._prev"]
    if "out" in used:
        lines.append("out = node.data")
    # Every partial reads the inputs' data before any grad is touched, as the generic
    # loop does (an input may appear twice, as in x * x).
    lines += [f"x{i} = i{i}.data" for i in range(n) if f"x{i}" in used]
    lines += [f"i{i}.grad += {times('g', p)}" for i, p in enumerate(ps)]
    return lines


def backward_function(op: str, partials, ctx, n: int):
    """``f(node, g)`` adding ``g * d node / d input`` to each input's ``grad``.

    Generated for one op, constant and number of inputs; equivalent to the generic
    ``for child, p in zip(inputs, partials(FloatMath, ...)): child.grad += g * p``.
    """
    lines = [f"def backward_{op}(node, g):"]
    lines += ["    " + line for line in backward_lines(partials, ctx, n)]
    namespace = code_globals()
    exec(compile("\n".join(lines) + "\n", f"<backward of {op!r}>", "exec"), namespace)
    return namespace[f"backward_{op}"]


def define(source: str, name: str, module: str, where: str, qualname: str, **names):
    """The function ``name`` that ``source`` defines, run with ``names`` as its globals, as
    if written in ``module`` (its ``__module__``) and kept in ``linecache`` as
    ``<module: where>``, so tracebacks and ``inspect`` show the generated lines.

    The engine's comparisons and the ops' methods and functions (:mod:`autograd.ops`)
    are made this way.
    """
    filename = f"<{module}: {where}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": module, **names}
    exec(compile(source, filename, "exec"), namespace)
    fn = namespace[name]
    fn.__qualname__ = qualname
    return fn
