"""Compiling at scale: the time and peak memory of ``autograd.compile`` on long chains.

Each size runs in a child process (peak resident memory cannot be reset within one; Linux's
``/proc/self/status``, so the row is skipped elsewhere), which
builds the chain ``x * c * c * ...`` inside ``fn``, compiles it and calls ``backward``
once.  Reported per node: wall time and peak RSS above the child's start-up.  A chain over
``autograd.compile.MAX_NODES`` is refused after the trace; the row shows what the
refusal costs (the eager trace itself).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from .harness import Row, fmt_time

_CHILD = textwrap.dedent("""
    import json, sys, time
    import autograd as ag
    def hwm():  # this process's peak RSS in bytes (ru_maxrss would include the parent's)
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM"))
    n = int(sys.argv[1])
    def fn(x):
        for _ in range(n):
            x = x * 1.0000001
        return x
    base = hwm()
    t0 = time.perf_counter()
    try:
        ag.compile(fn, [1.0]).backward(1.0)
        outcome = "compiled"
    except ag.CompileError:
        outcome = "refused"
    seconds = time.perf_counter() - t0
    peak = hwm() - base
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak": peak}))
""")


def _measure(n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(n)], capture_output=True,
                         text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes: tuple[int, ...]) -> Row:
    """One row: every size's outcome, time and peak bytes per node (2 nodes per step)."""
    name = "autograd.compile on a chain x*c*c*...: time and peak RSS (child process)"
    if not os.path.exists("/proc/self/status"):
        return Row(name, "needs Linux's /proc/self/status", note="skipped")
    parts, ok = [], True
    for n in sizes:
        r = _measure(n)
        nodes = 2 * n + 1  # a multiplication and its constant per step, and the input
        parts.append(f"{n:,} steps: {r['outcome']} in {fmt_time(r['seconds'])}, "
                     f"{r['peak'] / nodes:.0f} B/node peak")
        from autograd.compile import MAX_NODES

        ok = ok and (r["outcome"] == "compiled") == (nodes <= MAX_NODES)
    return Row(name, "; ".join(parts), ok=ok, note="(no target)")
