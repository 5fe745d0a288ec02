"""Start the Fontconfig bundled with pygraphviz without its one harmless warning.

pygraphviz's wheels bundle an older Fontconfig that always reads the system's template
folder ``/usr/share/fontconfig/conf.avail``, whose sample ``05-reset-dirs-sample.conf``
uses an element it does not know, so every process that renders a graph printed::

    Fontconfig warning: ".../05-reset-dirs-sample.conf", line 6: unknown element "reset-dirs"

The sample is never active on the system (it is not linked from ``conf.d``), so the
warning says nothing about the user's fonts.  Fontconfig reads its configuration once
per process, in ``FcInit``: :func:`init` calls it first, with the C library's stderr
captured, drops exactly that line and writes everything else back to stderr, so a real
Fontconfig error still shows.
"""

from __future__ import annotations

import ctypes
import glob
import os
import re
import sys
import tempfile

_HARMLESS = re.compile(rb'^Fontconfig warning: "[^"]*reset-dirs[^"]*\.conf", line \d+: '
                       rb'unknown element "reset-dirs"\n?$', re.M)
_done = False


def init(pygraphviz_module) -> None:
    """Initialise the bundled Fontconfig once, dropping only the known harmless warning."""
    global _done
    if _done:
        return
    _done = True
    libs_dir = os.path.join(os.path.dirname(pygraphviz_module.__file__), os.pardir,
                            "pygraphviz.libs")
    libs = sorted(glob.glob(os.path.join(libs_dir, "libfontconfig*.so*")))
    if not libs:  # a pygraphviz built against the system's Graphviz: nothing bundled
        return
    try:
        fontconfig = ctypes.CDLL(libs[0])  # the copy pygraphviz has already loaded
    except OSError:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            fontconfig.FcInit()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        rest = _HARMLESS.sub(b"", captured.read())
    if rest.strip():
        sys.stderr.write(rest.decode(errors="replace"))
        sys.stderr.flush()
