"""Crash-safe writes: the fallback for media without hard links (FAT sticks, SMB)."""

from __future__ import annotations

import errno
import os

import pytest

from vecozo_tui.errors import VecozoError
from vecozo_tui.fsutil import atomic_write_bytes, write_new_file


def test_write_new_file_without_hard_links(tmp_path, monkeypatch):
    def no_links(*_args, **_kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "backup.p12"
    write_new_file(target, b"first")
    assert target.read_bytes() == b"first"
    assert (target.stat().st_mode & 0o777) == 0o600
    with pytest.raises(VecozoError, match="already exists"):
        write_new_file(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["backup.p12"]  # no temp file left


def test_atomic_write_keeps_the_old_file_when_the_disk_is_full(tmp_path, monkeypatch):
    target = tmp_path / "index.json"
    atomic_write_bytes(target, b"old")

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(VecozoError, match="disk is full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]


def test_write_new_file_leaves_nothing_when_the_directory_sync_fails(tmp_path, monkeypatch):
    from vecozo_tui import fsutil

    def broken(_directory):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(fsutil, "fsync_directory", broken)
    with pytest.raises(VecozoError):
        write_new_file(tmp_path / "backup.p12", b"data")
    assert list(tmp_path.iterdir()) == []


def test_a_temporary_file_is_new_private_and_named_for_the_crash_cleanup(tmp_path):
    from vecozo_tui.fsutil import new_temporary_file
    from vecozo_tui.repository import _CRASH_TEMP

    target = tmp_path / "summary.json"
    names = set()
    for _ in range(20):
        fd, name = new_temporary_file(target)
        os.close(fd)
        names.add(name)
        assert os.stat(name).st_mode & 0o777 == 0o600
        assert _CRASH_TEMP.match(os.path.basename(name))  # what the next writer removes
        assert os.path.dirname(name) == str(tmp_path)
    assert len(names) == 20
    assert not target.exists()


def test_a_temporary_name_taken_by_a_symlink_is_never_followed(tmp_path, monkeypatch):
    from vecozo_tui import fsutil

    outside = tmp_path / "outside"
    outside.write_text("keep", encoding="utf-8")
    taken = iter([b"\x00\x00\x00\x01", b"\x00\x00\x00\x02"])
    monkeypatch.setattr(fsutil.os, "urandom", lambda count: next(taken))
    (tmp_path / ".summary.json.00000001.tmp").symlink_to(outside)
    fd, name = fsutil.new_temporary_file(tmp_path / "summary.json")
    os.close(fd)
    assert name.endswith(".00000002.tmp")
    assert outside.read_text(encoding="utf-8") == "keep"
