import functools
import os

import pytest
from hypothesis import settings

import autograd
import autograd.explain
import autograd.gradcheck

# Helpers whose asserts are checks of the tests that call them (the docs' printed outputs).
pytest.register_assert_rewrite("markdown_blocks")
# The shared oracles' asserts report like a test's own (see tests/oracles.py).
pytest.register_assert_rewrite("oracles")
pytest.register_assert_rewrite("browser")
pytest.register_assert_rewrite("pages")

# The page tests' fixtures (headless Chromium); only the browser test modules ask for them.
from browser import browser, watched  # noqa: E402, F401, I001

# CI runs a fixed, moderate number of examples; locally `HYPOTHESIS_PROFILE=dev` runs more.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --- no test passes without a check ------------------------------------------------------
#
# A test that returns (or `continue`s past every case) before any check passes having
# checked nothing.  So every test must run at least one check: an `assert` that ran
# (pytest's assertion rewriting reports each one that passes, with
# `enable_assertion_pass_hook` in pyproject.toml), `pytest.raises` / `pytest.warns`,
# Playwright's `expect`, or autograd's own checkers (`gradcheck`, `assert_grad`, which
# raise on a mismatch).  A case with nothing to check is an explicit `pytest.skip(reason)`.
# Asserts in helper modules count only if pytest rewrites them (`register_assert_rewrite`).

CHECKS = [0]  # checks run by the test now running


def count_check() -> None:
    """Count one check (for a helper whose checks pytest does not see, e.g. a subprocess's)."""
    CHECKS[0] += 1


def pytest_assertion_pass(item, lineno, orig, expl):
    count_check()


def _counting(fn, counts=lambda *args, **kwargs: True):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if counts(*args, **kwargs):
            count_check()
        return fn(*args, **kwargs)

    return wrapper


for _name in ("raises", "warns", "deprecated_call"):
    setattr(pytest, _name, _counting(getattr(pytest, _name)))
# gradcheck checks only when it raises on a mismatch (raise_exception=False returns a bool
# that a test must assert).
_gradcheck = _counting(autograd.gradcheck,
                       lambda *a, raise_exception=True, **k: bool(raise_exception))
autograd.gradcheck = autograd.gradcheck.gradcheck = _gradcheck
autograd.assert_grad = autograd.explain.assert_grad = _counting(autograd.assert_grad)
try:
    import playwright.sync_api as _pw
except ImportError:  # pragma: no cover - the browser extra is not installed
    pass
else:
    _pw.expect = _counting(_pw.expect)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    CHECKS[0] = 0
    result = yield
    if CHECKS[0] == 0:
        pytest.fail(f"{item.nodeid} passed without running a check (an assert, "
                    f"pytest.raises/warns, expect, gradcheck or assert_grad); check the "
                    f"stated convention, or pytest.skip(reason) if there is nothing to check",
                    pytrace=False)
    return result
