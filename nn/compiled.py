"""``fit(compiled=True)``: every mini-batch step as one replay of one traced program.

One sample's step (the model, its loss, weighted by the sample's share of the batch loss)
is traced once, with every per-sample number an input of the trace: the features, the
target (a class index as a one-hot row, see ``losses.SAMPLE_FORMS``) and the weight.  A
mini-batch of any size is then one call of the generated ``batch_grad``
(:meth:`autograd.compile.Compiled.batch_grad`): a layer is one matrix product forward
and two backward, the loss runs on arrays of samples.  The parameters stay in one NumPy
array for the whole call and the optimizer updates that array (``step_arrays``); they
are written back to their Values when ``fit`` returns or is interrupted.

The program is kept for the next ``fit`` call on the same model and named loss (see
:func:`cache_info`): a notebook's epoch-by-epoch loop, early stopping or a learning-rate
sweep trace once, not once per call.  What the program depends on is its key: the loss's
name, and the model's state (the rule table's version, every module's class and
attributes: sizes, activations, the parameter Values by identity); a change to any of
them traces anew.  The parameters' values are never part of the code (``batch_grad``
takes them as an array), nor is the optimizer (it steps on the arrays outside the
generated code).  Kept only when the key can be complete: every module's class is
``nn``'s own and the loss is a named one (or a function of ``nn.losses`` standing for
one); a module class or a loss function of your own may read anything (a global, a
closure's changed cell), so it is traced on every call.  Kept in a weak-keyed table that
holds the model only weakly: the program goes with its model.

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
import weakref
from collections.abc import Callable, Sequence
from typing import NamedTuple

import autograd
from autograd import Value
from autograd.compile import Compiled, DivergedBatch
from autograd.rules import version

from .losses import PER_ELEMENT, PER_SAMPLE, SAMPLE_FORMS, SUMMED, NotTraceable
from .modules import Module
from .optim import Optimizer

__all__ = ["CompiledSteps", "NotCompiled", "CacheInfo", "cache_info", "cache_clear"]


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


def _sample_fn(model, loss, nout: int, weak: bool = False) -> Callable:
    """The traced function: one sample's weighted loss, and the model's outputs.

    ``weak``: refer to the model through a weak reference (a kept program must not keep
    its model alive)."""
    form = SAMPLE_FORMS[loss][0] if isinstance(loss, str) else None
    the_model = weakref.ref(model) if weak else (lambda: model)

    def sample(x, t, w):
        pred = the_model()(x)
        outs = pred if isinstance(pred, list) else [pred]
        if form is not None:
            term = form(outs, t)
        else:
            term = loss(pred, t)
            if not isinstance(term, Value):
                raise NotCompiled(f"the loss function returned a {type(term).__name__}")
        return term * w, outs

    return sample


class CacheInfo(NamedTuple):
    """What :func:`cache_info` reports for one model (``functools.lru_cache``'s names)."""

    hits: int  # compiled fit calls that replayed a program kept from an earlier call
    misses: int  # compiled fit calls that found none they could reuse, and traced
    traces: int  # traces of the programs kept now (each counts its first)
    programs: int  # programs kept now: at most one per named loss


class _Strong:
    """A strong reference with a weak reference's interface (for what has no weak one)."""

    __slots__ = ("target",)

    def __init__(self, target) -> None:
        self.target = target

    def __call__(self):
        return self.target


def _held(obj) -> Callable:
    """A reference to ``obj`` that keeps it alive only if it must: a ``Value`` (no weak
    reference; the program holds its parameters anyway) or a builtin."""
    try:
        return weakref.ref(obj)
    except TypeError:
        return _Strong(obj)


def _model_state(model) -> tuple[tuple, list] | None:
    """What a traced step of ``model`` depends on besides its parameters' values, or
    None when that cannot be read off its attributes (a module class of your own: its
    forward may read anything).

    Returns ``(atoms, objects)``: the rule table's version, then every module's class and
    attributes flattened: numbers and strings by value (a float by its repr, so -0.0 and
    nan are told apart as written), lists, tuples and dicts item by item, submodules in
    turn; ``objects`` holds the rest (the parameter Values, an activation function),
    compared by identity.  Adding, removing or replacing a parameter, swapping an
    activation or changing a size changes the state.
    """
    if not isinstance(model, Module):
        return None
    atoms: list = [version()]
    objects: list = []
    stack: list = [model]
    seen: set[int] = set()
    while stack:
        v = stack.pop()
        if isinstance(v, Value):
            objects.append(v)
        elif isinstance(v, float):
            atoms.append((float, repr(v)))
        elif v is None or isinstance(v, (bool, int, str, bytes)):
            atoms.append((type(v), v))
        elif isinstance(v, (list, tuple)):
            atoms.append((type(v), len(v)))
            if all(isinstance(x, Value) for x in v):  # a neuron's weights: at C speed
                objects += v
            else:
                stack.extend(reversed(v))
        elif isinstance(v, dict):
            atoms.append((type(v), len(v)))
            for key, item in reversed(v.items()):
                stack += [item, key]
        elif isinstance(v, Module):
            if not type(v).__module__.startswith("nn."):
                return None
            atoms.append(type(v))
            if id(v) not in seen:  # a module met twice (shared) is walked once
                seen.add(id(v))
                stack.append(vars(v))
        else:
            objects.append(v)
    return tuple(atoms), objects


class _Kept:
    """One model's kept programs, by loss name: ``(state, Compiled)``."""

    def __init__(self) -> None:
        self.programs: dict[str, tuple[tuple, list, Compiled]] = {}
        self.hits = self.misses = 0

    def find(self, loss: str, state: tuple[tuple, list]) -> Compiled | None:
        """The program kept for ``loss`` if the model is in the state it was traced in."""
        kept = self.programs.get(loss)
        if kept is not None:
            atoms, held, program = kept
            if atoms == state[0] and len(held) == len(state[1]) and \
                    all(h() is v for h, v in zip(held, state[1])):
                self.hits += 1
                return program
        self.misses += 1
        return None

    def keep(self, loss: str, state: tuple[tuple, list], program: Compiled) -> None:
        self.programs[loss] = (state[0], [_held(v) for v in state[1]], program)


# model -> _Kept.  Weak keys: an entry goes with its model, and nothing in it refers to
# the model strongly (the traced function holds it through a weak reference).
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _kept_for(model, loss) -> tuple[_Kept, tuple[tuple, list]] | None:
    """The model's kept programs and its current state, or None when its programs are
    not kept (a loss function or a module class of your own; a model without weak
    references)."""
    state = _model_state(model) if isinstance(loss, str) and _weak_key(model) else None
    if state is None:
        return None
    kept = _KEPT.get(model)
    if kept is None:
        kept = _KEPT[model] = _Kept()
    return kept, state


def cache_info(model) -> CacheInfo:
    """How ``fit(model, ..., compiled=True)`` has used the programs it keeps for
    ``model`` between calls (all zeros if none).

    >>> import nn
    >>> model = nn.MLP(1, [2, 1], seed=0)
    >>> for _ in range(3):
    ...     _ = nn.fit(model, [[0.0], [1.0]], [0.0, 1.0], epochs=1, progress=False,
    ...                compiled=True)
    >>> nn.compiled.cache_info(model)
    CacheInfo(hits=2, misses=1, traces=1, programs=1)
    """
    kept = _KEPT.get(model) if _weak_key(model) else None
    if kept is None:
        return CacheInfo(0, 0, 0, 0)
    return CacheInfo(kept.hits, kept.misses,
                     sum(program.traces for _, _, program in kept.programs.values()),
                     len(kept.programs))


def cache_clear(model=None) -> None:
    """Forget the programs kept for ``model`` (every model's, if None): its next compiled
    ``fit`` traces again.  Never needed for correctness with ``nn``'s modules and named
    losses; frees the memory, or starts :func:`cache_info`'s counts afresh."""
    if model is None:
        _KEPT.clear()
    elif _weak_key(model):
        _KEPT.pop(model, None)


def _weak_key(model) -> bool:
    """Whether ``model`` can be a key of the weak-keyed table (not a class with
    ``__slots__`` and no ``__weakref__``)."""
    try:
        weakref.ref(model)
    except TypeError:
        return False
    return True


def _array_optimizer(optimizer, params: list[Value]) -> bool:
    """Whether ``optimizer`` can step on arrays for these parameters: its ``step`` is
    one of ours with a ``step_arrays`` beside it, and it holds each parameter once."""
    if not isinstance(optimizer, Optimizer):
        return False
    owner = next(c for c in type(optimizer).__mro__ if "step" in vars(c))
    ids = [id(p) for p in optimizer.params]
    return "step_arrays" in vars(owner) and len(set(ids)) == len(ids) and \
        {id(p) for p in params} <= set(ids)


def _traced(fn: Callable, example: list, loss) -> Compiled:
    """``fn`` traced on the example sample, with what cannot be traced made NotCompiled."""
    try:
        return autograd.compile(fn, example)
    except (NotCompiled, NotTraceable, autograd.CompileError) as e:
        raise NotCompiled(str(e)) from e
    except Exception as e:  # a custom loss that cannot take Values as targets
        if not isinstance(loss, str):
            raise NotCompiled(f"the loss function failed on targets as Values: "
                              f"{type(e).__name__}: {e}") from e
        raise


class CompiledSteps:
    """The state of one compiled ``fit`` call: the program (kept from an earlier call
    when it can be), the data as arrays, the parameters as one array.  Use as a context
    manager: leaving it writes the parameters (and the optimizer's state) back to the
    Values.

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
        example = [rows[0], self.T[0].tolist(), 1.0]  # the target: a list of floats, or one
        kept = _kept_for(model, loss)
        self.program = kept[0].find(loss, kept[1]) if kept else None
        traced = self.program is None
        if traced:
            self.program = _traced(_sample_fn(model, loss, nout, weak=kept is not None),
                                   example, loss)
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
        if traced:  # (a kept program's code exists: the table's version is in its key)
            self._generate()
            if kept is not None:
                kept[0].keep(loss, kept[1], self.program)

    def _generate(self) -> None:
        """Generate the code now, by one replay of the first sample: an op with no
        straight-line code refuses here (NotCompiled), before any training."""
        try:
            self.program.batch_grad(self.P[self.index], self.X[:1].T, self.T[:1].T,
                                    self.np.ones(1))
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
