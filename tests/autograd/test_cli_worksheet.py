"""`autograd worksheet`, `autograd exercise` and `autograd check --exercise`."""

import pytest

from autograd import exercise
from autograd.cli import main

ALICE = ("h1 = sigmoid(w1*x1 + w2*x2 + b1); h2 = sigmoid(w3*x1 + w4*x2 + b2); "
         "ypred = sigmoid(w5*h1 + w6*h2 + b3); L = (1 - ypred)**2")
SETS = ["--set", "w1=1", "w2=1", "w3=1", "w4=1", "w5=1", "w6=1", "b1=0", "b2=0", "b3=0",
        "x1=-2", "x2=-1"]
D4_CHAIN = "dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214"


def test_worksheet_to_stdout_carries_d4s_numbers(capsys):
    assert main(["worksheet", ALICE, *SETS, "--wrt", "w1", "w5", "--lr", "0.1"]) == 0
    out = capsys.readouterr().out
    assert D4_CHAIN in out.splitlines()
    assert "w1 ← w1 - η * dL/dw1 = 1 - 0.1*0.0214 = 0.99786" in out
    assert "# dL/dw5" in out and "# dL/dw2" not in out


@pytest.mark.parametrize("suffix,start", [(".md", "# Worksheet"), (".tex", r"\documentclass"),
                                          (".html", "<!DOCTYPE html>")])
def test_worksheet_file_by_extension(tmp_path, capsys, suffix, start):
    path = tmp_path / f"alice{suffix}"
    assert main(["worksheet", ALICE, *SETS, "--wrt", "w1", "-o", str(path)]) == 0
    assert path.read_text(encoding="utf-8").startswith(start)
    assert "0.0214" in path.read_text(encoding="utf-8")
    assert capsys.readouterr().out == f"wrote {path}\n"


def test_worksheet_blanks_and_key(tmp_path, capsys):
    key = tmp_path / "key.txt"
    assert main(["worksheet", ALICE, *SETS, "--wrt", "w1", "--blanks", "--key", str(key)]) == 0
    out = capsys.readouterr().out
    assert "dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = ___" in out
    assert "dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = 0.0214" in key.read_text()


def test_worksheet_bad_input_exits_2(tmp_path, capsys):
    assert main(["worksheet", ALICE, *SETS, "--wrt", "nope"]) == 2
    assert "--wrt 'nope' is not a name" in capsys.readouterr().err
    assert main(["worksheet", ALICE, *SETS, "-o", str(tmp_path / "a.pdf")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert not (tmp_path / "a.pdf").exists()
    assert main(["worksheet", ALICE, *SETS, "--lr", "nan"]) == 2
    assert "lr must be a finite number" in capsys.readouterr().err


def test_exercise_writes_the_sheet_and_the_key_and_check_marks_it(tmp_path, capsys):
    sheet, key = tmp_path / "ex.md", tmp_path / "key.txt"
    assert main(["exercise", "two-layer", "--seed", "3", "-o", str(sheet), "--key",
                 str(key)]) == 0
    capsys.readouterr()
    assert "___" in sheet.read_text() and key.read_text() == exercise("two-layer", 3).answers()
    assert main(["check", "--exercise", "two-layer", "--seed", "3", "--work", str(key)]) == 0
    assert "lines right" in capsys.readouterr().out
    lines = key.read_text().splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("h1 = "))
    head, _, number = lines[i].rpartition(" = ")
    lines[i] = f"{head} = {-float(number):#.3g}"
    key.write_text("\n".join(lines) + "\n")
    assert main(["check", "--exercise", "two-layer", "--seed", "3", "--work", str(key)]) == 1
    assert f"the first mistake is on line {i + 1}" in capsys.readouterr().out


def test_exercise_to_stdout_is_deterministic(capsys):
    assert main(["exercise", "expression", "--seed", "5"]) == 0
    first = capsys.readouterr().out
    assert main(["exercise", "expression", "--seed", "5"]) == 0
    assert capsys.readouterr().out == first == exercise("expression", 5).worksheet.text()


def test_check_needs_a_program_or_an_exercise(tmp_path, capsys):
    work = tmp_path / "w.txt"
    work.write_text("u = 1\n")
    assert main(["check", "--work", str(work)]) == 2
    assert "--exercise" in capsys.readouterr().err
    assert main(["check", "y = x*2", "--set", "x=1", "--exercise", "neuron",
                 "--work", str(work)]) == 2
    assert "one or the other" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["exercise", "network"])
