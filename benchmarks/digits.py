"""Row: a real training job, scikit-learn's 8x8 digits, against scikit-learn and PyTorch.

The ``make demo`` model and schedule (:mod:`demos.digits`): ``MLP(64, [32, 10])``, tanh,
softmax cross-entropy, Adam (lr 0.01), mini-batches of 32, shuffled, 6 epochs, on the
same stratified three quarters of the 1797 images.  Contenders, side by side in one
process, interleaved:

* ours: ``nn.fit(..., compiled=True)`` (one trace, one NumPy replay per mini-batch);
* scikit-learn's ``MLPClassifier`` with the same model, optimizer and schedule (no L2,
  no early stopping), itself written in NumPy;
* PyTorch on the CPU in float64, batched, when it happens to be installed (it is never a
  dependency).

Timed: training only (imports, data loading and evaluation are not), as process CPU
time (``time.process_time``: every thread of the process, so BLAS threads count too).
Each contender must reach the demo's held-out accuracy target, or the row fails.

A second row (:func:`run_calls`) times the same model trained by many short ``fit``
calls, as a notebook's epoch-by-epoch loop does, against one long call.
"""

from __future__ import annotations

import time
import warnings

from .harness import Row, all_close, fmt_time, interleaved, median

HIDDEN, LR, BATCH = 32, 0.01, 32
TARGET = 0.95  # the demo's held-out accuracy target


def _data():
    import numpy as np

    from demos.digits import data

    X_train, X_test, y_train, y_test = data()
    return X_train, y_train, np.array(X_train), np.array(y_train), np.array(X_test), \
        np.array(y_test)


def _ours(X, y, epochs: int):
    import nn

    model = nn.MLP(64, [HIDDEN, 10], activation="tanh", output_activation="linear",
                   init="xavier", seed=0)
    nn.fit(model, X, y, loss=nn.cross_entropy_loss, optimizer=nn.Adam(model.parameters(),
                                                                       lr=LR),
           epochs=epochs, batch_size=BATCH, shuffle=True, seed=0, progress=False,
           compiled=True)
    return model


def _ours_accuracy(model, X_test, y_test) -> float:
    from demos.digits import accuracy

    return accuracy(model, X_test.tolist(), y_test.tolist())


def _sklearn(X, y, epochs: int):
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier((HIDDEN,), activation="tanh", solver="adam", learning_rate_init=LR,
                        batch_size=BATCH, max_iter=epochs, shuffle=True, random_state=0,
                        alpha=0.0, tol=0.0, n_iter_no_change=epochs + 1)
    with warnings.catch_warnings():  # "did not converge": the schedule is fixed on purpose
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    return clf


def _torch(X, y, epochs: int):
    import torch

    # One thread: at this size (32 x 64 matrices) the second thread's spin-waiting is all
    # it adds, and process CPU time counts it (2 threads: ~80x the CPU of 1, loaded).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _torch_train(torch, X, y, epochs)
    finally:
        torch.set_num_threads(threads)


def _torch_train(torch, X, y, epochs: int):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, HIDDEN), torch.nn.Tanh(),
                              torch.nn.Linear(HIDDEN, 10)).double()
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
    gen = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        order = torch.randperm(len(Xt), generator=gen)
        for k in range(0, len(order), BATCH):
            rows = order[k:k + BATCH]
            opt.zero_grad()
            loss_fn(net(Xt[rows]), yt[rows]).backward()
            opt.step()
    return net


def _torch_accuracy(net, X_test, y_test) -> float:
    import torch

    with torch.no_grad():
        pred = net(torch.from_numpy(X_test)).argmax(dim=1).numpy()
    return float((pred == y_test).mean())


def run(rounds: int, epochs: int = 6, target: float = TARGET) -> Row:
    """The digits row: ours / scikit-learn's CPU time (target: at most 2x)."""
    X_list, y_list, X, y, X_test, y_test = _data()
    trained: dict = {}
    contenders = {
        "ours": lambda: trained.__setitem__("ours", _ours(X_list, y_list, epochs)),
        "scikit-learn": lambda: trained.__setitem__("scikit-learn", _sklearn(X, y, epochs)),
    }
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    else:
        contenders["PyTorch"] = lambda: trained.__setitem__("PyTorch", _torch(X, y, epochs))
    times = interleaved(contenders, rounds, clock=time.process_time)
    accuracy = {
        "ours": _ours_accuracy(trained["ours"], X_test, y_test),
        "scikit-learn": float(trained["scikit-learn"].score(X_test, y_test)),
    }
    if "PyTorch" in trained:
        accuracy["PyTorch"] = _torch_accuracy(trained["PyTorch"], X_test, y_test)
    t = {name: median(ts) for name, ts in times.items()}
    measured = ", ".join(f"{name} {fmt_time(t[name])} ({accuracy[name]:.1%})" for name in t)
    name = (f"digits job, MLP(64,[32,10]) tanh, Adam, batch {BATCH}, {epochs} epochs: "
            f"nn.fit(compiled=True) vs scikit-learn MLPClassifier"
            + (" and PyTorch" if "PyTorch" in t else ""))
    details = [f"process CPU time of training only (held-out accuracy in brackets); "
               f"PyTorch {'float64, batched, one thread' if 'PyTorch' in t else 'not installed'}"]
    if "PyTorch" in t:
        details.append(f"ours / PyTorch: {t['ours'] / t['PyTorch']:.2f}x")
    return Row(name, measured, ratio=t["ours"] / t["scikit-learn"], target=2.0, lower=True,
               unit="x slower", ok=all(a >= target for a in accuracy.values()),
               details=details)


def _fit_calls(X, y, calls: list[int]):
    """A new model trained by one compiled ``fit`` call per entry of ``calls`` (its
    epochs), unshuffled, on one Adam: one long call and many short ones take the same
    steps."""
    import nn

    model = nn.MLP(64, [HIDDEN, 10], activation="tanh", output_activation="linear",
                   init="xavier", seed=0)
    optimizer = nn.Adam(model.parameters(), lr=LR)
    for epochs in calls:
        nn.fit(model, X, y, loss=nn.cross_entropy_loss, optimizer=optimizer, epochs=epochs,
               batch_size=BATCH, shuffle=False, progress=False, compiled=True)
    return model


def run_calls(rounds: int, calls: int = 20) -> Row:
    """The repeated-calls row: ``calls`` one-epoch ``fit`` calls on one model against one
    call of ``calls`` epochs, both compiled.  The short calls replay the program the first
    one traced (``nn.compiled.cache_info``); when each call traced and generated code anew
    they took ~4x the long call.  What is left per call is ``fit``'s input check and the
    data as arrays (about one epoch's training here): target at most 3x.  Both must end
    with the same weights (1e-12), and the short calls must have traced once."""
    import nn

    X, y = _data()[:2]
    trained: dict = {}
    contenders = {
        f"{calls} calls of 1 epoch": lambda: trained.__setitem__(
            "short", _fit_calls(X, y, [1] * calls)),
        f"1 call of {calls} epochs": lambda: trained.__setitem__(
            "long", _fit_calls(X, y, [calls])),
    }
    times = interleaved(contenders, rounds, clock=time.process_time)
    short, long = (median(ts) for ts in times.values())
    info = nn.compiled.cache_info(trained["short"])
    same = all_close([p.data for p in trained["short"].parameters()],
                     [p.data for p in trained["long"].parameters()], 1e-12)
    return Row(f"digits, repeated fit calls: {calls} calls of 1 epoch vs 1 call of "
               f"{calls} epochs, MLP(64,[32,10]), Adam, batch {BATCH}, compiled",
               f"{fmt_time(short)} vs {fmt_time(long)} (process CPU time)",
               ratio=short / long, target=3.0, lower=True, unit="x slower",
               ok=same and info.traces == 1,
               details=[f"the short calls: {info.hits} replays of the program the first "
                        f"traced (cache_info: {info})"])
