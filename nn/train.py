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
from importlib.util import find_spec

# tqdm.auto picks the notebook widget inside Jupyter, and without ipywidgets that prints
# "TqdmWarning: IProgress not found" there: use the text bar unless the widget can work.
if find_spec("ipywidgets") is not None:
    from tqdm.auto import tqdm
else:
    from tqdm.std import tqdm

import autograd
from autograd import Value

from . import losses
from .compiled import CompiledSteps, NotCompiled
from .modules import Module
from .optim import SGD, Optimizer

__all__ = ["fit", "History", "LOSSES"]


@dataclass(frozen=True)
class _Loss:
    fn: Callable  # fn(batch_predictions, batch_targets) -> Value
    check: Callable[[object, int, str], None]  # check(target, nout, what) raises ValueError
    # how a prediction is scored: "argmax" (the class of the largest output), (cut,
    # positive) (element-wise: an output above cut predicts a target >= positive) or None
    score: str | tuple[float, float] | None

    def correct(self, pred, target) -> tuple[int, int]:
        """(right, counted) for one sample's prediction (Values)."""
        outs = [v.data for v in pred] if isinstance(pred, list) else [pred.data]
        if self.score == "argmax":
            return int(max(range(len(outs)), key=outs.__getitem__) == target), 1
        cut, positive = self.score
        ts = [float(v) for v in target] if isinstance(target, Sequence) else [float(target)]
        return sum((o > cut) == (t >= positive) for o, t in zip(outs, ts)), len(ts)


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
    if (type(t) is not int and (isinstance(t, bool) or not isinstance(t, numbers.Integral))) \
            or not 0 <= t < nout:
        raise ValueError(f"{what} is {t!r}; cross_entropy targets are class indices "
                         f"0..{nout - 1}")


_any_real = _shape_check(math.isfinite, "targets must be finite numbers")
_unit = _shape_check(lambda v: 0.0 <= v <= 1.0, "bce targets must lie in [0, 1]")
_sign = _shape_check(lambda v: v in (-1, 1), "hinge targets must be -1 or +1")

#: The built-in losses ``fit`` accepts by name.
LOSSES: dict[str, _Loss] = {
    "mse": _Loss(losses.mse_loss, _any_real, None),
    "half_sse": _Loss(losses.half_sse_loss, _any_real, None),
    "bce": _Loss(losses.bce_loss, _unit, (0.5, 0.5)),
    "bce_with_logits": _Loss(losses.bce_with_logits_loss, _unit, (0.0, 0.5)),
    "hinge": _Loss(losses.hinge_loss, _sign, (0.0, 0.0)),
    "cross_entropy": _Loss(losses.cross_entropy_loss, _class_check, "argmax"),
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


# The loss functions whose per-sample mean is the named loss (half_sse_loss is not: by
# name, fit sums it): passed as functions, they compile as that loss does.
_FORM_OF = {losses.mse_loss: "mse", losses.bce_loss: "bce",
            losses.bce_with_logits_loss: "bce_with_logits", losses.hinge_loss: "hinge",
            losses.cross_entropy_loss: "cross_entropy"}


def _resolve_loss(loss) -> tuple[_Loss, bool, object]:
    """The loss, whether a batch's loss is a sum (half_sse) rather than a mean, and what
    a compiled step traces: a name of ``losses.SAMPLE_FORMS``, or the function."""
    if callable(loss):
        return _custom(loss), False, _FORM_OF.get(loss, loss)
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)} or pass a "
                         f"function (prediction, target) -> Value")
    return LOSSES[loss], loss == "half_sse", loss


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


_PLAIN = {float, int}
_ROW_TYPES = (list, tuple)


def _plain_finite(row) -> bool:
    """The common case, checked at C speed: plain floats and ints whose sum is finite
    are all finite (an inf or nan anywhere makes the sum inf or nan)."""
    try:
        return set(map(type, row)) <= _PLAIN and math.isfinite(sum(row))
    except OverflowError:  # an int too large for a float
        return False


def _finite(v) -> bool:
    """Whether a real number is a finite float (an int too large for one is not)."""
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


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
        # (a list or tuple is a Sequence: the ABC check, slow per row, only for the rest)
        if type(row) not in _ROW_TYPES and (isinstance(row, (str, bytes)) or
                                            not isinstance(row, Sequence)):
            raise ValueError(f"X[{i}] is {row!r}, not a list of numbers")
        if len(row) != len(X[0]):
            raise ValueError(f"X is ragged: X[0] has {len(X[0])} values but X[{i}] has "
                             f"{len(row)}")
        if not _plain_finite(row):
            for j, v in enumerate(row):
                if isinstance(v, bool) or not isinstance(v, numbers.Real) or not _finite(v):
                    shown = repr(v) if len(repr(v)) < 40 else f"{repr(v)[:20]}..."
                    raise ValueError(f"X[{i}][{j}] is {shown}, not a finite number")
        rows.append(list(map(float, row)))
    if len(rows[0]) != nin:
        raise ValueError(f"X has {len(rows[0])} values per sample but the model takes "
                         f"{nin} inputs")
    return rows


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




class _Eager:
    """The eager loop: every step builds the batch's graph and calls ``backward()``."""

    def __init__(self, model: Module, rows: list, y: Sequence, spec: _Loss,
                 optimizer) -> None:
        self.model, self.rows, self.y, self.spec, self.optimizer = model, rows, y, spec, optimizer

    def __enter__(self) -> _Eager:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def grad(self, batch: list[int]) -> tuple[Value, list]:
        """The batch's loss, its gradient added to the parameters' ``grad``."""
        # The step's graph has no reference cycles (it is freed by reference counting
        # alone), yet building it would trigger the cycle collector every 700 new nodes,
        # each pass walking every node alive: paused for the step, it runs afterwards as
        # usual (a custom loss's cycles, if any, are collected then).
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            preds = [self.model(self.rows[i]) for i in batch]
            loss = self.spec.fn(preds, [self.y[i] for i in batch])
            loss.backward()
        finally:
            if paused:
                gc.enable()
        return loss, preds

    def epoch(self, batches: list[list[int]]) -> tuple[float, int, int]:
        """One pass: (the summed loss, weighted by batch size as fit reports it, right,
        counted)."""
        total, right, counted, n = 0.0, 0, 0, len(self.rows)
        for batch in batches:
            self.optimizer.zero_grad()
            loss, preds = self.grad(batch)
            self.optimizer.step()
            # weight each batch by its share of the samples: with one full batch the
            # weight is exactly 1, so the epoch's loss is exactly that step's loss
            total += loss.data if self.summed else loss.data * (len(batch) / n)
            if self.spec.score is not None:
                for p, i in zip(preds, batch):
                    r, c = self.spec.correct(p, self.y[i])
                    right += r
                    counted += c
        return total, right, counted


class _Compiled(_Eager):
    """The compiled loop: one replay of one traced program per batch (nn.compiled)."""

    def __init__(self, model: Module, rows: list, y: Sequence, spec: _Loss, optimizer,
                 form, nout: int) -> None:
        super().__init__(model, rows, y, spec, optimizer)
        self.steps = CompiledSteps(model, rows, y, nout, form, self.grad, optimizer)

    def __exit__(self, *exc) -> None:
        self.steps.close()

    def epoch(self, batches: list[list[int]]) -> tuple[float, int, int]:
        total, right, counted, n, steps = 0.0, 0, 0, len(self.rows), self.steps
        for batch in batches:
            loss, outs = steps.step(batch, steps.weight(len(batch)))
            total += loss if self.summed else loss * (len(batch) / n)
            if self.spec.score is not None:
                r, c = steps.correct(batch, outs, self.spec.score)
                right += r
                counted += c
        return total, right, counted


def _loop(model, rows, y, spec: _Loss, summed: bool, optimizer, compiled: bool, form,
          nout: int) -> _Eager:
    """The training loop: compiled when asked and possible, else eager."""
    loop = None
    if compiled:
        if isinstance(form, str) and spec is not LOSSES[form]:
            for i, t in enumerate(y):  # a loss function compiled as its named loss
                LOSSES[form].check(t, nout, f"y[{i}]")
        try:
            loop = _Compiled(model, rows, y, spec, optimizer, form, nout)
        except NotCompiled as e:
            warnings.warn(f"fit(compiled=True) trains eagerly instead: {e}", RuntimeWarning,
                          stacklevel=3)
    loop = loop or _Eager(model, rows, y, spec, optimizer)
    loop.summed = summed
    return loop


def _checked(model, X, y, spec: _Loss, epochs, batch_size, optimizer, lr_schedule):
    """fit's arguments checked (ValueError naming what is wrong): rows, targets, nout,
    epochs, batch size, optimizer."""
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
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=0.1)
    else:
        _check_optimizer(optimizer, model)
    if lr_schedule is not None and getattr(lr_schedule, "optimizer", optimizer) is not optimizer:
        # a schedule of another optimizer would change a learning rate fit never uses
        raise ValueError("lr_schedule drives another optimizer than the one fit() uses: "
                         "build it on the optimizer you pass, e.g. "
                         "nn.LinearLR(optimizer, ...) with fit(..., optimizer=optimizer)")
    return rows, y, nout, epochs, size, optimizer


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
        compiled: trace one sample's step once (``autograd.compile``, targets as inputs
            of the trace) and replay it on each whole mini-batch with NumPy (a layer is
            one matrix product), the parameters kept in one array and the optimizer
            stepping on arrays; they are written back to the ``Value``s when ``fit``
            returns or is interrupted.  Results match ``compiled=False`` to ~1e-12 (a
            batch's loss is summed in another order).  A batch whose samples take another
            branch than the trace (a comparison of Values) runs eagerly; a loss that
            cannot be traced trains eagerly, with a ``RuntimeWarning``.  Needs NumPy.
            The traced program is kept for the next call on the same model and named
            loss (an epoch-by-epoch loop, early stopping or a sweep traces once); a
            change to the model's structure (a parameter added or replaced, an
            activation or layer swapped) or to the rule table traces anew, while new
            parameter values, optimizers, schedules and data of the same width reuse
            it.  A module class or loss function of your own is traced on every call.
            ``nn.compiled.cache_info(model)`` counts hits and traces;
            ``nn.compiled.cache_clear(model)`` forgets the program.
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
    spec, summed, form = _resolve_loss(loss)
    rows, y, nout, epochs, size, optimizer = _checked(model, X, y, spec, epochs, batch_size,
                                                      optimizer, lr_schedule)
    order = list(range(len(rows)))
    rng = random.Random(seed)
    history = History(accuracy=[] if spec.score is not None else None)
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    with _loop(model, rows, y, spec, summed, optimizer, compiled, form, nout) as loop:
        for _ in bar:
            if shuffle:
                rng.shuffle(order)
            total, right, counted = loop.epoch([order[k:k + size]
                                                for k in range(0, len(order), size)])
            history.loss.append(total)
            shown = {"loss": f"{history.loss[-1]:.4g}"}
            if spec.score is not None:
                history.accuracy.append(right / counted)
                shown["acc"] = f"{history.accuracy[-1]:.3f}"
            bar.set_postfix(shown, refresh=False)
            if lr_schedule is not None:
                lr_schedule.step()
    return history
