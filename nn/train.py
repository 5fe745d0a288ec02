"""``fit``: the training loop (mini-batches, a progress bar, a history of the loss).

Every gradient comes from ``backward()`` on the batch loss; ``fit`` only orders the
samples, calls the model, the loss and the optimizer.
"""

from __future__ import annotations

import gc
import math
import numbers
import random
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from importlib.util import find_spec

# tqdm.auto picks the notebook widget inside Jupyter, and without ipywidgets that prints
# "TqdmWarning: IProgress not found" there: use the text bar unless the widget can work.
if find_spec("ipywidgets") is not None:
    from tqdm.auto import tqdm
else:
    from tqdm.std import tqdm

import autograd
from autograd import Value
from autograd.compile import DivergedBatch

from . import losses
from .modules import Module
from .optim import SGD, Optimizer

__all__ = ["fit", "History", "LOSSES"]


@dataclass(frozen=True)
class _Loss:
    fn: Callable  # fn(batch_predictions, batch_targets) -> Value
    check: Callable[[object, int, str], None]  # check(target, nout, what) raises ValueError
    correct: Callable[[object, object], tuple[int, int]] | None  # (right, counted) or None


def _outputs(pred) -> list[float]:
    return [v.data for v in pred] if isinstance(pred, list) else [pred.data]


def _targets(t) -> list[float]:
    return [float(v) for v in t] if isinstance(t, Sequence) else [float(t)]


def _thresholded(cut: float, positive: float) -> Callable:
    # Element-wise: an output above `cut` predicts the positive class.
    def correct(pred, target) -> tuple[int, int]:
        outs, ts = _outputs(pred), _targets(target)
        right = sum((o > cut) == (t >= positive) for o, t in zip(outs, ts))
        return right, len(ts)

    return correct


def _argmax_correct(pred, target) -> tuple[int, int]:
    outs = _outputs(pred)
    return int(max(range(len(outs)), key=outs.__getitem__) == target), 1


def _shape_check(valid: Callable[[float], bool], need: str) -> Callable:
    def check(t, nout: int, what: str) -> None:
        is_list = isinstance(t, Sequence) and not isinstance(t, (str, bytes))
        if (nout == 1 and is_list) or (nout > 1 and (not is_list or len(t) != nout)):
            raise ValueError(f"{what} is {t!r}; the model has {nout} output"
                             f"{'s' if nout > 1 else ''}, so each target must be "
                             f"{'a number' if nout == 1 else f'a list of {nout} numbers'}")
        for v in t if is_list else [t]:
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not valid(v):
                raise ValueError(f"{what} is {t!r}; {need}")

    return check


def _class_check(t, nout: int, what: str) -> None:
    if nout < 2:
        raise ValueError("cross_entropy needs a model with at least 2 outputs (one logit per "
                         f"class); this one has {nout}")
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or not 0 <= t < nout:
        raise ValueError(f"{what} is {t!r}; cross_entropy targets are class indices "
                         f"0..{nout - 1}")


_any_real = _shape_check(math.isfinite, "targets must be finite numbers")
_unit = _shape_check(lambda v: 0.0 <= v <= 1.0, "bce targets must lie in [0, 1]")
_sign = _shape_check(lambda v: v in (-1, 1), "hinge targets must be -1 or +1")

#: The built-in losses ``fit`` accepts by name.
LOSSES: dict[str, _Loss] = {
    "mse": _Loss(losses.mse_loss, _any_real, None),
    "half_sse": _Loss(losses.half_sse_loss, _any_real, None),
    "bce": _Loss(losses.bce_loss, _unit, _thresholded(0.5, 0.5)),
    "bce_with_logits": _Loss(losses.bce_with_logits_loss, _unit, _thresholded(0.0, 0.5)),
    "hinge": _Loss(losses.hinge_loss, _sign, _thresholded(0.0, 0.0)),
    "cross_entropy": _Loss(losses.cross_entropy_loss, _class_check, _argmax_correct),
}


@dataclass
class History:
    """What ``fit`` saw, one entry per epoch.

    Attributes:
        loss: the mean loss over the epoch's samples (for ``"half_sse"``, the epoch's sum);
            with one full batch, exactly the loss of that epoch's step.
        accuracy: the fraction of training predictions that were right during the epoch
            (for ``"bce"``, ``"bce_with_logits"``, ``"hinge"`` and ``"cross_entropy"``),
            else ``None``.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] | None = None


def _custom(loss_fn: Callable) -> _Loss:
    # A user loss is called per sample; a batch's loss is the mean over its samples.
    def batch_loss(preds, targets) -> Value:
        terms = [loss_fn(p, t) for p, t in zip(preds, targets)]
        for term in terms:
            if not isinstance(term, Value):
                raise TypeError(f"the loss function must return a Value, got "
                                f"{type(term).__name__}")
        return autograd.sum(terms) * (1.0 / len(terms))

    return _Loss(batch_loss, lambda t, nout, what: None, None)


def _resolve_loss(loss) -> tuple[_Loss, bool]:
    """The loss and whether a batch's loss is a sum (half_sse) rather than a mean."""
    if callable(loss):
        return _custom(loss), False
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)} or pass a "
                         f"function (prediction, target) -> Value")
    return LOSSES[loss], loss == "half_sse"


def _as_lists(data):
    """Arrays as nested lists: NumPy arrays (``.tolist()``) and pandas-like frames and
    series (``.to_numpy()``); lists and tuples pass through unchanged."""
    if isinstance(data, Sequence):
        return data
    to_numpy = getattr(data, "to_numpy", None)
    if callable(to_numpy):
        data = to_numpy()
    tolist = getattr(data, "tolist", None)
    return tolist() if callable(tolist) else data


def _rows(X, nin: int) -> list[list[float]]:
    """X as lists of floats, after checking it is a rectangle of the model's width.

    X may be a list of lists, a 2-D NumPy array or a pandas-like object with
    ``.to_numpy()``.
    """
    X = _as_lists(X)
    if isinstance(X, (str, bytes)) or not isinstance(X, Sequence) or len(X) == 0:
        raise ValueError("X must be a non-empty list of samples (each a list of numbers)")
    rows = []
    for i, row in enumerate(X):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise ValueError(f"X[{i}] is {row!r}, not a list of numbers")
        if len(row) != len(X[0]):
            raise ValueError(f"X is ragged: X[0] has {len(X[0])} values but X[{i}] has "
                             f"{len(row)}")
        for j, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise ValueError(f"X[{i}][{j}] is {v!r}, not a finite number")
        rows.append([float(v) for v in row])
    if len(rows[0]) != nin:
        raise ValueError(f"X has {len(rows[0])} values per sample but the model takes "
                         f"{nin} inputs")
    return rows


class _Replay:
    """``fit(compiled=True)``: the step as compiled per-sample programs.

    Targets are constants of a trace (the losses check them as numbers), so there is one
    program per distinct target value; the sample's inputs and its weight in the batch
    loss (1/B for the mean losses, 1 for "half_sse") are the program's inputs.

    With NumPy installed, the samples of a batch that share a target replay at once
    (``Compiled.batch_backward``: a layer is one matrix product); a group whose samples
    take different branches of the model replays sample by sample.
    """

    #: Beyond this many distinct targets (regression data), samples run eagerly: each
    #: program holds generated code, and a target seen once would not repay its trace.
    MAX_PROGRAMS = 1024

    def __init__(self, model: Module, rows: list[list[float]], y: Sequence, spec: _Loss,
                 nout: int) -> None:
        self.model, self.rows, self.y, self.spec, self.nout = model, rows, y, spec, nout
        self.programs: dict = {}
        try:
            import numpy
        except ImportError:  # NumPy is optional: every sample replays on its own
            numpy = None
        self.np = numpy

    def _sample_loss(self, target, row, weight):
        pred = self.model(row)
        outs = pred if isinstance(pred, list) else [pred]
        return self.spec.fn([pred], [target]) * weight, outs

    def _eager(self, target, row, weight: float):
        loss, outs = self._sample_loss(target, row, weight)
        loss.backward()
        return loss.data, [o.data for o in outs]

    def _program(self, target):
        """The compiled program for ``target`` (made on first use), or None: run eagerly."""
        key = tuple(target) if isinstance(target, Sequence) else target
        program = self.programs.get(key, False)
        if program is False:
            if len(self.programs) >= self.MAX_PROGRAMS:
                return None
            program = self.programs[key] = autograd.compile(partial(self._sample_loss, target))
        return program

    def _refused(self, target, error: Exception) -> None:
        warnings.warn(f"fit(compiled=True) trains eagerly instead: {error}", RuntimeWarning,
                      stacklevel=5)
        self.programs[tuple(target) if isinstance(target, Sequence) else target] = None

    def _backward(self, target, row, weight: float):
        """The sample's weighted loss and outputs; its gradient added to the parameters."""
        program = self._program(target)
        if program is None:
            return self._eager(target, row, weight)
        try:
            return program.backward(row, weight)
        except autograd.CompileError as e:  # raised before any gradient is touched
            self._refused(target, e)
            return self._eager(target, row, weight)

    def _batch_backward(self, samples: list[int], weight: float, results: dict) -> None:
        """Replay samples sharing one target at once; their (loss, outputs) go to
        ``results``.  Leaves ``results`` alone when they must replay one by one."""
        target = self.y[samples[0]]
        program = self._program(target)
        if program is None:
            return
        np = self.np
        X = np.array([self.rows[i] for i in samples]).T  # one row per input
        try:
            values, outs = program.batch_backward(X, np.full(len(samples), weight))
        except DivergedBatch:  # raised before any gradient is touched
            return
        except autograd.CompileError as e:
            self._refused(target, e)
            return
        outs = [o.tolist() for o in outs]
        for r, (i, value) in enumerate(zip(samples, values.tolist())):
            results[i] = value, [o[r] for o in outs]

    def step(self, batch: list[int], optimizer: Optimizer, weight: float):
        """zero_grad, every sample's backward, step; returns the loss and predictions."""
        optimizer.zero_grad()
        results: dict = {}
        if self.np is not None and len(batch) > 1:
            groups: dict = {}
            for i in batch:
                t = self.y[i]
                groups.setdefault(tuple(t) if isinstance(t, Sequence) else t, []).append(i)
            for samples in groups.values():
                if len(samples) > 1:
                    self._batch_backward(samples, weight, results)
        loss, preds = 0.0, []
        for i in batch:
            value, outs = results.get(i) or self._backward(self.y[i], self.rows[i], weight)
            loss += value
            if self.spec.correct:  # the accuracy helpers read predictions as Values
                preds.append(Value(outs[0]) if self.nout == 1 else [Value(o) for o in outs])
        optimizer.step()
        return loss, preds


def _positive_int(n, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def _check_optimizer(optimizer, model) -> None:
    """Refuse an optimizer that would train nothing: one built on another model's
    parameters (``SGD(other.parameters())``), or something that cannot step."""
    if not (callable(getattr(optimizer, "step", None))
            and callable(getattr(optimizer, "zero_grad", None))):
        raise ValueError(f"optimizer must have step() and zero_grad(), e.g. "
                         f"nn.SGD(model.parameters(), lr=0.1); got {type(optimizer).__name__}")
    if isinstance(optimizer, Optimizer):
        own = {id(p) for p in model.parameters()}
        if not any(id(p) in own for p in optimizer.params):
            raise ValueError("the optimizer holds none of the model's parameters, so fit() "
                             "would train nothing: build it from this model, e.g. "
                             "nn.SGD(model.parameters(), lr=0.1)")


def fit(model: Module, X: Sequence[Sequence[float]], y: Sequence, loss="mse",
        optimizer: Optimizer | None = None, epochs: int = 100, batch_size: int | None = None,
        shuffle: bool = True, seed: int | None = None, progress: bool = True,
        compiled: bool = False, lr_schedule=None) -> History:
    """Train ``model`` on ``(X, y)`` with mini-batch gradient descent.

    Each step: forward the batch, average the loss over it (``"half_sse"`` sums),
    ``zero_grad``, ``backward``, ``optimizer.step()``.

    Args:
        model: a module taking ``nin`` inputs (an ``MLP``, ``Layer`` or ``Neuron``).
        X: samples, each a list of ``model.nin`` numbers (or a 2-D NumPy array, or a
            pandas DataFrame: anything with ``.tolist()`` or ``.to_numpy()``).
        y: one target per sample: a number (one output), a list of numbers (several
            outputs), or a class index for ``"cross_entropy"`` (a NumPy array or a pandas
            Series works too).
        loss: ``"mse"``, ``"half_sse"``, ``"bce"``, ``"bce_with_logits"``, ``"hinge"``,
            ``"cross_entropy"``, or a function ``(prediction, target) -> Value``.
        optimizer: defaults to ``SGD(model.parameters(), lr=0.1)``.
        epochs: passes over the data.
        batch_size: samples per step; ``None`` (or anything >= len(X)) is full batch,
            1 is per-sample SGD.
        shuffle: reshuffle the sample order every epoch.
        seed: seed of the shuffling (``random.Random``; no global state).
        progress: show a tqdm progress bar with the loss (and accuracy).
        compiled: replay compiled per-sample programs (``autograd.compile``) instead of
            building a graph every step: one program per distinct target, traced on
            first use.  The batch loss is the weighted sum of per-sample losses (equal to
            the batch loss up to rounding), so results match ``compiled=False`` to ~1e-12.
        lr_schedule: a schedule such as ``nn.LinearLR(optimizer, ...)``, stepped once
            after every epoch.

    Returns:
        A :class:`History` with the loss (and accuracy, where it applies) per epoch.

    Raises:
        ValueError: before any training: X empty, ragged or of the wrong width,
            ``len(X) != len(y)``, a target of the wrong shape or range for the loss, an
            unknown loss, a bad ``epochs`` / ``batch_size``, or an optimizer that holds
            none of the model's parameters (it would train nothing), or an
            ``lr_schedule`` built on another optimizer.

    >>> import nn
    >>> model = nn.MLP(1, [1], output_activation="linear", seed=0)
    >>> h = nn.fit(model, [[0.0], [1.0]], [1.0, 3.0], epochs=200, progress=False)
    >>> round(model([2.0]).data, 3)
    5.0
    """
    spec, summed = _resolve_loss(loss)
    nin = getattr(model, "nin", None)
    nout = getattr(model, "nout", None)
    if not isinstance(nin, int) or not isinstance(nout, int):
        raise ValueError(f"model must be an nn module with nin and nout, got "
                         f"{type(model).__name__}")
    rows = _rows(X, nin)
    y = _as_lists(y)
    if isinstance(y, (str, bytes)) or not isinstance(y, Sequence):
        raise ValueError("y must be a list with one target per sample")
    if len(y) != len(rows):
        raise ValueError(f"X has {len(rows)} samples but y has {len(y)} targets")
    for i, t in enumerate(y):
        spec.check(t, nout, f"y[{i}]")
    epochs = _positive_int(epochs, "epochs")
    size = len(rows) if batch_size is None else _positive_int(batch_size, "batch_size")
    replay = _Replay(model, rows, y, spec, nout) if compiled else None
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=0.1)
    else:
        _check_optimizer(optimizer, model)
    if lr_schedule is not None and getattr(lr_schedule, "optimizer", optimizer) is not optimizer:
        # a schedule of another optimizer would change a learning rate fit never uses
        raise ValueError("lr_schedule drives another optimizer than the one fit() uses: "
                         "build it on the optimizer you pass, e.g. "
                         "nn.LinearLR(optimizer, ...) with fit(..., optimizer=optimizer)")

    order = list(range(len(rows)))
    rng = random.Random(seed)
    history = History(accuracy=[] if spec.correct else None)
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    for _ in bar:
        if shuffle:
            rng.shuffle(order)
        total = right = counted = 0
        for start in range(0, len(order), size):
            batch = order[start:start + size]
            if replay is not None:
                batch_loss, preds = replay.step(batch, optimizer, 1.0 if summed else 1 / len(batch))
                total += batch_loss if summed else batch_loss * (len(batch) / len(rows))
                if spec.correct:
                    for p, i in zip(preds, batch):
                        r, c = spec.correct(p, y[i])
                        right += r
                        counted += c
                continue
            targets = [y[i] for i in batch]
            # The step's graph has no reference cycles (it is freed by reference counting
            # alone), yet building it would trigger the cycle collector every 700 new
            # nodes, each pass walking every node alive: paused for the step, it runs
            # afterwards as usual (a custom loss's cycles, if any, are collected then).
            paused = gc.isenabled()
            if paused:
                gc.disable()
            try:
                preds = [model(rows[i]) for i in batch]
                batch_loss = spec.fn(preds, targets)
                optimizer.zero_grad()
                batch_loss.backward()
                optimizer.step()
            finally:
                if paused:
                    gc.enable()
            # weight each batch by its share of the samples: with one full batch the
            # weight is exactly 1, so the epoch's loss is exactly that step's loss
            total += batch_loss.data if summed else batch_loss.data * (len(batch) / len(rows))
            if spec.correct:
                for p, t in zip(preds, targets):
                    r, c = spec.correct(p, t)
                    right += r
                    counted += c
        history.loss.append(total)
        shown = {"loss": f"{history.loss[-1]:.4g}"}
        if spec.correct:
            history.accuracy.append(right / counted)
            shown["acc"] = f"{history.accuracy[-1]:.3f}"
        bar.set_postfix(shown, refresh=False)
        if lr_schedule is not None:
            lr_schedule.step()
    return history
