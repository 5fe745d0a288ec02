"""The explorer's quiz in a real browser: right answers, a sign slip, a missing path.

The expected numbers come from sympy; the page is opened from ``file://`` in headless
Chromium like the explorer's own browser tests (whose fixtures these reuse: any console
error, page error or non-local request fails the test).
"""

import sympy as sp
from browser import Watched, require_browser
from oracles import two_paths

from autograd import explore

require_browser("the quiz")

X, Y = sp.symbols("x y")
LOSS = (X * Y) * (X * Y + X)  # L = u*v with u = x*y, v = u + x: x reaches L by 3 paths
AT = {X: 2, Y: 3}


def opened(browser, tmp_path, root, **options):  # noqa: F811 - the fixture, passed in
    path = tmp_path / "quiz.html"
    explore(root, path, **options)
    watched = Watched(browser)
    watched.page.goto(path.as_uri())
    watched.page.wait_for_selector("#quiz-target")
    return watched


def answer(page, text):
    page.fill("#quiz-answer", text)
    page.click("#quiz-check")
    return page.get_attribute("#quiz-feedback", "data-kind")


def test_backward_quiz_right_sign_and_missing_path(browser, tmp_path):  # noqa: F811
    w = opened(browser, tmp_path, two_paths(), quiz=True)
    page = w.page
    U = sp.symbols("u")
    grads = {"v": float((X * Y).subs(AT)),  # dL/dv = u
             "u": float(sp.diff(U * (U + X), U).subs({U: 6, X: 2})),  # v + u = 14
             "y": float(sp.diff(LOSS, Y).subs(AT)),
             "x": float(sp.diff(LOSS, X).subs(AT))}
    # gradients are hidden in the drawing until answered
    assert page.text_content('g.value[data-node="v"] .grad-text') == "grad ?"
    assert page.text_content("#quiz-target") == "dL/dv"
    assert answer(page, f"{grads['v']:g}") == "right"
    assert page.text_content('g.value[data-node="v"] .grad-text') != "grad ?"
    # dL/du: the sign slipped, then the path through v forgotten (14 - 8 = 6), then right
    assert page.text_content("#quiz-target") == "dL/du"
    assert answer(page, f"{-grads['u']:g}") == "sign"
    assert "sign is flipped" in page.text_content("#quiz-feedback")
    assert answer(page, "6") == "missing_path"
    assert answer(page, "14.0") == "right"
    # dL/dy: revealed, with the rule's formula and number
    assert page.text_content("#quiz-target") == "dL/dy"
    page.click("#quiz-reveal")
    feedback = page.text_content("#quiz-feedback")
    assert "Revealed" in feedback and f"= {grads['y']:g}" in feedback
    # dL/dx misses the path L -> v -> x (contributes u*1 = 6): 42, not 48
    assert page.text_content("#quiz-target") == "dL/dx"
    assert answer(page, f"{grads['x'] - 6:g}") == "missing_path"
    assert "L → v → x" in page.text_content("#quiz-feedback")
    assert answer(page, "48") == "right"
    progress = page.text_content("#quiz-progress")
    assert progress == ("Done: 4 questions · 1 right at the first try, 2 after a retry, "
                        "1 revealed.")
    assert page.is_hidden("#quiz-check")
    problems = list(w.problems)
    w.page.close()
    assert not problems, problems


def test_precision_typed(browser, tmp_path):  # noqa: F811
    w = opened(browser, tmp_path, two_paths(), quiz=True)
    page = w.page
    assert answer(page, "6.0001") == "unknown"  # to 4 decimals, 6.0001 is not 6
    assert answer(page, "6.00") == "right"
    assert answer(page, "x") == "unreadable"
    assert answer(page, "1.4e1") == "right"  # dL/du = 14 to the unit of 1e0
    w.page.close()
    assert not w.problems, w.problems


def test_forward_quiz_hides_values(browser, tmp_path):  # noqa: F811
    w = opened(browser, tmp_path, two_paths(), quiz="forward")
    page = w.page
    assert page.text_content('g.value[data-node="u"] .data-text') == "data ?"
    assert page.text_content("#quiz-target") == "u"
    assert answer(page, f"{float((X * Y).subs(AT)):g}") == "right"
    assert page.text_content("#quiz-target") == "v"
    assert answer(page, "−8") == "sign"  # the Unicode minus reads as minus
    w.page.close()
    assert not w.problems, w.problems


def test_names_reach_the_quiz_as_text(browser, tmp_path):  # noqa: F811
    w = opened(browser, tmp_path, two_paths(label_x="<img src=q onerror=alert(1)>"),
               quiz=True)
    page = w.page
    for _ in range(3):
        page.click("#quiz-reveal")
    assert page.text_content("#quiz-target") == "dL/d(<img src=q onerror=alert(1)>)"
    assert page.query_selector("#quiz img") is None
    w.page.close()
    assert not w.problems, w.problems
