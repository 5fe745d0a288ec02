"""``python -m benchmarks.compare --before REV``: this engine against an earlier one.

Both engines run in one process, interleaved (the earlier one is extracted with ``git
archive REV autograd nn`` and imported as ``autograd_before`` / ``nn_before``), on the
eager workloads of the benchmark rows; each workload's results must be equal, bit for
bit, between the two.  Prints a Markdown table of CPU times (medians) and speed-ups.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

import autograd
import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_IMPORT = re.compile(r"^(\s*)(from|import) (autograd|nn)\b", re.M)


def load_before(rev: str, folder: str):
    """``(autograd, nn)`` of commit ``rev``, imported under names of their own."""
    archive = os.path.join(folder, "before.tar")
    with open(archive, "wb") as f:
        subprocess.run(["git", "-C", ROOT, "archive", rev, "autograd", "nn"], stdout=f,
                       check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder)
    for package in ("autograd", "nn"):
        os.rename(os.path.join(folder, package), os.path.join(folder, package + "_before"))
        for name in os.listdir(os.path.join(folder, package + "_before")):
            if name.endswith(".py"):
                path = os.path.join(folder, package + "_before", name)
                with open(path) as f:
                    text = f.read()
                text = _IMPORT.sub(lambda m: f"{m[1]}{m[2]} {m[3]}_before", text)
                text = text.replace("import autograd_before\n",
                                    "import autograd_before as autograd\n")
                with open(path, "w") as f:
                    f.write(text)
    sys.path.insert(0, folder)
    import autograd_before
    import nn_before
    return autograd_before, nn_before


def workloads(points: int = 100):
    from .moons import initial_weights, moons_data

    X, Y = moons_data(points)
    w0 = initial_weights()

    def moons_dot(ag, _):
        V = ag.Value
        layers = [[([V(w) for w in ws], V(b)) for ws, b in layer] for layer in w0]
        params = [p for layer in layers for ws, b in layer for p in (*ws, b)]

        def model(x):
            x = [ag.as_value(v) for v in x]
            for i, layer in enumerate(layers):
                x = [ag.dot(ws, x, b) for ws, b in layer]
                if i < len(layers) - 1:
                    x = [v.relu() for v in x]
            return x[0]

        def step():
            losses = [(1.0 - yi * model(x)).relu() for x, yi in zip(X, Y)]
            total = ag.sum(losses) * (1.0 / len(losses)) + 1e-4 * ag.dot(params, params)
            for p in params:
                p.grad = 0.0
            total.backward()
            for p in params:
                p.data -= 0.5 * p.grad
            return total.data

        return step

    def moons_nn(ag, nn_):
        model = nn_.MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
        params = model.parameters()
        opt = nn_.SGD(params, lr=0.1)

        def step():
            loss = nn_.hinge_loss([model(x) for x in X], Y) + 1e-4 * ag.dot(params, params)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.data

        return step

    def fit(ag, nn_):
        def go():
            model = nn_.MLP(2, [16, 16, 1], activation="relu", output_activation="linear",
                            seed=0)
            history = nn_.fit(model, X, Y, loss="hinge", epochs=5, progress=False, seed=0,
                              optimizer=nn_.SGD(model.parameters(), lr=0.1))
            return history.loss[-1]

        return go

    def alice(ag, _):
        from .alice import DATA, initial

        def go():
            params = [ag.Value(v) for v in initial()]
            w1, w2, w3, w4, w5, w6, b1, b2, b3 = params
            for _ in range(100):
                for x0, x1, y in DATA:
                    h1 = ag.dot((w1, w2), (x0, x1), b1).sigmoid()
                    h2 = ag.dot((w3, w4), (x0, x1), b2).sigmoid()
                    o1 = ag.dot((w5, w6), (h1, h2), b3).sigmoid()
                    ((y - o1) ** 2).backward()
                    for p in params:
                        p.data -= 0.1 * p.grad
                        p.grad = 0.0
            return tuple(p.data for p in params)

        return go

    def chain(ag, _):
        def go():
            was = gc.isenabled()
            gc.disable()
            try:
                x, a = ag.Value(1.0), ag.Value(0.9999999)
                y = x
                for _ in range(100_000):
                    y = y * a
                y.backward()
                return x.grad, a.grad
            finally:
                if was:
                    gc.enable()

        return go

    def abc(ag, _):
        rng = random.Random(7)
        data = [(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2))
                for _ in range(20_000)]

        def go():
            grads = []
            for x, y, z in data:
                a, b, c = ag.Value(x), ag.Value(y), ag.Value(z)
                (a * b + c).backward()
                grads += (a.grad, b.grad, c.grad)
            return grads

        return go

    return {
        f"moons step, public dot, {points} points": moons_dot,
        f"moons step, nn.MLP + hinge + L2, {points} points": moons_nn,
        f"nn.fit, moons, 5 full-batch epochs, {points} points": fit,
        "Alice, eager per-sample SGD, 100 epochs": alice,
        "100,000-node chain, forward + backward, collector off": chain,
        "a*b + c, 20,000 triples, forward + backward": abc,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__)
    parser.add_argument("--before", default="main", help="the earlier commit (default: main)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--points", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        engines = {"before": load_before(args.before, folder), "after": (autograd, nn)}
        print(f"| workload | before ({args.before}) | after | speed-up | same results |")
        print("| --- | --- | --- | --- | --- |")
        agree = True
        for name, make in workloads(args.points).items():
            print(f"  {name}: running", file=sys.stderr, flush=True)
            fns = {e: make(*mods) for e, mods in engines.items()}
            first = {e: fns[e]() for e in engines}  # a warm-up, and the results compared
            same = first["before"] == first["after"]
            agree = agree and same
            times: dict[str, list[float]] = {e: [] for e in engines}
            for r in range(args.rounds):
                for e in (("before", "after") if r % 2 == 0 else ("after", "before")):
                    gc.collect()
                    t0 = time.process_time()
                    fns[e]()
                    times[e].append(time.process_time() - t0)
            t = {e: statistics.median(ts) for e, ts in times.items()}
            print(f"| {name} | {t['before'] * 1e3:.1f} ms | {t['after'] * 1e3:.1f} ms | "
                  f"{t['before'] / t['after']:.2f}x | {'yes' if same else 'NO'} |", flush=True)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
