"""Headless Chromium for the page tests: the ``browser`` and ``watched`` fixtures.

A helper module, not a test module (no test imports another): the browser test files
import the fixtures from here, after deciding whether Chromium and Playwright exist.
``tests/conftest.py`` registers it for assert rewriting, so ``watched``'s check of the
console reports like a test's own assert.
"""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium")


def require_browser(what: str) -> None:
    """Skip the calling test module, with one line saying how to enable it, when
    Chromium or Playwright is missing; unless ``AUTOGRAD_REQUIRE_BROWSER=1`` (set by
    ``.ci/run``), which makes that a failure.  Call it at module level."""
    reason = None
    if CHROMIUM is None:
        reason = (f"browser tests of {what} skipped: no `chromium` on PATH "
                  f"(enable them with `apt-get install -y chromium`)")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:  # pragma: no cover - the test extra installs it
            reason = (f"browser tests of {what} skipped: the `playwright` package is "
                      f"missing (enable them with `pip install -e '.[test]'`)")
    if reason is None:
        return
    if os.environ.get("AUTOGRAD_REQUIRE_BROWSER") == "1":
        raise RuntimeError(reason.replace("skipped", "cannot run") +
                           "; AUTOGRAD_REQUIRE_BROWSER=1 requires them")
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Watched:
    """A page whose console errors, page errors and non-local requests are recorded."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1280, "height": 860})
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: r.url.startswith(("file:", "data:")) or
                     self.problems.append(f"request: {r.url}"))

    def open(self, path):
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("#details h2")
        return self.page


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    problems = list(w.problems)
    w.page.close()
    assert not problems, problems
