"""``python -m demos``: run every reference example and print the verification table.

Exit status 1 if any row fails.  Options: ``--out DIR`` (artefacts, default ``out/``),
``--full`` (the full epoch counts where the fast default is shorter).
"""

from __future__ import annotations

import importlib
import sys
import time

from autograd.fileio import write_atomically

from . import DEMOS
from ._common import out_dir
from ._main import parse_args
from ._table import format_csv, format_markdown, format_table


def main(argv=None) -> int:
    """Run all demos in order; return the exit status."""
    args = parse_args(argv, __doc__)
    rows = []
    start = time.perf_counter()
    for name in DEMOS:
        print(f"\n=== {name} " + "=" * (60 - len(name)))
        t0 = time.perf_counter()
        module = importlib.import_module(f"{__package__}.{name}")
        rows += module.run(out=args.out, full=args.full, echo=print)
        print(f"({name}: {time.perf_counter() - t0:.1f} s)")
    failed = sum(not r.passed for r in rows)
    print("\n=== verification table " + "=" * 47)
    print(format_table(rows))
    directory = out_dir(args.out)
    write_atomically(directory / "verification.md", format_markdown(rows).encode())
    write_atomically(directory / "verification.csv", format_csv(rows).encode())
    print(f"\n{len(rows)} rows: {len(rows) - failed} passed, {failed} failed "
          f"({time.perf_counter() - start:.1f} s)")
    print(f"artefacts, and the full table as verification.md and .csv: {args.out}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
