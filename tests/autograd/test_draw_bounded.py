"""Drawing never hangs: parallel edges merged, an edge guard, and a layout bounded in time
and memory that dies with its parent (issue 14).

Every slow case runs in a subprocess with a timeout: the tests bound time by killing, never
by asserting on a clock.  The `dot` path uses a fake `dot` script on PATH.
"""

import math
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from autograd import GraphTooLargeError, Value, draw
from autograd import sum as vsum
from autograd.layout import LayoutError, LayoutTimeoutError, layout

# 600 terms, chained: under max_nodes, yet Graphviz takes minutes on it.
SLOW_PROGRAM = "y = " + " + ".join(f"x*{i}" for i in range(1, 601))


def test_parallel_edges_are_one_edge_marked_with_their_count():
    x = Value(2.0, label="x")
    y = x * x  # two edges from x into one node, each with d(x*x)/dx_k = x = 2
    y.label = "y"
    source = draw(y).source
    assert source.count("n0 -> n1") == 1
    assert 'n0 -> n1 [label="2 ×2"]' in source
    many = vsum([x] * 10_000)
    source = draw(many).source
    assert source.count("->") == 1 and 'label="1 ×10000"' in source


def test_unequal_parallel_derivatives_are_summed():
    x = Value(1.7, label="x")
    y = x ** x  # d/dx x^x = x^x (1 + ln x): the two partials differ, their sum is this
    source = draw(y, number_format=".10g").source
    (label,) = [line for line in source.splitlines() if "n0 -> n1" in line]
    total = float(label.split('label="Σ ')[1].split(" ")[0])
    assert math.isclose(total, 1.7**1.7 * (1 + math.log(1.7)), rel_tol=1e-9)
    assert "×2" in label


def test_the_guard_counts_edges_too():
    xs = [Value(float(i)) for i in range(60)]
    total = vsum([vsum(xs) * float(j) for j in range(80)])  # ~200 nodes, 4900 edges
    with pytest.raises(GraphTooLargeError, match=r"edges.*focus=.*collapse=.*max_edges"):
        draw(total)
    assert draw(total, max_edges=10_000).source.count("->") > 4000


def test_a_sixty_factor_product_draws(tmp_path):
    # Took over 60 s with `dot` before parallel edges were merged.  x feeds all 59 steps of
    # the chain: labels on such long edges cost Graphviz seconds, so they become xlabels.
    from autograd.program import run_program

    program = "y = " + "*".join(["x"] * 60)
    source = draw(run_program(program, {"x": 2.0}).output).source
    assert "xlabel=" in source and " label=" not in source.split("->", 1)[1]
    done = subprocess.run([sys.executable, "-m", "autograd.cli", "draw", program,
                           "--set", "x=2", "-o", str(tmp_path / "g.svg")],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PATH=""))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "g.svg").read_text().count('class="node"') == 60


def test_a_slow_layout_is_stopped_with_a_message_that_says_how_to_narrow(tmp_path):
    code = textwrap.dedent(f"""
        import os
        os.environ["PATH"] = ""
        from autograd.program import run_program
        from autograd import render
        y = run_program({SLOW_PROGRAM!r}, {{"x": 2.0}}).output
        render(y, "g.svg", layout_timeout=1)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode != 0
    assert "LayoutTimeoutError" in done.stderr
    for advice in ("focus=", "collapse=", "max_nodes", "layout_timeout"):
        assert advice in done.stderr
    assert not (tmp_path / "g.svg").exists()


def test_the_memory_limit_is_enforced():
    with pytest.raises(LayoutError, match="memory"):
        layout("digraph { a -> b }", "svg", memory=40 * 2**20)


def test_layout_timeout_error_is_a_layout_error():
    assert issubclass(LayoutTimeoutError, LayoutError)
    assert issubclass(LayoutError, RuntimeError)


# --- the layout child dies with us --------------------------------------------------------


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(predicate, limit=30.0):
    # A bounded wait for something to happen; the test asserts what happened, not when.
    end = time.monotonic() + limit
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


SLEEPING_DOT = """#!/bin/sh
exec sleep 1000
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("with_dot, sig", [
    (True, signal.SIGTERM),   # `dot` used to outlive a terminated autograd
    (True, signal.SIGINT),    # Ctrl-C
    (False, signal.SIGINT),   # Ctrl-C was ignored during the in-process layout
    (False, signal.SIGKILL),  # no Python code runs: the kernel must kill the child
])
def test_the_layout_child_does_not_outlive_us(tmp_path, with_dot, sig):
    env = dict(os.environ, PATH="")
    if with_dot:
        bindir = tmp_path / "bin"
        bindir.mkdir()
        dot = bindir / "dot"
        dot.write_text(SLEEPING_DOT)
        dot.chmod(dot.stat().st_mode | stat.S_IXUSR)
        env["PATH"] = f"{bindir}:/usr/bin:/bin"
    code = textwrap.dedent(f"""
        from autograd.program import run_program
        from autograd import render
        y = run_program({SLOW_PROGRAM!r}, {{"x": 2.0}}).output
        render(y, "g.svg")
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        kids = wait_for(lambda: children_of(proc.pid))
        assert kids, "the layout child never started"
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    wait_for(lambda: not any(alive(k) for k in kids))
    assert [k for k in kids if alive(k)] == []
    assert not (tmp_path / "g.svg").exists()


def test_a_ten_thousand_term_sum_of_one_name_draws(tmp_path, monkeypatch, capsys):
    # 2 nodes and 10,000 edges: 24 s with `dot` before the edges were merged into one.
    from autograd.cli import main

    monkeypatch.setenv("PATH", "")
    program = "y = sum(" + ", ".join(["x"] * 10_000) + ")"
    assert main(["draw", program, "--set", "x=2", "-o", str(tmp_path / "g.svg")]) == 0
    svg = (tmp_path / "g.svg").read_text()
    assert svg.count('class="edge"') == 1 and "1 ×10000" in svg
