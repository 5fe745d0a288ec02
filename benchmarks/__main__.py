"""``python -m benchmarks``: run every row, print the table, write docs/benchmarks.md.

``make bench`` runs this with micrograd (the ``bench`` extra) installed.  ``--quick`` runs
tiny sizes (a smoke test of the code, meaningless as numbers) and writes nothing unless
``--out`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

from . import alice, compile_scale, graphs, harness, moons
from .harness import machine, markdown, write_report

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    "docs", "benchmarks.md")


def run_all(rounds: int, quick: bool, log=print, only: str | None = None) -> list:
    """Every row of the table, in order (sizes shrink with ``quick``).

    ``only``: run just the steps whose label contains this text.
    """
    sizes = dict(points=8, fit=2, epochs=3, triples=50, deep=2_000, chain=500,
                 compile=(500,)) if quick else \
        dict(points=100, fit=20, epochs=1000, triples=100_000, deep=1_000_000,
             chain=100_000, compile=(10_000, 45_000, 500_000))
    steps = [
        ("moons", lambda: moons.run(rounds, sizes["points"])),
        ("nn.fit", lambda: [moons.run_fit(rounds, sizes["points"], sizes["fit"])]),
        ("alice", lambda: alice.run(rounds, sizes["epochs"])),
        ("a*b+c", lambda: [graphs.run_abc(rounds, sizes["triples"])]),
        ("deep chain", lambda: [graphs.run_deep_chain(rounds, sizes["deep"])]),
        ("chain vs micrograd", lambda: [graphs.run_chain_vs_micrograd(rounds, sizes["chain"])]),
        ("bytes per node", lambda: [graphs.run_bytes_per_node(sizes["chain"])]),
        ("compile at scale", lambda: [compile_scale.run(sizes["compile"])]),
    ]
    rows = []
    for label, step in steps:
        if only and only not in label:
            continue
        t0 = time.perf_counter()
        new = step()
        log(f"  {label}: {time.perf_counter() - t0:.1f} s")
        rows += new
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per row (median)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--only", help="run only the rows whose label contains this text "
                                       "(moons, nn.fit, alice, a*b+c, chain, bytes)")
    parser.add_argument("--out", help=f"Markdown file to update (default: {DOCS}; "
                                      "none with --quick)")
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
    rows = run_all(args.rounds, args.quick, only=args.only)
    block = markdown(rows, info, command, time.perf_counter() - t0)
    print(block)
    out = args.out or (None if args.quick else DOCS)
    if out:
        write_report(out, block)
        print(f"wrote {out}")
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
