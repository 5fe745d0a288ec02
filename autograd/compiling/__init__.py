"""The stages of :func:`autograd.compile` (the public side is :mod:`autograd.compile`),
one module each, lowest first:

* :mod:`.flat`: the flat program, one instruction per node, that the stages hand on;
* :mod:`.trace`: running a function once on Values and recording its guards;
* :mod:`.emit`: writing a flat program as the Python source of one target.

Batched targets also use :mod:`autograd.lanes` (a layer's neurons as one matrix) and
:mod:`autograd.vectorized` (the ops on NumPy arrays).
"""
