"""Screenshots of the explorer for the docs and the README: ``make screenshots``.

Writes docs/images/explorer_alice.png (the Alice network, w1 selected: its paths to L
lit, the chain rule of dL/dw1 in the panel) and docs/images/explorer_mlp.png (a small
MLP collapsed by neuron, as the page opens) and docs/images/explorer_mlp_expanded.png
(the same with one neuron expanded).  Needs Debian's ``chromium`` and the
``playwright`` package (the test extra).  tests/autograd/test_explore_browser.py checks that the
committed pictures are the size this script makes and that the pages link them.
"""

from __future__ import annotations

import pathlib
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
SIZE = {"width": 1280, "height": 800}


def alice():
    """D4's worked example, as README and docs/drawing.md build it."""
    from autograd import Value, sigmoid

    w1, w2, w3, w4, w5, w6 = (Value(1.0, label=f"w{i}") for i in range(1, 7))
    b1, b2, b3 = (Value(0.0, label=f"b{i}") for i in range(1, 4))
    x1, x2 = Value(-2.0, label="x1"), Value(-1.0, label="x2")
    h1 = sigmoid(w1 * x1 + w2 * x2 + b1); h1.label = "h1"  # noqa: E702
    h2 = sigmoid(w3 * x1 + w4 * x2 + b2); h2.label = "h2"  # noqa: E702
    ypred = sigmoid(w5 * h1 + w6 * h2 + b3); ypred.label = "ypred"  # noqa: E702
    L = (1 - ypred) ** 2; L.label = "L"  # noqa: E702
    L.backward()  # as the README does: the page then has no "backward() has not run" note
    return L, w1


def small_mlp():
    """docs/drawing.md's MLP(2, [3, 3, 1]) and its squared error."""
    import nn

    model = nn.MLP(2, [3, 3, 1], seed=0)
    y = model([0.5, -1.0])
    loss = (y - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss


def shoot(out: pathlib.Path = IMAGES) -> list[pathlib.Path]:
    """Write both screenshots into ``out``; return their paths."""
    from playwright.sync_api import sync_playwright

    from autograd import explore

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no `chromium` on PATH: apt-get install -y chromium")
    written = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport=SIZE)

        L, w1 = alice()
        page.goto(explore(L, pathlib.Path(tmp) / "alice.html", highlight=w1).path.as_uri())
        page.click("#zoom-out")
        page.mouse.move(600, 780)  # off the button: no hover outline in the picture
        page.wait_for_timeout(300)  # let the colour transitions finish
        written.append(out / "explorer_alice.png")
        page.screenshot(path=str(written[-1]))

        page.goto(explore(small_mlp(), pathlib.Path(tmp) / "mlp.html",
                          collapse="neuron").path.as_uri())
        page.wait_for_timeout(300)
        written.append(out / "explorer_mlp.png")
        page.screenshot(path=str(written[-1]))

        page.click('[data-box="layers.1.neurons.1"]')
        page.wait_for_timeout(300)
        written.append(out / "explorer_mlp_expanded.png")
        page.screenshot(path=str(written[-1]))
        browser.close()
    return written


if __name__ == "__main__":
    for path in shoot(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES):
        print(f"wrote {path}")
