"""Two moons, micrograd's demo, with the nn package.

The data is micrograd's exactly (``make_moons(n_samples=100, noise=0.1)`` after
``np.random.seed(1337)``), labels -1 and +1; ``nn.MLP(2, [16, 16, 1])`` with relu hidden
layers; hinge loss plus ``1e-4`` L2; SGD with micrograd's schedule
``lr = 1.0 - 0.9 * k / 100`` (``nn.LinearLR``) for 100 full-batch steps.  micrograd's
notebook reaches 100% training accuracy; so must we, with its losses along the way.
Writes the decision boundary and the loss curve to ``moons_boundary.png`` and
``moons_loss.png``.

Run alone: ``python -m demos.moons``.
"""

from __future__ import annotations

import nn

from ._common import out_dir, progress_bar, pyplot, save_loss_curve
from ._table import Row, claim, printed

SEED = 1337  # micrograd seeds both numpy and random with 1337
STEPS = 100
# micrograd's demo.ipynb prints "step k loss ..., accuracy ...%" at every step; these are
# its losses as quoted to four decimals (step 99: accuracy 100.0%).
MICROGRAD_LOSSES = {0: "0.8958", 1: "1.7236", 2: "0.7429", 10: "0.2451", 50: "0.0988",
                    99: "0.0110"}


def data():
    """micrograd's moons: 100 points, noise 0.1, targets -1 / +1."""
    from sklearn.datasets import make_moons

    # random_state=1337 draws from the same stream as micrograd's np.random.seed(1337).
    X, y = make_moons(n_samples=100, noise=0.1, random_state=SEED)
    return X.tolist(), [int(2 * t - 1) for t in y]


def train(X, y, steps: int = STEPS, echo=print):
    """micrograd's training loop with nn's pieces; returns (model, losses, accuracies)."""
    model = nn.MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=SEED)
    params = model.parameters()
    opt = nn.SGD(params, lr=1.0)
    schedule = nn.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_steps=steps)
    losses, accuracies = [], []
    bar = progress_bar(range(steps), "two moons", unit="step")
    for _ in bar:
        scores = [model(x) for x in X]
        loss = nn.hinge_loss(scores, y) + nn.l2_penalty(params, 1e-4)
        accuracy = sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
        losses.append(loss.data)
        accuracies.append(accuracy)
        bar.set_postfix(loss=f"{loss.data:.4f}", accuracy=f"{accuracy:.0%}")
    bar.close()
    echo(f"step 0 loss {losses[0]:.4f} ... step {steps - 1} loss {losses[-1]:.4f}, "
         f"accuracy {accuracies[-1]:.0%} (the loss curve is in moons_loss.png)")
    return model, losses, accuracies


def plot(model, X, y, losses, directory) -> list:
    """The decision boundary (as micrograd draws it) and the loss curve, as PNGs."""
    import numpy as np

    from autograd import no_grad

    plt = pyplot()
    xs, ys = np.array(X), np.array(y)
    h = 0.25
    x_min, x_max = xs[:, 0].min() - 1, xs[:, 0].max() + 1
    y_min, y_max = xs[:, 1].min() - 1, xs[:, 1].max() + 1
    gx, gy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    with no_grad():
        z = np.array([model(list(p)).data > 0 for p in np.c_[gx.ravel(), gy.ravel()]])
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.contourf(gx, gy, z.reshape(gx.shape), cmap=plt.cm.Spectral, alpha=0.8)
    ax.scatter(xs[:, 0], xs[:, 1], c=ys, s=40, cmap=plt.cm.Spectral, edgecolors="k")
    ax.set_title("two moons: MLP(2, [16, 16, 1]) decision boundary")
    boundary = directory / "moons_boundary.png"
    fig.savefig(boundary, dpi=100)
    plt.close(fig)

    curve = save_loss_curve(range(len(losses)), losses, directory / "moons_loss.png",
                            "two moons: training loss", "step", "hinge loss + L2")
    return [boundary, curve]


def run(out=None, full: bool = False, echo=print) -> list[Row]:
    """Train on the moons; ``full`` changes nothing (100 steps is micrograd's count)."""
    ex = "two moons"
    X, y = data()
    model, losses, accuracies = train(X, y, echo=echo)
    # nn draws the weights as micrograd does (uniform(-1, 1) in order from a seeded
    # random.Random), so the run is micrograd's own, step for step.
    rows = [printed(ex, f"loss at step {k}", ref, losses[k], "micrograd")
            for k, ref in MICROGRAD_LOSSES.items()]
    rows.append(claim(ex, f"training accuracy, {STEPS} steps", "100%", f"{accuracies[-1]:.0%}",
                      accuracies[-1] == 1.0, "micrograd"))
    directory = out_dir(out)
    if directory is not None:
        files = plot(model, X, y, losses, directory)
        echo("wrote " + ", ".join(map(str, files)))
        rows.append(claim(ex, "PNG: boundary, loss curve", "written", f"{len(files)} files",
                          all(f.exists() for f in files), "micrograd"))
    return rows


if __name__ == "__main__":
    from ._main import main_for

    main_for(run)
