"""scalar-autograd: reverse-mode automatic differentiation on scalars.

The map of where things live is in docs/design.md ("Where things live"), the one place
it is kept.
"""

from . import ops as _ops
from .check import CheckResult, check_work
from .check_engine import EngineCheck, check_engine
from .compile import Compiled, CompiledResult, CompileError
from .compile import compile as compile  # public, not in __all__ (see below)
from .draw import GraphTooLargeError, draw, draw_dot, render
from .engine import Value, as_value
from .exercises import Exercise, exercise
from .explain import Explanation, GradientMismatch, assert_grad, explain
from .explore import Explorer, explore
from .extend import primitive
from .functional import grad, hessian, hvp, jacobian, jvp
from .gradcheck import GradcheckError, check_local_derivatives, gradcheck
from .graph import backward, topological_order
from .layout import LayoutError, LayoutTimeoutError
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .ops import *  # noqa: F403 - every op's function, generated from RULES
from .ops import abs, round, sum  # noqa: F401 - public, not in __all__ (see below)
from .rules import RULES, UnknownOpError
from .symbolic import symbolic_grad, to_sympy
from .worksheets import Worksheet, worksheet

__version__ = "0.1.0"

# `sum`, `abs`, `round` and `compile` are public but left out of __all__, so that
# `from autograd import *` does not shadow the built-ins of the same names: import them by
# name (`from autograd import compile, sum`) or call them as `autograd.sum`.
__all__ = [
    "Value", "as_value",
    # the functions of the ops, generated from the rule table (those named like a
    # built-in, abs, round and sum, are public but left out, see above)
    *_ops.__all__,
    "backward", "grad", "topological_order",
    "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
    "gradcheck", "GradcheckError", "check_local_derivatives",
    "RULES", "UnknownOpError",
    "draw", "draw_dot", "render", "GraphTooLargeError", "LayoutError", "LayoutTimeoutError",
    "explain", "Explanation", "assert_grad", "GradientMismatch",
    "explore", "Explorer",
    "check_engine", "EngineCheck",
    "Compiled", "CompiledResult", "CompileError",
    "primitive",
    "jvp", "jacobian", "hessian", "hvp",
    "check_work", "CheckResult",
    "worksheet", "Worksheet", "to_sympy", "symbolic_grad", "exercise", "Exercise",
]
