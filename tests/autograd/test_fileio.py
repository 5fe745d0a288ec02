"""Atomic writes: whole files, ordinary permissions, no temporary files left behind."""

import os
import re
import stat
import time

import pytest

from autograd import fileio
from autograd.fileio import write_atomically


def test_writes_text_and_bytes(tmp_path):
    write_atomically(tmp_path / "a.txt", "héllo")
    write_atomically(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_new_files_get_the_permissions_open_would_give(tmp_path):
    # A plain open() creates 0o666 minus the umask; mkstemp alone would give 0o600.
    plain = tmp_path / "plain"
    plain.write_text("x")
    write_atomically(tmp_path / "atomic", "x")
    mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)
    assert mode(tmp_path / "atomic") == mode(plain)


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "t"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="rename failed"):
        write_atomically(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]


# --- files are replaced, not clobbered ---------------------------------------------------

KILLED_WRITER = """
import os, sys
from autograd.fileio import write_atomically
# write_atomically up to the rename, then a kill -9 of this very process
os.fsync = lambda fd: os.kill(os.getpid(), 9)
write_atomically(sys.argv[1], "half")
"""


def _killed_writers(tmp_path, n):
    import subprocess
    import sys

    for _ in range(n):
        subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path / "t")], timeout=60)
    return sorted(p for p in tmp_path.iterdir())


def test_a_later_write_removes_temporaries_left_by_a_killed_writer_once_old(tmp_path):
    left = _killed_writers(tmp_path, 3)
    assert len(left) == 3 and all(p.name.startswith(".sa.") and p.name.endswith(".tmp")
                                  for p in left)
    # Fresh ones stay (a generous age guards a reused PID); once an hour old they go.
    write_atomically(tmp_path / "t", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([p.name for p in left] + ["t"])
    for p in left:
        os.utime(p, (0, 0))
    # a temporary of a live writer (this process) and files of other patterns stay
    live = tmp_path / f".sa.{fileio.host_tag()}.{os.getpid()}.abcdefgh.tmp"
    live.write_text("in progress")
    os.utime(live, (0, 0))
    other = [tmp_path / ".u.999999.abcdefgh.tmp", tmp_path / ".t.notes.tmp",
             tmp_path / "t.tmp", tmp_path / ".sa.notes.tmp"]
    for p in other:
        p.write_text("not ours")
        os.utime(p, (0, 0))
    write_atomically(tmp_path / "other-target", "new")  # any write in the folder cleans
    assert (tmp_path / "other-target").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["t", "other-target", live.name] + [p.name for p in other])


def test_a_temporary_of_another_host_or_namespace_is_never_removed(tmp_path):
    # A writer in another PID namespace (a container sharing the volume, another NFS
    # host): its PID means nothing here, so however old and whatever its PID, it stays.
    tag = fileio.host_tag()
    foreign = "0" * 8 if tag != "0" * 8 else "1" * 8
    theirs = tmp_path / f".sa.{foreign}.{_dead_pid()}.abcdefgh.tmp"
    theirs.write_text("a live save elsewhere")
    os.utime(theirs, (0, 0))
    ours = tmp_path / f".sa.{tag}.{_dead_pid()}.abcdefgh.tmp"
    ours.write_text("left by a killed writer")
    os.utime(ours, (0, 0))
    write_atomically(tmp_path / "t", "new")
    assert theirs.read_text() == "a live save elsewhere" and not ours.exists()


FOREIGN_WRITER = """
import os, sys, time
from autograd import fileio
# A writer in another PID namespace: another host tag, and a PID that here is nobody's.
fileio.host_tag = lambda: "f0f0f0f0"
os.getpid = lambda: int(sys.argv[2])
folder = os.path.dirname(sys.argv[1])

def slow_fsync(fd):  # mid-write: tell the test, wait until it has written too
    open(os.path.join(folder, "ready"), "w").close()
    for _ in range(6000):
        if os.path.exists(os.path.join(folder, "go")):
            return
        time.sleep(0.01)

os.fsync = slow_fsync
fileio.write_atomically(sys.argv[1], "theirs")
"""


def test_a_live_writer_in_another_namespace_keeps_its_temporary(tmp_path):
    import subprocess
    import sys

    target = tmp_path / "t"
    child = subprocess.Popen([sys.executable, "-c", FOREIGN_WRITER, str(target),
                              str(_dead_pid())], stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(6000):
            if (tmp_path / "ready").exists() or child.poll() is not None:
                break
            time.sleep(0.01)
        assert (tmp_path / "ready").exists(), child.stderr.read() if child.poll() else ""
        (theirs,) = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        os.utime(theirs, (0, 0))  # however old: its PID means nothing here
        write_atomically(target, "ours")
        assert theirs.exists()
    finally:
        (tmp_path / "go").touch()
        _, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert target.read_text() == "theirs"


def test_the_tag_changes_with_the_host_and_the_namespace(monkeypatch):
    tag = fileio.host_tag()
    assert re.fullmatch("[0-9a-f]{8}", tag)
    monkeypatch.setattr(fileio.socket, "gethostname", lambda: "another-host")
    assert fileio.host_tag() != tag
    monkeypatch.undo()
    monkeypatch.setattr(fileio, "_namespace", lambda: "pid:[1]")
    assert fileio.host_tag() != tag


def _dead_pid() -> int:
    """A PID no process has now (the largest free one below the kernel's limit)."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except OSError:
            pass
        pid -= 1


def test_older_temporaries_are_not_ours_to_remove(tmp_path):
    # Names of earlier versions carry no host: nothing proves their writer is gone.
    old = [tmp_path / ".t.k2j4h5g6.tmp", tmp_path / ".t.999999.k2j4h5g6.tmp"]
    for p in old:
        p.write_text("x")
        os.utime(p, (0, 0))
    write_atomically(tmp_path / "t", "new")
    assert all(p.exists() for p in old)


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "secret"
    target.write_text("old")
    os.chmod(target, 0o600)
    write_atomically(target, "new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    os.chmod(target, 0o640)
    write_atomically(target, "newer")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640 and target.read_text() == "newer"


def test_a_symlink_is_written_through_to_its_target(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomically(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new" and stat.S_IMODE(os.stat(real).st_mode) == 0o600


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "made")
    write_atomically(link, "new")
    assert link.is_symlink() and (tmp_path / "made").read_text() == "new"


def test_a_fifo_is_refused_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file") as e:
        write_atomically(fifo, "x")
    assert e.value.filename == str(fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError) as e:
        write_atomically(tmp_path, "x")
    assert e.value.filename == str(tmp_path)


def test_errors_name_the_target_not_the_temporary(tmp_path, monkeypatch):
    target = tmp_path / "model.json"

    def full_disk(src, dst):
        raise OSError(28, "No space left on device", src)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError) as e:
        write_atomically(target, "x")
    assert e.value.filename == str(target) and ".tmp" not in str(e.value)
    assert e.value.errno == 28


def test_a_missing_folder_is_named_as_the_target(tmp_path):
    target = tmp_path / "no" / "such" / "file.json"
    with pytest.raises(FileNotFoundError) as e:
        write_atomically(target, "x")
    assert e.value.filename == str(target) and ".tmp" not in str(e.value)


# --- read-only files, long names, hard links, the temporary's folder ----------------------


def test_a_read_only_file_is_refused_even_for_root(tmp_path):
    # open(p, "w") refuses a 0444 file (root's open does not: the mode bits are checked
    # here explicitly, so the refusal is the same for every user).
    target = tmp_path / "model.json"
    target.write_text("old")
    os.chmod(target, 0o444)
    with pytest.raises(PermissionError) as e:
        write_atomically(target, "new")
    assert e.value.filename == str(target) and "read-only" in str(e.value)
    assert target.read_text() == "old" and stat.S_IMODE(os.stat(target).st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_a_symlink_to_a_read_only_file_is_refused(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o444)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with pytest.raises(PermissionError) as e:
        write_atomically(link, "new")
    assert e.value.filename == str(link)
    assert real.read_text() == "old" and link.is_symlink()


def test_a_file_the_caller_may_not_write_is_refused(tmp_path, monkeypatch):
    # os.access is the OS's own answer (ACLs, other users' files) for anyone but root.
    target = tmp_path / "theirs"
    target.write_text("old")
    monkeypatch.setattr(fileio.os, "access", lambda path, mode: False)
    with pytest.raises(PermissionError) as e:
        write_atomically(target, "new")
    assert e.value.filename == str(target) and target.read_text() == "old"


def test_a_writable_file_with_some_write_bit_is_replaced(tmp_path):
    target = tmp_path / "group-writable"
    target.write_text("old")
    os.chmod(target, 0o464)
    if not os.access(target, os.W_OK):
        pytest.skip("the owner's bits say read-only and we are not root")
    write_atomically(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(os.stat(target).st_mode) == 0o464


@pytest.mark.parametrize("name", [
    "模" * 83 + "a",  # 250 bytes in UTF-8
    "模" * 85,  # 255 bytes: the longest name ext4 and most file systems take
    "a" * 255,
], ids=["250-byte-cjk", "255-byte-cjk", "255-byte-ascii"])
def test_names_up_to_255_bytes_can_be_written(tmp_path, name):
    assert len(name.encode()) in (250, 255)
    target = tmp_path / name
    write_atomically(target, "first")
    write_atomically(target, "second")
    assert target.read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_the_temporary_is_short_and_in_the_target_folder(tmp_path, monkeypatch):
    # os.replace is atomic only within one file system: the temporary must be a sibling
    # of the file it replaces, not in /tmp or the working directory.
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((os.path.dirname(os.path.abspath(src)), os.path.basename(src),
                     sorted(os.listdir(tmp_path))))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    monkeypatch.chdir(tmp_path.parent)
    write_atomically(tmp_path / ("x" * 200), "data")
    ((folder, name, listing),) = seen
    assert folder == str(tmp_path) and name in listing
    assert len(name.encode()) <= 33 and name.startswith(".sa.")


def test_a_hard_link_is_split_as_documented(tmp_path):
    # Atomic replacement gives the path a new file; the file's other names keep the old
    # contents (docs/design.md, failure model).
    target = tmp_path / "a"
    target.write_text("old")
    other = tmp_path / "b"
    os.link(target, other)
    write_atomically(target, "new")
    assert target.read_text() == "new" and other.read_text() == "old"
    assert os.stat(other).st_nlink == 1


def test_saving_a_model_over_a_read_only_file_is_refused(tmp_path):
    import nn

    target = tmp_path / "model.json"
    target.write_text("kept")
    os.chmod(target, 0o444)
    with pytest.raises(PermissionError) as e:
        nn.save(nn.MLP(2, [1], seed=0), target)
    assert e.value.filename == str(target) and target.read_text() == "kept"
