"""``nn.micrograd``: micrograd's own ``nn`` built on our engine (issue 20).

Oracle: the pip package ``micrograd`` itself (same seeds, same model).
"""

from __future__ import annotations

import random

import pytest

from autograd import Value


def test_nn_micrograd_builds_micrograds_model_from_the_same_random_numbers():
    mg_nn = pytest.importorskip("micrograd.nn")
    from nn.micrograd import MLP, Layer, Neuron

    random.seed(1337)
    theirs = mg_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert repr(ours) == repr(theirs)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    xs = [[0.5, -1.25], [2.0, 0.75], [-0.3, 0.1]]
    for x in xs:
        assert ours(x).data == theirs(x).data
    # micrograd's loss: the same gradients (summed in another order: micrograd's _prev is a
    # set, so its topological order, and the last bits of its sums, vary from run to run).
    for model, V in ((ours, Value), (theirs, __import__("micrograd.engine").engine.Value)):
        loss = sum((1 + -yi * model([V(a) for a in x])).relu() for x, yi in zip(xs, [1, -1, 1]))
        model.zero_grad()
        loss.backward()
    assert [p.grad for p in ours.parameters()] == pytest.approx(
        [p.grad for p in theirs.parameters()], rel=1e-12, abs=1e-15)
    assert repr(Neuron(3, nonlin=False)) == "LinearNeuron(3)"
    assert repr(Layer(2, 2)) == "Layer of [ReLUNeuron(2), ReLUNeuron(2)]"


def test_nn_micrograd_bad_sizes():
    from nn.micrograd import MLP, Neuron
    with pytest.raises(ValueError, match="nin"):
        Neuron(0)
    with pytest.raises(ValueError, match="nouts"):
        MLP(2, [])
    with pytest.raises(ValueError, match="takes 2 inputs"):
        Neuron(2)([1.0])
