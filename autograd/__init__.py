"""scalar-autograd: reverse-mode automatic differentiation on scalars.

Where things live:

* ``rules/``       the rule table: every primitive's forward function and derivative, one
                   file per family (``arithmetic``, ``exponential``, ``trigonometric``,
                   ``special``, ``activations``, ``piecewise``); ``__init__`` is the registry
* ``engine.py``    ``Value``, the graph node, and the operations that build nodes
* ``graph.py``     the graph walk: topological order, ``backward``, ``grad``
* ``modes.py``     ``no_grad``, ``enable_grad``, ``detect_anomaly``
* ``gradcheck.py`` reverse mode against central finite differences
* ``draw.py``      graphs as ``graphviz.Digraph`` and SVG/PNG/PDF files; ``draw_dot``
* ``layout.py``    Graphviz layout in a child process, bounded in time and memory
* ``modules_in_graph.py`` which nodes form a module, asked of a library's grouping (``collapse``)
* ``explain.py``   the chain rule for one derivative, factor by factor; ``assert_grad``
* ``notation.py``  the line notation of hand calculations (``h1 = ... = 0.0474``): read, write
* ``check.py``     ``check_work``: a learner's hand calculation checked line by line
* ``diagnose.py``  right values at any point, and the slips that give wrong ones (``KINDS``)
* ``naming.py``    node names for people: labels, then the caller's variable names
* ``explore.py``   the graph as one interactive HTML page (``explorer/``: its HTML, JS, CSS)
* ``program.py``   small assignment programs, parsed against an ``ast`` whitelist
* ``cli.py``       the ``autograd`` command: ``grad``, ``explain``, ``draw``, ``explore``
* ``compile.py``   trace a function once, replay it as generated straight-line Python
* ``extend.py``    ``primitive``: a user's own op, with its rule, from outside the package
* ``functional.py`` ``jvp`` (forward mode), ``jacobian``, ``hessian``, ``hvp``
* ``codegen.py``   Python source from the rule table (for ``backward`` and ``compile``)
* ``vectorized.py`` NumPy stand-ins for batched replay (``Compiled.batch_backward``)
* ``lanes.py``     which nodes of a batched replay run as rows of one matrix (a layer)
* ``fileio.py``    atomic file writes (``render``, ``nn.save``)
* ``symbolic.py``  the rule table's formula strings as trees: text, LaTeX, MathML, sympy
* ``worksheets.py`` the hand calculation of a graph, laid out as the documents do
* ``exercises.py`` fresh exercises by seed: a graph, its blank worksheet and its key
"""

from . import engine as _engine
from .check import CheckResult, check_work
from .compile import Compiled, CompiledResult, CompileError
from .compile import compile as compile  # public, not in __all__ (see below)
from .draw import GraphTooLargeError, draw, draw_dot, render
from .engine import *  # noqa: F403 - Value, as_value and every op's function (from RULES)
from .engine import abs, round, sum  # noqa: F401 - public, not in __all__ (see below)
from .exercises import Exercise, exercise
from .explain import Explanation, GradientMismatch, assert_grad, explain
from .explore import Explorer, explore
from .extend import primitive
from .functional import grad, hessian, hvp, jacobian, jvp
from .gradcheck import GradcheckError, check_local_derivatives, gradcheck
from .graph import backward, topological_order
from .layout import LayoutError, LayoutTimeoutError
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .rules import RULES, UnknownOpError
from .symbolic import symbolic_grad, to_sympy
from .worksheets import Worksheet, worksheet

__version__ = "0.1.0"

# `sum`, `abs`, `round` and `compile` are public but left out of __all__, so that
# `from autograd import *` does not shadow the built-ins of the same names: import them by
# name (`from autograd import compile, sum`) or call them as `autograd.sum`.
__all__ = [
    # Value, as_value and the functions of the ops, generated from the rule table (those
    # named like a built-in, abs, round and sum, are public but left out, see above)
    *_engine.__all__,
    "backward", "grad", "topological_order",
    "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
    "gradcheck", "GradcheckError", "check_local_derivatives",
    "RULES", "UnknownOpError",
    "draw", "draw_dot", "render", "GraphTooLargeError", "LayoutError", "LayoutTimeoutError",
    "explain", "Explanation", "assert_grad", "GradientMismatch",
    "explore", "Explorer",
    "Compiled", "CompiledResult", "CompileError",
    "primitive",
    "jvp", "jacobian", "hessian", "hvp",
    "check_work", "CheckResult",
    "worksheet", "Worksheet", "to_sympy", "symbolic_grad", "exercise", "Exercise",
]
