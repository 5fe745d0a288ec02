"""The explorer page in a real browser: headless Chromium driven by Playwright.

The page is opened from ``file://``; the tests click nodes and step the passes, and
check what the page shows against ``explain``'s numbers (the reference document's, for
Alice's w1) and against graph facts computed here.  Any console error, uncaught
exception, or request that is not ``file:`` or ``data:`` fails the test.

Needs Debian's ``chromium`` on PATH and the ``playwright`` package; without them the
module is skipped with one line saying how to enable it, unless
``AUTOGRAD_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
"""

import math

import pytest
from browser import Watched, require_browser
from oracles import DOC_LINE, alice

import autograd
from autograd import Value, explore
from autograd.explore import Explorer, backward_order

require_browser("the explorer")

from playwright.sync_api import expect  # noqa: E402 - after the check that it exists


def _position(order, node) -> int:
    """Where ``node`` is in ``order``, by identity (== compares Values' values)."""
    return next(i for i, n in enumerate(order) if n is node)


@pytest.fixture
def alice_page(tmp_path, watched):
    loss, v = alice()
    path = explore(loss, tmp_path / "alice.html").path
    return watched.open(path), loss, v


def details(page) -> str:
    return page.inner_text("#details")


def test_clicking_w1_shows_the_documents_chain_rule(alice_page):
    page, loss, v = alice_page
    page.click('[data-node="w1"]')
    text = details(page)
    assert DOC_LINE in text
    assert "dh1/dw1 = h1*(1 - h1) * x1 = -0.0904" in text
    assert "check: exactly dL/dw1 = 0.0214695" in text
    (g,) = autograd.grad(loss, [v["w1"]])
    assert f"{g:.4g}" in text and repr(g) in text
    # The local derivatives of h1's input edge, from the rule table.
    page.click('[data-node="h1"]')
    text = details(page)
    assert "rule table, sigmoid: sigmoid(x)*(1 - sigmoid(x))" in text
    assert str(autograd.explain(loss, v["h1"]).equation()) in text


def test_selecting_a_node_lights_every_path_to_the_root(alice_page):
    page, loss, v = alice_page
    order = autograd.topological_order(loss)
    for name in ("w1", "x1", "h1"):
        page.click(f'[data-node="{name}"]')
        # A node is on a path from `name` up to L when one of its inputs is.
        on = {v[name]}
        for node in order:
            if any(c in on for c in node.inputs):
                on.add(node)
        expected = {n.label or f"#{_position(order, n)}" for n in on}
        lit = set(page.eval_on_selector_all(
            "g.value.on-path, g.value.selected", "els => els.map(e => e.dataset.node)"))
        assert lit == expected, name
        edges = page.eval_on_selector_all("g.edge.on-path[data-from]", "els => els.length")
        assert edges == sum(1 for n in on for c in n.inputs if c in on)


def test_stepping_the_backward_pass(alice_page, tmp_path):
    page, loss, v = alice_page
    order = autograd.topological_order(loss)
    grads = autograd.grad(loss, order)
    name = {n: n.label or f"#{i}" for i, n in enumerate(order)}
    steps = backward_order(loss)
    assert steps == order[::-1]
    edge_texts = "els => els.map(e => e.textContent)"
    drawn = page.eval_on_selector_all("g.edge text", edge_texts)
    for k, node in enumerate(steps, start=1):
        page.click("#bw-step")
        status = page.inner_text("#status")
        g = grads[_position(order, node)]
        assert f"Backward step {k} of {len(order)}: dL/d{name[node]} = {g:.4g} is final" \
            in status
        assert page.get_attribute(f'[data-node="{name[node]}"]', "class").split() >= [
            "node", "value"]
        assert "current" in page.get_attribute(f'[data-node="{name[node]}"]', "class")
        if node is v["h1"]:  # its input edge carries dL/dh1 * sigmoid'(-3) down now
            h = 1 / (1 + math.exp(3.0))
            inp = _position(order, node.inputs[0])
            flowing = page.text_content(f'g.edge.flowing[data-from="{inp}"] text')
            assert flowing == f"+= {g * h * (1 - h):.4g}"
        if node is v["w1"]:
            assert DOC_LINE in details(page)
            page.screenshot(path=str(tmp_path / "backward-w1.png"))
        for child in node.inputs:  # each input edge shows its share
            assert f"{name[child]}.grad += " in status
    assert page.is_disabled("#bw-step")
    # Every gradient shown at the end is the engine's.
    shown = page.eval_on_selector_all(
        "g.value .grad-text", "els => els.map(e => [e.closest('g').dataset.node, e.textContent])")
    for key, text in shown:
        node = next(n for n in order if name[n] == key)
        assert text == f"grad {grads[_position(order, node)]:.4g}"
    page.click("#bw-back")
    assert f"Backward step {len(order) - 1} of" in page.inner_text("#status")
    page.click("#reset")
    assert page.inner_text("#status") == ""
    assert page.eval_on_selector_all("g.edge text", edge_texts) == drawn
    assert page.eval_on_selector_all(".pending, .current", "els => els.length") == 0


def test_forward_pass_and_play_pause(alice_page):
    page, loss, v = alice_page
    page.click("#fw-step")
    assert "Forward step 1 of" in page.inner_text("#status")
    for _ in range(4):  # the 5th value: #0 (the constant 1), w5, w1, x1, then w1 * x1
        page.click("#fw-step")
    assert "Forward step 5 of 31\n#4 = w1 * x1 = -2" in page.inner_text("#status")
    assert page.text_content('[data-node="#4"] .data-text') == "data -2"
    assert page.text_content('[data-node="h1"] .data-text') == "data"  # not computed yet
    page.click("#bw-play")
    assert page.inner_text("#bw-play") == "Pause"
    expect(page.locator("#status")).to_contain_text("Backward step 2 of", timeout=10_000)
    page.click("#bw-play")
    assert page.inner_text("#bw-play") == "Play"
    page.keyboard.press("Escape")
    assert page.inner_text("#status") == ""


def test_screenshot_is_not_blank(tmp_path, watched):
    from PIL import Image

    loss, v = alice()
    page = watched.open(explore(loss, tmp_path / "a.html", highlight=v["w1"]).path)
    assert DOC_LINE in details(page)
    shot = tmp_path / "explorer.png"
    page.screenshot(path=str(shot))
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert image.size == (1280, 860) and len(colours) > 50
    # Far from blank: well over a tenth of the pixels are not the background.
    background = max(colours)[0]
    assert background < 0.9 * image.size[0] * image.size[1]


def test_hostile_labels_stay_text(tmp_path, watched):
    a = Value(2.0, label='<img src=x onerror="alert(1)">')
    y = a * a
    y.label = "</script><script>alert(2)</script>"
    page = watched.open(explore(y, tmp_path / "h.html").path)
    page.click('[data-index="0"]')
    assert page.get_attribute('[data-index="0"]', "data-node") == a.label
    assert a.label in details(page)
    assert page.eval_on_selector_all("#details img", "els => els.length") == 0


def test_a_problem_in_the_page_is_caught(tmp_path, browser):
    # The watcher itself: a page that fetches from the network is reported.
    w = Watched(browser)
    bad = tmp_path / "bad.html"
    bad.write_text('<img src="http://example.invalid/x.png"><script>console.error("no")'
                   "</script>")
    w.page.goto(bad.as_uri())
    w.page.wait_for_timeout(200)
    w.page.close()
    assert any("request: http://example.invalid" in p for p in w.problems)
    assert any("console error: no" in p for p in w.problems)


def test_a_collapsed_box_expands(tmp_path, watched):
    from oracles import small_mlp_loss
    from pages import page_data

    loss = small_mlp_loss()
    path = explore(loss, tmp_path / "mlp.html", collapse="neuron").path
    page = watched.open(path)
    box = next(b for b in page_data(path.read_text())["boxes"]
               if b["name"] == "layers.1.neurons.1")
    assert page.is_visible('[data-box="layers.1.neurons.1"]')
    assert not page.is_visible('[data-view="full"]')
    page.click('[data-box="layers.1.neurons.1"]')
    assert page.is_visible('[data-view="full"]')
    assert not page.is_visible('[data-view="collapsed"]')
    outlined = page.eval_on_selector_all('[data-view="full"] g.value.in-box',
                                         "els => els.map(e => +e.dataset.index)")
    assert sorted(outlined) == box["members"]
    order = autograd.topological_order(loss)
    key = order[box["output"]].label or f"#{box['output']}"
    text = details(page)
    assert "Inside layers.1.neurons.1" in text and text.splitlines()[1].startswith(key)
    assert autograd.explain(loss, order[box["output"]]).equation().split(" = ")[-1] in text
    page.click("#view-toggle")  # Collapse
    assert page.is_visible('[data-view="collapsed"]')


# --- hostile labels (issue 17, items 1, 2, 4 and 7) -----------------------------------------

INJECTION = "/*DATA*/ autofocus tabindex=0 onfocus=window.__pwned=1 x"


def _graph_labelled(label: str):
    x = Value(2.0, label=label)
    w = Value(-3.0, label="w")
    y = x * w
    y.label = "y"
    return y, x


@pytest.mark.parametrize("label", [INJECTION, "/*DATA*/", "<!--SVG-->", "/*SCRIPT*/",
                                   "</script><script>window.__pwned=1</script>",
                                   "\u2028\u2029 & <b>"])
def test_a_label_runs_no_script_and_the_page_works(tmp_path, watched, label):
    y, x = _graph_labelled(label)
    page = watched.open(explore(y, tmp_path / "p.html").path)
    page.focus("body")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("window.__pwned") is None
    # The label is shown as text, and clicking its node shows its chain rule.
    nodes = page.eval_on_selector_all("g.value", "els => els.map(e => e.dataset.node)")
    assert label in nodes
    page.click("g.value[data-index='0']")
    assert f"dy/d{label}" in details(page)


def test_the_notebook_frame_cannot_reach_its_host(tmp_path, watched):
    # A page that tries to reach the notebook: the sandbox must stop it.  (The page is
    # built by hand: explore's own pages let no label run script at all.)
    hostile = ("<!DOCTYPE html><html><body><script>"
               "try { parent.document.title = 'pwned'; parent.postMessage('reached', '*'); }"
               " catch (e) { parent.postMessage('blocked', '*'); }"
               "</script></body></html>")
    frame = Explorer(hostile)._repr_html_()
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html><head><title>notebook</title></head><body>"
                    "<script>window.addEventListener('message', e => "
                    "{ document.body.dataset.heard = e.data; });</script>"
                    f"{frame}</body></html>", encoding="utf-8")
    page = watched.page
    page.goto(host.as_uri())
    page.wait_for_selector("body[data-heard]")
    assert page.get_attribute("body", "data-heard") == "blocked"
    assert page.title() == "notebook"
    watched.problems[:] = [p for p in watched.problems if "parent" not in p]


def test_the_explorer_works_inside_the_notebook_frame(tmp_path, watched):
    # The real page, in the sandboxed frame, under its own policy: it runs (no CSP
    # error on the console: `watched` fails the test on any), and shows the chain rule.
    loss, v = alice()
    frame = explore(loss, highlight=v["w1"])._repr_html_()
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body>{frame}</body></html>", encoding="utf-8")
    page = watched.page
    page.goto(host.as_uri())
    inner = page.frame_locator("iframe.autograd-explorer")
    expect(inner.locator("#details")).to_contain_text(DOC_LINE)


def test_hostile_box_names_keep_their_boxes(tmp_path, watched):
    # Box names come from parameter labels: DOT syntax in them must stay text.
    loss, names = _boxed_graph()
    page = watched.open(explore(loss, tmp_path / "boxes.html", collapse="neuron").path)
    shown = set(page.eval_on_selector_all("g.box", "els => els.map(e => e.dataset.box)"))
    assert shown == set(names)
    page.click(f'g.box[data-box="{names[0]}"]')
    assert names[0] in details(page)


def _boxed_graph():
    names = ["a:b", "c\\", "<b>"]
    x = Value(0.5, label="x")
    total = None
    for name in names:
        w, b = Value(0.3, label=f"{name}.w.0"), Value(0.1, label=f"{name}.b")
        out = autograd.dot([w], [x], b).tanh()
        total = out if total is None else total + out
    total.label = "loss"
    return total, names


@pytest.mark.parametrize("label", ["grad 7 = *", "data 1"])
def test_labels_that_look_like_number_fields_are_kept(tmp_path, watched, label):
    y, x = _graph_labelled("x")
    y.label = label
    page = watched.open(explore(y, tmp_path / "g.html").path)
    for _ in range(3):
        page.click("#bw-step")
    texts = page.eval_on_selector_all(
        "g.value[data-index='2'] text", "els => els.map(e => e.textContent)")
    assert texts[0] == f"{label} = *"
    assert texts[1:] == ["data -6", "grad 1"]


def test_the_banner_says_when_backward_has_not_run(tmp_path, watched):
    y, x = _graph_labelled("x")
    page = watched.open(explore(y, tmp_path / "stale.html").path)
    expect(page.locator("#notice")).to_contain_text(
        "backward() has not run on this graph: every .grad is still 0.")
    y.backward()
    page = watched.open(explore(y, tmp_path / "fresh.html").path)
    expect(page.locator("#notice")).to_be_hidden()


def test_compare_colours_the_learners_wrong_gradients_in_the_browser(tmp_path, watched):
    """explore(compare=True) on a learner's engine whose tanh derivative is ``1 - t``
    (tests/lecture_engine.py): the page marks exactly the nodes whose gradient the bug
    changes.  By the lecture's numbers (o = tanh(n), t = 0.7071): d o/d n is 1 - t**2 = 0.5,
    the bug gives 1 - t = 0.29, so every node below n is wrong by that factor, except w2,
    whose gradient is x2 * d o/d n = 0 either way (x2 = 0); o's own 1.0 is right."""
    from lecture_engine import make_value, neuron

    g = neuron(make_value("tanh"))
    g["o"].backward()
    page = watched.open(explore(g["o"], tmp_path / "compare.html", compare=True).path)
    marked = page.eval_on_selector_all("#graph g.value.wrong",
                                       "els => els.map(e => e.getAttribute('data-node'))")
    assert sorted(marked) == sorted(["n", "x1*w1 + x2*w2", "b", "x1*w1", "x2*w2", "x1", "x2",
                                     "w1"])
    fill = "el => getComputedStyle(el.querySelector('polygon, path')).fill"
    wrong_fill = page.eval_on_selector('[data-node="w1"]', fill)
    assert wrong_fill == "rgb(253, 226, 225)"  # explorer.css's colour for a wrong gradient
    assert page.eval_on_selector('[data-node="w2"]', fill) != wrong_fill
    assert page.eval_on_selector('[data-node="o"]', fill) != wrong_fill
    # The banner says how many differ, and a wrong node's panel shows the learner's .grad
    # beside the right one: w1's is x1 * (1 - t) = 2 * (1 - 1/sqrt(2)) = 0.5858 where the
    # chain rule gives x1 * (1 - t**2) = 2 * 0.5 = 1.
    assert "8 of 10 .grad values differ" in page.inner_text("#notice")
    page.click('[data-node="w1"]')
    assert f"{2 * (1 - 1 / math.sqrt(2)):.4g} (should be 1)" in details(page)
    page.click('[data-node="o"]')
    assert ".grad was" not in details(page)
