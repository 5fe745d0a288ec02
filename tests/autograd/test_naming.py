"""autograd.naming: labels, then the caller's variables, never written onto nodes."""

import pytest

from autograd import Value
from autograd.naming import node_names, user_frame, variable_names

module_level = Value(5.0)


def test_label_wins_over_variable_and_variables_name_the_rest():
    x = Value(2.0)
    w = Value(3.0, label="weight")
    y = x * w
    names = node_names([x, w, y], frame=user_frame())
    assert names == {x: "x", w: "weight", y: "y"}
    assert (x.label, y.label) == ("", "")  # nothing written onto the nodes


def test_first_binding_wins_and_underscore_names_are_skipped():
    first = Value(1.0)
    second = first  # noqa: F841 - a second binding of the same node
    _ = Value(2.0)
    _7 = _
    names = node_names([first, _7], frame=user_frame())
    assert names == {first: "first"}


def test_locals_before_globals():
    module_level_alias = module_level
    names = node_names([module_level], frame=user_frame())
    assert names[module_level] == "module_level_alias"
    del module_level_alias
    assert node_names([module_level], frame=user_frame())[module_level] == "module_level"


def test_names_false_keeps_labels_only():
    x = Value(2.0)
    w = Value(3.0, label="w")
    assert node_names([x, w], False, frame=user_frame()) == {w: "w"}


def test_explicit_mapping_either_way_round_wins_over_labels():
    x = Value(2.0, label="x")
    assert node_names([x], {x: "input"}) == {x: "input"}
    assert node_names([x], {"input": x}) == {x: "input"}
    with pytest.raises(TypeError, match="names maps nodes to str"):
        node_names([x], {x: 3})
    with pytest.raises(TypeError, match="names must be"):
        node_names([x], "x")


def test_no_frame_no_variables():
    x = Value(1.0)
    assert x is not None and node_names([x]) == {}
    assert variable_names(None) == {}


def test_user_frame_skips_library_frames():
    # Two nested functions of a module inside the library are skipped: the frame found
    # is this test's, whose variables name the nodes.
    library = {"__name__": "autograd.fake", "user_frame": user_frame}
    exec("def inner():\n    return user_frame()\ndef outer():\n    return inner()", library)
    assert library["outer"]().f_code.co_name == "test_user_frame_skips_library_frames"
    nn_module = {"__name__": "nn.fake", "user_frame": user_frame}
    exec("def f():\n    return user_frame()", nn_module)
    assert nn_module["f"]().f_code.co_name == "test_user_frame_skips_library_frames"


def test_foreign_nodes_by_label_and_variable():
    class Node:  # a learner's micrograd-style node
        def __init__(self, data, label=""):
            self.data, self.label = data, label

    a = Node(1.0, "a")
    b = Node(2.0)
    weird = Node(3.0, label=None)
    assert node_names([a, b, weird], frame=user_frame()) == {a: "a", b: "b", weird: "weird"}
