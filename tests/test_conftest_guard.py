"""The guard of tests/conftest.py: a test that ran no check fails.

Run in a child pytest on a scratch folder holding a copy of our conftest.py and the same
ini option (``enable_assertion_pass_hook``), so each kind of check is tried for real.
"""

import pathlib
import re
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent

CASES = '''
import pytest
import autograd
from autograd import Value, assert_grad, gradcheck

def test_returns_before_any_assert():
    x = 1.0
    if x > 0:
        return
    assert x < 0

def test_continues_past_every_case():
    for x in (1.0, 2.0):
        if x > 0:
            continue
        assert x < 0

def test_an_assert_that_ran():
    assert 1 + 1 == 2

def test_pytest_raises():
    with pytest.raises(ZeroDivisionError):
        1 / 0

def test_pytest_warns():
    import warnings
    with pytest.warns(UserWarning):
        warnings.warn("w")

def test_explicit_skip():
    pytest.skip("nothing to check here: the reason is stated")

def test_gradcheck_that_raises_on_a_mismatch():
    gradcheck(lambda x: x * x, [1.5])

def test_gradcheck_whose_answer_is_dropped():
    gradcheck(lambda x: x * x, [1.5], raise_exception=False)

def test_assert_grad():
    x = Value(3.0)
    (x * x).backward()
    assert_grad(x, 6.0)

def test_a_failing_assert_still_fails_as_itself():
    assert 1 == 2
'''

EXPECTED = {
    "test_returns_before_any_assert": "FAILED",
    "test_continues_past_every_case": "FAILED",
    "test_an_assert_that_ran": "PASSED",
    "test_pytest_raises": "PASSED",
    "test_pytest_warns": "PASSED",
    "test_explicit_skip": "SKIPPED",
    "test_gradcheck_that_raises_on_a_mismatch": "PASSED",
    "test_gradcheck_whose_answer_is_dropped": "FAILED",
    "test_assert_grad": "PASSED",
    "test_a_failing_assert_still_fails_as_itself": "FAILED",
}


def test_a_test_that_ran_no_check_fails_and_every_kind_of_check_counts(tmp_path):
    for helper in ("conftest.py", "browser.py"):  # conftest serves browser's fixtures
        shutil.copy(HERE / helper, tmp_path / helper)
    (tmp_path / "pytest.ini").write_text("[pytest]\nenable_assertion_pass_hook = true\n")
    (tmp_path / "test_cases.py").write_text(CASES)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", "-p", "no:randomly",
         str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    outcomes = dict((name, outcome) for outcome, name in re.findall(
        r"^(PASSED|FAILED|SKIPPED|ERROR) test_cases\.py::(\w+)", result.stdout, re.M))
    # skips are reported by file and line, not by name
    if "SKIPPED" in result.stdout and "test_explicit_skip" not in outcomes:
        outcomes["test_explicit_skip"] = "SKIPPED"
    assert outcomes == EXPECTED, result.stdout[-4000:]
    assert result.stdout.count("passed without running a check") >= 3
    assert "assert 1 == 2" in result.stdout  # a real failure keeps its own message
