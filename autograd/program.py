"""Small programs of assignments, for the command line: parsed safely, never ``eval``-ed.

A program is a sequence of ``name = expression`` statements (separated by newlines or
``;``) such as ``h1 = sigmoid(w1*x1 + w2*x2 + b1); L = (y - h1)**2``.  Expressions may
use numbers, names, ``+ - * / ** %``, unary ``-``/``+`` and calls of the engine's functions
(one argument: ``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``, ``sin``, ``cos``,
``sqrt``, ``softplus``, ``abs`` and the rest of :data:`UNARY`, activations with their
default arguments; two: ``atan2``, ``maximum``, ... (:data:`BINARY`); ``clamp(x, min,
max)`` with two numbers; ``sum(a, b, ...)`` and ``dot([w1, w2], [x1, x2], b)``).  How a
function is called is its rule's: its inputs (``Rule.arity``), then the constants its
``ctx_of`` has no default for, as numbers (``clamp``'s bounds; the others keep their
defaults); an n-ary sum (``Rule.sum_of``) takes its terms, one of products takes one list
per factor and an optional bias.  Every other
construct is rejected with a :class:`ProgramError` that names the line and column: the
text is parsed with :mod:`ast` and checked against that whitelist, then evaluated by
walking the tree (iteratively) with the engine's own operations.

Assigned names become labels; the last assignment is the output.
"""

from __future__ import annotations

import ast
import inspect
import keyword
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import engine, ops
from .engine import Value
from .rules import RULES, Rule

__all__ = ["Program", "ProgramError", "run_program", "FUNCTIONS", "UNARY", "BINARY",
           "MAX_EXPONENT", "rule_of_function", "required_constants", "lists_of"]

MAX_EXPONENT = 1000.0
# Everything is evaluated in floats, so a huge exponent cannot hang the evaluator, but
# an exponent beyond this bound is never meant: it is refused rather than giving inf.
MAX_PROGRAM_CHARS = 100_000

#: The functions a program may call: those the rule table lets the command line call
#: (each rule says so), and the engine's composites and fused ops.
FUNCTIONS: dict[str, Callable] = {name: ops.FUNCTIONS[name] for name in ops.COMMAND_LINE}
_BUILT_BY = {name: r for r in RULES.values() for name in r.functions}


def rule_of_function(name: str) -> Rule | None:
    """The rule of the op a function builds: the rule listing it among its ``functions``,
    else the op of that name (a builder written by hand, as the fused n-ary ones); None
    for a composite (``relu6``) or an unknown name."""
    return _BUILT_BY.get(name) or RULES.get(name)


def required_constants(rule: Rule | None) -> tuple[str, ...]:
    """The constants a call must give after the inputs: those of ``rule.ctx_of`` with no
    default a program can write (``clamp``'s ``min`` and ``max``, default None)."""
    if rule is None or rule.ctx_of is None:
        return ()
    return tuple(p.name for p in inspect.signature(rule.ctx_of).parameters.values()
                 if p.default is None or p.default is p.empty)


def _own_grammar(name: str) -> bool:
    """Whether calls of ``name`` are checked by a grammar of their own (see _check_call)."""
    rule = rule_of_function(name)
    return rule is not None and (rule.arity == -1 or bool(required_constants(rule)))


#: Functions of two arguments.
BINARY = tuple(n for n in FUNCTIONS if not _own_grammar(n)
               and getattr(rule_of_function(n), "arity", 1) == 2)
#: Functions of one argument (activations with PyTorch's default arguments).
UNARY = tuple(n for n in FUNCTIONS if not _own_grammar(n) and n not in BINARY)
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}

_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
               ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod}
_REJECTED = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "subscripts are not allowed",
    ast.Lambda: "lambdas are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.Import: "imports are not allowed",
    ast.ImportFrom: "imports are not allowed",
    ast.keyword: "keyword arguments are not allowed",
    ast.Starred: "starred arguments are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and'/'or' are not allowed",
    ast.IfExp: "conditional expressions are not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.AugAssign: "augmented assignment (+= etc.) is not allowed: assign a new name",
    ast.AnnAssign: "type annotations are not allowed: write 'name = expression'",
}
# How a refused operator is written, so the message shows what the user typed.
_OPERATOR_SYMBOLS = {ast.MatMult: "@", ast.FloorDiv: "//", ast.LShift: "<<",
                     ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&"}
_ALLOWED = "numbers, names, + - * / ** %, unary minus and calls of " + ", ".join(FUNCTIONS)


class ProgramError(ValueError):
    """A program was rejected or failed; ``line`` and ``column`` (1-based) say where.

    ``str()`` reads ``<source>:<line>:<column>: <message>``.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1,
                 source: str = "<program>") -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.source = message, line, column, source

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}: {self.message}"


@dataclass
class Program:
    """A program that has run.

    Attributes:
        values: every named Value (``--set`` inputs first, then assignments, in order).
        inputs: the Values given from outside (leaves), by name.
        output_name: the name assigned last.
    """

    values: dict[str, Value]
    inputs: dict[str, Value]
    output_name: str

    @property
    def output(self) -> Value:
        """The Value assigned last."""
        return self.values[self.output_name]


def _error(node: ast.AST, message: str, source: str) -> ProgramError:
    return ProgramError(message, getattr(node, "lineno", 1),
                        getattr(node, "col_offset", 0) + 1, source)


def _check_name(name: str, what: str) -> str | None:
    """Why ``name`` cannot be a variable, or None when it can."""
    if name.startswith("__"):
        return f"{what} {name!r} is not allowed (no dunder names)"
    if name in FUNCTIONS:
        return f"{what} {name!r} is a function name"
    if not name.isidentifier() or keyword.iskeyword(name):
        return f"{what} {name!r} is not a valid name"
    return None


def _check_expression(expr: ast.AST, source: str) -> None:
    """Reject everything outside the whitelist (ast.walk is iterative)."""
    lists: set[ast.AST] = set()
    calls: set[ast.AST] = set()
    for node in ast.walk(expr):
        kind = type(node)
        if isinstance(node, (ast.operator, ast.unaryop, ast.expr_context)):
            continue  # checked at their BinOp / UnaryOp
        if kind in _REJECTED:
            raise _error(node, _REJECTED[kind], source)
        if kind is ast.Constant:
            if type(node.value) not in (int, float):
                what = "strings are" if isinstance(node.value, (str, bytes)) else \
                    f"{type(node.value).__name__} constants are"
                raise _error(node, f"{what} not allowed, only numbers", source)
        elif kind is ast.Name:
            if node.id.startswith("__"):
                raise _error(node, f"{node.id!r} is not allowed (no dunder names)", source)
            if node.id in FUNCTIONS and node not in calls:
                raise _error(node, f"{node.id!r} is a function: call it, e.g. {node.id}(x)",
                             source)
        elif kind is ast.BinOp:
            if type(node.op) not in _ARITHMETIC:
                symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise _error(node, f"operator {symbol} is not allowed; only + - * / **",
                             source)
            if type(node.op) is ast.Pow:
                k = _constant(node.right)
                if k is not None and not abs(k) <= MAX_EXPONENT:
                    raise _error(node.right, f"exponent {k:g} is too large "
                                 f"(at most {MAX_EXPONENT:g} in size)", source)
        elif kind is ast.UnaryOp:
            if type(node.op) not in (ast.USub, ast.UAdd):
                raise _error(node, "only unary - and + are allowed", source)
        elif kind is ast.Call:
            _check_call(node, source, lists)
            calls.add(node.func)
        elif kind is ast.List:
            if node not in lists:
                raise _error(node, "lists are only allowed as the first arguments of "
                             f"{', '.join(f'{n}()' for n in FUNCTIONS if lists_of(n))}",
                             source)
        else:
            raise _error(node, f"{kind.__name__} is not allowed; only {_ALLOWED}", source)


def lists_of(name: str) -> int:
    """How many lists a call of ``name`` starts with: an n-ary sum of products k at a time
    (``Rule.sum_of``, ``dot``: 2) takes one list per factor; 0 for every other function."""
    rule = rule_of_function(name)
    return rule.sum_of if rule is not None and rule.arity == -1 and rule.sum_of > 1 else 0


def _check_call(node: ast.Call, source: str, lists: set) -> None:
    func = node.func
    if type(func) is not ast.Name:
        raise _error(node, "only the engine's functions can be called, by name", source)
    if func.id.startswith("__"):
        raise _error(func, f"{func.id!r} is not allowed (no dunder names)", source)
    if func.id not in FUNCTIONS:
        raise _error(func, f"unknown function {func.id!r}; known: {', '.join(FUNCTIONS)}",
                     source)
    if node.keywords:
        raise _error(node.keywords[0], "keyword arguments are not allowed", source)
    name, n = func.id, len(node.args)
    rule = rule_of_function(name)
    k = lists_of(name)
    constants = required_constants(rule)
    if k:
        if n not in (k, k + 1) or any(type(a) is not ast.List for a in node.args[:k]):
            example = ", ".join(f"[{c}1, {c}2]" for c in "wxyzuv"[:k])
            raise _error(node, f"{name}() takes {_WORDS.get(k, k)} lists and an optional "
                         f"bias: {name}({example}, b)", source)
        if len({len(a.elts) for a in node.args[:k]}) != 1 or not node.args[0].elts:
            raise _error(node, f"{name}() needs {_WORDS.get(k, k)} non-empty lists of the "
                         f"same length", source)
        lists.update(node.args[:k])
    elif rule is not None and rule.arity == -1:
        if n < 1:
            raise _error(node, f"{name}() needs at least one argument", source)
    elif constants:
        inputs = rule.arity
        if n != inputs + len(constants) or any(_constant(a) is None
                                               for a in node.args[inputs:]):
            values = "a value" if inputs == 1 else f"{_WORDS.get(inputs, inputs)} values"
            shown = ", ".join(["x", *(f"x{i + 2}" for i in range(inputs - 1)), *constants])
            raise _error(node, f"{name}() takes {values} and {_WORDS.get(len(constants))} "
                         f"numbers: {name}({shown})", source)
    elif name in BINARY:
        if n != 2:
            raise _error(node, f"{name}() takes exactly two arguments, got {n}", source)
    elif n != 1:
        raise _error(node, f"{name}() takes exactly one argument, got {n}", source)


def _constant(node: ast.AST) -> float | None:
    """The number a literal (possibly negated) stands for, or None."""
    sign = 1.0
    while type(node) is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
        sign = -sign if type(node.op) is ast.USub else sign
        node = node.operand
    if type(node) is ast.Constant and type(node.value) in (int, float):
        try:
            return sign * float(node.value)
        except OverflowError:
            return math.inf
    return None


def _apply(node: ast.AST, args: list, source: str):
    """One step of evaluation: floats fold to floats, anything with a Value is a Value."""
    kind = type(node)
    if kind is ast.BinOp:
        a, b = args
        op = type(node.op)
        if op is ast.Pow:
            k = b.data if isinstance(b, Value) else b
            if not abs(k) <= MAX_EXPONENT:
                raise _error(node.right, f"exponent {k:g} is too large "
                             f"(at most {MAX_EXPONENT:g} in size)", source)
        left = a if isinstance(a, Value) or isinstance(b, Value) else engine.as_value(a)
        result = _ARITHMETIC[op](left, b)
    elif kind is ast.UnaryOp:
        (a,) = args
        return -a if type(node.op) is ast.USub else a
    elif kind is ast.Call:
        name = node.func.id
        k, rule = lists_of(name), rule_of_function(name)
        if k:  # the lists, then the bias if given
            n = len(node.args[0].elts)
            result = FUNCTIONS[name](*(args[j * n:(j + 1) * n] for j in range(k)),
                                     *args[k * n:])
        elif rule is not None and rule.arity == -1:
            result = FUNCTIONS[name](args)
        else:
            result = FUNCTIONS[name](*args)
    else:  # pragma: no cover - _check_expression admits nothing else
        raise _error(node, f"cannot evaluate {kind.__name__}", source)
    if any(isinstance(a, Value) for a in args):
        return result
    return result.data if isinstance(result, Value) else result


def _children(node: ast.AST) -> list[ast.AST]:
    if type(node) is ast.BinOp:
        return [node.left, node.right]
    if type(node) is ast.UnaryOp:
        return [node.operand]
    if type(node) is ast.Call:
        k = lists_of(node.func.id)
        if k:
            return [*(e for a in node.args[:k] for e in a.elts), *node.args[k:]]
        return list(node.args)
    return []


def _evaluate(expr: ast.AST, env: Mapping[str, Value], source: str):
    """Post-order evaluation with an explicit stack: deep expressions cannot overflow."""
    results: dict[ast.AST, object] = {}
    stack: list[tuple[ast.AST, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if type(node) is ast.Constant:
            try:
                results[node] = float(node.value)
            except OverflowError:
                raise _error(node, "number too large for a float", source) from None
        elif type(node) is ast.Name:
            if node.id not in env:
                raise _error(node, f"unknown name {node.id!r}: set it with --set "
                             f"{node.id}=VALUE or assign it before this line", source)
            results[node] = env[node.id]
        elif ready:
            results[node] = _apply(node, [results.pop(c) for c in _children(node)], source)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(_children(node)))
    return results[expr]


def _input_values(pairs: Mapping[str, float]) -> dict[str, Value]:
    """Leaves named after their keys; raises ValueError for names that cannot be used."""
    values = {}
    for name, number in pairs.items():
        problem = _check_name(name, "input")
        if problem:
            raise ValueError(problem)
        values[name] = Value(float(number), label=name)
    return values


def run_program(text: str, inputs: Mapping[str, float] | None = None,
                source: str = "<program>") -> Program:
    """Check ``text`` against the whitelist and run it on ``inputs``.

    Args:
        text: the program, assignments separated by newlines or ``;``.
        inputs: numbers for the names the program reads but does not assign.
        source: how errors name the program (a file name, or ``<program>``).

    Returns:
        A :class:`Program` whose ``output`` is the Value assigned last.

    Raises:
        ProgramError: the program is not allowed or cannot run; the message names the
            line and column.
        ValueError: an input name cannot be used.

    >>> p = run_program("y = x**2 + 1", {"x": 3.0})
    >>> p.output_name, p.output.data
    ('y', 10.0)
    """
    if len(text) > MAX_PROGRAM_CHARS:
        raise ProgramError(f"the program has {len(text)} characters; at most "
                           f"{MAX_PROGRAM_CHARS} are allowed", source=source)
    given = _input_values(inputs or {})
    try:
        tree = ast.parse(text, filename=source, mode="exec")
    except SyntaxError as e:
        raise ProgramError(f"syntax error: {e.msg}", e.lineno or 1, e.offset or 1,
                           source) from None
    except (RecursionError, MemoryError):
        raise ProgramError("the program is nested too deeply", source=source) from None
    if not tree.body:
        raise ProgramError("the program is empty: write assignments like "
                           "'y = x**2'", source=source)
    env: dict[str, Value] = dict(given)
    output = ""
    for stmt in tree.body:
        if type(stmt) in _REJECTED:
            raise _error(stmt, _REJECTED[type(stmt)], source)
        if type(stmt) is ast.Expr:
            # a bare expression (`x**2`): the output needs a name to be reported by.
            # What it may not contain is said first, so the advice is never to assign
            # something that would be refused anyway.
            _check_expression(stmt.value, source)
            shown = ast.get_source_segment(text, stmt.value) or "..."
            shown = shown if len(shown) <= 40 and "\n" not in shown else "..."
            raise _error(stmt, f"an expression alone has no name: write an assignment, "
                         f"e.g. 'y = {shown}'", source)
        if type(stmt) is not ast.Assign:
            raise _error(stmt, f"only assignments 'name = expression' are allowed, "
                         f"not {type(stmt).__name__}", source)
        if len(stmt.targets) != 1 or type(stmt.targets[0]) is not ast.Name:
            raise _error(stmt, "assign one plain name at a time: 'name = expression'",
                         source)
        name = stmt.targets[0].id
        problem = _check_name(name, "name")
        if problem is None and name in env:
            problem = (f"{name!r} is already {'set' if name in given else 'assigned'}; "
                       f"each name is assigned once")
        if problem:
            raise _error(stmt.targets[0], problem, source)
        _check_expression(stmt.value, source)
        value = _evaluate(stmt.value, env, source)
        if not isinstance(value, Value):
            value = Value(value)
        elif value.label:
            raise _error(stmt.value, f"'{name} = {value.label}' only renames "
                         f"{value.label!r}; use {value.label!r} directly", source)
        value.label = name
        env[name] = value
        output = name
    return Program(env, given, output)
