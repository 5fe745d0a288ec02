"""The benchmark suite runs on tiny sizes and its correctness cross-checks hold.

Timings are never asserted (they depend on the machine); what is asserted is that every
row ran and that every contender's losses and gradients agreed, which is part of what a
benchmark row reports.  micrograd rows run when micrograd is installed (`make bench`).
"""

from __future__ import annotations

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

pytest.importorskip("sklearn")  # the moons data come from the demo extra

from benchmarks import harness  # noqa: E402
from benchmarks.__main__ import main, run_all  # noqa: E402


def test_every_row_runs_and_agrees_on_tiny_sizes():
    rows = run_all(rounds=1, quick=True, log=lambda *a: None)
    assert len(rows) == 13
    failed = [row.name for row in rows if not row.ok]
    assert failed == []


def test_quick_run_writes_the_table(tmp_path, capsys):
    out = tmp_path / "bench.md"
    out.write_text("# Benchmarks\n\nhand-written notes\n")
    assert main(["--quick", "--rounds", "1", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# Benchmarks\n\nhand-written notes\n")
    assert harness.BEGIN in text and harness.END in text
    assert text.count("\n| ") == 15  # header, rule and 13 rows
    # A second run replaces the generated block instead of appending another.
    assert main(["--quick", "--rounds", "1", "--only", "bytes", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.count(harness.BEGIN) == 1 and text.count("\n| ") == 3


def test_a_row_whose_contenders_disagree_is_reported_as_failed():
    row = harness.Row("r", "m", ratio=60.0, target=50.0, ok=False)
    assert row.status.startswith("FAILED")
    assert harness.Row("r", "m", ratio=60.0, target=50.0).status.startswith("met")
    assert harness.Row("r", "m", ratio=3.0, target=2.0, lower=True).status.startswith("MISSED")
