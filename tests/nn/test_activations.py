"""nn takes every activation by name (nn/activations.py): each builds the same node as the
engine's function of that name."""

from __future__ import annotations

import pytest

import autograd as ag
from autograd import Value


@pytest.mark.parametrize("name", ["gelu", "silu", "leaky_relu", "elu", "selu", "celu", "mish",
                                  "softplus", "softsign", "logsigmoid", "hardtanh",
                                  "hardsigmoid", "hardswish", "relu6"])
def test_nn_accepts_each_activation_by_name(name):
    from nn.activations import activation

    f = activation(name)
    assert f(Value(0.5)).data == getattr(ag, name)(0.5).data
