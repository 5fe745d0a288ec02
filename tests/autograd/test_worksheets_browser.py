"""Worksheet pages in a real browser: headless Chromium opens them from disk.

Any console error, uncaught exception, or request other than the page itself fails the
test; the MathML must lay out (D4's numbers are visible text of the page).  Skipped, with
one line saying how to enable it, without ``chromium`` and Playwright (unless
``AUTOGRAD_REQUIRE_BROWSER=1``).
"""


import pytest
from browser import require_browser
from sheets import alice_sheet

from autograd import exercise

require_browser("worksheets")


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems, requests


@pytest.mark.parametrize("blanks", [False, True])
def test_alice_worksheet_opens_from_disk_with_no_error_and_no_request(browser, tmp_path,
                                                                      blanks):
    ws, _ = alice_sheet(lr=0.1, blanks=blanks)
    path = ws.save(tmp_path / "alice.html")
    page, problems, requests = _open(browser, path)
    assert problems == [] and requests == [path.as_uri()]
    maths = page.locator("math")
    assert maths.count() >= 6
    # MathML laid out: every formula has a size on the page
    box = maths.nth(2).bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 20
    text = page.locator("body").inner_text()
    assert "0.0474" in text or blanks
    if not blanks:
        assert "0.0214" in text and "0.524" in text and "0.0904" in text
    page.close()


def test_exercise_sheet_opens(browser, tmp_path):
    path = exercise("expression", seed=2).worksheet.save(tmp_path / "ex.html")
    page, problems, requests = _open(browser, path)
    assert problems == [] and requests == [path.as_uri()]
    assert page.locator(".blank").count() == exercise("expression", seed=2).worksheet.blanks
    page.close()
