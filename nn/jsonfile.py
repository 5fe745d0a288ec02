"""The JSON file a model is saved as: its header, and writing one (see :mod:`nn.serialization`
for the format and for reading it back, which builds a model).

The lowest floor of ``nn`` (it knows no module), so that ``MLP.save`` and ``nn.save`` both
write through it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from autograd.fileio import write_atomically

__all__ = ["FORMAT", "VERSION", "write"]

FORMAT = "scalar-autograd/mlp"
VERSION = 1


def write(path, architecture: dict, state: Mapping[str, float]) -> None:
    """Write a model's architecture and parameters to ``path`` as JSON, atomically.

    Raises:
        ValueError: a parameter is nan or infinite (nothing is written).
        OSError: the file could not be written (the previous file is left intact).
    """
    for name, v in state.items():
        if not math.isfinite(v):
            raise ValueError(f"cannot save: parameter {name!r} is {v!r} (not finite)")
    text = json.dumps({"format": FORMAT, "version": VERSION,
                       "architecture": architecture, "state": dict(state)},
                      indent=1, allow_nan=False)
    write_atomically(path, text + "\n")
