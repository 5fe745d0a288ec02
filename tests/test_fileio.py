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
