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


# --- an op's name is written only in its rule ----------------------------------------------
#
# Code outside the rule table may call an op (``x.tanh()``), but it may not *name* one to
# decide something: compare a node's op with a name, keep a list or a dict of op names, look
# a rule up by a name written in the source, or hand a name to a call.  Each of those is
# knowledge about an op living outside its rule, and a new op would have to be added there
# too.  What such code needs is a property of the rule (``rule.activation``, its symbol, its
# SymPy form...).  A plain assignment (``GRAPHVIZ = "dot"``) is not counted: it names a
# string that merely spells like an op.


def _op_names() -> frozenset:
    from autograd.rules import RULES

    return frozenset(RULES)


def _spelled(node: ast.AST, names: frozenset) -> list[str]:
    """The op names written as literals directly in ``node`` (a tuple/list/set: its items)."""
    items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    return [i.value for i in items
            if isinstance(i, ast.Constant) and isinstance(i.value, str) and i.value in names]


def op_names_written(source: str, names: frozenset) -> list[tuple[int, str]]:
    """``(line, name)`` for every op name the source uses to decide something."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            parts = [node.left, *node.comparators]
        elif isinstance(node, ast.Dict):
            parts = [k for k in node.keys if k is not None]
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            parts = [node] if len(_spelled(node, names)) >= 2 else []
        elif isinstance(node, ast.Subscript):
            parts = [node.slice]
        elif isinstance(node, ast.Call):
            parts = [*node.args, *(k.value for k in node.keywords)]
        else:
            continue
        found += [(node.lineno, n) for part in parts for n in _spelled(part, names)]
    return sorted(set(found))


def test_the_checker_finds_op_names_used_to_decide():
    names = frozenset({"tanh", "dot", "add"})
    planted = ('if node.op == "dot": pass\n'             # 1: a comparison
               'ACTS = ("tanh", "add")\n'                # 2: a list of ops
               'SYMBOL = {"add": "+"}\n'                 # 3: a table keyed by op
               'rule = RULES["tanh"]\n'                  # 4: a lookup by name
               'make(1.0, (a, b), "add")\n'             # 5: a name handed to a call
               'GRAPHVIZ = "dot"\n'                      # 6: a string spelled like an op
               'FORMATS = ("svg", "dot")\n'              # 7: one op-like name among others
               'x = a.tanh()\n')                         # 8: calling an op is using it
    assert op_names_written(planted, names) == [
        (1, "dot"), (2, "add"), (2, "tanh"), (3, "add"), (4, "tanh"), (5, "add")]


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not n.startswith("autograd.rules")))
def test_an_op_is_named_only_in_its_rule(name):
    source = MODULES[name].read_text(encoding="utf-8")
    assert op_names_written(source, _op_names()) == []


def _imported_names(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_test_module_imports_another():
    """Shared code lives in the helper modules at the top of tests/ (oracles.py, ...)."""
    crossing = [f"{p.relative_to(TESTS)} imports {name}"
                for p in sorted(TESTS.rglob("*.py"))
                for name in _imported_names(p)
                if name.split(".")[-1].startswith("test_") or name.split(".")[0] == "conftest"]
    assert crossing == []
