"""The `autograd` command on careless input: bad bytes, odd files, bare expressions.

Oracles: the messages the docs promise (docs/cli.md) and the facts of the input (which
byte is bad, what kind of file a path is).
"""

import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

from autograd.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[2]
AUTOGRAD = os.path.join(os.path.dirname(sys.executable), "autograd")


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_bytes(*argv: bytes):
    """The command with raw bytes in argv, as a shell passes them."""
    return subprocess.run([AUTOGRAD.encode(), *argv], capture_output=True, timeout=60)


def test_invalid_utf8_inline_program_is_named_as_the_program():
    result = run_bytes(b"grad", b"y = x\xff", b"--set", b"x=1")
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "the program is not UTF-8 text: byte 0xff at byte 6" in err
    assert "--set" not in err and "Traceback" not in err


def test_invalid_utf8_in_a_set_value_is_named_as_set():
    result = run_bytes(b"grad", b"y = x", b"--set", b"x\xfe=1")
    err = result.stderr.decode()
    assert result.returncode == 2 and "--set 'x\\xfe=1' is not UTF-8 text" in err


def test_invalid_utf8_program_file(tmp_path, capsys):
    path = tmp_path / "prog.txt"
    path.write_bytes(b"y = x\n\nz = y\xff\n")
    status, _, err = run(capsys, "grad", str(path), "--set", "x=1")
    assert status == 2
    assert f"the program file '{path}' is not UTF-8 text: byte 0xff at line 3" in err


@pytest.mark.parametrize("path, kind", [("/dev/zero", "is not a regular file"),
                                        ("/dev/null", "is not a regular file")])
def test_devices_are_not_program_files(capsys, path, kind):
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    status, _, err = run(capsys, "grad", path)
    assert status == 2 and f"'{path}' {kind}" in err and "no such" not in err


def test_a_directory_is_not_a_program_file(capsys, tmp_path):
    status, _, err = run(capsys, "grad", str(tmp_path))
    assert status == 2 and f"'{tmp_path}' is a directory" in err


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "prog"
    os.mkfifo(fifo)
    # opening a FIFO for reading blocks until a writer comes: the timeout catches a hang
    result = subprocess.run([AUTOGRAD, "grad", str(fifo)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "is not a regular file" in result.stderr


@pytest.mark.parametrize("digits", ["0", "18", "1000000000", "-3"])
def test_digits_out_of_range_are_refused(capsys, digits):
    with pytest.raises(SystemExit) as e:
        main(["grad", "y = x*x", "--set", "x=1", "--digits", digits])
    assert e.value.code == 2
    assert "--digits must be between 1 and 17" in capsys.readouterr().err


def test_seventeen_digits_show_a_float_in_full(capsys):
    status, out, _ = run(capsys, "grad", "y = x/3", "--set", "x=1", "--digits", "17")
    assert status == 0 and out.splitlines()[0] == f"y = {1 / 3:.17g}"


def test_a_bare_expression_is_told_to_become_an_assignment(capsys):
    status, _, err = run(capsys, "grad", "x**2 + 1", "--set", "x=2")
    assert status == 2
    assert "write an assignment, e.g. 'y = x**2 + 1'" in err and "Expr" not in err


def test_explain_from_the_command_line_never_mentions_backward(capsys):
    status, out, _ = run(capsys, "explain", "h = w*x; L = h*h", "--set", "w=1", "x=2",
                         "--wrt", "w")
    assert status == 0
    assert "backward() has not run" not in out
    assert "check: exactly dL/dw = 8 = w.grad, by reverse mode" in out


def test_the_docs_refused_examples_show_their_own_refusals(capsys):
    text = (ROOT / "docs" / "cli.md").read_text()
    block = re.search(r"refused with exit status 2.*?```console\n(.*?)```.*?```text\n(.*?)```",
                      text, re.S)
    commands = [line for line in block.group(1).splitlines() if line.startswith("$ ")]
    messages = block.group(2).splitlines()
    assert len(commands) == len(messages) >= 5
    for command, message in zip(commands, messages):
        argv = shlex.split(command[2:].split(" # exit status")[0])
        status, _, err = run(capsys, *argv[1:])
        assert status == 2 and err.strip() == message, command


@pytest.mark.parametrize("program, message", [
    ("y: float = 1", "type annotations are not allowed: write 'name = expression'"),
    ("y = x @ x", "operator @ is not allowed"),
    ("y = x << 1", "operator << is not allowed"),
])
def test_refusals_name_what_the_user_wrote_not_ast_classes(capsys, program, message):
    status, _, err = run(capsys, "grad", program, "--set", "x=1")
    assert status == 2 and message in err
    assert not re.search(r"AnnAssign|MatMult|LShift", err)


# --- bounds and names (issue 17, items 11, 12 and 14) ---------------------------------------

def _limited(cpu_seconds: int):
    """A preexec_fn that caps the child's CPU time (the layout's own child gets its own
    cap, inherited): the command is killed, not merely slow, past the bound."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    return limit


def test_explore_is_linear_when_every_node_is_labelled(tmp_path):
    # 1,990 statements, each a labelled node (under max_nodes): was 28 s and a 74 MB page.
    lines = ["x = 0.5"] + [f"a{k} = sin({'a' + str(k - 1) if k > 1 else 'x'})"
                           for k in range(1, 1990)]
    program = tmp_path / "long.txt"
    program.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "long.html"
    done = subprocess.run([AUTOGRAD, "explore", str(program), "-o", str(out)],
                          capture_output=True, text=True, preexec_fn=_limited(10),
                          timeout=600)
    assert done.returncode == 0, done.stderr
    # Linear: a few kilobytes per node, not a chain rule of every depth for each.
    assert out.stat().st_size < 4000 * len(lines)


def test_max_paths_is_bounded(capsys):
    status = None
    with pytest.raises(SystemExit) as e:
        run(capsys, "explain", "y = x*x", "--set", "x=1", "--wrt", "x", "--max-paths",
            "1001")
    status = e.value.code
    assert status == 2
    assert "--max-paths must be between 1 and 1000, got 1001" in capsys.readouterr().err


def test_the_largest_max_paths_stays_bounded(tmp_path):
    # 2**60 paths; listing the most allowed must finish within a CPU-time bound.
    lines = ["a0 = x*x"] + [f"a{k} = a{k - 1}*a{k - 1}" for k in range(1, 60)]
    done = subprocess.run([AUTOGRAD, "explain", "; ".join(lines), "--set", "x=1",
                           "--wrt", "x", "--max-paths", "1000"],
                          capture_output=True, text=True, preexec_fn=_limited(10),
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert "the other paths (1e+15 or more in all), folded" in done.stdout


def test_set_names_are_normalised_like_program_names(capsys):
    status, out, err = run(capsys, "grad", "y = ｘ*2", "--set", "ｘ=3")
    assert (status, err) == (0, "")
    assert out == "y = 6\ndy/dx = 2\n"
    status, out, err = run(capsys, "grad", "y = x*2", "--set", "x=3", "ｘ=4")
    assert status == 2
    assert "--set x is given twice (as 'x' and 'ｘ')" in err
