"""Packaging and set-up: what a newcomer meets before the first `Value`.

* the wheel and the sdist build (``python -m build``), the wheel installs into a fresh
  virtual environment and its ``autograd`` command runs there;
* the licence is declared as an SPDX string and shipped;
* ``from autograd import *`` does not shadow the built-ins ``sum`` and ``compile``;
* when ``import autograd`` finds another package of that name (HIPS autograd), ``import
  nn`` says so and says what to do;
* rendering a graph prints nothing on stderr (the bundled Graphviz's Fontconfig used to
  warn on every render).
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(args, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 300)
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def test_license_is_an_spdx_string_and_the_file_exists():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^license = "MIT"$', pyproject, re.M)  # not the deprecated table
    assert "MIT License" in (ROOT / "LICENSE").read_text()


def test_wheel_and_sdist_build_and_the_wheel_installs_and_runs(tmp_path):
    dist = tmp_path / "dist"
    # Isolated, as a user would build; setuptools comes from pip's cache or the index.
    built = run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)])
    assert built.returncode == 0, built.stdout + built.stderr
    # No warnings from setuptools about our configuration (SetuptoolsDeprecationWarning,
    # BuildBackendWarning, ...).
    warned = re.findall(r"\w+Warning\b.*", built.stdout + built.stderr)
    assert not warned, warned
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    assert sdist.name == "scalar_autograd-0.1.0.tar.gz"
    names = zipfile.ZipFile(wheel).namelist()
    assert "autograd/__init__.py" in names and "nn/__init__.py" in names
    assert any(n.endswith("licenses/LICENSE") for n in names), names
    assert not [n for n in names if n.startswith(("tests/", "demos/", "docs/"))]

    venv = tmp_path / "fresh"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    # This environment's pip installs into the fresh one (its cache makes it quick).
    installed = run([sys.executable, "-m", "pip", "--python", str(python), "install",
                     "--quiet", "--disable-pip-version-check", str(wheel)])
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # Run from an empty directory, so the repository's own packages cannot be found.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    helped = run([str(venv / "bin" / "autograd"), "--help"], cwd=tmp_path, env=env,
                 timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert "usage: autograd" in helped.stdout
    where = run([str(python), "-c", "import autograd, nn; print(autograd.__file__)"],
                cwd=tmp_path, env=env, timeout=60)
    assert where.returncode == 0, where.stderr
    assert str(venv) in where.stdout


def test_star_import_does_not_shadow_builtins():
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "sum" not in namespace and "compile" not in namespace
    assert "Value" in namespace
    from autograd import compile, sum  # still importable by name

    assert sum.__module__ == "autograd.ops" and compile.__module__ == "autograd.compile"


def test_a_clashing_autograd_package_is_named_with_the_fix(tmp_path):
    fake = tmp_path / "autograd"  # what HIPS autograd looks like to `import autograd`
    fake.mkdir()
    (fake / "__init__.py").write_text("from builtins import abs as grad  # not ours\n")
    # The fake comes first on sys.path; our nn is found next, from the repository.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    result = run([sys.executable, "-c", "import nn"], cwd=tmp_path, env=env, timeout=60)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError:"), result.stderr
    assert str(fake / "__init__.py") in last
    assert "HIPS autograd" in last and "separate virtual environment" in last


RENDER = """
from autograd import Value, render
x = Value(2.0, label="x")
render(x * x, "g.svg")
render(x * x + 1, "g.png")
"""


def test_rendering_prints_no_warning(tmp_path):
    result = run([sys.executable, "-c", RENDER], cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "g.svg").stat().st_size > 0 and (tmp_path / "g.png").stat().st_size > 0



def test_make_targets_share_one_install():
    # `make demo` then `make test` (or docs, lint, bench) must not install again: every
    # target depends on the one stamp, redone only when pyproject.toml changes.
    stamp = ROOT / ".venv" / ".installed"
    if not stamp.is_file() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        pytest.skip("no current .venv/.installed stamp: run through `make test` to check this")
    dry = run(["make", "-n", "demo", "test", "lint", "docs", "figures", "bench"], cwd=ROOT,
              timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "pip install" not in dry.stdout, dry.stdout
    # ... and a change to pyproject.toml is one install for all of them.
    changed = run(["make", "-n", "-W", "pyproject.toml", "demo", "test", "docs"], cwd=ROOT,
                  timeout=60)
    assert changed.stdout.count("pip install") == 1, changed.stdout
