"""The ``autograd`` command: ``grad``, ``explain``, ``draw``, ``explore`` and ``check``.

    autograd grad    "y = x**2 + 3*x" --set x=2
    autograd explain "h = sigmoid(w*x + b); L = (1 - h)**2" --set w=1 x=-2 b=0 --wrt w
    autograd draw    program.txt --set w=1 x=-2 b=0 -o graph.svg
    autograd explore program.txt --set w=1 x=-2 b=0 -o graph.html
    autograd check   program.txt --set w=1 x=-2 b=0 --work hand.txt
    autograd worksheet program.txt --set w=1 x=-2 b=0 --wrt w --lr 0.1 -o sheet.html
    autograd exercise two-layer --seed 3 -o ex.md --key key.txt
    autograd check   --exercise two-layer --seed 3 --work key.txt

The program is inline text or a file; see :mod:`autograd.program` for what it may
contain.  Errors go to stderr with the line and column, and the exit status is 2.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from collections.abc import Sequence

from .check import check_work
from .draw import DEFAULT_MAX_NODES, GraphTooLargeError, render
from .exercises import KINDS as EXERCISE_KINDS
from .exercises import exercise
from .explain import DEFAULT_MAX_PATHS, explain
from .explore import explore
from .fileio import write_atomically
from .functional import grad
from .layout import LAYOUT_TIMEOUT
from .notation import MAX_LINE_CHARS, NotationError
from .program import MAX_PROGRAM_CHARS, Program, ProgramError, run_program
from .worksheets import worksheet

__all__ = ["main", "build_parser"]


MAX_DIGITS = 17  # a float64 is fully written with 17 significant digits
# Listing paths costs time and text in proportion to their number (2**60 paths exist in a
# 60-line program): more than a thousand is unreadable, and 10**6 ran past 30 s and 2 GB.
MAX_PATHS = 1000


class UsageError(Exception):
    """A mistake on the command line (not in the program)."""


def _parse_set(items: list[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    given: dict[str, str] = {}  # normalised name -> as typed
    for item in items:
        typed, sep, number = item.partition("=")
        typed = typed.strip()
        if not sep or not typed:
            raise UsageError(f"--set expects NAME=NUMBER, got {item!r}")
        # Python reads identifiers NFKC-normalised (y = ｘ*2 uses x): so are these names.
        name = unicodedata.normalize("NFKC", typed)
        if name in values:
            same = "" if given[name] == typed else f" (as {given[name]!r} and {typed!r})"
            raise UsageError(f"--set {name} is given twice{same}")
        given[name] = typed
        try:
            values[name] = float(number)
        except ValueError:
            raise UsageError(f"--set {name}: {number.strip()!r} is not a number") from None
    return values


def _not_utf8(raw: bytes, where: str) -> UsageError:
    """The error for text that is not UTF-8, naming the first bad byte and its place."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        at = f"line {line}, byte {e.start + 1}" if b"\n" in raw else f"byte {e.start + 1}"
        return UsageError(f"{where} is not UTF-8 text: byte 0x{raw[e.start]:02x} at {at} "
                          f"cannot be decoded")
    return UsageError(f"{where} is not UTF-8 text")  # pragma: no cover


def _read_program(arg: str) -> tuple[str, str]:
    """(text, source name): a file if one exists at ``arg``, else ``arg`` itself."""
    if os.path.isfile(arg):
        try:
            with open(arg, "rb") as f:
                # One byte more than the most a program may take in UTF-8 is enough for
                # run_program to refuse it.
                raw = f.read(4 * MAX_PROGRAM_CHARS + 1)
        except OSError as e:
            raise UsageError(f"cannot read {arg!r}: {e.strerror or e}") from None
        if len(raw) > 4 * MAX_PROGRAM_CHARS:  # more characters than allowed, surely
            raise UsageError(f"the program file {arg!r} is too large: a program has at "
                             f"most {MAX_PROGRAM_CHARS} characters")
        try:
            return raw.decode("utf-8"), arg
        except UnicodeDecodeError:
            raise _not_utf8(raw, f"the program file {arg!r}") from None
    if os.path.exists(arg):  # a directory, a device like /dev/zero, a FIFO
        kind = "a directory" if os.path.isdir(arg) else "not a regular file"
        raise UsageError(f"{arg!r} is {kind}; the program is a file of assignments or "
                         f"the text itself, e.g. 'y = x**2'")
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in argv arrive as lone surrogates
        raise _not_utf8(os.fsencode(arg), "the program") from None
    if re.fullmatch(r"[\w./\\~-]+", arg):  # looks like a path, not like a program
        raise UsageError(f"no such program file {arg!r} (an inline program has "
                         f"assignments like 'y = x**2')")
    return arg, "<program>"


def _run(args) -> Program:
    text, source = _read_program(args.program)
    sets: list[str] = [item for group in (args.set or []) for item in group]
    for item in sets:
        try:
            item.encode("utf-8")
        except UnicodeEncodeError:
            raw = os.fsencode(item)
            shown = raw.decode("utf-8", "backslashreplace")
            raise _not_utf8(raw, f"--set '{shown}'") from None
    values = _parse_set(sets)
    try:
        return run_program(text, values, source)
    except ValueError as e:
        if isinstance(e, ProgramError):
            raise
        raise UsageError(f"--set: {e}") from None


def _named(program: Program, name: str, option: str):
    if name not in program.values:
        raise UsageError(f"{option} {name!r} is not a name of the program; names: "
                         f"{', '.join(program.values)}")
    return program.values[name]


def _cmd_grad(args, out) -> None:
    program = _run(args)
    y, name = program.output, program.output_name
    inputs = list(program.inputs.values())
    print(f"{name} = {y.data:.{args.digits}g}", file=out)
    for leaf, g in zip(inputs, grad(y, inputs)):
        print(f"d{name}/d{leaf.label} = {g:.{args.digits}g}", file=out)


def _cmd_explain(args, out) -> None:
    program = _run(args)
    wrt = _named(program, args.wrt, "--wrt")
    # The check line compares with reverse mode's grad: fill it in, as a user of the
    # library would have, so the command never reports that backward() has not run.
    program.output.backward()
    digits = None if args.exact else args.digits
    e = explain(program.output, wrt, digits=digits, max_paths=args.max_paths)
    text = {"text": str, "markdown": type(e)._repr_markdown_,
            "latex": type(e)._repr_latex_}[args.format](e)
    print(text, file=out)


def _cmd_draw(args, out) -> None:
    program = _run(args)
    program.output.backward()
    options = dict(rankdir=args.rankdir, edge_derivatives=not args.no_edge_derivatives,
                   op_nodes=args.op_nodes, max_nodes=args.max_nodes,
                   layout_timeout=args.layout_timeout)
    if args.highlight:
        options["highlight"] = _named(program, args.highlight, "--highlight")
    if args.focus:
        options["focus"] = _named(program, args.focus, "--focus")
    path = render(program.output, args.output, **options)
    print(f"wrote {path}", file=out)


def _cmd_explore(args, out) -> None:
    program = _run(args)
    program.output.backward()  # as draw and explain: the page never says it has not run
    highlight = _named(program, args.highlight, "--highlight") if args.highlight else None
    explorer = explore(program.output, args.output, highlight=highlight,
                       rankdir=args.rankdir, max_nodes=args.max_nodes,
                       quiz=args.quiz or False)
    print(f"wrote {explorer.path} (open it in a browser)", file=out)


MAX_WORK_CHARS = 1_000_000  # a hand calculation is pages, not megabytes


def _read_work(arg: str) -> tuple[str, str]:
    """(text, name) of the learner's work: a file, or standard input for ``-``."""
    if arg == "-":
        raw = sys.stdin.buffer.read(4 * MAX_WORK_CHARS + 1)
        where = "<stdin>"
    else:
        if not os.path.isfile(arg):
            raise UsageError(f"--work: no such file {arg!r}" if not os.path.exists(arg)
                             else f"--work: {arg!r} is not a regular file")
        try:
            with open(arg, "rb") as f:
                raw = f.read(4 * MAX_WORK_CHARS + 1)
        except OSError as e:
            raise UsageError(f"cannot read {arg!r}: {e.strerror or e}") from None
        where = arg
    if len(raw) > 4 * MAX_WORK_CHARS:
        raise UsageError(f"the work {where} is too large (at most {MAX_WORK_CHARS} "
                         f"characters)")
    try:
        return raw.decode("utf-8-sig"), where
    except UnicodeDecodeError:
        raise _not_utf8(raw, f"the work {where}") from None


def _cmd_check(args, out) -> int:
    root = _exercise_or_program(args)
    text, where = _read_work(args.work)
    if args.lr is not None and not (args.lr == args.lr and abs(args.lr) != float("inf")):
        raise UsageError(f"--lr must be a finite number, got {args.lr}")
    try:
        result = check_work(root, text, lr=args.lr, names=False)
    except NotationError as e:  # the learner's file, by line and column
        raise UsageError(f"{where}:{e.line}:{e.column}: {e.message}") from None
    print(result, file=out)
    return 0 if result.ok else 1


# --- worksheets and exercises -----------------------------------------------------------


def _exercise_or_program(args):
    """The graph ``check`` marks: an exercise's (``--exercise KIND --seed N``) or the
    program's output."""
    kind = getattr(args, "exercise", None)
    if kind is None:
        if args.program is None:
            raise UsageError("check needs a program, or --exercise KIND --seed N")
        return _run(args).output
    if args.program is not None or args.set:
        raise UsageError("--exercise replaces the program: give one or the other")
    return exercise(kind, args.seed).root


def _exercise_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--exercise", choices=EXERCISE_KINDS, default=None,
                   help="check the work of `autograd exercise KIND --seed N` instead")
    p.add_argument("--seed", type=int, default=0, help="the exercise's seed (0)")


def _write_sheet(sheet, args, out) -> None:
    if args.output:
        path = sheet.save(args.output)
        print(f"wrote {path}", file=out)
    else:
        print(sheet.text(), end="", file=out)
    if args.key:
        write_atomically(args.key, sheet.answers())
        print(f"wrote {args.key} (the answer key)", file=out)


def _cmd_worksheet(args, out) -> None:
    program = _run(args)
    wrt = [_named(program, name, "--wrt") for name in args.wrt] if args.wrt else None
    digits = None if args.exact else args.digits
    sheet = worksheet(program.output, wrt, lr=args.lr, digits=digits, blanks=args.blanks,
                      names=False)
    _write_sheet(sheet, args, out)


def _cmd_exercise(args, out) -> None:
    _write_sheet(exercise(args.kind, args.seed).worksheet, args, out)


def _sheet_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", default=None,
                   help="write .md, .tex, .html or .txt (default: the lines to stdout)")
    p.add_argument("--key", default=None, metavar="FILE",
                   help="also write the answer key (the lines with every blank filled)")


def _worksheet_commands(sub, command) -> None:
    w = command("worksheet", "write the hand calculation: forward pass, chain rule, step")
    w.add_argument("--wrt", nargs="+", metavar="NAME",
                   help="the names to differentiate with respect to (default: every input)")
    w.add_argument("--lr", type=float, default=None, help="add the SGD step with this rate")
    w.add_argument("--digits", type=int, default=3,
                   help=f"significant digits carried, 1 to {MAX_DIGITS} (3)")
    w.add_argument("--exact", action="store_true", help="no rounding")
    w.add_argument("--blanks", action="store_true",
                   help="every computed number a numbered blank")
    _sheet_options(w)
    w.set_defaults(run=_cmd_worksheet)

    e = sub.add_parser("exercise", help="write a fresh exercise and its answer key",
                       description="write a fresh exercise (a blank worksheet) by seed")
    e.add_argument("kind", choices=EXERCISE_KINDS)
    e.add_argument("--seed", type=int, default=0, help="the same seed, the same exercise (0)")
    _sheet_options(e)
    e.set_defaults(run=_cmd_exercise)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``autograd`` command."""
    parser = argparse.ArgumentParser(
        prog="autograd",
        description="Differentiate, explain and draw a small program of assignments, "
                    "e.g. 'h = sigmoid(w*x + b); L = (1 - h)**2'. The last name assigned "
                    "is the output.")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str, optional: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("program", nargs="?" if optional else None,
                       help="the program: a file, or the text itself"
                       + (" (or --exercise)" if optional else ""))
        p.add_argument("--set", nargs="+", action="append", metavar="NAME=NUMBER",
                       help="values of the program's inputs, e.g. --set w1=1 x1=-2")
        return p

    g = command("grad", "print the output's value and its derivative for every input")
    g.add_argument("--digits", type=int, default=6,
                   help=f"significant digits, 1 to {MAX_DIGITS} (6)")
    g.set_defaults(run=_cmd_grad)

    e = command("explain", "print the chain rule for one derivative")
    e.add_argument("--wrt", required=True, help="the name to differentiate with respect to")
    e.add_argument("--digits", type=int, default=3,
                   help=f"significant digits of the hand calculation, 1 to {MAX_DIGITS} (3)")
    e.add_argument("--exact", action="store_true", help="no rounding")
    e.add_argument("--max-paths", type=int, default=DEFAULT_MAX_PATHS,
                   help=f"list at most this many paths, 1 to {MAX_PATHS} "
                        f"({DEFAULT_MAX_PATHS})")
    e.add_argument("--format", choices=("text", "markdown", "latex"), default="text")
    e.set_defaults(run=_cmd_explain)

    d = command("draw", "write the graph as .svg, .png, .pdf or .dot")
    d.add_argument("-o", "--output", required=True, help="the file to write")
    d.add_argument("--rankdir", choices=("TB", "LR"), default=None,
                   help="top to bottom (the default) or left to right")
    d.add_argument("--op-nodes", action="store_true",
                   help="each op a node of its own (micrograd's style, with --rankdir LR)")
    d.add_argument("--highlight", help="draw every path to this name in red")
    d.add_argument("--focus", help="draw only what feeds this name")
    d.add_argument("--no-edge-derivatives", action="store_true",
                   help="leave the local derivatives off the edges")
    d.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES,
                   help=f"refuse larger graphs ({DEFAULT_MAX_NODES})")
    d.add_argument("--layout-timeout", type=float, default=LAYOUT_TIMEOUT, metavar="SECONDS",
                   help=f"stop a layout that takes longer ({LAYOUT_TIMEOUT:g})")
    d.set_defaults(run=_cmd_draw)

    x = command("explore", "write the graph as one interactive HTML page")
    x.add_argument("-o", "--output", required=True, help="the .html file to write")
    x.add_argument("--highlight", help="select this name when the page opens")
    x.add_argument("--rankdir", choices=("TB", "LR"), default=None)
    x.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES,
                   help=f"refuse larger graphs ({DEFAULT_MAX_NODES})")
    x.add_argument("--quiz", nargs="?", const="backward", choices=("backward", "forward"),
                   help="hide the gradients (or with 'forward', the values) and ask for "
                        "each, checking the answers")
    x.set_defaults(run=_cmd_explore)

    c = command("check", "check a hand calculation line by line (exit 1 on a wrong line)",
                optional=True)
    c.add_argument("--work", required=True, metavar="FILE",
                   help="the learner's work in the line notation, e.g. "
                        "'dL/dw1 = dL/dh1 * dh1/dw1 = 0.0214' ('-' reads standard input; "
                        f"lines of at most {MAX_LINE_CHARS} characters)")
    c.add_argument("--lr", type=float, default=None,
                   help="the learning rate, for update lines (w1 <- w1 - lr*dL/dw1)")
    c.set_defaults(run=_cmd_check)
    _exercise_options(c)
    _worksheet_commands(sub, command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``autograd`` command; returns the exit status (0, 1 or 2).

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).

    Returns:
        0 on success; 1 when ``check`` finds a line of the work that is not right; 2 when
        the command line, the program or the work is rejected or fails.

    >>> main(["grad", "y = x**2", "--set", "x=3"])
    y = 9
    dy/dx = 6
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    digits = getattr(args, "digits", 1)
    if digits is not None and not 1 <= digits <= MAX_DIGITS:
        # a float has 17 significant digits: more only prints noise (or megabytes of it)
        parser.error(f"--digits must be between 1 and {MAX_DIGITS}, got {digits}")
    max_paths = getattr(args, "max_paths", 1)
    if not 1 <= max_paths <= MAX_PATHS:
        parser.error(f"--max-paths must be between 1 and {MAX_PATHS}, got {max_paths}")
    try:
        status = args.run(args, sys.stdout) or 0
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`autograd grad ... | head`): not an error to report. As the
        # Python docs advise, point stdout at devnull so the exit-time flush stays quiet.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except (ProgramError, UsageError, GraphTooLargeError, OSError, RuntimeError, ValueError) as e:
        print(f"autograd: error: {e}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
