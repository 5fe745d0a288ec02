"""``python -m benchmarks``: run every row, print the table, write the report.

``make bench`` runs this with micrograd (the ``bench`` extra) installed.  The report goes
to ``out/benchmarks.md``; tracked files change only with ``--update-docs`` (which rewrites
the generated block of docs/benchmarks.md).  ``--quick`` runs tiny sizes (a smoke test of
the code, meaningless as numbers) and writes nothing unless ``--out`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

from . import alice, compile_scale, digits, graphs, harness, moons
from .harness import machine, markdown, write_report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs", "benchmarks.md")
OUT = os.path.join("out", "benchmarks.md")  # relative to where it runs (`make bench`: the repo)


def run_all(rounds: int, quick: bool, log=print, only: str | None = None) -> list:
    """Every row of the table, in order (sizes shrink with ``quick``).

    ``only``: run just the steps whose label contains this text.
    """
    sizes = dict(points=8, fit=2, epochs=3, triples=50, deep=2_000, chain=500, floor=500,
                 bytes=500, compile=(500,), digits=1, calls=2) if quick else \
        dict(points=100, fit=20, epochs=1000, triples=100_000, deep=1_000_000,
             chain=100_000, floor=100_000, bytes=10_000, compile=(10_000, 45_000, 500_000),
             digits=6, calls=20)
    steps = [
        ("moons", lambda: moons.run(rounds, sizes["points"])),
        ("nn.fit", lambda: [moons.run_fit(rounds, sizes["points"], sizes["fit"])]),
        # one epoch (quick) is short of the demo's accuracy target: 80% checks it learnt
        ("digits", lambda: [digits.run(rounds, sizes["digits"], 0.8 if quick else 0.95)]),
        ("fit calls", lambda: [digits.run_calls(rounds, sizes["calls"])]),
        ("alice", lambda: alice.run(rounds, sizes["epochs"])),
        ("floor", lambda: graphs.run_floor(rounds, sizes["floor"])),
        ("a*b+c", lambda: [graphs.run_abc(rounds, sizes["triples"])]),
        ("deep chain", lambda: [graphs.run_deep_chain(rounds, sizes["deep"])]),
        ("chain vs micrograd", lambda: [graphs.run_chain_vs_micrograd(rounds, sizes["chain"])]),
        ("bytes per node", lambda: [graphs.run_bytes_per_node(sizes["bytes"])]),
        ("compile at scale", lambda: [compile_scale.run(sizes["compile"])]),
    ]
    rows = []
    for label, step in steps:
        if only and only not in label:
            continue
        log(f"  {label}: running")
        harness.PROGRESS = lambda message, label=label: log(f"    {label}: {message}")
        t0 = time.perf_counter()
        try:
            new = step()
        finally:
            harness.PROGRESS = None
        log(f"  {label}: {time.perf_counter() - t0:.1f} s")
        rows += new
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per row (median)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--only", help="run only the rows whose label contains this text "
                                       "(moons, nn.fit, digits, fit calls, alice, floor, "
                                       "a*b+c, chain, bytes)")
    parser.add_argument("--out", help=f"Markdown file to write the report to (default: {OUT}; "
                                      "none with --quick)")
    parser.add_argument("--update-docs", action="store_true",
                        help=f"also rewrite the generated block of {os.path.relpath(DOCS, ROOT)}")
    parser.add_argument("--freeze", action="store_true",
                        help="gc.freeze() the objects alive before each round")
    args = parser.parse_args(argv)
    harness.FREEZE = args.freeze
    # Every row runs with the demo's imports loaded (the moons data come from
    # scikit-learn), whichever rows run: the collector walks them, so they matter.
    with contextlib.suppress(ImportError):
        import sklearn.datasets  # noqa: F401
    info = machine()
    command = "python -m benchmarks" + (" " + " ".join(argv if argv is not None else
                                                       sys.argv[1:])).rstrip()
    print(f"{info['python']}, {info['cpu']}, {info['cores']} cores, load {info['load']}")
    t0 = time.perf_counter()
    rows = run_all(args.rounds, args.quick, only=args.only,
                   log=lambda message: print(message, file=sys.stderr, flush=True))
    block = markdown(rows, info, command, time.perf_counter() - t0)
    print(block)
    outs = [args.out or (None if args.quick else OUT)]
    if args.update_docs:
        outs.append(DOCS)
    for out in filter(None, outs):
        write_report(out, block)
        print(f"wrote {out}")
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
