"""Exercises: deterministic by seed across processes, varied by seed, and marked by
check_work: a blank sheet filled with its own key passes, and one changed answer is
named on its line."""

import os
import random
import re
import subprocess
import sys

import pytest

from autograd import Value, check_work, exercise, grad, topological_order
from autograd.exercises import KINDS
from autograd.notation import parse_work

SEEDS = range(12)


def _key_in(process_env: dict) -> str:
    code = ("from autograd import exercise\n"
            "for kind in ('neuron', 'two-layer', 'expression'):\n"
            "    for seed in (0, 3, 17, 2**40):\n"
            "        e = exercise(kind, seed)\n"
            "        print(kind, seed, e.activation, e.loss)\n"
            "        print(e.worksheet.text())\n"
            "        print(e.answers())\n")
    env = {**os.environ, **process_env}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=300, check=True)
    return run.stdout


def test_same_seed_same_exercise_in_two_processes():
    first = _key_in({"PYTHONHASHSEED": "1"})
    second = _key_in({"PYTHONHASHSEED": "4242"})
    assert first == second and first.count("# Given values") == 24
    assert exercise("neuron", 3).answers() in first


def test_seeds_vary_activation_loss_and_numbers():
    for kind in ("neuron", "two-layer"):
        made = [exercise(kind, s) for s in range(40)]
        assert {e.activation for e in made} == {"sigmoid", "tanh", "relu"}
        assert {e.loss for e in made} == {"mse", "bce"}
        assert len({e.answers() for e in made}) == 40
    assert {exercise("expression", s).activation for s in range(40)} >= {"sigmoid", "tanh"}


@pytest.mark.parametrize("kind", KINDS)
def test_key_passes_check_work(kind):
    for seed in SEEDS:
        e = exercise(kind, seed)
        sheet = e.worksheet
        assert sheet.blanks == sheet.text().count("= ___\n") > 0
        result = check_work(e.root, e.answers(), names=False)
        assert result.ok, str(result)
        assert len(result.lines) >= sheet.blanks


@pytest.mark.parametrize("kind", KINDS)
def test_one_changed_answer_is_named_on_its_line(kind):
    rng = random.Random(kind)
    for seed in SEEDS:
        e = exercise(kind, seed)
        key = e.answers().splitlines()
        blanks = [i for i, line in enumerate(e.worksheet.text().splitlines())
                  if line.endswith("= ___")]
        i = rng.choice(blanks)
        head, _, number = key[i].rpartition(" = ")
        wrong = float(number) * 1.5 + 0.25
        changed = key[:i] + [f"{head} = {wrong:#.3g}"] + key[i + 1:]  # 3 digits written
        result = check_work(e.root, "\n".join(changed) + "\n", names=False)
        assert not result.ok
        assert result.first_error is not None and result.first_error.lineno == i + 1, \
            (kind, seed, key[i], str(result))


def test_blank_sheet_is_valid_input_with_nothing_to_mark_yet():
    e = exercise("two-layer", 5)
    result = check_work(e.root, e.worksheet.text(), names=False)
    assert result.first_error is None
    assert {line.verdict for line in result.lines} == {"right", "cannot check"}


def test_expression_has_a_shared_node_reaching_the_output_twice():
    for seed in SEEDS:
        e = exercise("expression", seed)
        order = topological_order(e.root)
        consumers = {id(n): 0 for n in order}
        for node in order:
            for c in node.inputs:
                consumers[id(c)] += 1
        shared = [n for n in order if not n.is_leaf and consumers[id(n)] >= 2]
        assert shared, seed
        sums = [ln for ln in parse_work(e.answers()) if ln.kind == "derivative"
                and " + " in str(ln.parts[0])]
        assert sums  # the sum over paths is written


def test_key_numbers_are_the_engines():
    e = exercise("neuron", 7)
    (g_w1,) = grad(e.root, e.wrt[:1])
    line = next(ln for ln in parse_work(e.answers()) if ln.target == ("L", "w1"))
    written = line.parts[-1]
    assert abs(written.value - g_w1) <= 2 * abs(g_w1) * 10 ** -2  # three digits, carried


def test_numbers_suit_a_hand_calculation():
    for kind in KINDS:
        for seed in SEEDS:
            e = exercise(kind, seed)
            assert all(1e-3 <= abs(g) <= 100 for g in grad(e.root, e.wrt))
            for n in topological_order(e.root):
                assert n.data == n.data and abs(n.data) < 1e3


def test_built_from_engine_ops_only():
    e = exercise("two-layer", 1)
    assert isinstance(e.root, Value)
    code = "import sys, autograd; autograd.exercise('two-layer', 1); print('nn' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert run.stdout.strip() == "False"


def test_bad_kind_and_seed():
    with pytest.raises(ValueError, match="kinds: neuron, two-layer, expression"):
        exercise("network")
    with pytest.raises(TypeError, match="integer"):
        exercise("neuron", seed=1.5)
    with pytest.raises(TypeError, match="integer"):
        exercise("neuron", seed=True)


def test_negative_and_huge_seeds():
    assert exercise("neuron", -3).answers() == exercise("neuron", -3).answers()
    assert re.search(r"= ___", exercise("expression", 10**30).worksheet.text())


def test_the_parts_an_op_plays_are_its_rules():
    """Which functions exercises use is each rule's ``exercises``: a primitive registered
    now for expressions is drawn by some seed, and its key passes check_work."""
    from autograd.rules import RULES, registered

    assert {n for n, r in RULES.items() if "hidden" in r.exercises} == \
        {exercise("neuron", s).activation for s in range(40)}
    with registered("softclip", 1, lambda ctx, x: x / (1.0 + abs(x)),
                    lambda m, out, ctx, x: (1.0 / (1.0 + abs(x)) ** 2,),
                    "1/(1 + abs(x))**2", expr="x/(1 + abs(x))", exercises=("expression",)):
        made = [exercise("expression", s) for s in range(40)]
        chosen = [e for e in made if e.activation == "softclip"]
        assert chosen
        assert check_work(chosen[0].root, chosen[0].answers(), names=False).ok
    assert all(exercise("expression", s).activation != "softclip" for s in range(40))
