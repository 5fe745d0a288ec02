"""Timing and reporting shared by every benchmark row.

Contenders of one row run interleaved (round 1: A, B; round 2: B, A; ...) after a warm-up,
so load from other processes on a shared machine hits all of them alike; a row reports
the median of its rounds and compares contenders as ratios measured in the same run.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

FREEZE = False  # see interleaved(); set by `python -m benchmarks --freeze`
# Where progress goes while a row runs (a row can take a minute): stderr, or nothing.
PROGRESS: Callable[[str], None] | None = None


def progress(message: str) -> None:
    """Report what is running now (``PROGRESS``, set by ``python -m benchmarks``)."""
    if PROGRESS is not None:
        PROGRESS(message)


def without_collector(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` run with the cycle collector disabled (and re-enabled after, if it was on)."""

    def call():
        was = gc.isenabled()
        gc.disable()
        try:
            return fn()
        finally:
            if was:
                gc.enable()

    return call


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int,
                warmup: int = 1, repeat: int = 1, prime: int = 0,
                clock: Callable[[], float] = time.perf_counter) -> dict[str, list[float]]:
    """Seconds per call of each contender, ``rounds`` times each, interleaved.

    ``clock``: wall time by default; ``time.process_time`` counts the process's CPU time
    (all its threads), which other processes on a shared machine disturb less.

    A round times ``repeat`` consecutive calls of one contender (reported per call).  The
    cycle collector is emptied, untimed, before every round, so one contender's garbage
    is never collected on another's clock; it stays enabled while timing, because its
    cost is part of what a contender costs, and with ``repeat`` > 1 a contender also pays
    for collecting the garbage of its own previous call, as in a training loop; ``prime``
    untimed calls before each round make every timed call one in the middle of such a
    loop (micrograd's first step after a full collection is twice as fast as the rest).

    With ``FREEZE`` (``--freeze``), the objects alive before a round are frozen
    (``gc.freeze``, as long-running services do after start-up), so full collections walk
    only what the round itself made.  By default they are not: every full collection also
    walks the process's long-lived objects (scikit-learn's 80,000, say), as it does in a
    real training script, and that cost grows with the garbage a contender makes.
    """
    names = list(contenders)
    if warmup:
        progress(f"warm-up: {', '.join(names)}")
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        progress(f"round {r + 1}/{rounds}")
        # Alternate the order so neither contender always runs right after the other.
        for name in (names if r % 2 == 0 else names[::-1]):
            gc.collect()
            if FREEZE:
                gc.freeze()
            fn = contenders[name]
            for _ in range(prime):
                fn()
            t0 = clock()
            for _ in range(repeat):
                fn()
            times[name].append((clock() - t0) / repeat)
            if FREEZE:
                gc.unfreeze()
    gc.collect()
    return times


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def close(a: float, b: float, tol: float = 1e-9) -> bool:
    """Equal to ``tol``, relative to the larger magnitude (absolute below 1)."""
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def all_close(xs, ys, tol: float = 1e-9) -> bool:
    xs, ys = list(xs), list(ys)
    return len(xs) == len(ys) and all(close(a, b, tol) for a, b in zip(xs, ys))


@dataclass
class Row:
    """One line of the results table."""

    name: str
    measured: str  # what was timed, in words, with the key numbers
    ratio: float | None = None  # the headline ratio (higher is better unless `lower`)
    target: float | None = None
    lower: bool = False  # True when the target is an upper bound (e.g. bytes, slowdown)
    unit: str = "x"
    ok: bool = True  # every contender's results agreed
    note: str = ""
    details: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.ok:
            return "FAILED (results disagree)"
        if self.ratio is None:
            return self.note or "n/a"
        if self.target is None:
            return "(no target)"
        met = self.ratio <= self.target if self.lower else self.ratio >= self.target
        bound = "<=" if self.lower else ">="
        return f"{'met' if met else 'MISSED'} (target {bound} {self.target:g}{self.unit})"

    def ratio_text(self) -> str:
        if self.ratio is None:
            return "-"
        return f"{self.ratio:.3g}{self.unit}" if self.unit != "x" else f"{self.ratio:.1f}x"


def machine() -> dict[str, str]:
    """Python version, CPU model, core count and load: enough to judge the numbers."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "load": load,
    }


BEGIN = "<!-- bench:begin (written by `python -m benchmarks`; edit outside these markers) -->"
END = "<!-- bench:end -->"


def markdown(rows: list[Row], info: dict[str, str], command: str, seconds: float) -> str:
    lines = [
        BEGIN,
        "",
        f"Command: `{command}` ({seconds:.0f} s), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
        f"Python: {info['python']} on {info['platform']}  ",
        f"Machine: {info['cpu']}, {info['cores']} cores, load average at start "
        f"{info['load']} (shared machine: compare ratios, not absolute times)  ",
        "Collector: " + ("objects alive before each round frozen (gc.freeze)" if FREEZE else
                         "as in a script: numpy and scikit-learn imported, nothing frozen"),
        "",
        "| # | benchmark | measured (median of rounds) | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for i, row in enumerate(rows, 1):
        lines.append(f"| {i} | {row.name} | {row.measured} | {row.ratio_text()} | {row.status} |")
    details = [(row.name, d) for row in rows for d in row.details]
    if details:
        lines += ["", "Details:", ""]
        lines += [f"- {name}: {d}" for name, d in details]
    lines += ["", END]
    return "\n".join(lines)


def write_report(path: str, block: str) -> None:
    """Replace the generated block of ``path``, keeping the hand-written text around it.

    The file is replaced atomically (written next to it, then renamed), so an interrupted
    run never leaves half a report.
    """
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    head, sep, rest = text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        head, tail = text.rstrip() + "\n\n", "\n"
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w") as f:
            f.write(head + block + tail)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} us"
