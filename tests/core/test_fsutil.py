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
