"""Loss functions, built from engine operations only (their gradients come from ``backward``).

Each loss returns one ``Value``.  Predictions and targets can be

* one prediction and one number: ``mse_loss(model(x), 1.0)``;
* a list of predictions and a list of numbers (a batch, or one sample's outputs);
* a list of per-sample output lists and a list of per-sample target lists.

Batched forms average over every element (PyTorch's ``reduction="mean"``), except
:func:`half_sse_loss`, which sums.  Targets are plain numbers.

Numerical care: :func:`bce_with_logits_loss` uses the softplus form, so logits of +-1000
give finite losses and gradients; :func:`cross_entropy_loss` subtracts the largest logit
(as a constant) before exponentiating and never adds it back, so equal logits of 1e17
still give log 2; :func:`bce_loss` follows PyTorch's ``BCELoss`` at saturation (``log``
clamped at -100, gradient ``(p - t) / max(p (1 - p), 1e-12)``).

NaN in, NaN out: a NaN prediction or target gives a NaN loss, never a quiet number.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

import autograd
from autograd import Value, as_value

__all__ = [
    "mse_loss", "half_sse_loss", "bce_loss", "bce_with_logits_loss", "hinge_loss",
    "cross_entropy_loss", "l2_penalty", "SAMPLE_FORMS", "PER_ELEMENT", "PER_SAMPLE", "SUMMED",
    "NotTraceable",
    "EXP_SUM_RANGE",
]

# PyTorch's BCELoss at saturation: log is clamped below at -100 in the loss, and the
# gradient is (p - t) / max(p (1 - p), 1e-12) (binary_cross_entropy_backward in ATen).
_LOG_FLOOR = -100.0
_BCE_EPS = 9.999999960041972e-13  # ATen's EPSILON = 1e-12, a C++ float: this double


def _is_seq(x) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _number(t, what: str) -> float:
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        raise ValueError(f"{what} must be a real number, got {t!r}")
    return float(t)


def _pairs(preds, targets, loss: str) -> tuple[list[Value], list[float]]:
    """Predictions and targets flattened side by side, after checking their shapes match."""
    if not _is_seq(preds):
        if _is_seq(targets):
            raise ValueError(f"{loss}: one prediction but {len(targets)} targets")
        return [as_value(preds)], [_number(targets, f"{loss}: target")]
    if not _is_seq(targets):
        raise ValueError(f"{loss}: {len(preds)} predictions but a single target {targets!r}")
    if len(preds) != len(targets):
        raise ValueError(f"{loss}: {len(preds)} predictions but {len(targets)} targets")
    if not preds:
        raise ValueError(f"{loss}: no predictions")
    ps: list[Value] = []
    ts: list[float] = []
    for i, (p, t) in enumerate(zip(preds, targets)):
        if _is_seq(p):  # one sample with several outputs
            if not _is_seq(t) or len(t) != len(p):
                n = len(t) if _is_seq(t) else 1
                raise ValueError(f"{loss}: prediction {i} has {len(p)} outputs but target {i} "
                                 f"has {n}")
            ps.extend(as_value(v) for v in p)
            ts.extend(_number(v, f"{loss}: target {i}") for v in t)
        else:
            if _is_seq(t):
                raise ValueError(f"{loss}: prediction {i} is one number but target {i} has "
                                 f"{len(t)}")
            ps.append(as_value(p))
            ts.append(_number(t, f"{loss}: target {i}"))
    return ps, ts


def _mean(terms: list[Value]) -> Value:
    if len(terms) == 1:
        return terms[0]
    return autograd.sum(terms) * (1.0 / len(terms))


def _residuals(preds, targets, loss: str) -> list[Value]:
    ps, ts = _pairs(preds, targets, loss)
    return [p + (-t) for p, t in zip(ps, ts)]


def mse_loss(preds, targets) -> Value:
    """Mean squared error: ``mean((pred - target)**2)``.

    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    r = _residuals(preds, targets, "mse_loss")
    # One fused dot node computes the sum of squares: d/dr_i of dot(r, r) is 2 r_i.
    return autograd.dot(r, r) * (1.0 / len(r))


def half_sse_loss(preds, targets) -> Value:
    """Half the sum of squared errors: ``0.5 * sum((pred - target)**2)`` (no averaging).

    Its gradient with respect to a prediction is exactly ``pred - target``.

    >>> half_sse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    r = _residuals(preds, targets, "half_sse_loss")
    return autograd.dot(r, r) * 0.5


def _unit_targets(ts: list[float], loss: str) -> None:
    for i, t in enumerate(ts):
        if t < 0.0 or t > 1.0:  # NaN passes, to come out as a NaN loss
            raise ValueError(f"{loss}: target {i} is {t!r}; targets must lie in [0, 1]")


def _clamped_log(x: float) -> float:
    return _LOG_FLOOR if x <= 0.0 else max(math.log(x), _LOG_FLOOR)


def _bce_term(p: Value, t: float) -> Value:
    """One sample's ``-(t log p + (1 - t) log(1 - p))``, as PyTorch computes it."""
    x = p.data
    if x * (1.0 - x) >= _BCE_EPS or x != x:
        # Away from 0 and 1 (log p > -28): the exact formula, whose derivative is
        # PyTorch's (p - t) / (p (1 - p)).  Hard 0/1 targets keep only the term that
        # counts (fewer nodes, no 0 * log 0).  NaN takes this way too: NaN out.
        terms = []
        if t != 0.0:
            terms.append(p.log() * -t)
        if t != 1.0:
            terms.append((1.0 - p).log() * (t - 1.0))
        return terms[0] if len(terms) == 1 else terms[0] + terms[1]
    # Saturated (p within 1e-12 of 0 or 1): PyTorch's clamped loss, and its gradient
    # (p - t) / 1e-12, which still points away from the wrong end; the derivative of
    # the clamped log alone would be 0 there, or point the wrong way (p = 1e-300,
    # t = 0.5).  `p - x` is exactly 0, so the node's value is the clamped loss and its
    # gradient is g (a straight line: its second derivative there is 0).
    loss = -((t * _clamped_log(x) if t != 0.0 else 0.0)
             + ((1.0 - t) * _clamped_log(1.0 - x) if t != 1.0 else 0.0))
    g = (x - t) / _BCE_EPS
    return (p + (-x)) * g + loss


def bce_loss(probs, targets) -> Value:
    """Binary cross-entropy from probabilities: ``mean(-(t log p + (1 - t) log(1 - p)))``.

    Probabilities must lie in [0, 1] (as in PyTorch).  Within 1e-12 of 0 or 1 it
    matches PyTorch's ``BCELoss``: ``log`` is clamped at -100, so ``p`` of exactly 0 or 1
    gives a finite loss, and the gradient is ``(p - t) / 1e-12``, not the derivative
    of the clamped log (which is 0 there).  Prefer :func:`bce_with_logits_loss` on raw
    scores: it is exact for any logit.

    Raises:
        ValueError: shapes differ, a prediction lies outside [0, 1], or a target does.

    >>> round(bce_loss(Value(0.8), 1.0).data, 6)
    0.223144
    """
    ps, ts = _pairs(probs, targets, "bce_loss")
    _unit_targets(ts, "bce_loss")
    for i, p in enumerate(ps):
        if p.data < 0.0 or p.data > 1.0:  # NaN passes, to come out as a NaN loss
            raise ValueError(f"bce_loss: prediction {i} is {p.data!r}, not a probability "
                             f"in [0, 1]; for raw scores (logits) use bce_with_logits_loss")
    terms = [_bce_term(p, t) for p, t in zip(ps, ts)]
    return _mean(terms)


def bce_with_logits_loss(logits, targets) -> Value:
    """Binary cross-entropy on raw scores ``z``: ``mean(softplus(z) - t*z)``.

    Equal to ``bce_loss(sigmoid(z), t)`` but never overflows: logits of +-1000 give
    finite losses and gradients (the gradient is ``sigmoid(z) - t``).

    Raises:
        ValueError: shapes differ, or a target lies outside [0, 1].

    >>> bce_with_logits_loss(Value(1000.0), 1.0).data
    0.0
    """
    zs, ts = _pairs(logits, targets, "bce_with_logits_loss")
    _unit_targets(ts, "bce_with_logits_loss")
    terms = [z.softplus() + z * -t if t != 0.0 else z.softplus() for z, t in zip(zs, ts)]
    return _mean(terms)


def hinge_loss(scores, targets) -> Value:
    """Hinge (max-margin) loss, micrograd's demo loss: ``mean(relu(1 - t*s))``.

    Raises:
        ValueError: shapes differ, or a target is not -1 or +1.

    >>> hinge_loss([Value(0.5), Value(-2.0)], [1, -1]).data
    0.25
    """
    ss, ts = _pairs(scores, targets, "hinge_loss")
    for i, t in enumerate(ts):
        if t not in (-1.0, 1.0) and t == t:  # NaN passes, to come out as a NaN loss
            raise ValueError(f"hinge_loss: target {i} is {t!r}; targets must be -1 or +1")
    return _mean([(s * -t + 1.0).relu() for s, t in zip(ss, ts)])


def _class_index(t, n: int, what: str) -> int:
    if isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise ValueError(f"{what} must be a class index (int), got {t!r}")
    if not 0 <= t < n:
        raise ValueError(f"{what} is {t}, outside the {n} classes 0..{n - 1}")
    return int(t)


def _cross_entropy_one(logits, target, what: str) -> Value:
    if not _is_seq(logits) or len(logits) < 1:
        raise ValueError(f"{what}: logits must be a non-empty list, got {logits!r}")
    t = _class_index(target, len(logits), f"{what}: target")
    zs = [as_value(z) for z in logits]
    # log-sum-exp with the largest logit m subtracted as a constant: no exp overflows, so
    # logits of 1000 and -1000 give a finite loss and gradients.  m is never added back:
    # (lse - m) - (z[t] - m) keeps log 2 for logits [1e17, 1e17], where adding m back
    # first would round it away.
    m = max(z.data for z in zs)
    shifted = [z + (-m) for z in zs]
    return autograd.sum([s.exp() for s in shifted]).log() - shifted[t]


def cross_entropy_loss(logits, target) -> Value:
    """Softmax cross-entropy: ``log(sum(exp(z))) - z[target]``, computed stably.

    Args:
        logits: one sample's logits (a list), or a batch of them (a list of lists).
        target: the sample's class index, or a list of indices (one per sample); a
            batch's loss is the mean over its samples.

    Raises:
        ValueError: a target is not an int in ``range(len(logits))``, or shapes differ.

    >>> loss = cross_entropy_loss([Value(1000.0), Value(-1000.0)], 1)
    >>> loss.data
    2000.0
    """
    if not _is_seq(target):
        return _cross_entropy_one(logits, target, "cross_entropy_loss")
    if not _is_seq(logits) or len(logits) != len(target) or not target:
        n = len(logits) if _is_seq(logits) else 1
        raise ValueError(f"cross_entropy_loss: {n} samples of logits but {len(target)} "
                         f"targets")
    return _mean([_cross_entropy_one(z, t, f"cross_entropy_loss: sample {i}")
                  for i, (z, t) in enumerate(zip(logits, target))])


class NotTraceable(ValueError):
    """A per-sample form met a case it cannot state with targets as Values while tracing
    (a ``bce`` prediction within 1e-12 of 0 or 1, logits beyond the unshifted
    cross-entropy's range): compute that loss eagerly."""


# The per-sample forms of the losses, for a compiled training step (``fit(compiled=True)``
# traces one sample's step once and replays it on whole mini-batches): the formulas above,
# written with the targets as Values (inputs of the trace, so one program serves every
# target) and without branches on a target's value.  Each takes one sample's outputs and
# targets (a class index comes as a one-hot row) and returns the sum of its terms; the
# caller weights it by the sample's share of the batch loss.  Where the eager form drops
# a term for a hard 0/1 target, the term here is 0 * (finite) and adds exactly nothing, so
# the values equal the eager ones and the gradients agree to rounding.


def _sse_terms(outs: list[Value], ts: list[Value]) -> Value:
    r = [p - t for p, t in zip(outs, ts)]
    return autograd.dot(r, r)


def _bce_terms(outs: list[Value], ts: list[Value]) -> Value:
    terms = []
    for p, t in zip(outs, ts):
        # A comparison of Values is a guard of the trace: replays of samples on the
        # other side of it (saturated, or NaN) run the eager form instead.
        if not p * (1.0 - p) >= _BCE_EPS:
            raise NotTraceable("bce_loss: a prediction within 1e-12 of 0 or 1 (or NaN) "
                               "while tracing")
        terms.append(p.log() * -t + (1.0 - p).log() * (t - 1.0))
    return terms[0] if len(terms) == 1 else autograd.sum(terms)


def _logit_terms(outs: list[Value], ts: list[Value]) -> Value:
    terms = [z.softplus() + z * -t for z, t in zip(outs, ts)]
    return terms[0] if len(terms) == 1 else autograd.sum(terms)


def _hinge_terms(outs: list[Value], ts: list[Value]) -> Value:
    terms = [(s * -t + 1.0).relu() for s, t in zip(outs, ts)]
    return terms[0] if len(terms) == 1 else autograd.sum(terms)


#: The traced cross-entropy exponentiates unshifted while the sum of ``exp(logit)`` lies
#: strictly between these bounds: no exp overflowed, and the largest terms are normal
#: floats (full precision); terms that underflow weigh below 1e-58 of the sum.
EXP_SUM_RANGE = (1e-250, 1e250)


def _cross_entropy_terms(outs: list[Value], onehot: list[Value]) -> Value:
    # The eager form subtracts the largest logit, read as a number, which a trace would
    # freeze (and as a node of binary maxima it would cost more than the rest of the
    # loss).  Unshifted, the loss is the same up to rounding (absolute: about an ulp of
    # the largest logit) wherever the sum of the exponentials is safely inside the
    # floats: that range is a guard of the trace, and a batch with a sample beyond it (a
    # logit past ~575, or all of them below ~-575) runs the eager form instead.
    total = autograd.sum([z.exp() for z in outs])
    low, high = EXP_SUM_RANGE
    if not low < total < high:
        raise NotTraceable("cross_entropy_loss: a logit too large (or all too small) to "
                           "exponentiate unshifted, while tracing")
    return total.log() - autograd.dot(onehot, outs)


#: How a batch loss is made of its samples' terms (SAMPLE_FORMS' second field): the mean
#: over every output of every sample, the mean over samples, or the sum (a reduction's
#: name, as PyTorch's ``reduction="sum"``, not the op).
PER_ELEMENT, PER_SAMPLE, SUMMED = "elements", "samples", "sum"

#: Per-sample forms with targets as Values (see above), by ``fit``'s loss names, and how
#: the batch loss is reduced from them (half_sse: the sum).
SAMPLE_FORMS = {
    "mse": (_sse_terms, PER_ELEMENT),
    "half_sse": (lambda outs, ts: _sse_terms(outs, ts) * 0.5, SUMMED),
    "bce": (_bce_terms, PER_ELEMENT),
    "bce_with_logits": (_logit_terms, PER_ELEMENT),
    "hinge": (_hinge_terms, PER_ELEMENT),
    "cross_entropy": (_cross_entropy_terms, PER_SAMPLE),
}


def l2_penalty(params: Iterable[Value], alpha: float) -> Value:
    """Weight decay as a loss term: ``alpha * sum(p * p)`` (one fused ``dot`` node).

    >>> l2_penalty([Value(1.0), Value(-2.0)], 0.1).data
    0.5
    """
    ps = list(params)
    if not ps:
        raise ValueError("l2_penalty: no parameters")
    return autograd.dot(ps, ps) * _number(alpha, "l2_penalty: alpha")
