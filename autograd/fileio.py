"""Writing files atomically: a crash mid-write leaves the previous file intact.

The data goes to a temporary file ``.sa.TAG.PID.XXXXXXXX.tmp`` next to the target (TAG
names this host and PID namespace), which then replaces the target with ``os.replace``
(atomic on POSIX).  What a user would expect of "save over this file" is kept:

* a replaced file keeps its permission bits (a 0600 file stays 0600);
* a file nobody may write (no ``w`` bit, as ``chmod 444`` leaves it), or one the caller
  may not write, is refused with ``PermissionError``, as ``open(path, "w")`` would refuse
  it; through a symlink too; even for root, who ``open`` would let through;
* a symlink is written through, to the file it points at, as editors do;
* a hard link is split: the path given gets the new file, the file's other names keep
  the old contents (writing in place would keep the link but is not atomic);
* anything that is not a regular file (a FIFO, a device, a directory) is refused;
* the temporary's name is short (at most 33 bytes), whatever the target's, so any
  name the file system takes (up to 255 bytes) can be written;
* a process killed mid-write (kill -9) leaves its temporary behind: a later write in the
  same folder removes it once it is provably stale: made on this host, in this PID
  namespace, by a process that is gone, and untouched for an hour.  A temporary of any
  other host or namespace (a container sharing the volume, another NFS client) is
  never removed, since its writer may be alive;
* errors name the target the user gave, never the hidden temporary.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
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
# A temporary of ours whose process is gone is removed only once this old: a PID number
# reused, or a clock step, never costs a live write its file.
_STALE_AGE = 3600.0
_PREFIX = ".sa."


def _namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")  # e.g. 'pid:[4026531836]'
    except OSError:
        return ""


def host_tag() -> str:
    """Eight hex digits naming this host and PID namespace, in every temporary's name.

    A PID means something only on the host and in the namespace it was given in, so a
    temporary is judged by its PID only when its tag is ours.
    """
    key = f"{socket.gethostname()}\0{_namespace()}".encode("utf-8", "surrogateescape")
    return hashlib.blake2s(key, digest_size=4).hexdigest()


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


def _remove_stale_temporaries(folder: Path) -> None:
    """Delete our temporaries in ``folder`` whose writer is gone (killed mid-write) and
    that have not been touched for :data:`_STALE_AGE` seconds."""
    pattern = re.compile(rf"{re.escape(_PREFIX + host_tag())}\.(\d+)\.[a-z0-9_]{{8}}\.tmp")
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(_PREFIX)]
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
            old = now - entry.stat(follow_symlinks=False).st_mtime > _STALE_AGE
            if old and not _pid_alive(int(m.group(1))):
                os.unlink(entry.path)
        except OSError:
            pass


def _refuse_read_only(st: os.stat_result, real: Path, given: str) -> None:
    """``PermissionError`` naming ``given`` where ``open(given, "w")`` would refuse, and
    where the file has no ``w`` bit at all (root's ``open`` ignores mode bits)."""
    if not stat.S_IMODE(st.st_mode) & 0o222 or not os.access(real, os.W_OK):
        raise PermissionError(errno.EACCES, "read-only file: refusing to replace it", given)


def _resolve(path: Path) -> tuple[Path, int | None]:
    """The file to replace (through symlinks) and its permission bits, if it exists.

    Raises:
        OSError: the target exists and is not a regular file.
        PermissionError: the target exists and is read-only.
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
    _refuse_read_only(st, real, str(path))
    return real, stat.S_IMODE(st.st_mode)


def write_atomically(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    The rename is atomic, so readers see the old file or the new one, never half of
    one.  A new file gets the permissions a plain ``open(path, "w")`` would give
    (``mkstemp`` alone would leave it readable by its owner only); a replaced file keeps
    its own.  A symlink is followed and the file it points at replaced; a read-only file
    is refused, for root too; a hard link is split (see the module's docstring).

    Args:
        path: the file to write.
        data: bytes, or text (written as UTF-8).

    Raises:
        PermissionError: ``path`` (or the file a symlink points at) is read-only, or
            its folder may not be written; nothing is written; the error names ``path``.
        OSError: the file could not be written, or ``path`` is a directory, FIFO, socket
            or device (nothing is written); the error names ``path``.
    """
    given = str(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    target, mode = _resolve(Path(path))
    folder = target.parent
    _remove_stale_temporaries(folder)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f"{_PREFIX}{host_tag()}.{os.getpid()}.",
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
