"""The floors of the packages, measured from the source (``ast``), not from imports run:
no import circle in ``autograd/`` or ``nn/``, no private name imported across modules,
``autograd`` never imports ``nn``, and no function longer than a screen."""

from __future__ import annotations

import ast
import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("floors", ROOT / "docs" / "floors.py")
floors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(floors)
MODULES = floors.MODULES
MAX_FUNCTION_LINES = 100


def test_the_checker_finds_a_circle():
    assert floors.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert floors.cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles():
    assert floors.cycles(floors.graph()) == []


def test_autograd_never_imports_nn():
    for name in MODULES:
        if name.split(".")[0] == "autograd":
            assert not [t for t, _ in floors.imports(name) if t.split(".")[0] == "nn"], name


def _relative(name: str) -> str:
    return MODULES[name].relative_to(ROOT).as_posix()


def test_no_private_name_is_imported_across_modules():
    crossing = []
    for name in MODULES:
        for target, imported in floors.imports(name):
            if target in MODULES and imported and imported.startswith("_") \
                    and not imported.startswith("__"):
                crossing.append(f"{name} imports {target}.{imported}")
    assert crossing == []


def _functions(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.end_lineno - node.lineno + 1


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_function_is_longer_than_a_screen(name):
    long = [(f, n) for f, n in _functions(MODULES[name]) if n > MAX_FUNCTION_LINES]
    assert long == []
