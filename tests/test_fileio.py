"""Atomic writes: whole files, ordinary permissions, no temporary files left behind."""

import os
import stat

import pytest

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
import os, sys, tempfile
# what write_atomically does up to the rename, then a kill -9 of this very process
fd, tmp = tempfile.mkstemp(dir=sys.argv[1], prefix=".t." + str(os.getpid()) + ".",
                           suffix=".tmp")
os.write(fd, b"half")
os.kill(os.getpid(), 9)
"""


def test_a_later_write_removes_temporaries_left_by_a_killed_writer(tmp_path):
    import subprocess
    import sys

    for _ in range(3):
        subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], timeout=60)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 3 and all(n.startswith(".t.") and n.endswith(".tmp") for n in left)
    # a temporary of a live writer (this process) and files of other patterns stay
    live = tmp_path / f".t.{os.getpid()}.abcdefgh.tmp"
    live.write_text("in progress")
    other = [tmp_path / ".u.999999.abcdefgh.tmp", tmp_path / ".t.notes.tmp",
             tmp_path / "t.tmp"]
    for p in other:
        p.write_text("not ours")
    write_atomically(tmp_path / "t", "new")
    assert (tmp_path / "t").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["t", live.name] + [p.name for p in other])


def test_legacy_temporaries_are_removed_only_when_old(tmp_path):
    old, fresh = tmp_path / ".t.k2j4h5g6.tmp", tmp_path / ".t.a1b2c3d4.tmp"
    old.write_text("x")
    fresh.write_text("x")
    os.utime(old, (0, 0))
    write_atomically(tmp_path / "t", "new")
    assert not old.exists() and fresh.exists()


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
