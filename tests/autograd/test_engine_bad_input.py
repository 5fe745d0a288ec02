"""Bad input to Value gets a clear error naming what was wrong, never a raw one from deep
inside.

Oracles: the facts of each input (10**400 exceeds float64's 1.8e308).
"""

import pytest

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


def _set(label, how):
    if how == "constructor":
        return Value(1.0, label=label)
    v = Value(1.0, label="before")
    try:
        v.label = label
    except (TypeError, ValueError):
        assert v.label == "before"  # a refused label leaves the node as it was
        raise
    return v


HOW = ["constructor", "assignment"]


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("label, shown", [
    ("a\x00b", "NUL ('\\x00', U+0000 at position 1)"),
    ("\ud800", "a lone surrogate ('\\ud800', U+D800 at position 0)"),
    ("ok\udfff", "a lone surrogate ('\\udfff', U+DFFF at position 2)"),
])
def test_a_label_no_drawing_can_hold_is_refused_where_it_is_set(label, shown, how):
    # Was refused only when the graph was drawn or explained (issue 17).
    with pytest.raises(ValueError, match="label") as e:
        _set(label, how)
    assert shown in str(e.value)


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("label, shown", [(b"w", "bytes b'w'"), (5, "int 5"),
                                          (None, "NoneType None"), (1.5, "float 1.5")])
def test_a_label_that_is_not_a_str_is_refused_where_it_is_set(label, shown, how):
    with pytest.raises(TypeError, match=f"label must be a str, got {shown}"):
        _set(label, how)


@pytest.mark.parametrize("how", HOW)
def test_a_unicode_label_is_kept_as_given(how):
    # a surrogate *pair* is one character in Python: only a lone half is refused
    for label in ("∂L/∂w₁", "x\U0001d465", "", "a b\tc\n"):
        assert _set(label, how).label == label
    assert Value(1.0, label="∂L/∂w₁").detach().label == "∂L/∂w₁"


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


@pytest.mark.parametrize("x, shown", [(10**5000, "an int of about 5001 digits"),
                                      (-(10**400), "an int of 401 digits")],
                         ids=["5001 digits", "-401 digits"])
def test_ints_too_long_to_print_are_described(x, shown):
    from fractions import Fraction
    with pytest.raises(ValueError, match=f"{shown} is too large for a float"):
        Value(x)
    with pytest.raises(ValueError, match="too large for a float"):
        Value(Fraction(x, 3))
