"""Foreign nodes: a learner's own micrograd-style ``Value`` class, seen as our graph.

Anyone who follows Karpathy's micrograd lecture writes a ``Value`` class of their own:
an object with ``data``, ``grad``, ``_prev`` (a set or a tuple of its inputs), ``_op``
(a string such as ``'+'``, ``'*'``, ``'**2'``, ``'tanh'``) and usually ``label``.  No
subclassing and no import of the learner's code is needed: :func:`mirror` walks such a
graph (iteratively) and builds a copy made of our :class:`~autograd.Value` nodes, which
``draw``, ``draw_dot``, ``render``, ``explore`` and ``explain`` then show.

What the copy keeps and what it knows:

* the learner's ``data`` and ``grad`` as they are (shown, never recomputed), and their
  labels;
* the op, mapped to our op names (:data:`OP_NAMES`): ``+`` add, ``*`` mul, ``**k`` pow
  (any number ``k``), ``/`` div, ``ReLU``/``relu``, ``tanh``, ``exp`` and every other
  one-input op of the rule table by its name.  ``-`` and ``neg`` have no rule of their own
  in our engine (they are compositions, as in micrograd): ``a - b`` is drawn as ours is,
  ``a + b*(-1)``, with one more node holding ``-b``, and ``-a`` as ``a*(-1)``;
* an op that cannot be mapped is kept under its own name, with no rule: its local
  derivative is unknown and is shown as ``?``, never invented.

Node order is deterministic.  A ``_prev`` that is a tuple or a list keeps its order; a
set is sorted by (label, op, data) of the inputs, and for ``/``, ``-`` and ``**`` with a
Value exponent the order whose result equals the node's ``data`` is chosen (which of
two inputs of equal data is the numerator cannot be known; the sorted order is kept).  A
two-input op whose set holds one input (micrograd's ``a + a``, ``a * a``) uses it twice.
"""

from __future__ import annotations

import math
import re
from types import FrameType

from .engine import Value
from .naming import variable_names
from .rules import CHANGES, RULES, Rule

__all__ = ["is_foreign", "mirror", "as_graph", "Mirror", "OP_NAMES", "spellings", "rebuild",
           "apply_op", "refuse", "walk"]

# Subtraction and negation are compositions in our engine (a + b*(-1), a*(-1)), not ops:
# the learner's are mapped to these two names, and built from our operators.
SUB, NEG = "sub", "neg"


_SPELLINGS: list = [None, {}, []]  # (the table's change count, names, with_constant)


def spellings() -> tuple[dict[str, str], list[tuple[Rule, re.Pattern]]]:
    """How learners write our ops, from the rule table as it is now: micrograd's op strings
    -> our op names (each rule's ``aliases`` and its own name, for the ops without a
    constant; ``-`` is ``sub``), and for an op whose constant follows an alias
    (micrograd's ``**2``) its rule and the pattern of the spellings (``** 2``, ``^(0.5)``)."""
    if _SPELLINGS[0] != CHANGES.count:
        names = {spelling: r.name for r in RULES.values() if r.aliases and not r.ctx_names
                 for spelling in (*r.aliases, r.name)}
        names.update({"-": SUB, SUB: SUB, NEG: NEG})
        with_constant = [
            (r, re.compile(r"^\s*(?:" + "|".join(map(re.escape, r.aliases))
                           + r")\s*\(?\s*([-+0-9.eE]+|inf|nan)\s*\)?\s*$"))
            for r in RULES.values() if r.aliases and r.ctx_names]
        _SPELLINGS[:] = [CHANGES.count, names, with_constant]
    return _SPELLINGS[1], _SPELLINGS[2]


#: micrograd's op strings -> our op names, for the package's own ops (see :func:`spellings`).
OP_NAMES = dict(spellings()[0])


def is_foreign(obj) -> bool:
    """True for an object that looks like a micrograd node (and is not our Value):
    ``data``, ``grad`` and ``_prev`` (a set, frozenset, tuple or list) and ``_op``."""
    if isinstance(obj, Value):
        return False
    try:
        prev = obj._prev
        obj.data, obj.grad, obj._op  # noqa: B018 - attribute probes
    except Exception:
        return False
    return isinstance(prev, (set, frozenset, tuple, list))


def _type_name(obj) -> str:
    t = type(obj)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def refuse(who: str, obj) -> TypeError:
    """The error for an object that is neither our Value nor a micrograd-style node."""
    return TypeError(f"{who}() needs a Value or a micrograd-style node, got {_type_name(obj)} "
                     f"(a micrograd-style node has data, grad, _prev and _op)")


def _number(node, what: str) -> float:
    x = getattr(node, what)
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"a micrograd-style node's {what} must be a number, got "
                        f"{_type_name(x)} ({x!r:.60}) on {_type_name(node)}") from None


def _label(node) -> str:
    label = getattr(node, "label", "")
    return label if isinstance(label, str) else ("" if label is None else str(label))


def _op_text(node) -> str:
    op = node._op
    return op if isinstance(op, str) else str(op)


def _our_op(text: str, n_inputs: int) -> tuple[str | None, float | None]:
    """(our op name, its constant) for a learner's op string, or (None, None)."""
    names, with_constant = spellings()
    name = names.get(text) or names.get(text.strip())
    if name == SUB and n_inputs == 1:
        return NEG, None
    if name is not None:
        return name, None
    for r, pattern in with_constant:
        m = pattern.match(text)
        if m:
            return r.name, float(m.group(1))
    low = text.strip()
    for candidate in (low, low.lower()):
        r = RULES.get(candidate)
        if r is not None and r.of_x is not None:  # one input, no constant
            return candidate, None
    return None, None


def _forward(op: str, ctx, xs: list[float]) -> float:
    """Our forward of a mapped op on floats (compositions from their primitives)."""
    if op in (SUB, NEG):  # our operators, on leaves: the same floats as their nodes
        return _composed(op, [Value(x) for x in xs]).data
    return RULES[op].forward(ctx, *xs)


def _two_inputs(op: str | None) -> bool:
    return op == SUB or (op in RULES and RULES[op].arity == 2)


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _inputs(node, op: str | None, ctx) -> list:
    """The node's inputs in a deterministic order (see the module docstring)."""
    prev = node._prev
    for child in prev:
        if not is_foreign(child):
            raise TypeError(f"an input of a micrograd-style graph is not a node: got "
                            f"{_type_name(child)} in the _prev of a node")
    if isinstance(prev, (tuple, list)):
        kids = list(prev)
        if _two_inputs(op) and len(kids) == 1:
            kids = kids * 2
        return kids
    kids = sorted(prev, key=lambda c: (_label(c), _op_text(c), _number(c, "data")))
    if _two_inputs(op) and len(kids) == 1:
        return kids * 2  # micrograd's a + a: set((a, a)) holds a once
    # (an order that only the other one matches: never for add and mul, whose order is moot)
    if _two_inputs(op) and len(kids) == 2:
        out = _number(node, "data")
        a, b = (_number(k, "data") for k in kids)
        if not _same(_forward(op, ctx, [a, b]), out) and _same(_forward(op, ctx, [b, a]), out):
            kids.reverse()
    return kids


def _make(data: float, prev: tuple, op: str, ctx=None, label: str = "") -> Value:
    """A node of our graph with the given inputs, op and constant (nothing computed)."""
    v = Value(data, label=label)
    v._prev, v._op, v._ctx = prev, op, ctx
    return v


class Mirror:
    """A learner's graph copied into our nodes.

    Attributes:
        root: our copy of the learner's root.
        nodes: the learner's nodes, inputs before the nodes made from them.
        of: ``id(learner node) -> our node`` (the node showing its data and grad).
        ops: ``id(learner node) -> (our op name or None, constant)``.
    """

    def __init__(self) -> None:
        self.root: Value | None = None
        self.nodes: list = []
        self.of: dict[int, Value] = {}
        self.ops: dict[int, tuple] = {}
        self.inputs: dict[int, list] = {}

    def __getitem__(self, learner_node) -> Value:
        return self.of[id(learner_node)]


def walk(root) -> tuple[list, dict[int, tuple], dict[int, list]]:
    """The learner's nodes in topological order (iterative), each one's mapped op and
    its inputs in order."""
    order: list = []
    ops: dict[int, tuple] = {}
    inputs: dict[int, list] = {}
    state: dict[int, int] = {}  # 1: inputs pushed, 2: emitted
    stack = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if state.get(key) == 2:
            stack.pop()
            continue
        if key not in state:
            n = len(node._prev)
            op = _our_op(_op_text(node), n) if n else (None, None)
            ops[key] = op
            inputs[key] = _inputs(node, op[0], op[1]) if n else []
            state[key] = 1
            stack.extend(c for c in reversed(inputs[key]) if state.get(id(c)) != 2)
            continue
        stack.pop()
        state[key] = 2
        order.append(node)
    return order, ops, inputs


def mirror(root) -> Mirror:
    """Copy the graph of a learner's micrograd-style ``root`` into our nodes.

    Every node keeps the learner's ``data``, ``grad`` and label; ops are mapped as the
    module docstring says.  The learner's objects are only read.

    Raises:
        TypeError: ``root`` is not micrograd-style, or a ``data``/``grad`` is not a number.

    >>> class V:  # the lecture's Value, in brief
    ...     def __init__(self, data, _children=(), _op='', label=''):
    ...         self.data, self.grad, self._prev, self._op = data, 0.0, set(_children), _op
    ...         self.label = label
    ...     def __mul__(self, other): return V(self.data * other.data, (self, other), '*')
    >>> a = V(2.0, label='a'); b = a * a
    >>> m = mirror(b); m.root.op, [x.label for x in m.root.inputs]
    ('mul', ['a', 'a'])
    """
    if not is_foreign(root):
        raise refuse("mirror", root)
    order, ops, inputs = walk(root)
    m = Mirror()
    m.nodes, m.ops, m.inputs = order, ops, inputs
    for node in order:
        key = id(node)
        data, grad, label = _number(node, "data"), _number(node, "grad"), _label(node)
        kids = tuple(m.of[id(c)] for c in inputs[key])
        op, ctx = ops[key]
        if not kids:
            ours = Value(data, label=label)
        elif op == SUB and len(kids) == 2:
            a, b = kids
            minus_one = Value(-1.0)
            negated = _make(-b.data, (b, minus_one), OP_NAMES["*"])
            negated.grad = grad  # d(a + n)/dn = 1: the learner's grad flows on unchanged
            ours = _make(data, (a, negated), OP_NAMES["+"], label=label)
        elif op == NEG and len(kids) == 1:
            ours = _make(data, (kids[0], Value(-1.0)), OP_NAMES["*"], label=label)
        elif op is not None and _arity_fits(op, len(kids)):
            ours = _make(data, kids, op, ctx, label)
        else:  # unknown: kept under its own name, with no rule (shown as "?")
            text = _op_text(node).strip() or "?"
            ours = _make(data, kids, text if text not in RULES else text + "?", None, label)
            m.ops[key] = (None, None)
        ours.grad = grad
        m.of[key] = ours
    m.root = m.of[id(root)]
    return m


def _arity_fits(op: str, n: int) -> bool:
    if op == SUB:
        return n == 2
    arity = RULES[op].arity if op in RULES else 1
    return arity == -1 or arity == n


def as_graph(who: str, root, *others, frame: FrameType | None = None):
    """``(root, *others)`` as our nodes: unchanged if ``root`` is our Value, else their
    copies in ``mirror(root)`` (``others``, e.g. ``highlight=``, may be the learner's
    nodes, or None).  The one call ``draw``, ``explain`` and ``explore`` make on entry.

    With ``frame`` (the caller's, see :func:`autograd.naming.user_frame`), a copy of an
    unlabelled learner's node is labelled with the caller's variable that holds the
    learner's node, so it is named as our own nodes are; the learner's objects are not
    touched (the copies are ours).

    Raises:
        TypeError: ``root`` is neither, naming its module and class; or one of
            ``others`` is not a node of the learner's graph.
    """
    if isinstance(root, Value):
        for other in others:
            if is_foreign(other):
                raise TypeError(f"{who}(): {_type_name(other)} is a micrograd-style node, but "
                                f"the root is an autograd Value: give nodes of one graph")
        return (root, *others) if others else root
    if not is_foreign(root):
        raise refuse(who, root)
    m = mirror(root)
    if frame is not None:
        variables = variable_names(frame)
        for node in m.nodes:
            ours = m.of[id(node)]
            if not ours.label and id(node) in variables:
                ours.label = variables[id(node)]
    mapped = []
    for other in others:
        if other is None or isinstance(other, Value):
            mapped.append(other)
        elif id(other) in m.of:
            mapped.append(m.of[id(other)])
        else:
            raise ValueError(f"{who}(): {_type_name(other)} (data {getattr(other, 'data', '?')!r})"
                             f" is not part of the graph of the root")
    return (m.root, *mapped) if others else m.root


def rebuild(root) -> tuple[Mirror, dict[int, Value]]:
    """The learner's graph rebuilt with our ops from its leaves' data: ``(mirror(root),
    id(learner node) -> our node computing it)``.  Our forward gives every interior
    node's data, our backward its gradient.

    Raises:
        ValueError: an op that cannot be mapped (named, with its node).
    """
    m = mirror(root)
    ours: dict[int, Value] = {}
    for node in m.nodes:
        key = id(node)
        kids = [ours[id(c)] for c in m.inputs[key]]
        op, ctx = m.ops[key]
        if not kids:
            ours[key] = Value(_number(node, "data"), label=_label(node))
            continue
        if op is None:
            name = _label(node) or f"a node of data {_number(node, 'data')!r}"
            raise ValueError(
                f"cannot check op {_op_text(node)!r} ({name}, {len(kids)} input(s)): it maps "
                f"to no op of ours; mapped are {sorted(spellings()[0])}, '**k', and the one-input "
                f"ops {sorted(n for n, r in RULES.items() if r.of_x is not None)}")
        ours[key] = apply_op(op, ctx, kids, _label(node))
    return m, ours


def apply_op(op: str, ctx, kids: list[Value], label: str = "") -> Value:
    """Our node(s) computing the mapped op ``op`` (with constant ``ctx``) of ``kids``."""
    if op in (SUB, NEG):
        v = _composed(op, kids)
    else:
        v = _make(RULES[op].forward(ctx, *[k.data for k in kids]), tuple(kids), op, ctx)
    v.label = label
    return v


def _composed(op: str, kids: list[Value]) -> Value:
    """``a - b`` or ``-a``: compositions of our ops, built by our operators."""
    return kids[0] - kids[1] if op == SUB else -kids[0]
