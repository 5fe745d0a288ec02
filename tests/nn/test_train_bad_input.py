"""Bad arguments to nn's modules, optimizers and fit get a clear error naming what was wrong,
never a raw one from deep inside.

Oracles: the facts of each input (an optimizer built on another model shares no parameter
with this one).
"""

import math

import pytest

import nn
from autograd import Value


def test_neuron_of_none_says_what_it_takes():
    with pytest.raises(TypeError, match="Neuron takes a list of 2 inputs, got NoneType"):
        nn.Neuron(2, seed=0)(None)


def test_adam_refuses_eps_zero_instead_of_dividing_by_zero():
    w = Value(1.0)
    with pytest.raises(ValueError, match=r"eps must be > 0.*0/0"):
        nn.Adam([w], eps=0)
    opt = nn.Adam([w], eps=1e-300)  # tiny but positive: a zero gradient moves nothing
    opt.step()
    assert w.data == 1.0


@pytest.mark.parametrize("params", [Value(1.0), 5, None])
def test_an_optimizer_needs_a_list_of_parameters(params):
    with pytest.raises(ValueError, match=r"takes a list of parameters, e.g. "
                                         r"model.parameters\(\)"):
        nn.SGD(params, lr=0.1)


def test_a_schedule_needs_an_optimizer():
    with pytest.raises(TypeError, match="a schedule drives an nn optimizer"):
        nn.StepLR("sgd", step_size=2)


def test_fit_refuses_an_optimizer_of_another_model():
    model, other = nn.MLP(1, [1], seed=0), nn.MLP(1, [1], seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match="holds none of the model's parameters"):
        nn.fit(model, [[1.0], [2.0]], [1.0, 2.0], optimizer=nn.SGD(other.parameters(), lr=0.1),
               epochs=1)
    assert model.state_dict() == before


def test_fit_refuses_something_that_cannot_step():
    model = nn.MLP(1, [1], seed=0)
    with pytest.raises(ValueError, match=r"optimizer must have step\(\) and zero_grad\(\)"):
        nn.fit(model, [[1.0]], [1.0], optimizer=0.1, epochs=1)


def test_fit_accepts_an_optimizer_of_part_of_the_model():
    model = nn.MLP(1, [2, 1], seed=0)
    last = model.layers[-1].parameters()
    history = nn.fit(model, [[1.0], [2.0]], [1.0, 2.0], optimizer=nn.SGD(last, lr=0.01),
                     epochs=2)
    assert math.isfinite(history.loss[-1])


def test_fit_refuses_a_schedule_of_another_optimizer():
    model = nn.MLP(1, [1], seed=0)
    used, other = (nn.SGD(model.parameters(), lr=0.1) for _ in range(2))
    with pytest.raises(ValueError, match="lr_schedule drives another optimizer"):
        nn.fit(model, [[1.0]], [1.0], optimizer=used, lr_schedule=nn.StepLR(other, 1),
               epochs=1)
    # without an optimizer, fit makes its own: a schedule cannot be built on it
    with pytest.raises(ValueError, match="lr_schedule drives another optimizer"):
        nn.fit(model, [[1.0]], [1.0], lr_schedule=nn.StepLR(other, 1), epochs=1)
    history = nn.fit(model, [[1.0]], [1.0], optimizer=used, lr_schedule=nn.StepLR(used, 1),
                     epochs=2)
    assert len(history.loss) == 2
