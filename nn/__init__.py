"""Neural networks on :mod:`autograd`: modules, losses, optimizers, training, saving.

The map of where things live is in docs/design.md ("Where things live").
"""

import autograd as _autograd

if not hasattr(_autograd, "Value"):
    # `pip install autograd` is HIPS autograd, which has the same import name: one
    # environment cannot hold both, and `nn` would fail deep inside with a bare ImportError.
    raise ImportError(
        f"`nn` needs the `autograd` package of scalar-autograd, but `import autograd` found "
        f"another package of that name at {getattr(_autograd, '__file__', None) or _autograd!r} "
        f"(probably HIPS autograd, `pip install autograd`). The two share the import name "
        f"`autograd` and cannot live in one environment: install scalar-autograd into a "
        f"separate virtual environment (`python -m venv .venv && .venv/bin/pip install -e .`, "
        f"or `make demo`) and run it from there."
    )

from . import grouping as _grouping  # noqa: E402
from .losses import (  # noqa: E402
    bce_loss,
    bce_with_logits_loss,
    cross_entropy_loss,
    half_sse_loss,
    hinge_loss,
    l2_penalty,
    mse_loss,
)
from .modules import MLP, Layer, Module, Neuron  # noqa: E402
from .optim import SGD, Adam, ConstantLR, LinearLR, Optimizer, StepLR  # noqa: E402
from .serialization import load, save  # noqa: E402
from .train import History, fit  # noqa: E402

# draw(..., collapse="neuron") groups nn's parameters through nn's own grouping: autograd
# does not read nn's labels.
_autograd.modules_in_graph.use_grouping(_grouping)

__all__ = [
    "Module", "Neuron", "Layer", "MLP",
    "mse_loss", "half_sse_loss", "bce_loss", "bce_with_logits_loss", "hinge_loss",
    "cross_entropy_loss", "l2_penalty",
    "Optimizer", "SGD", "Adam", "ConstantLR", "LinearLR", "StepLR",
    "fit", "History",
    "save", "load",
]
