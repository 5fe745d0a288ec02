"""``autograd check``: the annotated work, and exit 0 (all right), 1 (a wrong line), 2 (bad
input, one line naming the learner's file, line and column)."""

import io
import subprocess
import sys
from pathlib import Path

import pytest

from autograd.cli import main

NET = ("h1 = sigmoid(w1*x1 + w2*x2 + b1); h2 = sigmoid(w3*x1 + w4*x2 + b2)\n"
       "ypred = sigmoid(w5*h1 + w6*h2 + b3); L = (y - ypred)**2")
SET = ["--set", "w1=1", "w2=1", "w3=1", "w4=1", "w5=1", "w6=1", "b1=0", "b2=0", "b3=0",
       "x1=-2", "x2=-1", "y=1"]
# D4's derivation without its o1 line (the program calls that neuron ypred only)
D4 = "\n".join(line for line in (Path(__file__).resolve().parents[1] / "data" / "d4_alice.txt")
               .read_text(encoding="utf-8").splitlines() if not line.startswith("o1"))


def run(tmp_path, work: str, *extra: str, capsys):
    path = tmp_path / "hand.txt"
    path.write_text(work, encoding="utf-8")
    status = main(["check", NET, *SET, "--work", str(path), *extra])
    out, err = capsys.readouterr()
    return status, out, err


def test_d4_checks_clean_with_exit_0(tmp_path, capsys):
    status, out, err = run(tmp_path, D4, capsys=capsys)
    assert status == 0 and err == ""
    assert "7 of 7 lines right" in out
    assert "✔ ∂L/∂w1 = −0.952 ∗ 0.249 ∗ −0.0904 = 0.0214" in out
    assert "0.0215" in out  # the note: the exact value rounds to 0.0215


def test_a_wrong_line_exits_1_with_its_diagnosis(tmp_path, capsys):
    work = D4.replace("−2(1 − ypred) = −2(1 − 0.524) = −0.952", "2(1 − ypred) = 0.952")
    status, out, err = run(tmp_path, work, capsys=capsys)
    assert status == 1 and err == ""
    assert "✘ ∂L/∂ypred = 2(1 − ypred) = 0.952" in out
    assert "    sign: The sign is flipped" in out
    assert "the first mistake is on line 5 (sign)" in out


@pytest.mark.parametrize("work, where", [
    ("h1 = 0.0474\nh3 = 0.5\n", ":2:1: unknown name 'h3'"),
    ("# heading\n\nh1 = (0.0474\n", ":3:13: missing ')'"),
    ("h1 = 0.0474 $\n", ":1:13: unexpected character '$'"),
])
def test_bad_work_exits_2_naming_file_line_and_column(tmp_path, capsys, work, where):
    status, out, err = run(tmp_path, work, capsys=capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("autograd: error: ") and f"hand.txt{where}" in err


def test_update_lines_need_lr(tmp_path, capsys):
    work = "w1 ← w1 − η ∂L/∂w1 = 0.998\n"
    status, out, _ = run(tmp_path, work, "--lr", "0.1", capsys=capsys)
    assert status == 0, out
    status, out, _ = run(tmp_path, work, capsys=capsys)
    assert status == 1 and "? w1 ← w1" in out and "lr" in out
    status, _, err = run(tmp_path, work, "--lr", "nan", capsys=capsys)
    assert status == 2 and "--lr" in err


def test_missing_or_undecodable_work_exits_2(tmp_path, capsys):
    status = main(["check", NET, *SET, "--work", str(tmp_path / "nope.txt")])
    assert status == 2 and "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"h1 = 0.0474\n\xff\n")
    status = main(["check", NET, *SET, "--work", str(bad)])
    assert status == 2 and "not UTF-8" in capsys.readouterr().err


def test_work_from_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(D4.encode("utf-8"))))
    assert main(["check", NET, *SET, "--work", "-"]) == 0
    assert "7 of 7 lines right" in capsys.readouterr().out


def test_the_installed_command(tmp_path):
    """The real process: stdin piped, exit status as documented."""
    exe = Path(sys.executable).with_name("autograd")
    proc = subprocess.run([str(exe), "check", NET, *SET, "--work", "-"],
                          input="h1 = 0.0474\nh2 = 0.524\n", capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 1
    assert "other_node: This is the value of ypred" in proc.stdout
