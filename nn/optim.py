"""Optimizers (``SGD``, ``Adam``) and learning-rate schedules.

The update formulas are PyTorch's (``torch.optim.SGD`` with ``dampening=0`` and
``torch.optim.Adam`` without ``amsgrad``), so the same gradients give the same updates.
Optimizers read ``p.grad`` and write ``p.data``; they never build graph nodes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from autograd import Value

__all__ = ["Optimizer", "SGD", "Adam", "ConstantLR", "LinearLR", "StepLR"]


def _nonnegative(x, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not x >= 0.0 \
            or not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number >= 0, got {x!r}")
    return float(x)


class Optimizer:
    """Base class: holds the parameters and the learning rate ``lr`` (settable).

    Raises:
        ValueError: no parameters, a parameter that is not a ``Value``, or a bad ``lr``.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise ValueError(f"an optimizer takes a list of parameters, e.g. "
                             f"model.parameters(), got {type(params).__name__}")
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise ValueError(f"parameter {i} is a {type(p).__name__}, not a Value")
        self.lr = _nonnegative(lr, "lr")

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad``."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov and weight decay.

    For each parameter ``p`` with gradient ``g`` (PyTorch's formulas)::

        d = g + weight_decay * p
        b = d                      (first step)     b = momentum * b + d   (later steps)
        d = d + momentum * b       (nesterov)       d = b                  (momentum)
        p = p - lr * d

    Args:
        params: the parameters to update.
        lr: learning rate.
        momentum: momentum factor (0 disables the buffer).
        weight_decay: L2 penalty factor added to the gradient.
        nesterov: use Nesterov momentum (needs ``momentum > 0``).

    Raises:
        ValueError: a negative ``lr``, ``momentum`` or ``weight_decay``, or Nesterov
            without momentum.

    >>> w = Value(1.0); w.grad = 0.5
    >>> SGD([w], lr=0.1).step(); w.data
    0.95
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, lr)
        self.momentum = _nonnegative(momentum, "momentum")
        self.weight_decay = _nonnegative(weight_decay, "weight_decay")
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0")
        self.nesterov = bool(nesterov)
        self.buffers: list[float | None] = [None] * len(self.params)
        self._arrays: list | None = None  # the buffers while step_arrays runs

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        for i, p in enumerate(self.params):
            d = p.grad
            if wd:
                d = d + wd * p.data
            if mu:
                b = self.buffers[i]
                b = d if b is None else mu * b + d
                self.buffers[i] = b
                d = d + mu * b if self.nesterov else b
            p.data -= lr * d

    def step_arrays(self, data, grads) -> None:
        """:meth:`step` on NumPy arrays: ``data`` and ``grads`` hold every parameter's
        data and gradient in the order of ``params``; ``data`` is updated in place.

        The momentum buffers stay in an array between calls, until
        :meth:`end_arrays` writes them back."""
        if self._arrays is None:
            import numpy as np

            if all(b is None for b in self.buffers):
                self._arrays = [None]
            elif any(b is None for b in self.buffers):
                raise ValueError("step_arrays: some momentum buffers are set and some are "
                                 "not; call step() instead")
            else:
                self._arrays = [np.array(self.buffers, dtype=float)]
        # step()'s arithmetic, element-wise (tests hold the two equal)
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        d = grads
        if wd:
            d = d + wd * data
        if mu:
            b = self._arrays[0]
            b = d.copy() if b is None else mu * b + d
            self._arrays[0] = b
            d = d + mu * b if self.nesterov else b
        data -= lr * d

    def end_arrays(self) -> None:
        """Write the state :meth:`step_arrays` kept in arrays back to ``buffers``."""
        if self._arrays is not None and self._arrays[0] is not None:
            self.buffers = self._arrays[0].tolist()
        self._arrays = None


class Adam(Optimizer):
    """Adam with bias correction (PyTorch's formulas, ``amsgrad=False``).

    At step ``t`` (from 1), for each parameter ``p`` with gradient ``g``::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        p = p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

    Args:
        params: the parameters to update.
        lr: learning rate.
        betas: decay rates of the first and second moment estimates, each in [0, 1).
        eps: added to the denominator for stability; must be > 0, or a parameter whose
            gradient is 0 would divide 0 by 0.
        weight_decay: L2 penalty factor added to the gradient (not AdamW's decoupled decay).

    Raises:
        ValueError: bad ``lr``, ``betas``, ``eps`` (not > 0) or ``weight_decay``.

    >>> w = Value(1.0); w.grad = 0.5
    >>> Adam([w], lr=0.1).step(); round(w.data, 6)   # the first step moves p by ~lr
    0.9
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair of numbers, got {betas!r}") from None
        for name, beta in (("betas[0]", beta1), ("betas[1]", beta2)):
            if not _nonnegative(beta, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        self.betas = (float(beta1), float(beta2))
        self.eps = _nonnegative(eps, "eps")
        if self.eps == 0.0:
            raise ValueError("eps must be > 0: with eps=0 a parameter whose gradient is 0 "
                             "gets the update 0/0 (PyTorch's default is 1e-8)")
        self.weight_decay = _nonnegative(weight_decay, "weight_decay")
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self._arrays: list | None = None  # m and v while step_arrays runs

    def step(self) -> None:
        self.t += 1
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        b1, b2 = self.betas
        c1 = 1.0 - b1**self.t
        c2 = 1.0 - b2**self.t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= lr * (m[i] / c1) / (math.sqrt(v[i] / c2) + eps)

    def step_arrays(self, data, grads) -> None:
        """:meth:`step` on NumPy arrays: ``data`` and ``grads`` hold every parameter's
        data and gradient in the order of ``params``; ``data`` is updated in place.

        The moments stay in arrays between calls, until :meth:`end_arrays` writes them
        back."""
        import numpy as np

        if self._arrays is None:
            self._arrays = [np.array(self.m, dtype=float), np.array(self.v, dtype=float)]
        # step()'s arithmetic, element-wise (np.sqrt is correctly rounded, as math.sqrt;
        # tests hold the two equal)
        self.t += 1
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        b1, b2 = self.betas
        c1 = 1.0 - b1**self.t
        c2 = 1.0 - b2**self.t
        g = grads + wd * data if wd else grads
        m = self._arrays[0] = b1 * self._arrays[0] + (1.0 - b1) * g
        v = self._arrays[1] = b2 * self._arrays[1] + (1.0 - b2) * g * g
        data -= lr * (m / c1) / (np.sqrt(v / c2) + eps)

    def end_arrays(self) -> None:
        """Write the moments :meth:`step_arrays` kept in arrays back to ``m`` and ``v``."""
        if self._arrays is not None:
            self.m, self.v = (a.tolist() for a in self._arrays)
        self._arrays = None


class _Schedule:
    """Base of the schedules: ``lr = base_lr * factor(steps)``, set on the optimizer."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a schedule drives an nn optimizer (SGD, Adam), got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.steps = 0
        optimizer.lr = self.base_lr * self.factor(0)

    def factor(self, steps: int) -> float:
        """The multiplier of ``base_lr`` after ``steps`` calls of :meth:`step`."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one step (``nn.fit`` calls this once per epoch) and set the new lr."""
        self.steps += 1
        self.optimizer.lr = self.base_lr * self.factor(self.steps)


class ConstantLR(_Schedule):
    """Keep the optimizer's learning rate as it is.

    >>> opt = SGD([Value(0.0)], lr=0.5); s = ConstantLR(opt); s.step(); opt.lr
    0.5
    """

    def factor(self, steps: int) -> float:
        return 1.0


class LinearLR(_Schedule):
    """Move the lr factor linearly from ``start_factor`` to ``end_factor`` over
    ``total_steps`` steps, then hold it (``torch.optim.lr_scheduler.LinearLR``).

    micrograd's demo schedule ``lr = 1.0 - 0.9 * k / 100`` is
    ``LinearLR(SGD(params, lr=1.0), 1.0, 0.1, 100)``.

    Raises:
        ValueError: a negative factor or ``total_steps < 1``.

    >>> opt = SGD([Value(0.0)], lr=1.0); s = LinearLR(opt, 1.0, 0.1, 100)
    >>> for _ in range(50): s.step()
    >>> round(opt.lr, 12)
    0.55
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0,
                 end_factor: float = 0.0, total_steps: int = 100) -> None:
        self.start_factor = _nonnegative(start_factor, "start_factor")
        self.end_factor = _nonnegative(end_factor, "end_factor")
        if isinstance(total_steps, bool) or not isinstance(total_steps, numbers.Integral) \
                or total_steps < 1:
            raise ValueError(f"total_steps must be a positive int, got {total_steps!r}")
        self.total_steps = int(total_steps)
        super().__init__(optimizer)

    def factor(self, steps: int) -> float:
        k = min(steps, self.total_steps)
        return self.start_factor + (self.end_factor - self.start_factor) * k / self.total_steps


class StepLR(_Schedule):
    """Multiply the lr by ``gamma`` every ``step_size`` steps
    (``torch.optim.lr_scheduler.StepLR``).

    Raises:
        ValueError: ``step_size < 1`` or a negative ``gamma``.

    >>> opt = SGD([Value(0.0)], lr=1.0); s = StepLR(opt, step_size=2, gamma=0.5)
    >>> for _ in range(4): s.step()
    >>> opt.lr
    0.25
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, numbers.Integral) \
                or step_size < 1:
            raise ValueError(f"step_size must be a positive int, got {step_size!r}")
        self.step_size = int(step_size)
        self.gamma = _nonnegative(gamma, "gamma")
        super().__init__(optimizer)

    def factor(self, steps: int) -> float:
        return self.gamma ** (steps // self.step_size)
