"""``Value._backward()``: the lecture's manual backprop, node by node (issue 20).

Oracles: the lecture's hand-derived numbers for its neuron (x1.grad = -1.5, w1.grad = 1,
x2.grad = 0.5, w2.grad = 0), and ``backward()`` itself.
"""

from __future__ import annotations

import pytest
from lecture_engine import neuron

import autograd as ag
from autograd import Value


def test_backward_by_hand_node_by_node_matches_the_lecture_and_backward():
    g = neuron(Value)
    o = g["o"]
    o.grad = 1.0
    for node in reversed(ag.topological_order(o)):
        node._backward()
    # The lecture's numbers, derived by hand there.
    assert g["n"].grad == pytest.approx(0.5)
    assert (g["x1"].grad, g["w1"].grad) == pytest.approx((-1.5, 1.0))
    assert (g["x2"].grad, g["w2"].grad) == pytest.approx((0.5, 0.0))
    by_hand = [n.grad for n in ag.topological_order(o)]
    h = neuron(Value)
    h["o"].backward()
    assert by_hand == [n.grad for n in ag.topological_order(h["o"])]


def test_backward_by_hand_on_a_leaf_does_nothing_and_nodes_stay_lean():
    x = Value(2.0)
    x.grad = 5.0
    x._backward()
    assert x.grad == 5.0
    assert not hasattr(x, "__dict__")  # __slots__: no per-node closure was added


def test_backward_by_hand_accumulates_for_a_node_used_twice():
    a = Value(3.0)
    b = a * a
    b.grad = 1.0
    b._backward()
    assert a.grad == 6.0  # 3 + 3: += as in the lecture, never =
