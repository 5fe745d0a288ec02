"""Saving and loading MLPs as JSON: architecture and weights, never code.

The file is one JSON object::

    {"format": "scalar-autograd/mlp", "version": 1,
     "architecture": {"nin": 2, "sizes": [4, 1], "activation": "tanh",
                      "output_activation": "linear", "bias": true},
     "state": {"layers.0.neurons.0.w.0": 0.123..., ...}}

Floats are written with ``repr`` (JSON's float syntax), which round-trips every finite
float exactly.  Writes are atomic: the text goes to a temporary file in the same
directory, which then replaces the target with ``os.replace``, so a crash mid-write
leaves the previous file intact.  Loading parses JSON only (no pickle, nothing is
executed) and checks the whole file before any model is built or changed.
"""

from __future__ import annotations

import json
import math

from autograd.fileio import write_atomically

from .activations import ACTIVATIONS
from .modules import MLP

__all__ = ["save", "load", "FORMAT", "VERSION"]

FORMAT = "scalar-autograd/mlp"
VERSION = 1


def save(model: MLP, path) -> None:
    """Write ``model`` to ``path`` as JSON, atomically.

    Args:
        model: the MLP to save.
        path: the file to write (replaced if it exists).

    Raises:
        TypeError: ``model`` is not an :class:`~nn.MLP`.
        ValueError: a parameter is nan or infinite (nothing is written).
        OSError: the file could not be written (the previous file is left intact).
    """
    if not isinstance(model, MLP):
        raise TypeError(f"save() writes an nn.MLP, got {type(model).__name__}")
    state = model.state_dict()
    for name, v in state.items():
        if not math.isfinite(v):
            raise ValueError(f"cannot save: parameter {name!r} is {v!r} (not finite)")
    text = json.dumps({"format": FORMAT, "version": VERSION,
                       "architecture": model.architecture(), "state": state},
                      indent=1, allow_nan=False)
    write_atomically(path, text + "\n")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _read(path) -> dict:
    """The file's JSON object, or ValueError saying why it is not one."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        # parse_constant rejects NaN / Infinity, which Python's json would accept
        doc = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not a saved model (not UTF-8 text: {e})") from None
    except ValueError as e:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"{path}: not a saved model (truncated or corrupt JSON: {e})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a saved model (expected a JSON object, got "
                         f"{type(doc).__name__})")
    return doc


def _positive_int(x) -> bool:
    return type(x) is int and x >= 1


def _check_architecture(arch, path) -> dict:
    if not isinstance(arch, dict):
        raise ValueError(f"{path}: 'architecture' must be an object, got {arch!r}")
    expected = {"nin", "sizes", "activation", "output_activation", "bias"}
    if set(arch) != expected:
        missing, extra = sorted(expected - set(arch)), sorted(set(arch) - expected)
        problems = ([f"missing keys {missing}"] if missing else []) + \
            ([f"unexpected keys {extra}"] if extra else [])
        raise ValueError(f"{path}: 'architecture' has {' and '.join(problems)}")
    if not _positive_int(arch["nin"]):
        raise ValueError(f"{path}: architecture 'nin' must be a positive int, got "
                         f"{arch['nin']!r}")
    sizes = arch["sizes"]
    if not isinstance(sizes, list) or not sizes or not all(map(_positive_int, sizes)):
        raise ValueError(f"{path}: architecture 'sizes' must be a non-empty list of positive "
                         f"ints, got {sizes!r}")
    for key in ("activation", "output_activation"):
        if arch[key] not in ACTIVATIONS:
            raise ValueError(f"{path}: architecture {key!r} is {arch[key]!r}; expected one "
                             f"of {sorted(ACTIVATIONS)}")
    if not isinstance(arch["bias"], bool):
        raise ValueError(f"{path}: architecture 'bias' must be true or false, got "
                         f"{arch['bias']!r}")
    return arch


def load(path, into: MLP | None = None) -> MLP:
    """Read a model written by :func:`save` (or ``model.save``).

    Args:
        path: the file to read.
        into: an existing MLP to load the weights into; its architecture must match
            the file's.  Without it a new MLP is built.

    Returns:
        The loaded MLP (``into`` itself when given).

    Raises:
        ValueError: the file is truncated or corrupt, of another format or version,
            its architecture is invalid or differs from ``into``'s, or its weights are
            missing, extra or not finite numbers.  Nothing is changed.
        OSError: the file could not be read.
    """
    doc = _read(path)
    if doc.get("format") != FORMAT:
        raise ValueError(f"{path}: not a saved model (format {doc.get('format')!r}, "
                         f"expected {FORMAT!r})")
    version = doc.get("version")
    if version != VERSION or type(version) is not int:
        raise ValueError(f"{path}: unsupported version {version!r}; this library reads "
                         f"version {VERSION}")
    for key in ("architecture", "state"):
        if key not in doc:
            raise ValueError(f"{path}: the file has no {key!r}")
    arch = _check_architecture(doc["architecture"], path)
    if into is not None and into.architecture() != arch:
        raise ValueError(f"{path}: the file's architecture {arch} differs from the "
                         f"model's {into.architecture()}")
    # The state is checked in full against the parameter names before anything is
    # assigned, so a bad file leaves `into` unchanged.
    model = into if into is not None else MLP(
        arch["nin"], arch["sizes"], arch["activation"], arch["output_activation"],
        arch["bias"], seed=0)
    try:
        model.load_state_dict(doc["state"])
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return model
