"""The README's quick start works as written, once `make demo` has installed the package.

The ``make`` lines are what CI itself runs; the lines that use the package afterwards
(``autograd ...``, ``python -c ...``) run here from this environment's ``bin`` folder,
as they would after ``. .venv/bin/activate``, and must print what their comments say.
"""

import os
import pathlib
import re
import shlex
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
QUICK_START = README[README.index("## Quick start"):README.index("\n## ", README.index(
    "## Quick start") + 1)]
(COMMANDS,) = re.findall(r"^```sh\n(.*?)^```", QUICK_START, re.S | re.M)


def test_quick_start_says_where_the_package_lives():
    assert ". .venv/bin/activate" in COMMANDS
    assert ".venv/bin/autograd" in QUICK_START
    assert "HIPS autograd" in QUICK_START  # the import-name clash, said plainly


def test_quick_start_commands_after_make_demo_run(tmp_path):
    bin_dir = os.path.dirname(sys.executable)
    ran = 0
    for line in COMMANDS.splitlines():
        command, _, comment = line.partition("#")
        argv = shlex.split(command)
        if not argv or argv[0] not in ("autograd", "python"):
            continue  # make, and the activation itself
        argv[0] = os.path.join(bin_dir, argv[0])
        result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, f"{line}\n{result.stderr}"
        assert result.stderr == "", f"{line}\n{result.stderr}"
        for value in re.findall(r"\b\w+(?:/\w+)? = -?[\d.]+", comment):
            assert value in result.stdout, f"{line}: expected {value!r} in {result.stdout!r}"
        ran += 1
    assert ran >= 2
