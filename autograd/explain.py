"""The chain rule shown to a person: ``explain`` and ``assert_grad``.

``explain(L, w1)`` writes dL/dw1 as the reference documents do: a product of factors
taken between *named* nodes (a label, else the caller's variable: see
:mod:`autograd.naming`; unnamed intermediates are folded into the factor they sit in),
summed over every path from ``L`` down to ``w1``, with each factor's formula and number.
Every local derivative comes from :data:`autograd.rules.RULES`; this module
only multiplies and adds them.

Hand calculations round what they write down, and so do the documents: with
``digits=3`` (the default) each labelled intermediate value is carried rounded to three
significant digits into the factors computed from it, each factor is written rounded,
and the total is the product of the written factors, which is how the document gets
dL/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214.  The exact total is always computed as well
(by a forward pass of its own over the paths), checked against reverse mode, and stated.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .engine import Value
from .foreign import as_graph
from .functional import grad
from .graph import topological_order
from .graph_model import local_partials, partial_formula, whole_multiple
from .naming import Names, node_names, user_frame
from .notation import derivative_name
from .rules import RULES, UnknownOpError
from .rules.maths import safe_fsum
from .symbolic.printers import latex_name

__all__ = ["explain", "Explanation", "Factor", "ChainPath", "assert_grad", "GradientMismatch"]

DEFAULT_MAX_PATHS = 8
_ONE_LINE = 100  # the equation goes on one line when it fits in this many characters
# Path counts double at every reused node (v = v*v), so exact counts grow to numbers of
# thousands of digits whose additions make explain quadratic: they stop at this cap.
PATH_COUNT_CAP = 10**15
# A path of thousands of factors is printed folded: its first and last few factors.
_HEAD, _TAIL = 6, 3
_WHERE_LINES = 24  # at most this many factors are defined under "where"


@dataclass(frozen=True)
class Factor:
    """One factor d(top)/d(bottom) of a path: a segment between two labelled nodes.

    Attributes:
        top, bottom: names of the segment's ends.
        formula: the local derivatives of the segment's ops, from the rule table, with
            names or numbers substituted; factors equal to 1 are left out.
        ops: the ops folded into this factor, from ``top`` down.
        value: the exact factor (product of the local derivatives along the segment).
        written: the factor as a hand calculation writes it (rounded to ``digits``
            significant digits, from rounded labelled inputs); ``value`` when exact.
    """

    top: str
    bottom: str
    formula: str
    ops: tuple[str, ...]
    value: float
    written: float

    @property
    def name(self) -> str:
        """``d<top>/d<bottom>``."""
        return derivative_name(self.top, self.bottom)


@dataclass(frozen=True)
class ChainPath:
    """One path from the output down to ``wrt``: its factors and their products."""

    factors: tuple[Factor, ...]
    value: float  # exact product
    written: float  # product of the written factors


def _rounded(x: float, digits: int | None) -> float:
    return x if digits is None or not math.isfinite(x) else float(f"{x:.{digits}g}")


def _show(x: float, digits: int | None) -> str:
    """``x`` to ``digits`` significant digits, trailing zeros kept (-0.210, not -0.21);
    whole numbers stay whole (3, not 3.00); inf and nan as such."""
    if digits is None:
        return f"{x:.6g}"
    digits = min(digits, 17)  # a float has 17 significant digits; more are only zeros
    if not math.isfinite(x) or x == math.floor(x):
        return f"{x:.{digits}g}"
    text = f"{x:#.{digits}g}"  # '#' keeps trailing zeros, and a bare point ('12.')
    return text.replace(".e", "e").rstrip(".")


def _fold(items, show, sep: str, mark: str = "[{} more factors]") -> str:
    """``show(item)`` for each item, joined; the middle of a long list is replaced by
    ``mark`` with its count (and never formatted)."""
    if len(items) <= _HEAD + _TAIL + 1:
        return sep.join(map(show, items))
    hidden = len(items) - _HEAD - _TAIL
    return sep.join([*map(show, items[:_HEAD]), mark.format(hidden),
                     *map(show, items[-_TAIL:])])


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


class Explanation:
    """The chain rule for one partial derivative; ``print`` it, or show it in a notebook.

    Attributes:
        output_name, wrt_name: the names used in the notation.
        paths: the paths listed (at most ``max_paths``), in depth-first order.
        n_paths: how many paths there are in all: an exact count up to
            :data:`PATH_COUNT_CAP` (10**15), which stands for "that many or more".
        folded: how many paths were not listed; ``folded_value`` is their exact sum.
        value: the exact derivative (the sum over all paths).
        reverse_mode: the same derivative from reverse mode (:func:`autograd.grad`).
        stored_grad: ``wrt.grad`` at the time of the explanation.
        agrees: whether ``value`` and ``reverse_mode`` agree.
        written: the total of the hand calculation (the written factors, multiplied).
        digits: significant digits of the hand calculation (None: exact).

    >>> from autograd import Value, explain
    >>> x = Value(0.5, label="x"); y = x.tanh(); y.label = "y"
    >>> e = explain(y, x)
    >>> e.equation(), e.paths[0].factors[0].formula, e.agrees
    ('dy/dx = 1 - y**2 = 0.786', '1 - y**2', True)
    """

    def __init__(self, output_name: str, wrt_name: str, paths: tuple[ChainPath, ...],
                 n_paths: int, value: float, reverse_mode: float, digits: int | None,
                 stored_grad: float = math.nan):
        self.stored_grad = stored_grad  # wrt.grad when explained (what backward() left)
        self.output_name = output_name
        self.wrt_name = wrt_name
        self.paths = paths
        self.n_paths = n_paths
        self.folded = n_paths - len(paths)
        self.value = value
        self.reverse_mode = reverse_mode
        self.agrees = _close(value, reverse_mode)
        self.digits = digits
        self.folded_value = value - safe_fsum(p.value for p in paths) if self.folded else 0.0
        written = safe_fsum(p.written for p in paths) + self.folded_value
        self.written = _rounded(written, digits)

    @property
    def name(self) -> str:
        """``d<output>/d<wrt>``."""
        return derivative_name(self.output_name, self.wrt_name)

    def factors(self) -> list[Factor]:
        """Every distinct factor of the listed paths, in order of first appearance."""
        seen: dict[tuple, Factor] = {}
        visited: set[int] = set()  # paths share Factor objects: look at each once
        for path in self.paths:
            for f in path.factors:
                if id(f) not in visited:
                    visited.add(id(f))
                    seen.setdefault((f.name, f.formula, f.written), f)
        return list(seen.values())

    # --- plain text ---------------------------------------------------------------------
    def _folded_paths(self) -> str:
        if self.n_paths >= PATH_COUNT_CAP:
            return f"the other paths ({PATH_COUNT_CAP:.0e} or more in all)"
        return f"{self.folded} more paths"

    def _terms(self) -> tuple[list[str], list[str]]:
        d = self.digits
        symbols = [_fold(p.factors, lambda f: f.name, " * ") for p in self.paths]
        numbers = [_fold(p.factors, lambda f: f"({_show(f.written, d)})", "")
                   for p in self.paths]
        if self.folded:
            symbols.append(f"[{self._folded_paths()}, folded]")
            numbers.append(f"({_show(self.folded_value, d)})")
        return symbols, numbers

    def equation(self) -> str:
        """The chain rule with its numbers, e.g. ``dL/dw1 = dL/dypred * ... = 0.0214``."""
        if self.n_paths == 0:
            return f"{self.name} = 0 ({self.output_name} does not depend on {self.wrt_name})"
        symbols, numbers = self._terms()
        if self.n_paths == 1 and not self.paths[0].factors:
            return f"{self.name} = 1"
        total = _show(self.written, self.digits)
        parts = [self.name]
        if self._one_factor():
            # The factor *is* the derivative: its formula says it all (dy/dx = 1 - y**2
            # = 0.786, not dy/dx = dy/dx = (0.786) = 0.786).
            formula = self.paths[0].factors[0].formula
            same = formula in (total, f"({total})")
            return " = ".join([self.name, total] if same else [self.name, formula, total])
        for part in (" + ".join(symbols), " + ".join(numbers)):
            if part not in (parts[-1], f"({total})"):
                parts.append(part)
        parts.append(total)
        line = " = ".join(parts)
        if len(line) <= _ONE_LINE:
            return line
        pad = " " * len(self.name)
        return f"{parts[0]} = {parts[1]}" + "".join(f"\n{pad} = {p}" for p in parts[2:])

    def _one_factor(self) -> bool:
        """One path of one factor between the ends themselves (no folded paths)."""
        return (self.n_paths == 1 and not self.folded and len(self.paths) == 1
                and len(self.paths[0].factors) == 1
                and self.paths[0].factors[0].name == self.name)

    def check(self) -> str:
        """The sentence that states the exact total and whether reverse mode agrees."""
        exact = f"{self.value:.6g}"
        if not self.agrees:
            return (f"check FAILED: the paths sum to {exact} but reverse mode gives "
                    f"{self.reverse_mode:.6g}")
        how = ("" if self.digits is None else
               f"; the factors above carry {self.digits} significant digits")
        rounded = _rounded(self.value, self.digits)
        if self.digits is not None and math.isfinite(rounded) \
                and math.isfinite(self.written) and not _close(rounded, self.written):
            # Rounding each factor before multiplying (as the documents do) can move the
            # last digit: say so rather than print two totals without a word.
            how += (f", so their product ({_show(self.written, self.digits)}) is not the "
                    f"exact value rounded ({_show(rounded, self.digits)})")
        grad_name = f"{self.wrt_name}.grad"
        g = self.stored_grad
        if _close(g, self.reverse_mode):
            return f"check: exactly {self.name} = {exact} = {grad_name}, by reverse mode{how}"
        if g == 0.0:
            note = f"{grad_name} is 0: backward() has not run"
        elif whole_multiple(g, self.reverse_mode):
            n = whole_multiple(g, self.reverse_mode)
            note = (f"{grad_name} holds {g:.6g}, {n} times that: backward ran {n} times "
                    f"without zero_grad")
        else:  # several backward() calls, or a backward() from another output
            note = f"{grad_name} holds {g:.6g}: gradients accumulate over backward() calls"
        return (f"check: exactly {self.name} = {exact}, the same as reverse mode "
                f"({note}){how}")

    def __str__(self) -> str:
        lines = [self.equation()]
        factors = self.factors()
        if self._one_factor() and len(factors[0].ops) == 1:
            factors = []  # the equation says it all
        if factors:
            lines.append("where")
            for f in factors[:_WHERE_LINES]:
                through = f"   (through {_ops_summary(f.ops)})" if len(f.ops) > 1 else ""
                lines.append(f"  {f.name} = {f.formula} = {_show(f.written, self.digits)}"
                             f"{through}")
            if len(factors) > _WHERE_LINES:
                lines.append(f"  ... and {len(factors) - _WHERE_LINES} more factors")
        lines.append(self.check())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation {self.name} = {self.value!r}, {self.n_paths} path(s)>"

    # --- notebooks ----------------------------------------------------------------------
    def _latex_equation(self) -> str:
        d = self.digits
        frac = lambda top, bottom: (rf"\frac{{\partial {latex_name(top)}}}"
                                    rf"{{\partial {latex_name(bottom)}}}")
        lhs = frac(self.output_name, self.wrt_name)
        if self.n_paths == 0:
            return f"{lhs} = 0"
        mark = r"\text{{[{} more factors]}}"
        symbols = [_fold(p.factors, lambda f: frac(f.top, f.bottom), r" \cdot ", mark)
                   or "1" for p in self.paths]
        numbers = [_fold(p.factors, lambda f: f"({_show(f.written, d)})", "", mark)
                   or "1" for p in self.paths]
        if self.folded:
            symbols.append(rf"\text{{[{self._folded_paths()}]}}")
            numbers.append(f"({_show(self.folded_value, d)})")
        return (rf"\begin{{aligned}} {lhs} &= {' + '.join(symbols)} \\"
                rf" &= {' + '.join(numbers)} \\ &= {_show(self.written, d)}"
                r" \end{aligned}")

    def _repr_latex_(self) -> str:
        return f"$${self._latex_equation()}$$"

    def _repr_markdown_(self) -> str:
        lines = [f"$${self._latex_equation()}$$", ""]
        factors = self.factors()
        for f in factors[:_WHERE_LINES]:
            code = markdown_code(f"{f.name} = {f.formula}")
            lines.append(f"- {code} = {_show(f.written, self.digits)}")
        if len(factors) > _WHERE_LINES:
            lines.append(f"- ... and {len(factors) - _WHERE_LINES} more factors")
        lines += ["", markdown_text(self.check())]
        return "\n".join(lines)



_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown_text(text: str) -> str:
    """``text`` as Markdown that shows exactly ``text``: ASCII punctuation that Markdown
    reads is backslash-escaped, ``&``, ``<`` and ``>`` written as HTML entities (so no
    tag or entity can form)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span: fenced by one more backtick than its longest run
    of backticks, so none of its own can end the span (CommonMark, Python-Markdown)."""
    text = text.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# --- formulas from the rule table -------------------------------------------------------


def step_formula(node: Value, k: int, show, name: str | None = None) -> str:
    """The rule table's formula for d(node)/d(input k), with names or numbers put in by
    ``show`` (a node's own value written as ``name`` when it has one)."""
    text, concrete = partial_formula(node, k)
    xs = node.inputs
    if isinstance(concrete, int):  # dot: the partner of a weight or an input
        return show(xs[concrete])
    if concrete is not None:
        return concrete
    if name:
        text = text.replace(f"{node.op}(x)", name)
    shown = RULES[node.op].with_constant(text, node.ctx)  # x**k at k = 2: 2*x
    if shown != text:
        text = re.sub(r"\*\*1(?![\d.])", "", shown)
    names = {"x": xs[0], "a": xs[0], "b": xs[-1]}
    return re.sub(r"\b[xab]\b", lambda m: show(names[m.group(0)]), text)


_MAX_FORMULA_PARTS = 6  # beyond this a formula is longer than it is helpful


def _segment_formula(steps: list[tuple[Value, int]], show, names: dict) -> str:
    kept = []
    for node, k in steps:
        part = step_formula(node, k, show, names.get(node))
        if part != "1":
            kept.append(part)
            if len(kept) > _MAX_FORMULA_PARTS:
                return f"the product of {len(steps)} local derivatives"
    if len(kept) > 1:
        kept = [f"({p})" if _has_top_level_sum(p) else p for p in kept]
    return " * ".join(kept) if kept else "1"


def _has_top_level_sum(text: str) -> bool:
    """Whether ``text`` needs parentheses as a factor: ``1 - y**2`` does,
    ``y*(1 - y)`` does not."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and (text.startswith((" + ", " - "), i) or text.startswith(" if ", i)):
            return True
    return False


def _ops_summary(ops: tuple[str, ...]) -> str:
    """``sigmoid, add, add, mul``; long runs of one op are counted (``mul x20000``)."""
    runs: list[list] = []
    for op in ops:
        if runs and runs[-1][0] == op:
            runs[-1][1] += 1
        else:
            runs.append([op, 1])
    parts: list[str] = []
    for op, n in runs:
        parts += [op] * n if n < 4 else [f"{op} x{n}"]
    return ", ".join(parts)


# --- explain ----------------------------------------------------------------------------


def explain(output: Value, wrt: Value, *, digits: int | None = 3,
            max_paths: int = DEFAULT_MAX_PATHS, names: Names = None) -> Explanation:
    """The chain rule for d(output)/d(wrt), factor by factor, with numbers.

    Factors run between named nodes; unnamed intermediates are folded into the
    factor they sit in.  Paths are summed; at most ``max_paths`` are listed, the rest are
    folded into one exact number.  The exact total is checked against reverse mode.

    Args:
        output: the Value being differentiated (e.g. the loss ``L``).
        wrt: the Value to differentiate with respect to (a leaf or an intermediate).
        digits: significant digits a hand calculation carries, as the documents do
            (labelled intermediates and factors are rounded to it); None for exact.
        max_paths: how many paths to list at most.
        names: how nodes are named (see :mod:`autograd.naming`): by default a node's
            label, else the caller's variable that holds it; ``False`` for labels only;
            or a mapping ``{node: name}``.  Nothing is written onto the nodes.

    Returns:
        An :class:`Explanation`; ``str()`` gives plain text, notebooks show LaTeX.

    Raises:
        TypeError: ``output`` or ``wrt`` is not a Value.
        ValueError: ``digits`` or ``max_paths`` is not a positive integer.

    Very long chains are fine: the work is linear in the graph's size, path counts stop
    at :data:`PATH_COUNT_CAP`, and a path of many factors prints folded.

    >>> from autograd import Value, explain
    >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
    >>> print(explain(y, x).equation())
    dy/dx = dy/dx + dy/dx = (3) + (3) = 6
    """
    frame = user_frame()
    output, wrt = as_graph("explain", output, wrt,  # a learner's micrograd-style graph too
                           frame=frame if names is not False else None)
    for what, v in (("output", output), ("wrt", wrt)):
        if not isinstance(v, Value):
            raise TypeError(f"explain() {what} must be a Value, got {type(v).__name__}")
    if digits is not None and (type(digits) is bool or not isinstance(digits, int)
                               or digits < 1):
        raise ValueError(f"digits must be a positive integer or None, got {digits!r}")
    if type(max_paths) is bool or not isinstance(max_paths, int) or max_paths < 1:
        raise ValueError(f"max_paths must be a positive integer, got {max_paths!r}")
    order = topological_order(output)
    named = node_names([*order, wrt], names, frame=frame)  # wrt may lie outside the graph
    out_name = named.get(output) or "output"
    wrt_name = named.get(wrt) or "input"
    named[output] = out_name  # its formulas say output*(1 - output), as its name does
    (reverse,) = grad(output, [wrt])

    # Forward over the graph: how many paths reach wrt from each node, and the exact
    # derivative d(node)/d(wrt) (forward mode: independent of the reverse pass above).
    count: dict[Value, int] = {}
    deriv: dict[Value, float] = {}
    exact: dict[Value, tuple] = {}
    for node in order:
        if node is wrt:
            count[node], deriv[node] = 1, 1.0
            continue
        live = [k for k, c in enumerate(node.inputs) if count.get(c, 0)]
        if not live:
            continue
        ps = local_partials(node)
        exact[node] = ps
        count[node] = min(sum(count[node.inputs[k]] for k in live), PATH_COUNT_CAP)
        deriv[node] = safe_fsum([ps[k] * deriv[node.inputs[k]] for k in live])
    n_paths = count.get(output, 0)
    total = deriv.get(output, 0.0)

    written_ps = exact if digits is None else _hand_partials(order, count, digits, named)
    show = lambda v: _format_operand(v, digits, named)
    paths = tuple(_chain_paths(_paths(output, wrt, count, max_paths), exact, written_ps,
                               digits, show, named))
    if n_paths == 1 and output is wrt:
        paths = (ChainPath((), 1.0, 1.0),)
    return Explanation(out_name, wrt_name, paths, n_paths, total, reverse, digits, wrt.grad)



def _hand_partials(order: list[Value], count: dict, digits: int, names: dict) -> dict:
    """Local partials as a hand calculation gets them: each named intermediate is
    written down rounded and the rounded value is what later steps read."""
    hand: dict[Value, float] = {}
    written = lambda c: _rounded(hand[c], digits) if (c in names and not c.is_leaf) \
        else hand[c]
    partials: dict[Value, tuple] = {}
    for node in order:
        if node.is_leaf:
            hand[node] = node.data
            continue
        xs = [written(c) for c in node.inputs]
        try:
            hand[node] = RULES[node.op].forward(node.ctx, *xs)
        except KeyError:
            raise UnknownOpError(node.op) from None
        if count.get(node, 0):
            partials[node] = local_partials(node, hand[node], xs)
    return partials


def _format_operand(v: Value, digits: int | None, names: dict) -> str:
    if v in names:
        return names[v]
    text = _show(v.data, digits)
    return f"({text})" if text.startswith("-") else text


def _paths(output: Value, wrt: Value, count: dict, limit: int):
    """Up to ``limit`` paths from output to wrt, depth first, inputs in order (iterative:
    no recursion on deep graphs).  Yields ``(steps, shared)``: the path as a list of
    (node, input index) steps, and how many of its first steps the previous path had."""
    if output is wrt or not count.get(output, 0):
        return
    found = 0
    steps: list[tuple[Value, int]] = []
    shared = 0  # the shortest length steps had since the last path was yielded
    stack = [(output, 0)]  # (node, next input index to try)
    while stack:
        node, k = stack.pop()
        if steps and len(steps) > len(stack):
            steps.pop()  # back from the child we descended into
            shared = min(shared, len(steps))
        inputs = node.inputs
        while k < len(inputs) and not count.get(inputs[k], 0):
            k += 1
        if k == len(inputs):
            continue
        child = inputs[k]
        stack.append((node, k + 1))
        steps.append((node, k))
        if child is wrt:
            yield list(steps), shared
            found += 1
            if found == limit:
                return
            steps.pop()
            shared = len(steps)
        else:
            stack.append((child, 0))


def _chain_paths(found, exact, written_ps, digits, show, names) -> list[ChainPath]:
    """The paths as factors.  Consecutive paths share most of their steps, so a path
    reuses the factors of the previous one up to where they part: the work is linear
    in the graph, not in (paths x length)."""
    result: list[ChainPath] = []
    factors: list[Factor] = []
    ends: list[int] = []  # the index of each factor's last step
    for steps, shared in found:
        keep = 0
        while keep < len(ends) and ends[keep] < shared:
            keep += 1
        del factors[keep:], ends[keep:]
        start = ends[-1] + 1 if ends else 0
        for i in range(start, len(steps)):
            node, k = steps[i]
            child = node.inputs[k]
            if child in names or i == len(steps) - 1:  # a named node ends a segment
                segment = steps[start:i + 1]
                top = steps[start][0]
                value = math.prod(exact[n][j] for n, j in segment)
                hand = _rounded(math.prod(written_ps[n][j] for n, j in segment), digits)
                factors.append(Factor(
                    top=names.get(top) or "output", bottom=names.get(child) or "input",
                    formula=_segment_formula(segment, show, names),
                    ops=tuple(n.op for n, _ in segment), value=value, written=hand))
                ends.append(i)
                start = i + 1
        value = math.prod(f.value for f in factors)
        written = _rounded(math.prod(f.written for f in factors), digits)
        result.append(ChainPath(tuple(factors), value, written))
    return result


# --- assert_grad ------------------------------------------------------------------------


class GradientMismatch(AssertionError):
    """A gradient differs from the expected value; the message shows both and why."""


def assert_grad(param: Value, expected: float, *, rel: float = 1e-6, abs: float = 1e-12,
                output: Value | None = None) -> float:
    """Check ``param.grad`` against a hand-calculated value, in one line.

    Passes when ``|param.grad - expected| <= max(rel * |expected|, abs)`` (as
    ``pytest.approx``).  Hand values rounded to three digits need ``rel=1e-2``.

    Args:
        param: a Value whose ``grad`` was filled in by ``backward()``.
        expected: the value calculated by hand.
        rel, abs: relative and absolute tolerance.
        output: the Value ``backward()`` was called on; when given, a failure message
            includes the chain-rule explanation of d(output)/d(param).

    Returns:
        ``param.grad``.

    Raises:
        GradientMismatch: (an AssertionError) the gradient is not close to ``expected``.
        TypeError: ``param`` is not a Value or ``expected`` is not a number.
        ValueError: ``rel`` or ``abs`` is not a finite number >= 0.

    >>> from autograd import Value, assert_grad
    >>> x = Value(3.0, label="x"); y = x * x; y.backward()
    >>> assert_grad(x, 6.0)
    6.0
    """
    if not isinstance(param, Value):
        raise TypeError(f"assert_grad() needs a Value, got {type(param).__name__}")
    try:
        expected = float(expected)
    except (TypeError, ValueError):
        raise TypeError(f"assert_grad() expected must be a number, got {expected!r}") from None
    for what, tol in (("rel", rel), ("abs", abs)):
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol >= 0 \
                or tol == math.inf:
            raise ValueError(f"assert_grad() {what} must be a finite number >= 0, got {tol!r}")
    actual = param.grad
    if math.isnan(expected) and math.isnan(actual):
        return actual
    if _abs(actual - expected) <= max(rel * _abs(expected), abs):
        return actual
    who = param.label or "param"
    lines = [f"{who}.grad is {actual!r}, expected {expected!r} "
             f"(difference {actual - expected:.3g}; rel={rel}, abs={abs})"]
    if output is None and actual == 0.0:
        lines.append("hint: the grad is 0: call backward() on the output first "
                     "(e.g. L.backward()), then assert_grad")
    if output is None and whole_multiple(actual, expected):
        n = whole_multiple(actual, expected)
        lines.append(f"hint: the grad is {n} times the expected value: backward ran {n} "
                     f"times without zero_grad? (call zero_grad() before each backward())")
    if output is not None:
        explanation = explain(output, param)
        n = whole_multiple(actual, explanation.reverse_mode)
        if actual == 0.0 and explanation.value != 0.0:
            lines.append("hint: the grad is 0 but the derivative is not: "
                         "was backward() called on the output?")
        elif n:
            lines.append(f"hint: the grad is {n} times the derivative: backward ran {n} "
                         f"times without zero_grad (call zero_grad() before each backward())")
        lines += ["how autograd gets it:", str(explanation)]
    raise GradientMismatch("\n".join(lines))


_abs = abs  # the builtin, shadowed by assert_grad's keyword argument
