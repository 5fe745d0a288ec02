"""Saving and loading MLPs as JSON: architecture and weights, never code.

The file is one JSON object::

    {"format": "scalar-autograd/mlp", "version": 1,
     "architecture": {"nin": 2, "sizes": [4, 1], "activation": "tanh",
                      "output_activation": "linear", "bias": true},
     "state": {"layers.0.neurons.0.w.0": 0.123..., ...}}

Floats are written with ``repr`` (JSON's float syntax), which round-trips every finite
float exactly.  Writes are atomic: the text goes to a temporary file in the same
directory, which then replaces the target with ``os.replace``, so a crash mid-write
leaves the previous file intact (see :mod:`autograd.fileio`).

Loading treats the file as untrusted input: it parses JSON only (no pickle, nothing is
executed), refuses files larger than ``max_bytes`` (:data:`MAX_BYTES`, 64 MB, about a
million parameters, unless the keyword raises it).  Before a model is built, the
parameter count the architecture declares is checked against the values present (a few
bytes cannot ask for a billion weights; a model is built only when its size is within
a small margin of the file's), and every name and value is checked before ``into`` is
changed: a failed ``load(into=model)`` leaves the model as it was.  Every
malformed file (deep nesting, duplicate keys, numbers too large for a float, wrong
types) raises ``ValueError`` naming the file and the problem.  The work is linear in the
file's size.
"""

from __future__ import annotations

import json
import os
import reprlib
import stat

from .activations import ACTIVATIONS
from .jsonfile import FORMAT, VERSION, write
from .modules import MLP

__all__ = ["save", "load", "FORMAT", "VERSION", "MAX_BYTES"]

MAX_BYTES = 64 * 2**20  # load() refuses larger files unless its max_bytes is raised
_short = reprlib.repr  # what a message quotes of the file: never megabytes of it


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
    write(path, model.architecture(), model.state_dict())


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _unique_keys(pairs: list) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        seen: set = set()
        twice = next(k for k in keys if k in seen or seen.add(k))
        raise ValueError(f"the key {_short(twice)} appears twice in one object")
    return dict(pairs)


def _read(path, max_bytes: int) -> dict:
    """The file's JSON object, or ValueError saying why it is not one."""
    st = os.stat(path)  # OSError (FileNotFoundError, ...) names the path itself
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block open(), a device never end
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise ValueError(f"{path}: not a saved model ({kind})")
    with open(path, "rb") as f:
        raw = f.read(max_bytes + 1)  # never more than the limit, whatever the file's size
    if len(raw) > max_bytes:
        raise ValueError(f"{path}: the file is larger than max_bytes={max_bytes} bytes; "
                         f"if you trust it, pass a larger max_bytes to load()")
    try:
        # parse_constant rejects NaN / Infinity, which Python's json would accept;
        # object_pairs_hook refuses duplicate keys, which json would resolve silently
        doc = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant,
                         object_pairs_hook=_unique_keys)
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not a saved model (not UTF-8 text: {e})") from None
    except RecursionError:
        raise ValueError(f"{path}: not a saved model (JSON nested too deeply)") from None
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
        raise ValueError(f"{path}: 'architecture' must be an object, got {_short(arch)}")
    expected = {"nin", "sizes", "activation", "output_activation", "bias"}
    if set(arch) != expected:
        missing, extra = sorted(expected - set(arch)), sorted(set(arch) - expected)
        problems = ([f"missing keys {missing}"] if missing else []) + \
            ([f"unexpected keys {extra}"] if extra else [])
        raise ValueError(f"{path}: 'architecture' has {' and '.join(problems)}")
    if not _positive_int(arch["nin"]):
        raise ValueError(f"{path}: architecture 'nin' must be a positive int, got "
                         f"{_short(arch['nin'])}")
    sizes = arch["sizes"]
    if not isinstance(sizes, list) or not sizes or not all(map(_positive_int, sizes)):
        raise ValueError(f"{path}: architecture 'sizes' must be a non-empty list of positive "
                         f"ints, got {_short(sizes)}")
    for key in ("activation", "output_activation"):
        if not isinstance(arch[key], str) or arch[key] not in ACTIVATIONS:
            raise ValueError(f"{path}: architecture {_short(key)} is "
                             f"{_short(arch[key])}; expected one of {sorted(ACTIVATIONS)}")
    if not isinstance(arch["bias"], bool):
        raise ValueError(f"{path}: architecture 'bias' must be true or false, got "
                         f"{_short(arch['bias'])}")
    return arch


def _parameter_count(arch: dict) -> int:
    """How many parameters the architecture declares (arithmetic only: nothing built)."""
    widths = [arch["nin"], *arch["sizes"]]
    return sum((n_in + arch["bias"]) * n_out for n_in, n_out in zip(widths, widths[1:]))


def load(path, into: MLP | None = None, *, max_bytes: int = MAX_BYTES) -> MLP:
    """Read a model written by :func:`save` (or ``model.save``).

    Args:
        path: the file to read.
        into: an existing MLP to load the weights into; its architecture must match
            the file's.  Without it a new MLP is built.
        max_bytes: refuse files larger than this (default :data:`MAX_BYTES`, 64 MB);
            raise it to load a larger model you trust.

    Returns:
        The loaded MLP (``into`` itself when given).

    Raises:
        ValueError: the file is truncated or corrupt, of another format or version,
            its architecture is invalid or differs from ``into``'s, or its weights are
            missing, extra or not finite numbers, it is larger than ``max_bytes``, or
            it is not a regular file (a FIFO, a directory).  Nothing is changed.
        TypeError: ``into`` is not an :class:`~nn.MLP`.
        OSError: the file could not be read.
    """
    if into is not None and not isinstance(into, MLP):
        raise TypeError(f"load(into=...) takes an nn.MLP to fill in, got "
                        f"{type(into).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive int, got {_short(max_bytes)}")
    doc = _read(path, max_bytes)
    if doc.get("format") != FORMAT:
        raise ValueError(f"{path}: not a saved model (format {_short(doc.get('format'))}, "
                         f"expected {_short(FORMAT)})")
    version = doc.get("version")
    if version != VERSION or type(version) is not int:
        raise ValueError(f"{path}: unsupported version {_short(version)}; this library reads "
                         f"version {VERSION}")
    for key in ("architecture", "state"):
        if key not in doc:
            raise ValueError(f"{path}: the file has no {_short(key)}")
    arch = _check_architecture(doc["architecture"], path)
    state = doc["state"]
    if not isinstance(state, dict):
        raise ValueError(f"{path}: 'state' must be a mapping (object) of names to "
                         f"numbers, got {type(state).__name__}")
    # Checked before anything is built: the file must hold a value for every parameter
    # it declares, so its size bounds the model's (no "nin": 10**12 from 700 bytes).
    declared = _parameter_count(arch)
    if declared > 2 * len(state) + 1000:  # else the names below say which ones differ
        raise ValueError(f"{path}: the architecture declares {declared} parameters but "
                         f"the file holds {len(state)} values")
    if into is not None and into.architecture() != arch:
        raise ValueError(f"{path}: the file's architecture {arch} differs from the "
                         f"model's {into.architecture()}")
    # The state is checked in full against the parameter names before anything is
    # assigned, so a bad file leaves `into` unchanged.
    model = into if into is not None else MLP(
        arch["nin"], arch["sizes"], arch["activation"], arch["output_activation"],
        arch["bias"], seed=0)
    try:
        model.load_state_dict(state)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return model
