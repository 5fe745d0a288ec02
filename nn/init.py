"""Initialisation schemes for weight matrices, drawn from a caller-owned ``random.Random``.

Every scheme fills ``weight[out][in]`` row by row (the ``torch.nn.Linear`` layout), so
the same seed always gives the same matrix.  No scheme touches the global ``random``
state.  Biases start at zero whatever the scheme (as in micrograd).

* ``"uniform"``: U(-1, 1), micrograd's choice.
* ``"normal"``: N(0, 1).
* ``"xavier"``: Glorot uniform, U(-a, a) with ``a = sqrt(6 / (fan_in + fan_out))``
  (``torch.nn.init.xavier_uniform_`` with gain 1); suits tanh and sigmoid.
* ``"he"``: Kaiming normal, N(0, sqrt(2 / fan_in)) (``torch.nn.init.kaiming_normal_``);
  suits relu.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

__all__ = ["SCHEMES", "make_rng", "weight_matrix"]

# Each scheme draws one number given (rng, fan_in, fan_out).
SCHEMES: dict[str, Callable[[random.Random, int, int], float]] = {
    "uniform": lambda rng, fan_in, fan_out: rng.uniform(-1.0, 1.0),
    "normal": lambda rng, fan_in, fan_out: rng.gauss(0.0, 1.0),
    "xavier": lambda rng, fan_in, fan_out: rng.uniform(-1.0, 1.0)
    * math.sqrt(6.0 / (fan_in + fan_out)),
    "he": lambda rng, fan_in, fan_out: rng.gauss(0.0, math.sqrt(2.0 / fan_in)),
}


def make_rng(seed: int | random.Random | None) -> random.Random:
    """A private random generator: ``seed`` itself if it is one, else ``Random(seed)``.

    Passing one generator down (as :class:`nn.MLP` does to its layers) gives every
    layer different weights from a single seed.
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int, a random.Random or None, got {seed!r}")
    return random.Random(seed)


def weight_matrix(scheme: str, nin: int, nout: int, rng: random.Random) -> list[list[float]]:
    """A fresh ``nout x nin`` weight matrix (``weight[out][in]``) drawn with ``scheme``.

    Args:
        scheme: ``"uniform"``, ``"normal"``, ``"xavier"`` or ``"he"``.
        nin: inputs per neuron (the fan-in).
        nout: neurons (the fan-out).
        rng: the generator to draw from.

    Raises:
        ValueError: ``scheme`` is unknown.

    >>> import random
    >>> w = weight_matrix("xavier", 3, 2, random.Random(0))
    >>> len(w), len(w[0]), all(abs(v) <= 1.0 for row in w for v in row)
    (2, 3, True)
    """
    try:
        draw = SCHEMES[scheme]
    except (KeyError, TypeError):
        raise ValueError(f"unknown init {scheme!r}; choose one of {sorted(SCHEMES)}") from None
    return [[draw(rng, nin, nout) for _ in range(nin)] for _ in range(nout)]
