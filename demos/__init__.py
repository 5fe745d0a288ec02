"""The reference examples, reproduced with the engine: ``python -m demos`` runs them all.

One module per example; each has ``run(out=None, full=False, echo=print)`` returning its
verification rows (see :mod:`demos._table`) and runs alone as ``python -m demos.<name>``.
numpy, matplotlib and scikit-learn (the ``demo`` extra) are used here and only here.
"""

DEMOS = ("alice", "xor_parity", "perceptron", "and_neuron", "linear_model", "moons", "digits")
