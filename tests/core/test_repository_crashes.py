"""A first import killed (SIGKILL, a real process dying) at every write step never locks
the practice out: the next import works, and what the crash left (an unfinished
certificate directory, temporary files) is cleaned up by it, or by `purge`. A lost index
(certificates stored, practice.json gone) is still told apart and refused."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.errors import VecozoError
from vecozo_tui.repository import Actor, Repository

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() to kill a "
                                                                 "writer at each step")

PASSWORD = "repo-pass-1"
ALICE = Actor(user="alice", ssh_client="192.0.2.10")
PRACTICE = "hap-zuid"
# the system calls that change the disk: the child is killed just before the n-th one
WRITE_CALLS = ("mkdir", "open", "write", "fsync", "rename", "replace", "unlink", "rmdir",
               "chmod", "link", "ftruncate")


def _kill_at(step: int) -> list[int]:
    seen = [0]
    for name in WRITE_CALLS:
        original = getattr(os, name)

        def counted(*args, _original=original, **kwargs):
            seen[0] += 1
            if seen[0] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return _original(*args, **kwargs)

        setattr(os, name, counted)
    return seen


def run_killed(action, step: int) -> int | None:
    """Run ``action`` in a child process killed with SIGKILL just before its ``step``-th
    write call (0: never). Returns the number of write calls when it was not killed."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: nothing of pytest may run here, whatever happens
        try:
            os.close(read_end)
            seen = _kill_at(step)
            action()
            count = seen[0]
            os.write(write_end, str(count).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    _pid, status = os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as reader:
        output = reader.read()
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return None
    assert output, f"the child failed (status {status})"
    return int(output)


def leftovers(practice_dir: Path) -> list[str]:
    """What a crash may leave that nothing refers to: temporary files, staging or
    unreferenced certificate directories, markers of unfinished imports."""
    index_path = practice_dir / "practice.json"
    index = json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else {}
    referenced = {entry["dir"] for entry in index.get("certificates", {}).values()}
    found = [str(path.relative_to(practice_dir)) for path in practice_dir.rglob("*")
             if path.name.endswith(".tmp") or path.name.startswith((".incoming-",
                                                                    ".unfinished"))]
    certificates = practice_dir / "certificates"
    if certificates.is_dir():
        found += [f"certificates/{child.name}" for child in certificates.iterdir()
                  if child.name not in referenced]
    return sorted(set(found))


@pytest.fixture
def loaded(test_pki):
    cert = test_pki.system()
    return load_pkcs12(test_pki.pfx(cert, PASSWORD).read_bytes(), PASSWORD)


def test_a_first_import_killed_at_any_step_never_locks_the_practice_out(tmp_path, clock,
                                                                         loaded):
    def first_import(root: Path):
        return lambda: Repository(root, clock=clock).import_certificate(
            PRACTICE, loaded, PASSWORD, actor=ALICE)

    probe = tmp_path / "probe"
    Repository.init(probe, clock=clock, actor=ALICE)
    steps = run_killed(first_import(probe), 0)
    assert steps is not None and steps >= 10
    outcomes = set()
    for step in range(1, steps + 1):
        root = tmp_path / f"r{step}"
        Repository.init(root, clock=clock, actor=ALICE)
        assert run_killed(first_import(root), step) is None, f"step {step} was not reached"
        practice_dir = root / "practices" / PRACTICE
        after = Repository(root, clock=clock)  # a new process reads the disk
        active = after.active(PRACTICE)
        outcomes.add(active is not None)
        if active is not None:
            assert active.info.sha256 == loaded.info.sha256
            assert load_pkcs12(after.read_pkcs12(PRACTICE, active.info.sha256),
                               PASSWORD).key_matches

        # `purge` (on a copy) cleans what the crash left, without an import
        copy = tmp_path / f"c{step}"
        shutil.copytree(root, copy, symlinks=True)
        Repository(copy, clock=clock).purge_history(PRACTICE, actor=ALICE, confirm=PRACTICE)
        assert leftovers(copy / "practices" / PRACTICE) == [], step

        # the next import is not refused, and it cleans up too
        stored = after.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
        assert stored.active and after.active(PRACTICE).info.sha256 == loaded.info.sha256
        assert leftovers(practice_dir) == [], step
        assert len(list((practice_dir / "certificates").iterdir())) == 1, step
    assert outcomes == {False, True}  # crashes both before and after the activation


def test_an_unfinished_import_is_not_a_lost_index(tmp_path, clock, loaded, test_pki):
    """A certificate directory without the unfinished-import marker that practice.json
    does not name was activated once: its index is lost, and the import is refused."""
    root = tmp_path / "repository"
    repository = Repository.init(root, clock=clock, actor=ALICE)
    repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
    (root / "practices" / PRACTICE / "practice.json").unlink()
    renewed = test_pki.system(starts_days_ago=1)
    with pytest.raises(VecozoError, match="is missing or empty, but 1 stored certificate"):
        repository.import_certificate(
            PRACTICE, load_pkcs12(test_pki.pfx(renewed, PASSWORD).read_bytes(), PASSWORD),
            PASSWORD, actor=ALICE)
    assert len(list((root / "practices" / PRACTICE / "certificates").iterdir())) == 1


def test_a_full_disk_while_writing_the_first_index_leaves_nothing(tmp_path, clock, loaded,
                                                                    monkeypatch):
    import errno

    from vecozo_tui import repository as repository_module

    root = tmp_path / "repository"
    repository = Repository.init(root, clock=clock, actor=ALICE)
    original = repository_module.atomic_write_text

    def full(path, text, *args, **kwargs):
        if Path(path).name == "practice.json":
            raise VecozoError(f"The disk is full while writing {path}; nothing was changed.")
        return original(path, text, *args, **kwargs)

    monkeypatch.setattr(repository_module, "atomic_write_text", full)
    with pytest.raises(VecozoError, match="disk is full"):
        repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
    monkeypatch.undo()
    assert errno.ENOSPC  # the message names it in plain words
    assert leftovers(root / "practices" / PRACTICE) == []
    repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
    assert repository.active(PRACTICE).info.sha256 == loaded.info.sha256
