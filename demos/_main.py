"""Command-line plumbing shared by ``python -m demos`` and ``python -m demos.<name>``."""

from __future__ import annotations

import argparse
import sys
import time

from ._table import format_table

__all__ = ["parse_args", "main_for"]


def parse_args(argv=None, description: str = "") -> argparse.Namespace:
    """The options every demo accepts: ``--out DIR`` and ``--full``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", default="out",
                        help="directory for the SVG and PNG artefacts (default: out/)")
    parser.add_argument("--full", action="store_true",
                        help="use the full epoch counts where the fast default is shorter")
    return parser.parse_args(argv)


def main_for(run, argv=None) -> None:
    """Run one demo's ``run(out, full, echo)``, print its table, exit 1 if a row fails."""
    args = parse_args(argv, (run.__module__ and sys.modules[run.__module__].__doc__) or "")
    start = time.perf_counter()
    rows = run(out=args.out, full=args.full, echo=print)
    print()
    print(format_table(rows))
    print(f"\n{len(rows)} rows, {sum(not r.passed for r in rows)} failed, "
          f"{time.perf_counter() - start:.1f} s")
    sys.exit(0 if all(r.passed for r in rows) else 1)
