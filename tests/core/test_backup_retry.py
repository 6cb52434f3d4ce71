"""A backup killed (SIGKILL) at any step can simply be run again: the retry verifies and
records a complete file the crash left, or writes the next free name, and no temporary
file stays behind. A backup still never overwrites a file."""

from __future__ import annotations

import os

import pytest

from tests.core.test_repository_crashes import run_killed
from vecozo_tui.backup import backup_file_name, make_backup
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.repository import Actor, Repository

PASSWORD = "stored-pass-1"
ACTOR = Actor(user="tester")
PRACTICE = "hap-zuid"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() to kill a "
                                                                 "backup at each step")


@pytest.fixture
def cert(test_pki):
    return test_pki.system()


def fresh(tmp_path, clock, test_pki, cert, name: str):
    root = tmp_path / name / "repository"
    Repository.init(root, clock=clock, actor=ACTOR)
    repository = Repository(root, clock=clock)
    loaded = load_pkcs12(test_pki.pfx(cert, PASSWORD).read_bytes(), PASSWORD)
    repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=ACTOR)
    target = tmp_path / name / "usb"
    target.mkdir()
    return repository, target


def backup(repository, target, now, **kwargs):
    return make_backup(repository, PRACTICE, target, PASSWORD, actor=ACTOR, now=now,
                       agb="01234567", **kwargs)


def test_a_backup_killed_at_any_step_completes_when_run_again(tmp_path, clock, test_pki,
                                                               cert, now):
    probe, probe_target = fresh(tmp_path, clock, test_pki, cert, "probe")
    steps = run_killed(lambda: backup(probe, probe_target, now), 0)
    assert steps is not None and steps >= 5
    expected = backup_file_name(PRACTICE, "01234567", cert.certificate.not_valid_after_utc,
                                probe.active(PRACTICE).info.sha256)
    for step in range(1, steps + 1):
        repository, target = fresh(tmp_path, clock, test_pki, cert, f"r{step}")
        assert run_killed(lambda r=repository, t=target: backup(r, t, now), step) is None, step
        result = backup(repository, target, now)  # the retry: never "already exists"
        assert result.verified
        names = sorted(os.listdir(target))
        assert not [name for name in names if name.endswith(".tmp")], (step, names)
        assert names == [expected], (step, names)  # the crash's own file is taken, not copied
        record = Repository(repository.root).events(PRACTICE).last_backup
        assert record is not None and record.verified, step
        assert record.sha256 == repository.active(PRACTICE).info.sha256


def test_a_file_that_does_not_verify_is_kept_and_the_next_name_written(tmp_path, clock,
                                                                        test_pki, cert, now):
    repository, target = fresh(tmp_path, clock, test_pki, cert, "r")
    name = backup_file_name(PRACTICE, "01234567", cert.certificate.not_valid_after_utc,
                            repository.active(PRACTICE).info.sha256)
    (target / name).write_bytes(b"an older backup, or half of one")
    result = backup(repository, target, now)
    assert (target / name).read_bytes() == b"an older backup, or half of one"
    assert [path.name for path in result.files] == [name.replace(".p12", "_2.p12")]
    assert sorted(os.listdir(target)) == sorted([name, name.replace(".p12", "_2.p12")])


def test_a_backup_with_another_new_password_is_a_new_file(tmp_path, clock, test_pki, cert,
                                                          now):
    repository, target = fresh(tmp_path, clock, test_pki, cert, "r")
    first = backup(repository, target, now, new_password="first-new-1")
    second = backup(repository, target, now, new_password="second-new-2")
    assert first.files[0] != second.files[0]
    assert load_pkcs12(second.files[0].read_bytes(), "second-new-2").key_matches
    assert load_pkcs12(first.files[0].read_bytes(), "first-new-1").key_matches
