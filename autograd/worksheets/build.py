"""Building a worksheet (:func:`worksheet`): the given values, the forward pass, the
chain rule for each parameter, the SGD step and the check against reverse mode.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..engine import Value
from ..functional import grad
from ..graph import topological_order
from ..naming import Names, node_names, user_frame
from ..symbolic import (
    BinOp,
    Deriv,
    Expr,
    Juxt,
    Name,
    NotExpressible,
    Num,
    binop,
    number_text,
    product,
    to_sympy_expr,
    to_text,
    total,
)
from .carried import (
    MAX_NODES,
    MAX_PATHS,
    CarriedGraph,
    Segment,
    carried_value,
    nameable,
    paths_of,
    reach_of,
    reading_order,
    segments_between,
)
from .lines import Line, Section
from .sheet import Worksheet

__all__ = ["ETA", "worksheet"]


ETA = "η"


def _as_values(root: Value, wrt, names: dict, g: CarriedGraph) -> list[Value]:
    if wrt is None:
        return [n for n in reading_order(g) if n.is_leaf and n in names and n is not root]
    items = [wrt] if isinstance(wrt, Value | str) else list(wrt)
    out = []
    for item in items:
        if isinstance(item, str):
            if item not in g.by_name:
                raise ValueError(f"worksheet() wrt {item!r} is not a name in the graph; "
                                 f"names: {', '.join(g.by_name)}")
            item = g.by_name[item]
        if not isinstance(item, Value):
            raise TypeError(f"worksheet() wrt must be Values or names, got "
                            f"{type(item).__name__}")
        if item not in g.pos:
            raise ValueError("worksheet() wrt: a Value that the output does not depend on")
        if item not in names:
            raise ValueError("worksheet() wrt: a Value without a name (give it a label, or "
                             "hold it in a variable)")
        if item is root:
            raise ValueError("worksheet() wrt: the output itself")
        if all(item is not o for o in out):  # by identity: Values compare by their data
            out.append(item)
    return out


def worksheet(root: Value, wrt: Value | str | Sequence | None = None, *,
              lr: float | None = None, digits: int | None = 3, blanks: bool = False,
              names: Names = None) -> Worksheet:
    """The hand calculation of ``root`` and its derivatives, as the documents write it.

    Args:
        root: the output (the loss).
        wrt: the Values (or names) to differentiate with respect to; default every named
            leaf.
        lr: a learning rate: adds the SGD step ``w ← w - η*dL/dw`` for each leaf in ``wrt``.
        digits: significant digits carried (named values are written, and read on,
            rounded); None for exact numbers.
        blanks: write every computed number as a numbered blank (given values stay);
            :meth:`Worksheet.answers` fills them in.
        names: node names, as :mod:`autograd.naming` (labels, then the caller's
            variables; ``False`` labels only; or a mapping).

    Returns:
        A :class:`Worksheet`.

    Raises:
        TypeError: ``root`` is not a Value, or ``wrt`` holds something else.
        ValueError: a bad ``digits``/``lr``, a ``wrt`` that is not a named node of the
            graph, two nodes with one name, a graph too large to work by hand, or an op
            whose formula cannot be written.

    >>> from autograd import Value, worksheet
    >>> w = Value(0.5, label="w"); x = Value(1.5, label="x")
    >>> y = (w * x).tanh(); y.label = "y"
    >>> sheet = worksheet(y, w)
    >>> print(sheet.lines[5]); print(sheet.lines[8])
    y = tanh(w*x) = tanh(0.5*1.5) = 0.635
    dy/dw = x*(1 - y**2) = 1.5*(1 - 0.635**2) = 0.895
    """
    frame = user_frame()
    if not isinstance(root, Value):
        raise TypeError(f"worksheet() needs a Value, got {type(root).__name__}")
    if digits is not None and (type(digits) is bool or not isinstance(digits, int)
                               or not 1 <= digits <= 17):
        raise ValueError(f"digits must be an integer from 1 to 17, or None; got {digits!r}")
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, int | float)
                           or not math.isfinite(lr)):
        raise ValueError(f"lr must be a finite number, got {lr!r}")
    order = topological_order(root)
    if len(order) > MAX_NODES:
        raise ValueError(f"the graph has {len(order)} nodes; a worksheet is a hand "
                         f"calculation and takes at most {MAX_NODES}")
    named = dict(node_names(order, names, frame=frame))
    if root not in named:
        taken = set(named.values())
        named[root] = "L" if "L" not in taken else "output"
    seen: dict[str, Value] = {}
    for node, name in named.items():
        if name in seen and seen[name] is not node:
            raise ValueError(f"two nodes are named {name!r}: give them different labels "
                             f"(or pass names=)")
        seen[name] = node
    g = CarriedGraph(root, named, digits)
    params = _as_values(root, wrt, named, g)
    return _build(g, params, lr, blanks)


def _build(g: CarriedGraph, params: list[Value], lr: float | None, blanks: bool) -> Worksheet:
    root, names, digits = g.root, g.names, g.digits
    out = names[root]
    precision = ("exact numbers" if digits is None else
                 f"{digits} significant digits, each named value written rounded and "
                 f"read on as written, as a hand calculation does")
    sections: list[Section] = []

    given = Section("Given values", prose="The inputs, weights and targets: the numbers "
                    "the calculation starts from.")
    for node in reading_order(g):
        if node.is_leaf and node in names:
            text = number_text(node.data)
            given.items.append(Line(Name(names[node]), "=", [], [], node.data, text,
                                    given=True))
    sections.append(given)

    forward = Section("Forward pass", prose="Each named quantity: its formula, the same "
                      f"formula with numbers, its value ({precision}).")
    what = "Loss" if out.lower() in ("l", "loss") else "Output"
    loss = Section(f"{what} {out}", prose=f"The output {out}, which the derivatives below "
                   "differentiate.")
    for node in g.order:
        if node.is_leaf or node not in names:
            continue
        section = loss if node is root else forward
        section.items.append(_value_line(g, node))
    if forward.items:
        sections.append(forward)
    sections.append(loss)

    stations = {n for n in g.order if not n.is_leaf and n in names} | set(params)
    segs: dict[Value, dict[Value, Segment]] = {}
    stack = [root]
    while stack:  # the stations reachable from the output, and their segments
        node = stack.pop()
        if node in segs or node.is_leaf:
            continue
        segs[node] = segments_between(g, node, stations)
        stack.extend(segs[node])
    reach = reach_of(segs)

    factor_lines: set[tuple[Value, Value]] = set()
    exact: dict[str, float] = {}
    reverse = grad(root, params) if params else []
    written_grads: dict[Value, float] = {}
    for p, rev in zip(params, reverse):
        d_name = f"d{out}/d{names[p]}"
        section = Section(d_name, Deriv(out, names[p]))
        exact[d_name] = rev
        paths = paths_of(segs, reach, root, p)
        written = _derivative_lines(g, section, segs, reach, root, p, paths, factor_lines)
        written_grads[p] = written
        if not blanks:
            note = _closed_form(g, segs, paths, root, p)
            if note:
                section.items.append(note)
        section.prose = ("The chain rule: the factors between named quantities, each "
                         "in symbols and in numbers, then their product"
                         + (", summed over the paths" if len(paths) > 1 else "") + ".")
        sections.append(section)

    leaves = [p for p in params if p.is_leaf]
    if lr is not None and leaves:
        step = Section(f"SGD step ({ETA} = {number_text(float(lr))})",
                       prose=f"Each parameter moves against its gradient by {ETA} times it.")
        for p in leaves:
            name = names[p]
            d = Deriv(out, name)
            new, new_text = _stepped(p.data, lr * carried_value(written_grads[p], digits), digits)
            symbols = [binop("-", Name(name), binop("*", Name(ETA), d))]
            numbers = [binop("-", Num(p.data, number_text(p.data), const=False),
                             binop("*", Num(float(lr), number_text(float(lr)), const=False),
                                   g.number(written_grads[p])))]
            step.items.append(Line(Name(name), "←", symbols, numbers, new, new_text))
        sections.append(step)

    if params and not blanks:  # the check's numbers would fill the blanks
        check = Section("Check against reverse mode", prose="The same derivatives from "
                        "the engine's reverse mode, exactly.")
        for p, rev in zip(params, reverse):
            check.items.append(_check_note(g, p, rev, written_grads[p]))
        sections.append(check)

    count = 0
    if blanks:
        for section in sections:
            for item in section.items:
                if isinstance(item, Line) and not item.given:
                    count += 1
                    item.blank = count
    title = f"Worksheet: {out}" + (" and its derivatives" if params else "")
    return Worksheet(title, sections, digits, count, exact)


def _stepped(w: float, change: float, digits: int | None) -> tuple[float, str]:
    """``w - change``, written to the decimal place of the change's last significant
    digit (1 - 0.00112 is 1.00112, not 1.00: the step must show)."""
    new = w - change
    if digits is None or not math.isfinite(new) or change == 0.0 or not math.isfinite(change):
        return new, number_text(new, digits)
    places = digits - 1 - math.floor(math.log10(abs(change)))
    if places <= 0:
        return carried_value(new, digits), number_text(new, digits)
    places = min(places, 17)
    value = round(new, places)
    return value, f"{value:.{places}f}"


def _value_line(g: CarriedGraph, node: Value) -> Line:
    symbols = g.define[node]
    numbers = g.with_numbers(symbols)
    return _line(g, Name(g.names[node]), [symbols], _distinct(symbols, numbers),
                 g.hand[node])


def _distinct(symbols: Expr, numbers: Expr) -> list[Expr]:
    """The numbers part, unless it says nothing the symbols do not (no names in them)."""
    return [] if to_text(numbers) == to_text(symbols) else [numbers]


def _derivative_lines(g, section, segs, reach, root, p, paths, factor_lines) -> float:
    names, digits = g.names, g.digits
    out, target = names[root], names[p]
    if not paths:
        section.items.append(Line(Deriv(out, target), "=", [], [], 0.0, "0"))
        section.items.append(f"{out} does not depend on {target}")
        return 0.0
    if len(paths) > MAX_PATHS:
        (value,) = grad(root, [p])
        section.items.append(f"{target} reaches {out} by more than {MAX_PATHS} paths: "
                             f"their sum is given, not written out")
        section.items.append(_line(g, Deriv(out, target), [], [], value))
        return value
    terms, number_terms, path_values = [], [], []
    for path in paths:
        factors, numbers, written = [], [], 1.0
        for a, b in path:
            seg = segs[a][b]
            written *= carried_value(seg.written, digits)
            numbers.append(g.number(seg.written))
            if nameable(segs, reach, a, b):
                factors.append(Deriv(names[a], names[b]))
                if (a, b) not in factor_lines and (len(paths) > 1 or len(path) > 1):
                    factor_lines.add((a, b))
                    section.items.append(_factor_line(g, a, b, seg))
            elif not (isinstance(seg.symbols, Num) and seg.symbols.value == 1.0):
                factors.append(seg.symbols)
        chain = factors[0] if factors else Num(1.0, "1")
        for f in factors[1:]:
            chain = _times(chain, f)
        terms.append(chain)
        number_terms.append(Juxt(tuple(numbers)))
        path_values.append(carried_value(written, digits))
    value = math.fsum(path_values)
    if len(paths) == 1 and len(paths[0]) == 1:
        a, b = paths[0][0]
        section.items.append(_factor_line(g, a, b, segs[a][b]))
        return value
    symbols = terms[0]
    numbers = number_terms[0]
    for t, n in zip(terms[1:], number_terms[1:]):
        symbols = _plus(symbols, t)
        numbers = _plus(numbers, n)
    section.items.append(_line(g, Deriv(out, target), [symbols], [numbers], value))
    return value


def _times(a: Expr, b: Expr) -> Expr:
    return BinOp("*", a, b)  # a product of names kept as written (not reordered)


def _plus(a: Expr, b: Expr) -> Expr:
    return BinOp("+", a, b)


def _line(g: CarriedGraph, lhs: Expr, symbols: list, numbers: list, raw: float,
          arrow: str = "=") -> Line:
    """A line whose result is ``raw`` written to the sheet's digits."""
    result = g.number(raw)
    return Line(lhs, arrow, symbols, numbers, result.value, result.text)


def _factor_line(g: CarriedGraph, a: Value, b: Value, seg: Segment) -> Line:
    lhs = Deriv(g.names[a], g.names[b])
    if isinstance(seg.symbols, Num):  # a constant factor (1): nothing to work out
        return _line(g, lhs, [], [], seg.written)
    numbers = g.with_numbers(seg.symbols)
    nums = [] if isinstance(seg.symbols, Name) else _distinct(seg.symbols, numbers)
    return _line(g, lhs, [seg.symbols], nums, seg.written)


def _closed_form(g: CarriedGraph, segs, paths, root, p) -> str | None:
    """``closed form: dL/dp = ...`` from sympy (the product of the factors' formulas,
    factored), when sympy is installed and the paths are all written."""
    if not paths or len(paths) > MAX_PATHS:
        return None
    try:
        import sympy
    except ImportError:
        return None
    terms = [product([segs[a][b].symbols for a, b in path]) for path in paths]
    try:
        expression = sympy.factor(to_sympy_expr(total(terms)))
    except (NotExpressible, TypeError, ValueError):
        return None
    text = str(expression)
    if len(text) > 160:
        return None
    return f"closed form (sympy): d{g.names[root]}/d{g.names[p]} = {text}"


def _check_note(g: CarriedGraph, p: Value, reverse: float, written: float) -> str:
    names, digits = g.names, g.digits
    name = f"d{names[g.root]}/d{names[p]}"
    exact_text = f"{reverse:.6g}"
    if digits is None:
        return f"{name} = {exact_text} by reverse mode, as above"
    rounded = number_text(reverse, digits)
    mine = number_text(written, digits)
    if rounded == mine:
        return f"{name} = {exact_text} by reverse mode: {mine} to {digits} digits, as above"
    return (f"{name} = {exact_text} by reverse mode, which is {rounded} to {digits} digits; "
            f"the {mine} above comes from the rounded numbers it is computed from, "
            f"as a hand calculation's does")
