"""scalar-autograd: reverse-mode automatic differentiation on scalars.

Where things live:

* ``rules/``       the rule table: every primitive's forward function and derivative, one
                   file per family (``arithmetic``, ``exponential``, ``trigonometric``,
                   ``special``, ``activations``, ``piecewise``); ``__init__`` is the registry
* ``engine.py``    ``Value``, the graph node, and the operations that build nodes
* ``graph.py``     the graph walk: topological order, ``backward``, ``grad``
* ``modes.py``     ``no_grad``, ``enable_grad``, ``detect_anomaly``
* ``gradcheck.py`` reverse mode against central finite differences
* ``draw.py``      graphs as ``graphviz.Digraph`` and SVG/PNG/PDF files
* ``explain.py``   the chain rule for one derivative, factor by factor; ``assert_grad``
* ``program.py``   small assignment programs, parsed against an ``ast`` whitelist
* ``cli.py``       the ``autograd`` command: ``grad``, ``explain``, ``draw``
* ``compile.py``   trace a function once, replay it as generated straight-line Python
* ``codegen.py``   Python source from the rule table (for ``backward`` and ``compile``)
* ``vectorized.py`` NumPy stand-ins for batched replay (``Compiled.batch_backward``)
* ``fileio.py``    atomic file writes (``render``, ``nn.save``)
"""

from .compile import Compiled, CompiledResult, compile
from .draw import GraphTooLargeError, draw, render
from .engine import (
    Value,
    absolute,
    acos,
    acosh,
    as_value,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cbrt,
    ceil,
    celu,
    clamp,
    copysign,
    cos,
    cosh,
    div,
    dot,
    elu,
    erf,
    erfc,
    exp,
    exp2,
    expm1,
    floor,
    fmod,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    hypot,
    leaky_relu,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logsigmoid,
    maximum,
    minimum,
    mish,
    relu,
    relu6,
    remainder,
    round,
    rsqrt,
    selu,
    sigmoid,
    sign,
    silu,
    sin,
    sinh,
    softplus,
    softsign,
    sqrt,
    sum,
    tan,
    tanh,
    trunc,
)
from .explain import Explanation, GradientMismatch, assert_grad, explain
from .gradcheck import GradcheckError, check_local_derivatives, gradcheck
from .graph import backward, grad, topological_order
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .rules import RULES, UnknownOpError

#: ``autograd.abs(x)`` is ``absolute(x)``, as ``torch.abs`` next to ``torch.absolute``.
abs = absolute  # noqa: A001

__version__ = "0.1.0"

__all__ = [
    "Value", "as_value",
    "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "softplus", "absolute",
    "sum", "dot",
    # unary math, under torch's names
    "abs", "div", "log1p", "expm1", "log2", "log10", "exp2", "tan", "sinh", "cosh", "asin",
    "acos", "atan", "asinh", "acosh", "atanh", "erf", "erfc", "rsqrt", "cbrt", "sign",
    "floor", "ceil", "round", "trunc",
    # activations, under torch.nn.functional's names
    "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softsign", "logsigmoid",
    "hardtanh", "hardsigmoid", "hardswish", "relu6",
    # two inputs
    "atan2", "maximum", "minimum", "clamp", "logaddexp", "hypot", "copysign", "fmod",
    "remainder",
    "backward", "grad", "topological_order",
    "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
    "gradcheck", "GradcheckError", "check_local_derivatives",
    "RULES", "UnknownOpError",
    "draw", "render", "GraphTooLargeError",
    "explain", "Explanation", "assert_grad", "GradientMismatch",
    "compile", "Compiled", "CompiledResult",
]
