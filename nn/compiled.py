"""``fit(compiled=True)``: every mini-batch step as one replay of one traced program.

One sample's step (the model, its loss, weighted by the sample's share of the batch loss)
is traced once per ``fit`` call, with every per-sample number an input of the trace: the
features, the target (a class index as a one-hot row, see ``losses.SAMPLE_FORMS``) and
the weight.  A mini-batch of any size is then one call of the generated ``batch_grad``
(:meth:`autograd.compile.Compiled.batch_grad`): a layer is one matrix product forward
and two backward, the loss runs on arrays of samples.  The parameters stay in one NumPy
array for the whole call and the optimizer updates that array (``step_arrays``); they
are written back to their Values when ``fit`` returns or is interrupted.

Never silently different from eager training:

* a batch whose samples leave a branch the trace took (a comparison in the model or the
  loss: ``bce`` near saturation, a custom loss that branches) runs eagerly;
* an optimizer without ``step_arrays`` (a user's own), or one that does not hold every
  parameter the program reads, steps on the Values after each batch;
* a loss or model that cannot be traced with targets as Values, or an op with no
  straight-line code, trains eagerly (with a ``RuntimeWarning``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import autograd
from autograd import Value
from autograd.compile import DivergedBatch

from .losses import PER_ELEMENT, PER_SAMPLE, SAMPLE_FORMS, SUMMED, NotTraceable
from .optim import Optimizer

__all__ = ["CompiledSteps", "NotCompiled"]


class NotCompiled(Exception):
    """The training job cannot run as one traced program; train eagerly (the message
    says why)."""


def _target_rows(y: Sequence, nout: int, name: str | None) -> list:
    """Each target as the numbers the trace takes: a one-hot row for cross_entropy, a
    list of floats (or one float, for a custom loss's number target)."""
    if name == "cross_entropy":
        import numpy as np

        onehot = np.zeros((len(y), nout))
        onehot[np.arange(len(y)), np.array(y, dtype=np.intp)] = 1.0
        return onehot
    if name is not None:
        return [[float(t)] if nout == 1 else [float(v) for v in t] for t in y]
    is_list = isinstance(y[0], Sequence) and not isinstance(y[0], (str, bytes))
    rows = []
    for t in y:
        if is_list != (isinstance(t, Sequence) and not isinstance(t, (str, bytes))) or \
                (is_list and len(t) != len(y[0])):
            raise NotCompiled("the targets differ in shape")
        for v in t if is_list else [t]:
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise NotCompiled(f"a target is {t!r}, not a number or a list of numbers")
        rows.append([float(v) for v in t] if is_list else float(t))
    return rows


def _sample_fn(model, loss, nout: int) -> Callable:
    """The traced function: one sample's weighted loss, and the model's outputs."""
    form = SAMPLE_FORMS[loss][0] if isinstance(loss, str) else None

    def sample(x, t, w):
        pred = model(x)
        outs = pred if isinstance(pred, list) else [pred]
        if form is not None:
            term = form(outs, t)
        else:
            term = loss(pred, t)
            if not isinstance(term, Value):
                raise NotCompiled(f"the loss function returned a {type(term).__name__}")
        return term * w, outs

    return sample


def _array_optimizer(optimizer, params: list[Value]) -> bool:
    """Whether ``optimizer`` can step on arrays for these parameters: its ``step`` is
    one of ours with a ``step_arrays`` beside it, and it holds each parameter once."""
    if not isinstance(optimizer, Optimizer):
        return False
    owner = next(c for c in type(optimizer).__mro__ if "step" in vars(c))
    ids = [id(p) for p in optimizer.params]
    return "step_arrays" in vars(owner) and len(set(ids)) == len(ids) and \
        {id(p) for p in params} <= set(ids)


class CompiledSteps:
    """The state of one compiled ``fit`` call: the program, the data as arrays, the
    parameters as one array.  Use as a context manager: leaving it writes the
    parameters (and the optimizer's state) back to the Values.

    Args:
        model, rows, y, nout: the checked training data and the model's width.
        loss: a name of ``SAMPLE_FORMS`` or a function ``(prediction, target) -> Value``.
        eager_grad: ``eager_grad(batch) -> (loss Value, predictions)``: the eager batch
            loss with its gradient in the Values' ``grad`` (run for a diverged batch).
        optimizer: the optimizer ``fit`` steps.

    Raises:
        NotCompiled: NumPy is missing, or the step cannot be traced (see the module).
    """

    def __init__(self, model, rows: list[list[float]], y: Sequence, nout: int, loss,
                 eager_grad: Callable, optimizer) -> None:
        try:
            import numpy as np
        except ImportError:
            raise NotCompiled("NumPy is not installed") from None
        self.np, self.nout, self.eager_grad, self.optimizer = np, nout, eager_grad, optimizer
        self.per = SAMPLE_FORMS[loss][1] if isinstance(loss, str) else PER_SAMPLE
        targets = _target_rows(y, nout, loss if isinstance(loss, str) else None)
        self.X = np.array(rows, dtype=float)  # (samples, inputs)
        self.T = np.array(targets, dtype=float)
        self.y = np.array(y, dtype=float) if loss == "cross_entropy" else self.T
        try:
            first = self.T[0].tolist()  # a list of floats, or a float
            self.program = autograd.compile(_sample_fn(model, loss, nout),
                                            [rows[0], first, 1.0])
        except (NotCompiled, NotTraceable, autograd.CompileError) as e:
            raise NotCompiled(str(e)) from e
        except Exception as e:  # a custom loss that cannot take Values as targets
            if not isinstance(loss, str):
                raise NotCompiled(f"the loss function failed on targets as Values: "
                                  f"{type(e).__name__}: {e}") from e
            raise
        self.params = self.program.parameters
        self.arrays = _array_optimizer(optimizer, self.params)
        owned = optimizer.params if self.arrays else self.params
        self.owned = owned
        self.P = np.fromiter((p.data for p in owned), dtype=float, count=len(owned))
        self.G = np.zeros(len(owned))
        self.steps = 0  # optimizer steps taken on the arrays
        where = {id(p): k for k, p in enumerate(owned)}
        self.index = np.array([where[id(p)] for p in self.params], dtype=np.intp)
        self.every = len(self.index) == len(owned) and \
            bool((self.index == np.arange(len(owned))).all())
        try:  # generate the code now: an op with no straight-line code refuses here
            self.program.batch_grad(self.P[self.index], self.X[:1].T, self.T[:1].T,
                                    np.ones(1))
        except autograd.CompileError as e:
            raise NotCompiled(str(e)) from e
        except DivergedBatch:
            pass  # the first sample took another branch than traced: the code exists now

    def weight(self, size: int) -> float:
        """Each sample's weight in the loss of a batch of ``size`` samples."""
        if self.per == SUMMED:
            return 1.0
        return 1.0 / (size * self.nout) if self.per == PER_ELEMENT else 1.0 / size

    def __enter__(self) -> CompiledSteps:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Write the parameters and their last gradients back to the Values."""
        if self.arrays and self.steps:
            for p, data, grad in zip(self.owned, self.P.tolist(), self.G.tolist()):
                p.data, p.grad = data, grad
        if self.arrays:
            self.optimizer.end_arrays()

    def step(self, batch: list[int], weight: float) -> tuple[float, object]:
        """zero_grad, the batch's gradient, step.  Returns the batch loss and the
        predictions (an array, one row per output)."""
        np = self.np
        rows = np.array(batch, dtype=np.intp)
        w = np.full(len(batch), weight)
        if not self.arrays:
            self.P = np.fromiter((p.data for p in self.owned), dtype=float,
                                 count=len(self.owned))
        data = self.P if self.every else self.P[self.index]
        try:
            (values, outs), grads = self.program.batch_grad(data, self.X[rows].T,
                                                            self.T[rows].T, w)
        except DivergedBatch:
            return self._eager_step(batch)
        if self.every:
            self.G = grads
        else:
            self.G[:] = 0.0
            self.G[self.index] = grads
        self._update()
        return float(values.sum()), np.array(outs)

    def _update(self) -> None:
        optimizer = self.optimizer
        if self.arrays:
            optimizer.step_arrays(self.P, self.G)
            self.steps += 1
            return
        optimizer.zero_grad()
        for p, g in zip(self.owned, self.G.tolist()):
            p.grad += g
        optimizer.step()

    def _eager_step(self, batch: list[int]):
        """A batch the program cannot replay: the eager loss and gradient."""
        if self.arrays:  # the Values hold the parameters for the eager graph
            for p, data in zip(self.owned, self.P.tolist()):
                p.data, p.grad = data, 0.0
        else:
            self.optimizer.zero_grad()
        loss, preds = self.eager_grad(batch)
        outs = self.np.array([[v.data for v in (p if isinstance(p, list) else [p])]
                              for p in preds]).T
        if self.arrays:
            self.G = self.np.fromiter((p.grad for p in self.owned), dtype=float,
                                      count=len(self.owned))
            self.optimizer.step_arrays(self.P, self.G)
            self.steps += 1
        else:
            self.optimizer.step()
        return loss.data, outs

    def correct(self, batch: list[int], outs, score) -> tuple[int, int]:
        """(right, counted) of the batch's predictions ``outs`` (one row per output):
        ``score`` is ``"argmax"`` or (cut, positive) as in ``fit``."""
        np = self.np
        rows = np.array(batch, dtype=np.intp)
        if score == "argmax":
            return int((outs.argmax(axis=0) == self.y[rows]).sum()), len(batch)
        cut, positive = score
        hits = (outs > cut) == (self.T[rows].T >= positive)
        return int(hits.sum()), hits.size
