"""Nothing inside the repository is followed when it is a symlink, and a repository (or a
part of it) that belongs to another user is refused for writing: otherwise whoever owns it
could make root's import truncate or append to any file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.errors import VecozoError
from vecozo_tui.repository import Actor, Repository

PASSWORD = "repo-pass-1"
ALICE = Actor(user="alice")
PRACTICE = "hap-zuid"
OTHER_UID = 65534  # nobody

as_root = pytest.mark.skipif(os.name == "nt" or os.geteuid() != 0,
                             reason="only root can give files to another user")
posix = pytest.mark.skipif(os.name == "nt", reason="POSIX owners and symlinks")


@pytest.fixture
def loaded(test_pki):
    return load_pkcs12(test_pki.pfx(test_pki.system(), PASSWORD).read_bytes(), PASSWORD)


@pytest.fixture
def repository(tmp_path, clock, loaded) -> Repository:
    repository = Repository.init(tmp_path / "repository", clock=clock, actor=ALICE)
    repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
    return repository


@pytest.fixture
def victim(tmp_path) -> Path:
    """A file only its owner may read, outside the repository."""
    path = tmp_path / "elsewhere" / "shadow"
    path.parent.mkdir()
    path.write_text("keep me\n")
    os.chmod(path, 0o600)
    return path


def replace_with_link(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    os.symlink(target, path)


@posix
@pytest.mark.parametrize("part", [".lock", "audit.log"])
def test_a_symlinked_lock_or_audit_log_is_refused_and_its_target_untouched(
        repository, loaded, victim, part):
    replace_with_link(repository.root / part, victim)
    with pytest.raises(VecozoError, match="symbolic link") as raised:
        repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
    assert part in str(raised.value)
    assert victim.read_text() == "keep me\n"
    assert any("symbolic link" in problem for problem in repository.problems())


@posix
@pytest.mark.parametrize("part", ["practices", f"practices/{PRACTICE}",
                                  f"practices/{PRACTICE}/certificates"])
def test_a_symlinked_directory_is_never_written_through(repository, loaded, tmp_path, part):
    outside = tmp_path / "outside"
    outside.mkdir()
    replace_with_link(repository.root / part, outside)
    with pytest.raises(VecozoError, match="symbolic link"):
        repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
    assert list(outside.iterdir()) == []


@posix
@pytest.mark.parametrize("part", ["practices", f"practices/{PRACTICE}",
                                  f"practices/{PRACTICE}/practice.json",
                                  f"practices/{PRACTICE}/events.json"])
def test_reading_never_follows_a_symlink(repository, victim, tmp_path, part):
    target = victim
    if part in ("practices", f"practices/{PRACTICE}"):
        target = tmp_path / "copy"
        import shutil

        shutil.copytree(repository.root / part, target)
    replace_with_link(repository.root / part, target)
    fresh = Repository(repository.root)  # a new process: nothing checked yet
    readers = {"events.json": [fresh.events], "practice.json": [fresh.active],
               PRACTICE: [fresh.active, fresh.events],
               "practices": [fresh.active, fresh.events]}[part.split("/")[-1]]
    for read in readers:
        with pytest.raises(VecozoError, match="symbolic link"):
            read(PRACTICE)


@as_root
def test_a_repository_of_another_user_is_refused(repository, loaded):
    for path in [repository.root, *repository.root.rglob("*")]:
        os.lchown(path, OTHER_UID, OTHER_UID)
    with pytest.raises(VecozoError, match="belongs to another user") as raised:
        repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
    assert "uid 65534" in str(raised.value) and "chown" in str(raised.value)
    assert any("belongs to another user" in p for p in repository.problems())


@as_root
def test_its_symlinks_are_refused_too(repository, loaded, victim):
    """The attack: another user owns the repository and points .lock and audit.log at a
    file of root's; root's import must neither truncate nor append to it."""
    replace_with_link(repository.root / ".lock", victim)
    replace_with_link(repository.root / "audit.log", victim)
    for path in [repository.root, *repository.root.rglob("*")]:
        os.lchown(path, OTHER_UID, OTHER_UID)
    with pytest.raises(VecozoError):
        repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
    assert victim.read_text() == "keep me\n"


@as_root
@pytest.mark.parametrize("part", [".lock", "audit.log", "practices", f"practices/{PRACTICE}",
                                  f"practices/{PRACTICE}/certificates",
                                  f"practices/{PRACTICE}/practice.json"])
def test_a_part_of_another_user_is_refused(repository, loaded, part):
    os.lchown(repository.root / part, OTHER_UID, OTHER_UID)
    with pytest.raises(VecozoError, match="belongs to another user") as raised:
        repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ALICE)
    assert part.split("/")[-1] in str(raised.value)


@as_root
def test_init_never_takes_over_a_directory_of_another_user(tmp_path, clock):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chown(shared, OTHER_UID, OTHER_UID)
    with pytest.raises(VecozoError, match="belongs to another user"):
        Repository.init(shared, clock=clock, actor=ALICE)
    assert shared.stat().st_mode & 0o777 == 0o755 and list(shared.iterdir()) == []
