"""Laying out DOT source, bounded in time and memory, in a child process.

Graphviz can run for minutes on a graph that looks small (60 parallel edges into one
node) and, in-process, ignores Ctrl-C while it works.  So the layout never runs in our
process: it runs in a child, the ``dot`` executable when it is on PATH, otherwise a
Python that lays out with ``pygraphviz`` (whose wheels bundle Graphviz).  The child

* is killed when the time budget runs out (and has a CPU-time limit as a backstop),
* has an address-space limit, so a runaway layout fails instead of swapping,
* is killed when we are interrupted (Ctrl-C raises here, and the child goes with us),
* and, on Linux, is killed by the kernel when our process dies, even by SIGTERM or
  SIGKILL, where no Python code runs.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

__all__ = ["LAYOUT_TIMEOUT", "LAYOUT_MEMORY", "LayoutError", "LayoutTimeoutError",
           "layout", "GRAPHVIZ_PROGRAM"]

#: Graphviz's layout program (and engine name): the one draw lays out with (a program,
#: not the op of the same name).
GRAPHVIZ_PROGRAM = "dot"

LAYOUT_TIMEOUT = 30.0
# A readable drawing lays out in well under a second; half a minute means the graph is far too
# big or too tangled to read, and the user is better served by an error saying so.

LAYOUT_MEMORY = 2 * 1024**3
# Bytes of address space for the layout child: ample for any graph under the size guard
# (a 2000-node graph needs ~100 MB), small enough that a runaway layout fails quickly.

NARROWING = ("narrow the drawing with focus=<a node> (only what feeds it is drawn) or "
             "collapse='neuron' or 'layer' (one box per nn module)")

# The child: arms its limits and its death with the parent, then either becomes `dot`
# (exec keeps both) or lays out with pygraphviz.  Doing this in the child's own code, not
# in a preexec_fn, keeps it safe in threaded programs (a Jupyter kernel has threads).
_CHILD = """\
import os, signal, sys
parent, memory, cpu, fmt, dot = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), \\
    sys.argv[4], sys.argv[5:]
if sys.platform.startswith("linux"):
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except Exception:
        pass
if os.getppid() != parent:  # the parent died before we were armed
    os._exit(1)
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (memory, resource.getrlimit(resource.RLIMIT_AS)[1]))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.getrlimit(resource.RLIMIT_CPU)[1]))
except Exception:
    pass  # no resource module, or a lower hard limit already holds: the deadline remains
if dot:
    os.execv(dot[0], [dot[0], "-T" + fmt])
import pygraphviz
source = sys.stdin.buffer.read().decode("utf-8")
sys.stdout.buffer.write(pygraphviz.AGraph(string=source).draw(format=fmt, prog="dot"))
"""


# How running out of the address-space limit shows in the child's stderr.
_OUT_OF_MEMORY = ("memoryerror", "out of memory", "cannot allocate memory",
                  "failed to map segment")


class LayoutError(RuntimeError):
    """The layout engine failed, ran out of memory, or cannot be found."""


class LayoutTimeoutError(LayoutError):
    """The layout ran longer than its time budget and was stopped."""


def _command(fmt: str, memory: int, seconds: float) -> tuple[list[str], dict | None]:
    limits = [str(os.getpid()), str(int(memory)), str(int(seconds) + 2), fmt]
    exe = shutil.which(GRAPHVIZ_PROGRAM)
    if exe is not None:
        if not sys.executable:  # an embedded Python: run dot bare, bounded by the deadline
            return [exe, f"-T{fmt}"], None
        return [sys.executable, "-c", _CHILD, *limits, exe], None
    try:
        spec = importlib.util.find_spec("pygraphviz")
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None:
        raise LayoutError(
            "cannot lay out the graph: no `dot` program on PATH and pygraphviz cannot be "
            "imported; install Graphviz, or `pip install 'pygraphviz>=2.0.4'`, or render "
            "to a .dot file")
    # The child must find the same pygraphviz we would import, whatever its sys.path.
    site = str(Path(spec.origin).parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [site, env.get("PYTHONPATH")]))
    return [sys.executable, "-c", _CHILD, *limits], env


def layout(source: str, fmt: str, *, timeout: float = LAYOUT_TIMEOUT,
           memory: int = LAYOUT_MEMORY) -> bytes:
    """``source`` (DOT) laid out and rendered as ``fmt`` (``"svg"``, ``"png"``, ``"pdf"``).

    Args:
        source: DOT text.
        fmt: a Graphviz output format.
        timeout: seconds before the layout is stopped.
        memory: bytes of address space the layout may use.

    Returns:
        The rendered picture.

    Raises:
        LayoutTimeoutError: the layout took longer than ``timeout``.
        LayoutError: no layout engine, or it failed (its message is included).
    """
    cmd, env = _command(fmt, memory, timeout)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        out, err = proc.communicate(source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LayoutTimeoutError(
            f"the layout took longer than {timeout:g} s and was stopped: the graph is too "
            f"big or too tangled to read. To draw it, {NARROWING}; lower max_nodes to "
            f"refuse such graphs at once, or give layout_timeout=<seconds>") from None
    finally:
        # Ctrl-C, a timeout or any error: the child must not outlive this call.
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        message = err.decode("utf-8", errors="replace").strip()
        lowered = message.lower()
        if proc.returncode in (-signal.SIGKILL, -getattr(signal, "SIGXCPU", 24)) or any(
                sign in lowered for sign in _OUT_OF_MEMORY):
            raise LayoutError(
                f"the layout ran out of its time or memory limit ({memory / 2**30:.3g} GiB) "
                f"and was stopped; {NARROWING}")
        lines = [line for line in message.splitlines() if "Fontconfig" not in line]
        engine = cmd[-1] if env is None else "pygraphviz"
        raise LayoutError(f"{engine} -T{fmt} failed "
                          f"(exit {proc.returncode}): {' '.join(lines[-5:])}")
    return out
