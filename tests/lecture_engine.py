"""A learner's engine in the style of the micrograd lecture, with bugs to plant on purpose.

``make_value(bug)`` returns a ``Value`` class written the way the lecture writes it
(``_prev`` a set, ``_op`` strings, one ``_backward`` closure per node, a recursive
topological sort), with at most one bug from the issue trackers planted:

* ``"overwrite"``: ``grad = ...`` instead of ``grad += ...`` in ``+`` and ``*``;
* ``"order"``: backward walks the nodes breadth-first from the root, not in
  topological order (a node can pass its gradient on before all its users have run);
* ``"tanh"``: tanh's local derivative written ``1 - t`` instead of ``1 - t**2``;
* ``"missing_exp"``: ``exp`` never sets its ``_backward`` (its derivative is missing).
"""

from __future__ import annotations

import math
from collections import deque


def make_value(bug: str | None = None):
    overwrite = bug == "overwrite"

    class Value:
        def __init__(self, data, _children=(), _op="", label=""):
            self.data = data
            self.grad = 0.0
            self._backward = lambda: None
            self._prev = set(_children)
            self._op = _op
            self.label = label

        def __repr__(self):
            return f"Value(data={self.data})"

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other), "+")

            def _backward():
                if overwrite:
                    self.grad = 1.0 * out.grad
                    other.grad = 1.0 * out.grad
                else:
                    self.grad += 1.0 * out.grad
                    other.grad += 1.0 * out.grad
            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other), "*")

            def _backward():
                if overwrite:
                    self.grad = other.data * out.grad
                    other.grad = self.data * out.grad
                else:
                    self.grad += other.data * out.grad
                    other.grad += self.data * out.grad
            out._backward = _backward
            return out

        def __pow__(self, other):
            assert isinstance(other, (int, float))
            out = Value(self.data ** other, (self,), f"**{other}")

            def _backward():
                self.grad += other * (self.data ** (other - 1)) * out.grad
            out._backward = _backward
            return out

        def __rmul__(self, other):
            return self * other

        def __radd__(self, other):
            return self + other

        def __truediv__(self, other):
            return self * other ** -1

        def __neg__(self):
            return self * -1

        def __sub__(self, other):
            return self + (-other)

        def tanh(self):
            x = self.data
            t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
            out = Value(t, (self,), "tanh")

            def _backward():
                local = (1 - t) if bug == "tanh" else (1 - t ** 2)
                self.grad += local * out.grad
            out._backward = _backward
            return out

        def exp(self):
            out = Value(math.exp(self.data), (self,), "exp")

            def _backward():
                self.grad += out.data * out.grad
            if bug != "missing_exp":
                out._backward = _backward
            return out

        def backward(self):
            if bug == "order":
                topo, seen, queue = [], {self}, deque([self])
                while queue:  # breadth-first from the root: not a topological order
                    v = queue.popleft()
                    topo.append(v)
                    for child in v._prev:
                        if child not in seen:
                            seen.add(child)
                            queue.append(child)
                self.grad = 1.0
                for node in topo:
                    node._backward()
                return
            topo, visited = [], set()

            def build_topo(v):
                if v not in visited:
                    visited.add(v)
                    for child in v._prev:
                        build_topo(child)
                    topo.append(v)
            build_topo(self)
            self.grad = 1.0
            for node in reversed(topo):
                node._backward()

    return Value


def neuron(Value):
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), every node labelled."""
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2,
                x1w1x2w2=x1w1x2w2, n=n, o=o)
