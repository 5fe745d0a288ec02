"""The examples in nn's docstrings run and print what they say."""

import doctest
import importlib

import pytest

MODULES = ["nn.activations", "nn.init", "nn.modules", "nn.losses", "nn.optim", "nn.train"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
