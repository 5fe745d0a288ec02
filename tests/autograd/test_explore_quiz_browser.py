"""The explorer's quiz in a real browser: right answers, a sign slip, a missing path,
answers rounded early (the document's own numbers) and answers carried from a kept mistake.

The expected numbers come from sympy and from the reference document (seeds/003); the
page is opened from ``file://`` in headless Chromium like the explorer's own browser tests
(whose fixtures these reuse: any console error, page error or non-local request fails the
test).
"""

import pytest
import sympy as sp
from browser import Watched, require_browser
from oracles import alice, two_paths

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
    assert answer(page, "2.5e-400") == "unknown"  # dL/dy = v*x + u*x = 28, not 0
    assert answer(page, "-" + "1" * 130) == "unknown"  # more digits than toPrecision takes
    assert answer(page, "nan") == "unreadable"
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


# --- the Alice network of seeds/003, worked as the document works it ---------------------

def _alice_exact():
    """dL/d(each named node) of D4's network, from sympy."""
    w1, w2, w3, w4, w5, w6, b1, b2, b3, x1, x2, H1, H2, YP = sp.symbols(
        "w1 w2 w3 w4 w5 w6 b1 b2 b3 x1 x2 H1 H2 YP")
    s = lambda z: 1 / (1 + sp.exp(-z))  # noqa: E731
    h1, h2 = s(w1 * x1 + w2 * x2 + b1), s(w3 * x1 + w4 * x2 + b2)
    L = (1 - s(w5 * h1 + w6 * h2 + b3)) ** 2
    at = {w1: 1, w2: 1, w3: 1, w4: 1, w5: 1, w6: 1, b1: 0, b2: 0, b3: 0, x1: -2, x2: -1}
    exact = {str(v): float(sp.diff(L, v).subs(at)) for v in at}
    exact["h1"] = float(sp.diff((1 - s(w5 * H1 + w6 * h2 + b3)) ** 2, H1)
                        .subs(at).subs(H1, h1.subs(at)))
    exact["h2"] = float(sp.diff((1 - s(w5 * h1 + w6 * H2 + b3)) ** 2, H2)
                        .subs(at).subs(H2, h2.subs(at)))
    exact["ypred"] = float(sp.diff((1 - YP) ** 2, YP).subs(YP, s(w5 * h1 + w6 * h2 + b3)
                                                           .subs(at)))
    return exact


# The document's rounded numbers: ypred = 0.524, f'(w5h1 + w6h2 + b3) = 0.249,
# f'(-3) = 0.0904 / 2 = 0.0452 (its dh1/dw1 = -0.0904 is x1 times it), h1 = h2 = 0.0474.
# Multiplied as the document multiplies, each product rounded to three digits as it
# rounds its own: dL/dypred = -2(1 - 0.524) = -0.952, ..., dL/dw1 = 0.0214.
DL_DQ = 2 * (1 - 0.524)  # dL/d(1 - ypred)
DL_DZO = -DL_DQ * 0.249  # dL/d(w5h1 + w6h2 + b3)
DL_DZH = float(f"{DL_DZO:.3g}") * 0.0452  # dL/d(w1x1 + w2x2 + b1), and for h2
DOC = {"ypred": -DL_DQ, "b3": DL_DZO, "h1": DL_DZO, "h2": DL_DZO, "b1": DL_DZH,
       "b2": DL_DZH, "w1": -2 * float(f"{DL_DZH:.3g}"), "w3": -2 * float(f"{DL_DZH:.3g}"),
       "w2": -float(f"{DL_DZH:.3g}"), "w4": -float(f"{DL_DZH:.3g}"),
       "x1": 2 * float(f"{DL_DZH:.3g}"), "x2": 2 * float(f"{DL_DZH:.3g}"),
       "w5": float(f"{DL_DZO:.3g}") * 0.0474, "w6": float(f"{DL_DZO:.3g}") * 0.0474}
# The unnamed nodes of alice(): what each is, so which named gradient it shares
SAME_AS = {"#29": "-ypred", "#28": "-ypred", "#25": "b3",
           "#23": "b3", "#22": "b3", "#12": "b3", "#20": "b2",
           "#18": "b2", "#17": "b2", "#15": "b2", "#10": "b1",
           "#8": "b1", "#7": "b1", "#4": "b1"}


def _node_of(target):
    node = target[len("dL/d"):]
    return node


def _looked_up(table, node):
    name = SAME_AS.get(node, node)
    return -table[name[1:]] if name.startswith("-") else table[name]


@pytest.fixture
def alice_quiz(browser, tmp_path):  # noqa: F811
    """The backward quiz of D4's network, open; no console error by the end."""
    loss, _ = alice()
    w = opened(browser, tmp_path, loss, quiz=True)
    yield w.page
    problems = list(w.problems)
    w.page.close()
    assert not problems, problems


def test_the_documents_rounded_numbers_are_accepted(alice_quiz):
    page = alice_quiz
    exact = _alice_exact()
    kinds = {}
    while page.is_visible("#quiz-check"):
        node = _node_of(page.text_content("#quiz-target"))
        typed = f"{_looked_up(DOC, node):.3g}"
        decimals = len(typed.split(".")[1])
        right = round(_looked_up(exact, node), decimals) == float(typed)
        kind = answer(page, typed)
        assert kind == ("right" if right else "rounding"), (node, typed, kind)
        kinds[node] = (typed, kind)
        if kind == "rounding":
            assert "rounded early" in page.text_content("#quiz-feedback")
    # the document's own last number: 0.0214, the product of its rounded factors, where
    # the exact 0.02147 rounds to 0.0215
    assert kinds["w1"] == ("0.0214", "rounding")
    assert kinds["ypred"] == ("-0.952", "rounding")
    assert kinds["h1"] == ("-0.237", "rounding")
    assert kinds["b1"] == ("-0.0107", "right")
    assert page.text_content("#quiz-progress").startswith("Done: 28 questions · 28 right")


def test_a_rounded_answer_too_far_off_is_wrong(alice_quiz):
    page = alice_quiz
    # dL/d(1 - ypred) = 2(1 - ypred) = 0.95261 (sympy): 0.952 is it from ypred rounded
    # to 0.524, 0.954 is not (two units of the last digit past the exact value)
    assert -_alice_exact()["ypred"] == pytest.approx(0.95261, abs=1e-5)
    assert answer(page, "0.954") == "unknown"
    assert answer(page, "0.9526") == "right"


def test_an_answer_carried_from_a_kept_sign_slip(alice_quiz):
    page = alice_quiz
    exact = _alice_exact()
    assert answer(page, "0.953") == "right"  # dL/d(1 - ypred)
    assert answer(page, "0.953") == "right"  # dL/d(-ypred)
    assert page.text_content("#quiz-target") == "dL/dypred"
    assert answer(page, f"{-exact['ypred']:.3f}") == "sign"  # 0.953: the sign slipped
    assert page.is_visible("#quiz-keep")
    page.click("#quiz-keep")  # kept, as a hand calculation goes on with it
    assert "quiz-kept" in page.get_attribute('g.value[data-node="ypred"]', "class")
    assert page.text_content('g.value[data-node="ypred"] .grad-text') == "grad ?"
    # dL/d(w5h1 + w6h2 + b3) = dL/dypred * f'(...): from the slipped 0.953 and the
    # document's f' = 0.249, 0.953 * 0.249 = 0.237; the right answer is -0.238
    assert page.text_content("#quiz-target") == "dL/d#25"
    carried = f"{0.953 * 0.249:.3f}"
    assert answer(page, carried) == "carried"
    feedback = page.text_content("#quiz-feedback")
    assert "right from your answer for dL/dypred, which was wrong" in feedback
    # the page points at the first wrong answer: its node and its line in the history
    assert "quiz-origin" in page.get_attribute('g.value[data-node="ypred"]', "class")
    origin = page.query_selector_all("#quiz-history li.quiz-origin")
    assert [li.text_content() for li in origin] == ["dL/dypred = 0.953 ✘ sign"]
    page.click("#quiz-keep")
    # dL/db3 = dL/d#25 * 1: carried on from the kept carried answer, still pointing at
    # dL/dypred, the first wrong one
    assert page.text_content("#quiz-target") == "dL/db3"
    assert answer(page, carried) == "carried"
    assert "your answer for dL/dypred" in page.text_content("#quiz-feedback")
    # wrong in both senses: neither dL/db3 nor what follows from the answers before it
    assert answer(page, "0.5") == "unknown"
    assert page.query_selector_all("#quiz-history li.quiz-origin") == []
    # the right number is still right, whatever came before
    assert answer(page, f"{exact['b3']:.3f}") == "right"
    page.click("#quiz-reveal")
    assert "1 kept wrong" not in page.text_content("#quiz-progress")
    assert "2 kept wrong" in page.text_content("#quiz-progress")


def test_forward_answers_carried_through_the_op(browser, tmp_path):  # noqa: F811
    w = opened(browser, tmp_path, two_paths(), quiz="forward")
    page = w.page
    u = float((X * Y).subs(AT))
    assert answer(page, f"{-u:g}") == "sign"  # u = x*y = 6, typed -6
    page.click("#quiz-keep")
    # v = u + x from the learner's u: -6 + 2 = -4 (sympy: the true v is 8)
    assert answer(page, f"{float((-X * Y + X).subs(AT)):g}") == "carried"
    page.click("#quiz-keep")
    # L = u*v from the learner's u = -6 and v = -4: 24, both factors moved
    assert answer(page, f"{float(((-X * Y) * (-X * Y + X)).subs(AT)):g}") == "carried"
    assert "your answer for u" in page.text_content("#quiz-feedback")
    page.click("#quiz-keep")
    # the end names the first wrong answer, and the drawing shows the right values
    assert page.get_attribute("#quiz-feedback", "data-kind") == "done"
    assert "first wrong answer was u" in page.text_content("#quiz-feedback")
    assert page.text_content('g.value[data-node="u"] .data-text') == f"data {u:g}"
    w.page.close()
    assert not w.problems, w.problems


def test_the_documents_forward_numbers(browser, tmp_path):  # noqa: F811
    """D4's forward pass as the document writes it: h1 = f(-3) = 0.0474, then
    w5h1 + w6h2 + b3 = 0.0474 + 0.0474 + 0 = 0.0948 (the exact 0.094852 rounds to 0.0949:
    accepted as rounded), then ypred = f(0.0948) = 0.524."""
    loss, _ = alice()
    w = opened(browser, tmp_path, loss, quiz="forward")
    page = w.page
    z = sp.Integer(-3)
    h = 1 / (1 + sp.exp(-z))
    assert f"{float(h):.3g}" == "0.0474" and f"{float(2 * h):.4f}" == "0.0949"
    typed = {"#4": "-2", "#7": "-1", "#8": "-3", "#10": "-3", "h1": "0.0474",
             "#12": "0.0474", "#15": "-2", "#17": "-1", "#18": "-3", "#20": "-3",
             "h2": "0.0474", "#22": "0.0474", "#23": "0.0948", "#25": "0.0948",
             "ypred": "0.524", "#28": "-0.524", "#29": "0.476", "L": "0.227"}
    kinds = {}
    while page.is_visible("#quiz-check"):
        node = page.text_content("#quiz-target")
        kinds[node] = answer(page, typed[node])
    assert {n for n, k in kinds.items() if k != "right"} == {"#23", "#25"}
    assert kinds["#23"] == kinds["#25"] == "rounding"
    w.page.close()
    assert not w.problems, w.problems
