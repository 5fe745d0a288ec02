"""The notebooks of demos/notebooks run in a real Jupyter kernel, with no ``dot`` on PATH.

* ``lecture_style.ipynb`` (written for this project in the lecture's style): every cell's
  outputs are checked: no errors, drawings present as SVG, the lecture's numbers
  (x1.grad = -1.5, w1.grad = 1, x2.grad = 0.5, w2.grad = 0), the planted bug named, and
  the training losses equal to what the pip package ``micrograd`` computes from the same
  seeds.
* ``micrograd_demo.ipynb`` (micrograd's own demo, imports changed): the losses and
  accuracies it prints equal the outputs saved in micrograd's repository.
"""

from __future__ import annotations

import os
import re
import shutil
from importlib.util import find_spec
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "demos" / "notebooks"


def _path_without_dot() -> str:
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not shutil.which("dot", path=d)]
    path = os.pathsep.join(dirs)
    assert shutil.which("dot", path=path) is None
    return path


def _run(name: str, tmp_path_factory) -> tuple[list, list]:
    """(the saved notebook's code cells, the same cells executed), in order."""
    saved = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    work = tmp_path_factory.mktemp("nb")
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = _path_without_dot()  # the kernel inherits it
    try:
        nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                                resources={"metadata": {"path": str(work)}}).execute()
    finally:
        os.environ["PATH"] = old_path
    code = lambda book: [c for c in book.cells if c.cell_type == "code"]  # noqa: E731
    ran = code(nb)
    for cell in ran:
        assert cell.execution_count is not None, cell.source
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{cell.source[:60]!r} raised {errors[0].ename}: {errors[0].evalue}"
    return code(saved), ran


def _stdout(cell) -> str:
    return "".join(o.text for o in cell.outputs
                   if o.output_type == "stream" and o.name == "stdout")


def _stderr(cells) -> str:
    return "".join(o.text for c in cells for o in c.outputs
                   if o.output_type == "stream" and o.name == "stderr")


def _data(cell, mime: str) -> str | None:
    for o in cell.outputs:
        if o.output_type in ("execute_result", "display_data") and mime in o.data:
            return o.data[mime]
    return None


def _floats(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+", text)]


@pytest.fixture(scope="module")
def lecture(tmp_path_factory):
    _, ran = _run("lecture_style.ipynb", tmp_path_factory)
    return {c.source.splitlines()[0]: c for c in ran}, ran


def test_the_lecture_style_notebook_draws_without_dot(lecture):
    cells, ran = lecture
    drawings = [c for c in ran if c.source.strip() == "draw_dot(o)"]
    assert len(drawings) == 2
    for cell in drawings:
        svg = _data(cell, "image/svg+xml")
        assert svg is not None and "<svg" in svg
        assert "x1" in svg and "tanh" in svg


def test_the_lecture_style_notebook_has_the_lectures_gradients(lecture):
    cells, _ = lecture
    learner = cells["print(x1.grad, w1.grad, x2.grad, w2.grad)"]
    assert _floats(_stdout(learner)) == pytest.approx([-1.5, 1.0, 0.5, 0.0])
    html = _data(learner, "text/html")
    assert "All 10 gradients match ours" in html
    by_hand = cells["o.grad = 1.0"]  # our Value, stepped with _backward() node by node
    assert _floats(_stdout(by_hand)) == pytest.approx([-1.5, 1.0, 0.5, 0.0])
    ours = cells["from autograd import Value as V"]
    assert _stdout(ours).startswith("Value(data=0.70710678")
    explained = _stdout(cells["print(explain(o, x1))"])
    # the lecture's do/dx1 = -1.5, factor by factor (the equation may wrap)
    assert "= (0.500)(1)(1)(-3)" in explained and "= -1.50" in explained
    assert "check: exactly" in explained


def test_the_lecture_style_notebook_names_the_planted_bug(lecture):
    cells, _ = lecture
    bug = cells["class ValueWithABug(Value):"]
    assert _stdout(bug).strip() == "1.0"  # the learner's a.grad; ours is 2
    html = _data(bug, "text/html")
    assert "(overwrite)" in html and "<td>a</td>" in html


def test_the_lecture_style_notebook_trains_micrograds_model(lecture):
    mg_engine = pytest.importorskip("micrograd.engine")
    mg_nn = pytest.importorskip("micrograd.nn")
    np = pytest.importorskip("numpy")
    datasets = pytest.importorskip("sklearn.datasets")
    import random

    cells, ran = lecture
    got = [float(x) for x in re.findall(r"loss (\S+)", _stdout(cells["import random"]))]
    # The oracle: the same cell's computation with micrograd itself.
    np.random.seed(1337)
    random.seed(1337)
    X, y = datasets.make_moons(n_samples=20, noise=0.1)
    y = y * 2 - 1
    model = mg_nn.MLP(2, [16, 16, 1])
    want = []
    for k in range(5):
        scores = [model([mg_engine.Value(x) for x in row]) for row in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        want.append(total.data)
    assert got == pytest.approx(want, rel=1e-9)
    stderr = _stderr(ran)
    if find_spec("ipywidgets") is None:
        assert "TqdmWarning" not in stderr and "IProgress" not in stderr


def test_micrograds_demo_reproduces_its_saved_outputs(tmp_path_factory):
    saved, ran = _run("micrograd_demo.ipynb", tmp_path_factory)
    by_source = dict(zip((c.source for c in ran), zip(saved, ran)))
    model = next(v for k, v in by_source.items() if k.startswith("# initialize a model"))
    assert _stdout(model[1]) == _stdout(model[0])  # the same model, printed the same
    first = next(v for k, v in by_source.items() if k.startswith("# loss function"))
    # Value's repr is ours (grad=0.0 where micrograd prints grad=0): compare the numbers.
    assert _floats(_stdout(first[1])) == pytest.approx(_floats(_stdout(first[0])), rel=1e-12)
    train = next(v for k, v in by_source.items() if k.startswith("# optimization"))
    line = re.compile(r"step (\d+) loss (\S+), accuracy (\S+)%")
    want = line.findall(_stdout(train[0]))
    got = line.findall(_stdout(train[1]))
    assert len(want) == len(got) == 100
    for (k1, l1, a1), (k2, l2, a2) in zip(want, got):
        assert (k1, a1) == (k2, a2)
        # micrograd sums gradients in the order of a set: the last bits differ
        assert float(l2) == pytest.approx(float(l1), rel=1e-9), f"step {k1}"
    boundary = next(v for k, v in by_source.items() if k.startswith("# visualize decision"))
    assert _data(boundary[1], "text/plain") == _data(boundary[0], "text/plain")
    assert _data(boundary[1], "image/png") is not None  # the plot itself
