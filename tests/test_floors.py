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


# --- the tests mirror the packages -------------------------------------------------------
#
# tests/autograd/ holds the tests of autograd/, tests/nn/ those of nn/, each file named
# after the module it tests (test_<module>.py, or test_<module>_<aspect>.py); tests/docs/,
# tests/demos/ and tests/benchmarks/ those of the folders of those names.  At the top of
# tests/ are only the shared helpers (oracles.py, browser.py, ...) and the tests of the
# project as a whole (the floors, the packaging, conftest's guard).

TESTS = ROOT / "tests"
PACKAGES = ("autograd", "nn")


def _modules_of(folder: pathlib.Path) -> set[str]:
    """The names of a package folder's modules and subpackages."""
    return {p.stem for p in folder.glob("*.py") if p.stem != "__init__"} | {
        p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}


def _named_after(test: str, modules: set[str]) -> bool:
    name = test.removeprefix("test_")
    return any(name == m or name.startswith(m + "_") for m in modules)


def test_the_layout_check_reads_names_as_modules():
    assert _named_after("test_graph_walk", {"graph", "engine"})
    assert _named_after("test_engine", {"graph", "engine"})
    assert not _named_after("test_engineering", {"graph", "engine"})
    assert not _named_after("test_bad_input", {"graph", "engine"})


@pytest.mark.parametrize("package", PACKAGES)
def test_each_test_file_is_named_after_a_module_of_its_package(package):
    modules = _modules_of(ROOT / package)
    files = sorted(p.stem for p in (TESTS / package).rglob("test_*.py"))
    assert files, f"tests/{package}/ holds no tests"
    assert [f for f in files if not _named_after(f, modules)] == []


def test_tests_live_in_the_folder_of_what_they_test():
    folders = {p.name for p in TESTS.iterdir() if p.is_dir() and list(p.rglob("test_*.py"))}
    assert folders <= {*PACKAGES, "docs", "demos", "benchmarks"}
    assert all((ROOT / f).is_dir() for f in folders)
    modules = set().union(*(_modules_of(ROOT / p) for p in PACKAGES))
    top = sorted(p.stem for p in TESTS.glob("test_*.py"))
    assert [f for f in top if _named_after(f, modules)] == []
