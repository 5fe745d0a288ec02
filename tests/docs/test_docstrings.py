"""The examples in the public docstrings (shown in the API reference) run as written.

Every module of ``autograd`` and ``nn`` is collected, so a new module's examples are
checked the moment it exists.
"""

import doctest
import importlib
import pkgutil

import pytest

import autograd
import nn

MODULES = sorted(
    info.name
    for package in (autograd, nn)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    if not info.name.endswith("__main__")
) + ["autograd", "nn"]


def test_the_api_reference_shows_examples():
    examples = sum(
        len(t.examples)
        for name in MODULES
        for t in doctest.DocTestFinder().find(importlib.import_module(name))
    )
    assert examples >= 20, f"only {examples} docstring examples in autograd and nn"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS,
                             report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"
