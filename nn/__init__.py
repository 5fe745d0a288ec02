"""Neural networks on top of :mod:`autograd` (see issue: modules, losses, optimizers)."""
