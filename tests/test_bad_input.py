"""Bad API input gets a clear error naming what was wrong, never a raw one from deep inside.

Oracles: the facts of each input (10**400 exceeds float64's 1.8e308; an optimizer built
on another model shares no parameter with this one).
"""

import math

import pytest

import nn
from autograd import Value


class FakeTensor:
    """What Value() sees of a torch tensor, without importing torch: ``size`` is a
    method, ``numel()`` counts the elements, ``item()`` gives the number."""

    def __init__(self, values):
        self.values = list(values)

    def size(self):
        return (len(self.values),)

    def numel(self):
        return len(self.values)

    def item(self):
        if len(self.values) != 1:
            raise RuntimeError("a Tensor with 2 elements cannot be converted to Scalar")
        return self.values[0]


def test_value_of_a_huge_int_is_a_clear_value_error():
    with pytest.raises(ValueError, match="an int of 401 digits is too large for a float"):
        Value(10**400)
    with pytest.raises(ValueError, match="too large for a float"):
        Value(1.0) * 10**400
    assert Value(2**1023).data == 2.0**1023  # the largest power that fits


def test_value_of_a_one_element_tensor_like_is_its_number():
    assert Value(FakeTensor([2.5])).data == 2.5


def test_value_of_a_many_element_tensor_like_says_how_many():
    with pytest.raises(TypeError, match="FakeTensor with 3 elements; make one Value per"):
        Value(FakeTensor([1.0, 2.0, 3.0]))


def test_a_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str, got int 5"):
        Value(1, label=5)


def test_micrograds_positional_leaf_construction_works():
    # the lecture's Value(data, _children, _op, label), for a leaf
    a = Value(2.0, (), "", "a")
    assert (a.data, a.label, a.is_leaf) == (2.0, "a", True)
    assert Value(3.0, label="b").label == "b"


def test_building_a_node_by_hand_says_what_to_write_instead():
    a, b = Value(2.0), Value(3.0)
    with pytest.raises(TypeError, match=r"builds a node by hand.*a \+ b.*Value\(data, "
                                        r"label='a'\)"):
        Value(a.data + b.data, (a, b), "+")


def test_value_of_a_value_says_to_use_it():
    with pytest.raises(TypeError, match=r"use v itself, or Value\(v.data\)"):
        Value(Value(1.0))


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


@pytest.mark.parametrize("x, shown", [(10**5000, "an int of about 5001 digits"),
                                      (-(10**400), "an int of 401 digits")],
                         ids=["5001 digits", "-401 digits"])
def test_ints_too_long_to_print_are_described(x, shown):
    from fractions import Fraction
    with pytest.raises(ValueError, match=f"{shown} is too large for a float"):
        Value(x)
    with pytest.raises(ValueError, match="too large for a float"):
        Value(Fraction(x, 3))


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
