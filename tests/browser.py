"""Headless Chromium for the page tests: the ``browser`` and ``watched`` fixtures.

A helper module, not a test module (no test imports another): the browser test files
import the fixtures from here, after deciding whether Chromium and Playwright exist.
``tests/conftest.py`` registers it for assert rewriting, so ``watched``'s check of the
console reports like a test's own assert.
"""

import shutil

import pytest

CHROMIUM = shutil.which("chromium")


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
