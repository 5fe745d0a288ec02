"""Writing files atomically: a crash mid-write leaves the previous file intact.

The data goes to a temporary file ``.NAME.PID.XXXXXXXX.tmp`` next to the target, which
then replaces the target with ``os.replace`` (atomic on POSIX).  What a user would expect
of "save over this file" is kept:

* a replaced file keeps its permission bits (a 0600 file stays 0600);
* a symlink is written through, to the file it points at, as editors do;
* anything that is not a regular file (a FIFO, a device, a directory) is refused;
* a process killed mid-write (kill -9) leaves its temporary behind: the next write to
  the same target removes the temporaries of this pattern whose process is gone;
* errors name the target the user gave, never the hidden temporary.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from pathlib import Path

__all__ = ["write_atomically"]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once: os.umask can only be read by setting it, which is not thread-safe later on.
_UMASK = _current_umask()
# Temporaries of older versions had no PID in their name: those are removed once this
# old, when no write can still be in progress.
_LEGACY_AGE = 3600.0


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but another user's (EPERM)
        return True
    return True


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    """Delete ``.NAME.PID.XXXXXXXX.tmp`` files whose writer is dead (killed mid-write)."""
    pattern = re.compile(rf"\.{re.escape(name)}\.(?:(\d+)\.)?[a-z0-9_]{{8}}\.tmp")
    prefix = f".{name}."
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)]
    except OSError:
        return  # cleaning up is a courtesy: never a reason to fail the write
    now = time.time()
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if m is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            pid = m.group(1)
            stale = (not _pid_alive(int(pid)) if pid is not None else
                     now - entry.stat(follow_symlinks=False).st_mtime > _LEGACY_AGE)
            if stale:
                os.unlink(entry.path)
        except OSError:
            pass


def _resolve(path: Path) -> tuple[Path, int | None]:
    """The file to replace (through symlinks) and its permission bits, if it exists.

    Raises:
        OSError: the target exists and is not a regular file.
    """
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real, None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", str(path))
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device): "
                      "refusing to replace it", str(path))
    return real, stat.S_IMODE(st.st_mode)


def write_atomically(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    The rename is atomic, so readers see the old file or the new one, never half of
    one.  A new file gets the permissions a plain ``open(path, "w")`` would give
    (``mkstemp`` alone would leave it readable by its owner only); a replaced file keeps
    its own.  A symlink is followed and the file it points at replaced.

    Args:
        path: the file to write.
        data: bytes, or text (written as UTF-8).

    Raises:
        OSError: the file could not be written, or ``path`` is a directory, FIFO, socket
            or device (nothing is written); the error names ``path``.
    """
    given = str(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    target, mode = _resolve(Path(path))
    folder = target.parent
    _remove_stale_temporaries(folder, target.name)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.{os.getpid()}.",
                                   suffix=".tmp")
    except OSError as e:
        raise _naming(e, given) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_UMASK)
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError):
            raise _naming(e, given) from None
        raise


def _naming(e: OSError, path: str) -> OSError:
    """The same error, about the file the user gave instead of the hidden temporary."""
    if e.errno is None:
        return OSError(f"{path}: {e}")
    return type(e)(e.errno, e.strerror or os.strerror(e.errno), path)
