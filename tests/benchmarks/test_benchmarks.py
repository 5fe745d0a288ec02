"""The benchmark suite runs on tiny sizes and its correctness cross-checks hold.

Timings are never asserted (they depend on the machine); what is asserted is that every
row ran and that every contender's losses and gradients agreed, which is part of what a
benchmark row reports.  micrograd rows run when micrograd is installed (`make bench`).
"""

from __future__ import annotations

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

pytest.importorskip("sklearn")  # the moons data come from the demo extra

from benchmarks import harness  # noqa: E402
from benchmarks.__main__ import main, run_all  # noqa: E402


def test_every_row_runs_and_agrees_on_tiny_sizes():
    messages = []
    rows = run_all(rounds=1, quick=True, log=messages.append)
    assert len(rows) >= 11
    failed = [row.name for row in rows if not row.ok]
    assert failed == []
    # every row says when it starts, how far it is, and how long it took
    assert sum(m.endswith(": running") for m in messages) == sum(
        m.endswith(" s") for m in messages) >= 8
    assert any("round 1/1" in m for m in messages)
    names = " ".join(row.name for row in rows)
    assert "collector on" in names and "collector off" in names and "CPython floor" in names


def test_make_bench_writes_to_out_and_leaves_tracked_files_alone(tmp_path, monkeypatch):
    import benchmarks.__main__ as bench_main

    docs = tmp_path / "docs.md"
    docs.write_text("# Benchmarks\n\nnotes\n")
    monkeypatch.setattr(bench_main, "DOCS", str(docs))
    monkeypatch.chdir(tmp_path)
    args = ["--rounds", "1", "--only", "bytes"]
    monkeypatch.setattr(bench_main, "run_all", lambda rounds, quick, log, only: run_all(
        rounds, True, log=log, only=only))  # tiny sizes, but the default outputs
    assert main(args) == 0
    assert (tmp_path / "out" / "benchmarks.md").read_text().count(harness.BEGIN) == 1
    assert docs.read_text() == "# Benchmarks\n\nnotes\n"
    assert main(args + ["--update-docs"]) == 0
    assert harness.BEGIN in docs.read_text() and docs.read_text().startswith("# Benchmarks")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["benchmarks.md"]  # no temp left


def test_quick_run_writes_the_table(tmp_path, capsys):
    out = tmp_path / "bench.md"
    out.write_text("# Benchmarks\n\nhand-written notes\n")
    # (every row runs in the test above; here two rows are enough to check the writing)
    assert main(["--quick", "--rounds", "1", "--only", "chain", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# Benchmarks\n\nhand-written notes\n")
    assert harness.BEGIN in text and harness.END in text
    assert text.count("\n| ") == 4  # header, rule and the two chain rows
    # A second run replaces the generated block instead of appending another.
    assert main(["--quick", "--rounds", "1", "--only", "bytes", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.count(harness.BEGIN) == 1 and text.count("\n| ") == 3


def test_a_row_whose_contenders_disagree_is_reported_as_failed():
    row = harness.Row("r", "m", ratio=60.0, target=50.0, ok=False)
    assert row.status.startswith("FAILED")
    assert harness.Row("r", "m", ratio=60.0, target=50.0).status.startswith("met")
    assert harness.Row("r", "m", ratio=3.0, target=2.0, lower=True).status.startswith("MISSED")
