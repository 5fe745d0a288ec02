"""Neural networks on :mod:`autograd`: modules, losses, optimizers, training, saving.

Where things live:

* ``modules.py``       ``Module``, ``Neuron``, ``Layer``, ``MLP``
* ``activations.py``   activation functions by name
* ``init.py``          weight initialisation schemes
* ``losses.py``        loss functions (numerically stable, engine ops only)
* ``optim.py``         ``SGD``, ``Adam`` and learning-rate schedules
* ``train.py``         ``fit`` and its ``History``
* ``serialization.py`` ``save`` / ``load`` as versioned JSON, written atomically
"""

from .losses import (
    bce_loss,
    bce_with_logits_loss,
    cross_entropy_loss,
    half_sse_loss,
    hinge_loss,
    l2_penalty,
    mse_loss,
)
from .modules import MLP, Layer, Module, Neuron
from .optim import SGD, Adam, ConstantLR, LinearLR, Optimizer, StepLR
from .serialization import load, save
from .train import History, fit

__all__ = [
    "Module", "Neuron", "Layer", "MLP",
    "mse_loss", "half_sse_loss", "bce_loss", "bce_with_logits_loss", "hinge_loss",
    "cross_entropy_loss", "l2_penalty",
    "Optimizer", "SGD", "Adam", "ConstantLR", "LinearLR", "StepLR",
    "fit", "History",
    "save", "load",
]
